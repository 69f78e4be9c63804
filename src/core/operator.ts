// Who runs this command and how, as the lock and the audit log record it. Secrets are never in argv by
// design (they come from env:/file:/prompt references), but an operator may still type one: any option
// whose name speaks of a secret has its value masked, as does any `user:password@` inside a URL.
import { hostname, userInfo } from 'node:os';

export const MASK = '***';
const SECRET_NAME = /pass(word)?|secret|token|auth|key|credential/i;

/** `user@host` of the operator's machine. */
export function operatorId(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.SUDO_USER || env.USER || env.LOGNAME;
  try {
    user ||= userInfo().username;
  } catch {
    user ||= 'unknown';
  }
  return `${user}@${hostname()}`;
}

/** The command line with secret option values and URL credentials masked. */
export function maskArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!.replace(/(\/\/[^/:@\s]*:)[^@/\s]+@/g, `$1${MASK}@`);
    const eq = /^(--?[A-Za-z][\w-]*)=(.*)$/.exec(a);
    if (eq && SECRET_NAME.test(eq[1]!)) {
      out.push(`${eq[1]}=${MASK}`);
      continue;
    }
    out.push(a);
    const next = argv[i + 1];
    // `--password VALUE`: mask the value unless it is a reference (env:NAME, file:/path, prompt) or a flag.
    if (/^--?[A-Za-z]/.test(a) && SECRET_NAME.test(a) && next !== undefined && !next.startsWith('-')) {
      out.push(/^(env:|file:|prompt$)/.test(next) ? next : MASK);
      i++;
    }
  }
  return out;
}

/** A masked command line as one string (for the lock holder and audit lines). */
export const commandLine = (argv: readonly string[]) => maskArgv(argv).join(' ');
