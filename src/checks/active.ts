// The deployment steps that act on the cluster, opt-in: "Load test with production data" (--load-test: a short
// write load through HAProxy's write port, ops/s and p99) and "Perform failover test" (--failover-test: the
// measurement `falkorctl failover-test` makes, a switchover and back under a writer). Without its flag each is
// skipped with the flag as the reason — never passed. The runs are the command's (env.active); what they
// measured is judged here, purely.
import type { WriteLoadReport } from '../loadgen/types.js';
import { ITEMS, type Area, type CheckEnv, type CheckResult } from './types.js';

/** What the load test measured (src/loadgen/load-test.ts). */
export interface LoadMeasured {
  report: WriteLoadReport;
  graph: string;
  /** "lb1:6380". */
  through: string;
  cleanupError?: string;
}

/** What the failover test measured (src/failover/measure.ts). */
export interface FailoverMeasured {
  what: string;
  lb: string;
  report: WriteLoadReport;
  lost: number;
  healthyMs: number;
  actionError?: unknown;
  cleanupError?: string;
}

export interface ActiveEnv {
  load?: { durationS: number; p99Ms: number; run(): Promise<LoadMeasured> };
  failover?: { maxUnavailableMs: number; run(): Promise<FailoverMeasured> };
}

const LOAD = { id: 'active.load', title: 'a write load through HAProxy: ops/s and p99 latency', item: ITEMS.loadTest };
const FAILOVER = {
  id: 'active.failover',
  title: 'a switchover and back under a write load: unavailability and writes lost',
  item: ITEMS.failover,
};

export const OPT_IN = {
  load: 'opt-in: --load-test (writes to a scratch graph through HAProxy for --load-duration seconds)',
  failover: 'opt-in: --failover-test (switches the master over and back under a write load; needs --yes)',
} as const;

const ms = (n: number) => `${Math.round(n)} ms`;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
type Base = { id: string; title: string; item: string };

export function evaluateLoad(m: LoadMeasured, lim: { durationS: number; p99Ms: number }): CheckResult {
  const r = m.report;
  // an op is one acknowledged command (the graph CREATE and the SET count one each), as p99 is over each
  const ops = r.ackedGraph + r.ackedKv;
  const secs = r.durationMs / 1000;
  const rate = secs > 0 ? Math.round(ops / secs) : 0;
  const problems = [
    r.failed ? `${r.failed} of ${r.attempted} attempts failed (first: ${r.windows[0]?.firstError ?? '?'})` : '',
    r.unverified ? `not read back: ${r.unverified}` : '',
    r.missing.length ? `${r.missing.length} acknowledged writes missing on read-back` : '',
    ops === 0 ? 'nothing was acknowledged' : '',
  ].filter(Boolean);
  const slow = r.p99Ms > lim.p99Ms;
  const fail = slow || problems.length > 0;
  return {
    ...LOAD,
    phase: 'deploy',
    outcome: fail ? 'fail' : m.cleanupError ? 'warn' : 'pass',
    found: [`${ops} ops in ${secs.toFixed(1)} s (${rate} ops/s), p99 ${r.p99Ms} ms`, ...problems].join('; '),
    expected: `p99 ≤ ${lim.p99Ms} ms (--load-p99), no failed write, every acknowledged write read back`,
    evidence:
      `GRAPH.QUERY CREATE + SET back to back on one connection through ${m.through} for ${lim.durationS} s ` +
      `into the scratch graph ${m.graph}; read back, then deleted`,
    reason: [
      m.cleanupError ? `scratch data not removed: ${m.cleanupError}` : '',
      'synthetic writes: a run of the production queries is still the operator’s',
    ]
      .filter(Boolean)
      .join('; '),
  };
}

export function evaluateFailover(m: FailoverMeasured, lim: { maxUnavailableMs: number }): CheckResult {
  const r = m.report;
  const lost = r.unverified ? `not verified (${r.unverified})` : `${m.lost} of ${r.acknowledged}`;
  const failed = m.actionError !== undefined ? message(m.actionError) : '';
  const problems = [
    failed ? `the failover did not complete: ${failed}` : '',
    r.unverified ? 'the writes could not be read back' : '',
    m.lost ? `${m.lost} acknowledged write(s) lost` : '',
    r.longestWindowMs > lim.maxUnavailableMs ? `longest unavailability above ${ms(lim.maxUnavailableMs)}` : '',
  ].filter(Boolean);
  return {
    ...FAILOVER,
    phase: 'deploy',
    outcome: problems.length ? 'fail' : m.cleanupError ? 'warn' : 'pass',
    found:
      `${lost} acknowledged writes lost; writes unavailable ${ms(r.totalUnavailableMs)} in ` +
      `${r.windows.length} window(s), longest ${ms(r.longestWindowMs)}` +
      (failed ? '' : `; healthy again after ${(m.healthyMs / 1000).toFixed(1)} s`),
    expected: `0 lost; longest unavailability ≤ ${ms(lim.maxUnavailableMs)} (--failover-max-unavailable)`,
    evidence: `falkorctl failover-test (planned): ${m.what}, writing through ${m.lb} every 2 ms`,
    ...(problems.length || m.cleanupError
      ? {
          reason: [...problems, m.cleanupError ? `test writes not removed: ${m.cleanupError}` : '']
            .filter(Boolean)
            .join('; '),
        }
      : {}),
  };
}

/** A run that could not be made at all (pre-flight refused, no HAProxy host, …): a failure with the reason. */
const couldNot = (base: Base, e: unknown): CheckResult => ({
  ...base,
  phase: 'deploy',
  outcome: 'fail',
  reason: `could not run: ${message(e)}`,
});

export const active: Area = {
  name: 'active',
  alone: true,
  async run(env: CheckEnv) {
    const a = env.active ?? {};
    const out: CheckResult[] = [];
    // the load first: it measures the cluster as it is, before the failover test moves the master
    if (!a.load) out.push({ ...LOAD, phase: 'deploy', outcome: 'skip', reason: OPT_IN.load });
    else
      out.push(
        await a.load.run().then(
          (m) => evaluateLoad(m, a.load!),
          (e: unknown) => couldNot(LOAD, e),
        ),
      );
    if (!a.failover) out.push({ ...FAILOVER, phase: 'deploy', outcome: 'skip', reason: OPT_IN.failover });
    else
      out.push(
        await a.failover.run().then(
          (m) => evaluateFailover(m, a.failover!),
          (e: unknown) => couldNot(FAILOVER, e),
        ),
      );
    return out;
  },
};
