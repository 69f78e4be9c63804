// Client credentials, loaded once per run: private key files (an encrypted one needs a passphrase,
// asked only on a terminal) and ssh-agent. Offered to each connection in a fixed order.
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import { userError } from '../errors.js';

export interface AuthMethods {
  handler(user: string): AuthHandlerMiddleware;
  /** What was offered, for the "authentication failed" message. */
  tried(): string[];
}

export interface AuthSource {
  identityFiles: string[];
  identityExplicit: boolean;
  agentSocket?: string;
}

function parse(buf: Buffer, passphrase?: string): ParsedKey | Error {
  const k = ssh2.utils.parseKey(buf, passphrase);
  return Array.isArray(k) ? (k[0] as ParsedKey) : k;
}

export async function loadAuth(
  src: AuthSource,
  askPassphrase?: (file: string) => Promise<string>,
): Promise<AuthMethods> {
  const keys: { file: string; key: ParsedKey }[] = [];
  const notes: string[] = [];
  for (const file of src.identityFiles) {
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch (e) {
      throw userError(`ssh.identityFile ${file} cannot be read: ${(e as Error).message}`);
    }
    let key = parse(buf);
    if (key instanceof Error && /encrypted|passphrase/i.test(key.message)) {
      if (askPassphrase) key = parse(buf, await askPassphrase(file));
      else if (src.agentSocket || !src.identityExplicit) {
        notes.push(`key ${file} (encrypted, skipped: no terminal to ask for its passphrase)`);
        continue;
      } else
        throw userError(
          `ssh.identityFile ${file} is encrypted and there is no terminal to ask for its passphrase`,
          'load it into ssh-agent (ssh-add) and set SSH_AUTH_SOCK',
        );
    }
    if (key instanceof Error) throw userError(`ssh.identityFile ${file} is not a usable private key: ${key.message}`);
    keys.push({ file, key });
  }
  if (keys.length === 0 && !src.agentSocket) {
    throw userError(
      'no SSH credentials: no private key found and no ssh-agent',
      'set ssh.identityFile in the inventory, or start ssh-agent and set SSH_AUTH_SOCK',
    );
  }
  const tried = [...keys.map((k) => `key ${k.file}`), ...(src.agentSocket ? ['ssh-agent'] : []), ...notes];
  return {
    tried: () => tried,
    handler(user) {
      const queue: AnyAuthMethod[] = [
        ...keys.map((k): AnyAuthMethod => ({ type: 'publickey', username: user, key: k.key })),
        ...(src.agentSocket ? [{ type: 'agent', username: user, agent: src.agentSocket } as AnyAuthMethod] : []),
      ];
      return (_left, _partial, next) => next((queue.shift() ?? false) as AnyAuthMethod);
    },
  };
}
