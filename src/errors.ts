// One small error taxonomy. Callers compare `code`, never `instanceof`, so errors survive
// module duplication and structured-clone boundaries.

export const EXIT = {
  OK: 0,
  FAILED: 1, // a check failed, findings were reported, a remote step failed, the cluster is degraded
  USAGE: 2, // bad flags, bad inventory, bad input file
  REFUSED: 3, // the tool declined a dangerous step (no --yes, not interactive, unsafe state)
  INTERNAL: 70, // a bug: stack trace always shown
} as const;

export type ErrorCode = 'USER' | 'USAGE' | 'REMOTE' | 'REFUSED' | 'FAILED' | 'TIMEOUT';

export class FalkorError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, opts: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FalkorError';
    this.code = code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? defaultExit(code);
  }
}

function defaultExit(code: ErrorCode): number {
  switch (code) {
    case 'USER':
    case 'USAGE':
      return EXIT.USAGE;
    case 'REFUSED':
      return EXIT.REFUSED;
    default:
      return EXIT.FAILED;
  }
}

/** Bad input: inventory, flags, files. Exit 2, no stack trace. */
export function userError(message: string, hint?: string): FalkorError {
  return new FalkorError('USER', message, { hint });
}

/** The tool declined a dangerous or impossible request. Exit 3; `hint` names the override. */
export function refusal(message: string, hint?: string): FalkorError {
  return new FalkorError('REFUSED', message, { hint });
}

export interface RemoteFailure {
  host: string;
  argv: readonly string[];
  exitStatus: number | null;
  signal?: string | null;
  stderr: string;
}

export class RemoteError extends FalkorError {
  readonly host: string;
  readonly argv: readonly string[];
  readonly exitStatus: number | null;
  readonly stderrExcerpt: string;
  constructor(f: RemoteFailure, message?: string) {
    const excerpt = excerptOf(f.stderr);
    super(
      'REMOTE',
      message ??
        `${f.host}: \`${f.argv.join(' ')}\` failed (${f.signal ? `signal ${f.signal}` : `exit ${f.exitStatus}`})${
          excerpt ? `\n${excerpt.replace(/^/gm, '    ')}` : ''
        }`,
    );
    this.host = f.host;
    this.argv = f.argv;
    this.exitStatus = f.exitStatus;
    this.stderrExcerpt = excerpt;
  }
}

/** The last few non-empty stderr lines: enough to act on, short enough for a log line. */
export function excerptOf(stderr: string, lines = 6): string {
  return stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-lines)
    .join('\n');
}

export function isFalkorError(e: unknown): e is FalkorError {
  return (
    e instanceof Error &&
    typeof (e as Partial<FalkorError>).code === 'string' &&
    typeof (e as Partial<FalkorError>).exitCode === 'number'
  );
}
