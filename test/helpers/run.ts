// One-shot commands (a checker, a unit's ExecStartPre): run to completion, output captured, with a
// deadline, optionally in the same private mount-namespace view a server gets (see process.ts).
import { execFile } from 'node:child_process';
import { wrap, type Argv, type Bind } from './process.js';

export interface RunResult {
  ok: boolean;
  /** Exit status; null when killed (timeout) or not started. */
  code: number | null;
  output: string;
}

export function runOnce(o: {
  argv: Argv;
  binds?: readonly Bind[];
  netns?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}): Promise<RunResult> {
  const argv = wrap(o);
  return new Promise((resolve) => {
    execFile(
      argv[0],
      argv.slice(1),
      { cwd: o.cwd, env: { ...process.env, ...o.env }, timeout: o.timeoutMs ?? 30_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        const why = err && code === null ? `\n(${err.message})` : '';
        resolve({ ok: code === 0, code, output: `${stdout}${stderr}${why}` });
      },
    );
  });
}
