// scripts/writeload: run the load, verify, print, and turn the verdict into an exit code.
import type { Writable } from 'node:stream';
import { EXIT, isFalkorError } from '../errors.js';
import { parseCli, USAGE } from './args.js';
import { cleanup } from './cleanup.js';
import { formatReport } from './format.js';
import { runWriteLoad } from './run.js';
import type { WriteLoadReport } from './types.js';
import { toReport, verify } from './verify.js';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export async function main(argv: string[], io: CliIO = process): Promise<number> {
  const say = (s: Writable, t: string) => s.write(`${t}\n`);
  let verbose = argv.includes('--verbose');
  try {
    const args = parseCli(argv, io.env);
    verbose = args.verbose;
    if (args.help) {
      say(io.stdout, USAGE);
      return EXIT.OK;
    }
    // Ctrl-C ends the run early but still verifies and reports what was acknowledged.
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const log = (t: string) => say(io.stderr, `writeload: ${t}`);
      if (verbose) log(`writing to ${args.load.host}:${args.load.port}`);
      const run = await runWriteLoad({ ...args.load, signal: ac.signal, log: verbose ? log : undefined });
      const target = {
        host: args.load.host,
        port: args.load.port,
        password: args.load.password,
        waitMs: args.verifyWaitMs,
      };
      // A failed read-back still reports the windows that were measured; it is a failure, not a pass.
      const report = await verify(target, run).catch((e: unknown) => {
        if (!isFalkorError(e)) throw e;
        return toReport(run, { missing: [], verifiedAgainst: 'nothing', verifiedRole: '', unverified: e.message });
      });
      say(io.stdout, args.json ? JSON.stringify(report, null, 2) : formatReport(report));
      if (report.verifiedRole && report.verifiedRole !== 'master') {
        say(
          io.stderr,
          `writeload: warning: read back from a ${report.verifiedRole}, not a master: missing writes may be replication lag`,
        );
      }
      if (args.cleanup && !report.unverified) await cleanup(target, run);
      const problems = verdict(report, args.maxWindowMs);
      for (const p of problems) say(io.stderr, `writeload: FAILED: ${p}`);
      return problems.length ? EXIT.FAILED : EXIT.OK;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  } catch (e) {
    if (isFalkorError(e)) {
      say(io.stderr, `writeload: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
      if (verbose && e.stack) say(io.stderr, e.stack);
      return e.exitCode;
    }
    say(io.stderr, `writeload: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.INTERNAL;
  }
}

/** Why this run fails, if it does. */
export function verdict(r: WriteLoadReport, maxWindowMs?: number): string[] {
  const out: string[] = [];
  if (r.unverified) out.push(`acknowledged writes were not verified: ${r.unverified}`);
  if (r.missing.length) out.push(`${r.missing.length} acknowledged writes are missing`);
  if (r.acknowledged === 0) out.push('no write attempt was acknowledged');
  if (maxWindowMs !== undefined && r.longestWindowMs > maxWindowMs) {
    out.push(`longest unavailability window ${r.longestWindowMs} ms exceeds ${maxWindowMs} ms`);
  }
  return out;
}
