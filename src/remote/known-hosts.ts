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

export function parseKnownHosts(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith('#')) return;
    const f = l.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (f[0] === '@revoked' || f[0] === '@cert-authority')
      marker = f.shift() === '@revoked' ? 'revoked' : 'cert-authority';
    const [hosts, keyType, keyBase64] = f;
    if (!hosts || !keyType || !keyBase64) return; // malformed lines are ignored, as ssh does
    out.push({ line: i + 1, marker, hosts, keyType, keyBase64 });
  });
  return out;
}

/** The name ssh looks up: "host" on port 22, "[host]:port" otherwise. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Does a known_hosts host field match `name` (the output of hostKeyName)? */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(p).test(name)) {
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
