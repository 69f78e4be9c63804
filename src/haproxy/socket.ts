// HAProxy's runtime API on its stats socket (a unix socket on the host), reached through an SSH
// streamlocal channel. One line per connection: HAProxy answers and closes in non-interactive mode; a line may
// hold several commands separated by ';' (haproxyCommands), which HAProxy runs in order in one go.
import { FalkorError } from '../errors.js';
import type { Tunnels } from '../redis/tunnel.js';
import { parseShowStat, type BackendStat } from './stats.js';

export async function haproxyCommand(
  tunnels: Tunnels,
  host: string,
  socketPath: string,
  command: string,
  timeoutMs = 5_000,
): Promise<string> {
  if (/[\r\n;]/.test(command))
    throw new FalkorError('USER', `one HAProxy command at a time, without newlines or ';': ${JSON.stringify(command)}`);
  return haproxyLine(tunnels, host, socketPath, command, timeoutMs);
}

/**
 * Several commands in one line, so they take effect together (a switchover's write-path flip: one SSH channel
 * instead of one per command, ~10 ms each in the lab). HAProxy ends each command's answer with an empty line, so
 * the answer is empty when every command succeeded; otherwise it holds what the failing ones said.
 */
export async function haproxyCommands(
  tunnels: Tunnels,
  host: string,
  socketPath: string,
  commands: readonly string[],
  timeoutMs = 5_000,
): Promise<string> {
  for (const c of commands)
    if (/[\r\n;]/.test(c))
      throw new FalkorError('USER', `an HAProxy command without newlines or ';': ${JSON.stringify(c)}`);
  return haproxyLine(tunnels, host, socketPath, commands.join('; '), timeoutMs);
}

async function haproxyLine(
  tunnels: Tunnels,
  host: string,
  socketPath: string,
  command: string,
  timeoutMs: number,
): Promise<string> {
  const ch = await tunnels.stream(host, { path: socketPath }, timeoutMs);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      ch.destroy();
      reject(
        new FalkorError(
          'TIMEOUT',
          `${host}: HAProxy stats socket ${socketPath} gave no complete answer to "${command}" within ${timeoutMs / 1000}s`,
        ),
      );
    }, timeoutMs);
    ch.on('data', (d: Buffer) => chunks.push(d));
    ch.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(new FalkorError('REMOTE', `${host}: HAProxy stats socket ${socketPath}: ${e.message}`));
    });
    // HAProxy answers one command and closes; sshd passes that on as EOF, and closes the channel only
    // once we have ended our side too — which, like `echo cmd | socat`, we do right after the command.
    const done = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
      ch.destroy();
    };
    ch.on('end', done).on('close', done);
    ch.end(`${command}\n`);
  });
}

export async function showStat(
  tunnels: Tunnels,
  host: string,
  socketPath: string,
  timeoutMs?: number,
): Promise<BackendStat[]> {
  const text = await haproxyCommand(tunnels, host, socketPath, 'show stat', timeoutMs);
  try {
    return parseShowStat(text);
  } catch (e) {
    throw new FalkorError(
      'REMOTE',
      `${host}: HAProxy stats socket ${socketPath}: ${(e as Error).message}; it said: ${text.slice(0, 200).trim()}`,
    );
  }
}
