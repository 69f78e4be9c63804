// Turns one remote step (argv + sudo + env + timeout) into the single shell string an SSH exec
// request carries, plus bytes to put in front of the step's stdin. Both transports (ssh, local)
// use it, so what the tests run locally is exactly what runs on a host.
import { userError } from '../errors.js';
import { quoteArgv, type Argv } from './quote.js';

export interface CommandSpec {
  sudo: boolean;
  env?: Record<string, string>;
  /** Remote-side deadline: coreutils `timeout` kills the command's whole process group. */
  timeoutMs: number;
}

export interface BuiltCommand {
  command: string;
  /** Written to the channel before the caller's stdin (env values travel here, never in argv). */
  stdinPrefix?: Buffer;
}

/** The exit status of `timeout` when the deadline passed (124), or when even KILL was needed (137). */
export const TIMEOUT_EXITS = new Set([124, 137]);

/** Grace between TERM and KILL on the remote side, in seconds. */
export const KILL_AFTER_S = 5;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Reads NAME=base64 lines from stdin until an empty line, exports each, then execs the step, which
// inherits the rest of stdin. `read` consumes a pipe byte by byte, so nothing past the header is
// lost. The trailing "x" keeps values that end in newlines intact through $(...).
const ENV_READER =
  'while IFS= read -r l && [ -n "$l" ]; do n=${l%%=*}; v=$(printf %s "${l#*=}" | base64 -d; echo x); export "$n=${v%x}"; done; exec "$@"';

// `exec` so the login shell (bash or dash) is replaced: a signal that kills the step then reaches
// sshd as a signal, not as the shell's exit status 128+N.
export function buildCommand(argv: Argv, spec: CommandSpec): BuiltCommand {
  const parts: string[] = [];
  if (spec.sudo) parts.push('sudo', '-n', '--');
  const secs = Math.max(1, Math.ceil(spec.timeoutMs / 1000));
  parts.push('timeout', '-k', `${KILL_AFTER_S}s`, `${secs}s`);
  const env = Object.entries(spec.env ?? {});
  if (env.length === 0) return { command: `exec ${quoteArgv([...parts, ...argv])}` };
  for (const [k, v] of env) {
    if (!ENV_NAME.test(k)) throw userError(`invalid environment variable name: ${JSON.stringify(k)}`);
    if (v.includes('\0')) throw userError(`environment variable ${k} contains a NUL byte`);
  }
  parts.push('sh', '-c', ENV_READER, 'sh');
  const header = env.map(([k, v]) => `${k}=${Buffer.from(v, 'utf8').toString('base64')}\n`).join('') + '\n';
  return { command: `exec ${quoteArgv([...parts, ...argv])}`, stdinPrefix: Buffer.from(header, 'utf8') };
}

/** How a step is shown in logs and errors: the argv as typed, env by name only. */
export function displayCommand(argv: readonly string[], spec: Partial<CommandSpec> = {}): string {
  const env = Object.keys(spec.env ?? {}).map((k) => `${k}=***`);
  return [spec.sudo ? 'sudo' : '', ...env, quoteArgv(argv)].filter(Boolean).join(' ');
}
