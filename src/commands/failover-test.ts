// `falkorctl failover-test [--duration S] [--unplanned] [--report FILE] [--yes] [--json]`: the seed's "Perform
// failover test", measured (src/failover/measure.ts: a writer through HAProxy's write port the whole time;
// planned: a switchover and back; --unplanned: kill -9 of the master and Sentinel's own failover; every
// acknowledged write read back). Reported: write unavailability, acknowledged writes lost, time to a healthy
// cluster, and a timeline (acknowledged writes per 100 ms, each step marked).
// Exit: 0 nothing acknowledged was lost and the cluster is healthy again; 1 otherwise; 2 bad input; 3 refused.
import { writeFile } from 'node:fs/promises';
import type { Handler } from '../context.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { DEFAULT_SECONDS, failoverPlan, measureFailover } from '../failover/measure.js';
import { htmlReport, sparkline } from '../failover/timeline.js';
import { openSession } from '../switchover/session.js';

export const run: Handler = async ({ opts }, ctx) => {
  const seconds = opts.duration === undefined ? DEFAULT_SECONDS : Number(opts.duration);
  if (!Number.isFinite(seconds) || seconds < 1) throw userError(`--duration ${String(opts.duration)}: seconds ≥ 1`);
  const unplanned = opts.unplanned === true;
  const s = await openSession(ctx, opts);
  try {
    const { lb, what } = failoverPlan(s, unplanned);
    const ok = await ctx.prompt.confirm(`failover test on cluster ${s.inv.cluster}: write through ${lb}, ${what}?`);
    if (!ok) throw refusal(`not confirmed: failover test; nothing was changed`);

    const m = await measureFailover(ctx, s, opts, { seconds, unplanned });
    const { report, lost, timeline: t, actionError, next } = m;
    if (m.cleanupError) ctx.out.warn(`test writes not removed: ${m.cleanupError}`);
    const facts: [string, string][] = [
      ['cluster', s.inv.cluster],
      ['test', unplanned ? `unplanned: ${what}` : `planned: ${what}`],
      ['acknowledged writes', String(report.acknowledged)],
      ['acknowledged writes lost', report.unverified ? `not verified: ${report.unverified}` : String(lost)],
      [
        'write unavailability',
        `${Math.round(report.totalUnavailableMs)} ms (longest window ${Math.round(report.longestWindowMs)} ms)`,
      ],
      [
        unplanned ? 'time to a new master (Sentinel)' : 'time to a healthy cluster',
        actionError ? 'not reached' : `${(m.healthyMs / 1000).toFixed(1)} s`,
      ],
      ['latency p50 / p99', `${report.p50Ms} / ${report.p99Ms} ms`],
    ];
    if (typeof opts.report === 'string')
      await writeFile(opts.report, htmlReport(`falkorctl failover test — ${s.inv.cluster}`, facts, t));
    const json = {
      cluster: s.inv.cluster,
      unplanned,
      acknowledged: report.acknowledged,
      lost,
      missing: report.missing.slice(0, 100),
      unavailableMs: Math.round(report.totalUnavailableMs),
      longestWindowMs: Math.round(report.longestWindowMs),
      healthyMs: actionError ? null : Math.round(m.healthyMs),
      windows: report.windows,
      marks: m.marks.map((x) => ({ atMs: Math.round(x.at - t.startedAt), label: x.label })),
      ackedPer100ms: t.acked,
      next: next ?? null,
      error: actionError instanceof Error ? actionError.message : actionError ? 'failed' : null,
    };
    ctx.out.result(json, () =>
      [...facts.map(([k, v]) => `${k.padEnd(26)} ${v}`), '', sparkline(t), ...(next ? ['', `next: ${next}`] : [])].join(
        '\n',
      ),
    );
    if (actionError) throw actionError instanceof Error ? actionError : new Error('the failover action failed');
    if (report.unverified) throw new FalkorError('FAILED', `the writes could not be read back: ${report.unverified}`);
    if (lost)
      throw new FalkorError(
        'FAILED',
        `${lost} acknowledged write(s) lost${unplanned ? ` (appendfsync ${s.inv.redis.appendfsync} allows up to about a second of writes on a kill -9)` : ''}`,
      );
    return EXIT.OK;
  } finally {
    await s.close();
  }
};
