// The host-key decision for one connection: known → go; unknown → refuse with the fingerprint and
// how to accept it, unless --accept-new (or an interactive "yes"); changed or revoked → always refuse.
import { FalkorError, refusal, userError } from '../errors.js';
import {
  appendKnownHost,
  fingerprint,
  hostKeyName,
  keyTypeOf,
  knownKeyTypes,
  readKnownHosts,
  verifyHostKey,
} from './known-hosts.js';
import type { Endpoint } from './ssh-settings.js';

export interface HostKeyPolicy {
  knownHostsPath: string;
  acceptNew: boolean;
  /** Asks a person (only when there is a terminal); resolves true to trust. */
  ask?: (question: string) => Promise<boolean>;
  log?: (line: string) => void;
}

const where = (e: Endpoint) => `${e.label} (${e.address}:${e.port})`;
const typeName = (t: string) =>
  t
    .replace(/^ssh-/, '')
    .replace(/^ecdsa-sha2-.*/, 'ECDSA')
    .toUpperCase();

/** Resolves when the key is trusted; rejects with a REFUSED FalkorError when it is not. */
export async function checkHostKey(ep: Endpoint, key: Buffer, p: HostKeyPolicy): Promise<void> {
  const name = hostKeyName(ep.address, ep.port);
  const fp = fingerprint(key);
  const type = keyTypeOf(key);
  const verdict = verifyHostKey(readKnownHosts(p.knownHostsPath), name, key);
  switch (verdict.status) {
    case 'known':
      return;
    case 'revoked':
      throw refusal(
        `${where(ep)}: host key ${typeName(type)} ${fp} is marked @revoked in ${p.knownHostsPath}:${verdict.line}`,
      );
    case 'changed':
      throw refusal(
        `${where(ep)}: HOST KEY CHANGED — the host presented ${typeName(type)} ${fp}, but ${p.knownHostsPath} ` +
          `(line ${verdict.lines.join(', ')}) holds a different ${verdict.knownTypes.map(typeName).join('/')} key. ` +
          `This can be a man-in-the-middle; refusing (--accept-new never replaces a key)`,
        `if the host was reinstalled, verify the new key on its console, then remove the old one: ssh-keygen -R '${name}' -f ${p.knownHostsPath}`,
      );
    case 'unknown': {
      const question = `${where(ep)}: unknown host key ${typeName(type)} ${fp}. Trust it and add it to ${p.knownHostsPath}?`;
      const trusted = p.acceptNew || (p.ask ? await p.ask(question) : false);
      if (!trusted) {
        throw new FalkorError(
          'REFUSED',
          `${where(ep)}: host key is not known — ${typeName(type)} key fingerprint is ${fp}`,
          {
            hint: `compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_${type === 'ssh-rsa' ? 'rsa' : type.startsWith('ecdsa') ? 'ecdsa' : 'ed25519'}_key.pub\` on the host, then re-run with --accept-new (records it in ${p.knownHostsPath})`,
          },
        );
      }
      try {
        appendKnownHost(p.knownHostsPath, name, key);
      } catch (e) {
        throw userError(
          `${where(ep)}: cannot record its host key in ${p.knownHostsPath}: ${(e as Error).message}`,
          'fix the file or set ssh.knownHosts',
        );
      }
      p.log?.(`${ep.label}: added ${typeName(type)} ${fp} for ${name} to ${p.knownHostsPath}`);
      return;
    }
  }
}

const ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_ORDER = Object.values(ALGORITHMS).flat();

/** Host-key algorithms to offer: the types already on file for this host first, as ssh does. */
export function hostKeyAlgorithms(knownHostsPath: string, ep: Endpoint): string[] {
  const known = knownKeyTypes(readKnownHosts(knownHostsPath), hostKeyName(ep.address, ep.port)).flatMap(
    (t) => ALGORITHMS[t] ?? [],
  );
  return [...new Set([...known, ...DEFAULT_ORDER])];
}
