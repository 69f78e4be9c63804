// Everything with a side effect reaches a command through this context, so tests build one
// with real streams/files and no command ever asks "am I under test".
import type { Writable } from 'node:stream';
import { createReporter, type Reporter } from './ui/reporter.js';
import { createPrompter, type Prompter } from './ui/prompt.js';
import { createProgress, progressMode, type Progress } from './core/progress.js';

export interface GlobalOptions {
  inventory: string;
  json: boolean;
  verbose: boolean;
  color: boolean;
  yes: boolean;
  dryRun: boolean;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface Ctx {
  opts: GlobalOptions;
  out: Reporter;
  prompt: Prompter;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The command line as typed (after `falkorctl`): the lock holder and audit lines show it, masked. */
  argv: readonly string[];
  /** Per-host progress on stderr: spinner at a terminal, timestamped lines otherwise, nothing with --json. */
  progress(mask?: (s: string) => string): Progress;
}

/** A command module: parse nothing, receive parsed options, return an exit code (0 when omitted). */
export type Handler = (args: { operands: string[]; opts: Record<string, unknown> }, ctx: Ctx) => Promise<number | void>;

export interface CtxIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function createCtx(opts: GlobalOptions, io: CtxIO, argv: readonly string[] = []): Ctx {
  const out = createReporter({
    stdout: io.stdout,
    stderr: io.stderr,
    json: opts.json,
    verbose: opts.verbose,
    color: opts.color,
  });
  return {
    opts,
    out,
    prompt: createPrompter({
      interactive: Boolean(io.stdin.isTTY && io.stdout.isTTY),
      assumeYes: opts.yes,
      input: io.stdin,
      output: io.stderr,
    }),
    clock: realClock,
    env: io.env,
    cwd: io.cwd,
    argv,
    progress: (mask) => createProgress({ stream: io.stderr, mode: progressMode(opts.json, io.stderr), mask }),
  };
}
