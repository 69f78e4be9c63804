// The failover test's measurement, shared by `falkorctl failover-test` and `checklist --failover-test`: a writer
// (graph CREATE + SET every 2 ms) through HAProxy's write port from this machine the whole time; planned: a
// switchover and back; unplanned: kill -9 of the master and Sentinel's own failover. Every acknowledged write is
// read back and the test's writes removed. Confirming is the caller's: each asks in its own words, once.
import { adminUser } from '../inventory/acl.js';
import type { Ctx } from '../context.js';
import { userError } from '../errors.js';
import { haproxyHosts, sentinelHosts } from '../inventory/topology.js';
import { cleanup, runWriteLoad, verify, type WriteLoadReport } from '../loadgen/index.js';
import { parseMasterAddr } from '../redis/replies.js';
import { waitFor, done, notYet } from '../core/wait.js';
import { timeline, type Attempt, type Mark, type Timeline } from './timeline.js';
import { call } from '../switchover/live.js';
import { planSwitchover } from '../switchover/plan.js';
import { failedRun, openSession, runSession, type Session } from '../switchover/session.js';

/** Writing before and after the action (failover-test --duration's default). */
export const DEFAULT_SECONDS = 3;

export interface FailoverPlan {
  /** The load balancer written through. */
  lb: string;
  /** What the action does, in words ("switch the master db1 → db2 and back"). */
  what: string;
}

export interface FailoverMeasurement extends FailoverPlan {
  unplanned: boolean;
  report: WriteLoadReport;
  /** Read back and lost, `report.missing.length`. */
  lost: number;
  timeline: Timeline;
  marks: Mark[];
  /** From the action's start until it was done (healthy again, or a new master for --unplanned). */
  healthyMs: number;
  /** The action's failure, if any (the writes were still read back). */
  actionError?: unknown;
  /** What the operator has to do next (--unplanned: bring the old master back). */
  next?: string;
  /** Why the test's writes could not be removed, if they could not. */
  cleanupError?: string;
}

/** What the test will do on this session's cluster; refuses (usage) without a HAProxy host to write through. */
export function failoverPlan(s: Session, unplanned: boolean): FailoverPlan {
  const lb = haproxyHosts(s.inv)[0];
  if (!lb) throw userError('the failover test writes through HAProxy: the inventory has no haproxy host');
  const from = s.pre.master.host;
  const what = unplanned
    ? `kill -9 FalkorDB on the master ${from} and let Sentinel fail over`
    : `switch the master ${from} → ${s.pre.candidate.host} and back`;
  return { lb: lb.name, what };
}

/**
 * Runs the test on an open session (pre-flight passed). `seconds` of writing before the action and after it are
 * part of the measurement (the timeline's baseline, and room for the action's window to close), not a wait for
 * anything: the writer runs the whole time.
 */
export async function measureFailover(
  ctx: Ctx,
  s: Session,
  opts: Record<string, unknown>,
  o: { seconds: number; unplanned: boolean },
): Promise<FailoverMeasurement> {
  const plan = failoverPlan(s, o.unplanned);
  const lb = haproxyHosts(s.inv)[0]!;
  const marks: Mark[] = [];
  const attempts: Attempt[] = [];
  const mark = (label: string) => marks.push({ at: ctx.clock.now(), label });
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
    await ctx.clock.sleep(o.seconds * 1000); // writing before the action: the baseline of the timeline
    const t0 = ctx.clock.now();
    if (o.unplanned) next = await killMaster(ctx, s, mark);
    else await twoSwitchovers(ctx, s, opts, mark);
    healthyMs = ctx.clock.now() - t0;
    await ctx.clock.sleep(o.seconds * 1000); // and after it, so its window can close
  } catch (e) {
    actionError = e;
  } finally {
    ac.abort();
  }
  const ran = await load;
  const report = await verify({ ...target, waitMs: 10_000 }, ran);
  const cleanupError = await cleanup(target, ran).then(
    () => undefined,
    (e: Error) => e.message,
  );
  return {
    ...plan,
    unplanned: o.unplanned,
    report,
    lost: report.missing.length,
    timeline: timeline(attempts, marks),
    marks,
    healthyMs,
    ...(actionError === undefined ? {} : { actionError }),
    ...(next ? { next } : {}),
    ...(cleanupError ? { cleanupError } : {}),
  };
}

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
