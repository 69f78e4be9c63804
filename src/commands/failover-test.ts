// `falkorctl failover-test [--duration S] [--unplanned] [--report FILE] [--yes] [--json]`: the seed's "Perform
// failover test", measured. A writer (graph CREATE + SET every 2 ms) goes through HAProxy's write port from this
// machine the whole time; planned: a switchover and back; --unplanned: kill -9 of the master and Sentinel's own
// failover. Every acknowledged write is read back. Reported: write unavailability, acknowledged writes lost,
// time to a healthy cluster, and a timeline (acknowledged writes per 100 ms, each step marked).
// Exit: 0 nothing acknowledged was lost and the cluster is healthy again; 1 otherwise; 2 bad input; 3 refused.
import { adminUser } from '../inventory/acl.js';
import { writeFile } from 'node:fs/promises';
import type { Ctx, Handler } from '../context.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { haproxyHosts, sentinelHosts } from '../inventory/topology.js';
import { cleanup, runWriteLoad, verify } from '../loadgen/index.js';
import { parseMasterAddr } from '../redis/replies.js';
import { waitFor, done, notYet } from '../core/wait.js';
import { htmlReport, sparkline, timeline, type Attempt, type Mark } from '../failover/timeline.js';
import { call } from '../switchover/live.js';
import { planSwitchover } from '../switchover/plan.js';
import { failedRun, openSession, runSession, type Session } from '../switchover/session.js';

export const run: Handler = async ({ opts }, ctx) => {
  const seconds = opts.duration === undefined ? 3 : Number(opts.duration);
  if (!Number.isFinite(seconds) || seconds < 1) throw userError(`--duration ${String(opts.duration)}: seconds ≥ 1`);
  const unplanned = opts.unplanned === true;
  const s = await openSession(ctx, opts);
  const marks: Mark[] = [];
  const attempts: Attempt[] = [];
  const mark = (label: string) => marks.push({ at: ctx.clock.now(), label });
  try {
    const lb = haproxyHosts(s.inv)[0];
    if (!lb) throw userError('failover-test writes through HAProxy: the inventory has no haproxy host');
    const from = s.pre.master.host;
    const what = unplanned
      ? `kill -9 FalkorDB on the master ${from} and let Sentinel fail over`
      : `switch the master ${from} → ${s.pre.candidate.host} and back`;
    const ok = await ctx.prompt.confirm(
      `failover test on cluster ${s.inv.cluster}: write through ${lb.name}, ${what}?`,
    );
    if (!ok) throw refusal(`not confirmed: failover test; nothing was changed`);

    const target = {
      host: lb.address,
      port: s.inv.haproxy.writePort,
      password: s.secrets.password,
      username: adminUser(s.inv),
    };
    const ac = new AbortController();
    const load = runWriteLoad({
      ...target,
      graph: 'falkorctl_failover_test',
      intervalMs: 2,
      durationMs: 3_600_000,
      signal: ac.signal,
      onAttempt: (a) => attempts.push(a),
    });
    let actionError: unknown;
    let healthyMs = 0;
    let next: string | undefined;
    try {
      mark('writer started');
      await ctx.clock.sleep(seconds * 1000); // writing before the action: the baseline of the timeline
      const t0 = ctx.clock.now();
      if (unplanned) next = await killMaster(ctx, s, mark);
      else await twoSwitchovers(ctx, s, opts, mark);
      healthyMs = ctx.clock.now() - t0;
      await ctx.clock.sleep(seconds * 1000); // and after it, so its window can close
    } catch (e) {
      actionError = e;
    } finally {
      ac.abort();
    }
    const ran = await load;
    const report = await verify({ ...target, waitMs: 10_000 }, ran);
    await cleanup(target, ran).catch((e: Error) => ctx.out.warn(`test writes not removed: ${e.message}`));
    const t = timeline(attempts, marks);
    const lost = report.missing.length;
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
        actionError ? 'not reached' : `${(healthyMs / 1000).toFixed(1)} s`,
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
      healthyMs: actionError ? null : Math.round(healthyMs),
      windows: report.windows,
      marks: marks.map((m) => ({ atMs: Math.round(m.at - t.startedAt), label: m.label })),
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

async function twoSwitchovers(ctx: Ctx, s: Session, opts: Record<string, unknown>, mark: (l: string) => void) {
  const a = s.pre.master.host;
  const b = s.pre.candidate.host;
  mark(`switchover ${a} → ${b}`);
  const there = await runSession(ctx, s, planSwitchover(s.pre, s.settings, { minReplicas: s.minReplicas }, s.timing));
  if (there.rep.failure || there.rep.interrupted) throw failedRun('switchover', s, there);
  mark(`${b} is master`);
  // and back to the best replica by the same pre-flight rules (the old master is usually it). Forcing the old
  // master here once made Sentinel, asked seconds after the first failover, promote the other replica instead
  // (the run stopped, the rescue pointed HAProxy at it, nothing was lost).
  const back = await openSession(ctx, opts);
  try {
    mark(`switchover ${b} → ${back.pre.candidate.host}`);
    const o = await runSession(
      ctx,
      back,
      planSwitchover(back.pre, back.settings, { minReplicas: back.minReplicas }, back.timing),
    );
    if (o.rep.failure || o.rep.interrupted) throw failedRun('switchover', back, o);
    mark(`${back.pre.candidate.host} is master${back.pre.candidate.host === a ? ' again' : ''}`);
  } finally {
    await back.close();
  }
}

async function killMaster(ctx: Ctx, s: Session, mark: (l: string) => void): Promise<string> {
  const m = s.pre.master;
  // kill -9, and keep it down: systemd would restart it within seconds as a master (its config says so), before
  // Sentinel's down-after — no failover, and a restarted old master taking writes is the loss this test is for.
  // `falkorctl deploy` brings it back as a replica of the new master (it rewrites the config before starting).
  await s.transport.exec(m.host, ['systemctl', 'kill', '--signal=SIGKILL', 'falkordb.service']);
  mark(`kill -9 ${m.host}`);
  await s.transport.exec(m.host, ['systemctl', 'stop', 'falkordb.service'], { check: false });
  const majority = Math.floor(sentinelHosts(s.inv).length / 2) + 1;
  const promoted = await waitFor(
    async () => {
      const named = await Promise.all(
        sentinelHosts(s.inv).map((h) =>
          call(s.conns, h.name, 'sentinel', ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', s.inv.sentinel.masterName]).then(
            (r) => parseMasterAddr(r)?.host,
            () => undefined,
          ),
        ),
      );
      const other = named.filter((x): x is string => Boolean(x) && x !== m.address);
      const top = other.find((x) => other.filter((v) => v === x).length >= majority);
      return top ? done(top) : notYet(named.map((x) => x ?? '?').join(', '));
    },
    {
      what: 'a majority of Sentinels naming a new master',
      timeoutMs: s.inv.sentinel.downAfterMs + 60_000,
      clock: ctx.clock,
    },
  );
  const to = s.inv.hosts.find((h) => h.address === promoted)?.name ?? promoted;
  mark(`Sentinels: ${to} is master`);
  return `${m.host} stays down: bring it back as a replica of ${to} with falkorctl deploy --limit ${m.host}`;
}
