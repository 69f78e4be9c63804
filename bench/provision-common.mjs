// What bench/lab-provision.mjs (nspawn, plain device) and bench/lab-provision-vm.mjs (QEMU guest, LVM) share:
// the knobs, a process runner that never throws (exit code, stdout, stderr), the report and the run wrapper.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin/falkorctl.js');
export const JSON_OUT = process.argv.includes('--json');
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const LAB_ID = process.env.BENCH_LAB_ID ?? '7';
export const KEEP_LAB = process.env.BENCH_KEEP_LAB === '1';
export const CACHE =
  process.env.BENCH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'falkorctl-bench');
/** The Ansible venv bench/lab-provision.mjs makes (ansible 14 needs Python >= 3.12). */
export const VENV = join(CACHE, 'ansible-14');

export const log = (s) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
export const out = (s) => (JSON_OUT ? process.stderr : process.stdout).write(`${s}\n`);
export const now = () => performance.timeOrigin + performance.now();
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A work directory, the environment every child gets, and a runner with the bench's default timeout. */
export function benchContext(prefix, extraEnv, defaultTimeoutMs) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, LAB_ID, NO_COLOR: '1', XDG_STATE_HOME: join(work, 'state'), ...extraEnv };
  const run = (cmd, args, { timeoutMs = defaultTimeoutMs, extraEnv: more = {} } = {}) =>
    new Promise((resolve) => {
      const opts = { env: { ...env, ...more }, timeout: timeoutMs, maxBuffer: 64 << 20 };
      execFile(cmd, args, opts, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  return { work, env, run };
}

/** The result of a run, or an error naming what failed with its output. */
export const must = async (what, p) => {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
};

/** The JSON summary to stdout with --json, and to BENCH_OUT when set. */
export function writeSummary(summary) {
  if (JSON_OUT) console.log(JSON.stringify(summary, null, 2));
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${JSON.stringify(summary, null, 2)}\n`);
}

/** Runs main; a failure is logged and exits 1; the work directory goes either way. */
export async function runBench(main, work) {
  try {
    await main();
  } catch (e) {
    log(`FAILED: ${e.stack ?? e}`);
    process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
