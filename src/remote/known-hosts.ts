// OpenSSH known_hosts, read and appended the way ssh(1) does: plain and hashed (|1|salt|hash) host
// fields, [host]:port for non-22 ports, wildcard and negated patterns, @revoked lines. Certificates
// (@cert-authority) are not used by falkorctl and are skipped.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { userError } from '../errors.js';

export interface KnownHostLine {
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: string; // the raw host field: "a,b,[c]:2222" or "|1|salt|hash"
  keyType: string;
  keyBase64: string;
}

/** No key line is this long (a 16384-bit RSA key is ~2.8 KB): longer ones are garbage, skipped unread. */
const MAX_LINE = 64 * 1024;

export function parseKnownHosts(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.length > MAX_LINE) return;
    const l = raw.trim();
    if (!l || l.startsWith('#')) return;
    const f = l.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (f[0] === '@revoked' || f[0] === '@cert-authority')
      marker = f.shift() === '@revoked' ? 'revoked' : 'cert-authority';
    const [hosts, keyType, keyBase64] = f;
    if (!hosts || !keyType || !keyBase64) return; // malformed lines are ignored, as ssh does
    // as sshkey_read: the blob must be base64 and name the same key type as the line (else it is not a key)
    if (!/^[A-Za-z0-9+/]+=*$/.test(keyBase64) || keyTypeOf(Buffer.from(keyBase64, 'base64')) !== keyType) return;
    out.push({ line: i + 1, marker, hosts, keyType, keyBase64 });
  });
  return out;
}

/** The name ssh looks up: "host" on port 22, "[host]:port" otherwise. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * ssh's match_pattern (* and ?, case-insensitive), in O(pattern × name) steps. A regex built from the glob
 * backtracks exponentially on a hostile line such as "*a*a*a*a*…b" in a known_hosts file.
 */
export function globMatch(glob: string, name: string): boolean {
  const p = glob.toLowerCase();
  const s = name.toLowerCase();
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === '?' || p[i] === s[j])) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (p[i] === '*') i++;
  return i === p.length;
}

/** Does a known_hosts host field match `name` (the output of hostKeyName)? */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const key = Buffer.from(salt, 'base64');
    if (key.length !== 20) return false; // ssh's salt is one SHA-1 length: anything else is a broken line
    const mac = createHmac('sha1', key).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (globMatch(p, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** SHA256 fingerprint exactly as `ssh-keygen -l` prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key blob ("ssh-ed25519", ...). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'revoked'; line: number }
  | { status: 'changed'; lines: number[]; knownTypes: string[] };

/**
 * Judge a presented key. A key of another type than the ones on file counts as changed: accepting
 * it would let an attacker who lacks the known key downgrade to a type we never saw.
 */
export function verifyHostKey(entries: KnownHostLine[], name: string, keyBlob: Buffer): HostKeyVerdict {
  const b64 = keyBlob.toString('base64');
  const mine = entries.filter((e) => e.marker !== 'cert-authority' && hostFieldMatches(e.hosts, name));
  const revoked = mine.find((e) => e.marker === 'revoked' && e.keyBase64 === b64);
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = mine.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.keyBase64 === b64)) return { status: 'known' };
  if (plain.length === 0) return { status: 'unknown' };
  return { status: 'changed', lines: plain.map((e) => e.line), knownTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types on file for a host, so the handshake can ask for those first (as ssh does). */
export function knownKeyTypes(entries: KnownHostLine[], name: string): string[] {
  return [
    ...new Set(entries.filter((e) => e.marker === undefined && hostFieldMatches(e.hosts, name)).map((e) => e.keyType)),
  ];
}

export function readKnownHosts(path: string): KnownHostLine[] {
  try {
    return parseKnownHosts(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw userError(`cannot read known_hosts ${path}: ${(e as Error).message}`, 'fix the file or set ssh.knownHosts');
  }
}

/** Append one plain entry; creates the directory (0700) and file (0600) like ssh does. */
export function appendKnownHost(path: string, name: string, keyBlob: Buffer): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(path)) {
    const cur = readFileSync(path);
    if (cur.length > 0 && cur[cur.length - 1] !== 0x0a) prefix = '\n';
  }
  const line = `${name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
  appendFileSync(path, `${prefix}${line}\n`, { mode: 0o600 });
  return line;
}
