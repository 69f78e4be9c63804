// The switchover as a Plan: pure, from a passed pre-flight. The order is the point (issue 9):
//   candidate made Sentinel's pick → [HAProxy fence on #2359 versions] → CLIENT PAUSE WRITE (bounded well under
//   down-after) → offsets equal → min-replicas fence on the old master → SENTINEL FAILOVER → a majority of
//   Sentinels names the candidate → HAProxy flip → confirm → restore priorities, min-replicas, HAProxy, unpause.
// Every effect is a step; anything that needs code at run time is a named `wait` probe or `custom` action the
// command implements (src/switchover/apply.ts).
import type { Plan, Step } from '../core/types.js';
import type { Preflight, SwitchoverSettings } from './preflight.js';

/** A min-replicas-to-write no cluster reaches: the old master refuses writes (NOREPLICAS) until demoted. */
export const FENCE_REPLICAS = 1000;

export interface Timing {
  pauseMs: number;
  /** Offsets equal after the pause: replication catches up in milliseconds when in sync. */
  offsetsMs: number;
  /** Sentinel sees a new replica-priority at its next INFO of the replica (every 10 s outside failovers). */
  priorityMs: number;
  /** A majority names the candidate: ~1.1–1.3 s measured; bounded by the pause's remaining budget. */
  promoteMs: number;
  /** Sentinel demotes the old master ~8–11 s after the promotion. */
  demoteMs: number;
  /** The window for the age of the leader's last INFO of the candidate when the fence starts. */
  infoAgeMs: [number, number];
  /** Outside a failover Sentinel asks a replica INFO every 10 s: the timing wait never needs longer. */
  infoCycleMs: number;
  /**
   * The leader's INFO period while the switchover aims (SENTINEL DEBUG INFO-PERIOD): Sentinel reads the new
   * priorities at its next tick instead of up to 10 s later, and the timing wait takes at most one such period.
   */
  aimInfoPeriodMs: number;
  /** After the HAProxy fence (#2359 versions), for the graph queries already running to end. */
  inFlightMs: number;
}

/** The pause must end well before down-after, or Sentinel (whose hellos it blocks) fails over on its own. */
export function timing(downAfterMs: number): Timing {
  const pauseMs = Math.max(500, Math.min(5_000, Math.floor(downAfterMs / 3)));
  return {
    pauseMs,
    offsetsMs: Math.max(200, Math.floor(pauseMs / 4)),
    priorityMs: 25_000,
    promoteMs: 10_000,
    demoteMs: 30_000,
    infoAgeMs: [670, 740],
    infoCycleMs: 12_000,
    aimInfoPeriodMs: 1_000,
    inFlightMs: 2_000,
  };
}

export interface SwitchoverOriginal {
  /** min-replicas-to-write on the old master before the fence. */
  minReplicas: number;
}

/** The switchover's phases; rolling-restart and config update nest them under a prefix ("switchover:…"). */
export const SWITCHOVER_PHASES: readonly string[] = ['prepare', 'aim', 'fence', 'promote', 'confirm', 'restore'];

export function planSwitchover(
  p: Preflight,
  s: SwitchoverSettings,
  orig: SwitchoverOriginal,
  t: Timing = timing(s.downAfterMs),
): Plan {
  const m = p.master;
  const c = p.candidate;
  const others = p.replicas.filter((r) => r.host !== c.host);
  const steps: Step[] = [];
  const add = (st: Step) => steps.push(st);
  const node = (args: [string, ...string[]]) => ({
    kind: 'redis' as const,
    service: 'node' as const,
    port: m.port,
    args,
  });

  // 1. Make the candidate the replica Sentinel picks: SENTINEL FAILOVER takes no target. Sentinel sorts by
  // priority, then offset, then run id: candidate 1, every other replica at least 2 (never 0 set by us).
  const wantC = 1;
  if (c.priority !== wantC)
    add({
      id: `${c.host}:priority`,
      host: c.host,
      phase: 'prepare',
      describe: `replica-priority ${c.priority} → ${wantC} on ${c.host} (Sentinel's pick)`,
      action: node(['CONFIG', 'SET', 'replica-priority', String(wantC)]),
      undo: node(['CONFIG', 'SET', 'replica-priority', String(c.priority)]),
    });
  for (const o of others)
    if (o.priority !== 0 && o.priority <= wantC)
      add({
        id: `${o.host}:priority`,
        host: o.host,
        phase: 'prepare',
        describe: `replica-priority ${o.priority} → ${wantC + 1} on ${o.host} (below the candidate)`,
        action: node(['CONFIG', 'SET', 'replica-priority', String(wantC + 1)]),
        undo: node(['CONFIG', 'SET', 'replica-priority', String(o.priority)]),
      });
  const leader = p.sentinelHosts[0]!;
  // Sentinel learns a replica's priority only from its INFO of it: every 10 s outside a failover
  // (SENTINEL_INFO_PERIOD in sentinel.c), which made this wait 7.5-9.3 s. SENTINEL DEBUG INFO-PERIOD 1000 on the
  // leader makes it ask every replica whose last INFO is older than 1 s at its next tick (measured: the new
  // priority seen 40 ms later), and the INFO cycle the timing wait aims at becomes 1 s long. Only the leader
  // selects the replica; the value is in memory only (a restarted Sentinel is back at 10 s) and is set back
  // before the fence, so the failover itself runs with the usual periods.
  const period = p.leaderInfoPeriodMs;
  const fastInfo = period !== undefined && period > t.aimInfoPeriodMs;
  const infoPeriod = (ms: number) => ({
    kind: 'redis' as const,
    service: 'sentinel' as const,
    port: s.sentinelPort,
    args: ['SENTINEL', 'DEBUG', 'INFO-PERIOD', String(ms)] as [string, ...string[]],
  });
  if (fastInfo)
    add({
      id: `${leader}:info-period`,
      host: leader,
      phase: 'aim',
      describe: `Sentinel ${leader}: INFO period ${period} → ${t.aimInfoPeriodMs} ms while aiming (SENTINEL DEBUG)`,
      action: infoPeriod(t.aimInfoPeriodMs),
      undo: infoPeriod(period),
    });
  add({
    id: `${leader}:sees-candidate`,
    host: leader,
    phase: 'aim',
    describe: `wait until Sentinel on ${leader} would pick ${c.host} (SENTINEL REPLICAS)`,
    action: {
      kind: 'wait',
      check: {
        kind: 'sentinel-pick',
        host: leader,
        what: `sentinel ${leader}: ${c.host} is the replica it would promote`,
        timeoutMs: t.priorityMs,
        intervalMs: 250,
        params: { candidate: `${c.address}:${c.port}`, masterName: s.masterName },
      },
    },
  });

  // Time the failover against the leader's INFO cycle. During a failover Sentinel asks the candidate INFO once
  // a second (hard-coded in sentinel.c), and records the promotion (the moment the write path may move) only at
  // that INFO. It sends SLAVEOF NO ONE three timer ticks after the command (ticks 53-100 ms apart); an INFO
  // sent in that same tick or later sees role master, one sent earlier does not, and the promotion then waits a
  // whole second more. The INFO goes out at the first tick after the last one is 1 s old, so if that moment is
  // at least two ticks (≤ 200 ms) after the command, it is never early. Started with the last INFO 670-740 ms
  // old (plus the ~30-50 ms of fence steps before the command), it comes ~0.2-0.35 s after the command instead
  // of up to 1.1 s. Measured in the lab, probe age → 3 of 3 Sentinels naming the candidate after the command:
  // 550-560 ms → 467-558 ms; 720-742 → 318-383; 806-818 → 1272-1310 ms in 2 of 3 runs (too late: missed).
  // Waiting here costs no availability: nothing is fenced yet.
  add({
    id: `${leader}:info-timing`,
    host: leader,
    phase: 'aim',
    describe: `wait for the moment in Sentinel ${leader}'s INFO cycle that makes it see the promotion soonest`,
    action: {
      kind: 'wait',
      check: {
        kind: 'sentinel-info-age',
        host: leader,
        what: `sentinel ${leader}: its last INFO of ${c.host} between ${t.infoAgeMs[0]} and ${t.infoAgeMs[1]} ms old`,
        timeoutMs: fastInfo ? 10 * t.aimInfoPeriodMs : t.infoCycleMs,
        intervalMs: 10,
        params: {
          candidate: `${c.address}:${c.port}`,
          masterName: s.masterName,
          from: t.infoAgeMs[0],
          to: t.infoAgeMs[1],
        },
      },
    },
  });

  if (fastInfo)
    add({
      id: `${leader}:info-period-back`,
      host: leader,
      phase: 'aim',
      describe: `Sentinel ${leader}: INFO period back to ${period} ms`,
      action: infoPeriod(period),
    });

  // 2. Fence. On #2359 versions, first stop client writes reaching the master through HAProxy.
  if (p.hazard2359)
    for (const h of p.haproxyHosts)
      add({
        id: `${h}:haproxy-fence`,
        host: h,
        phase: 'fence',
        describe: `${s.writeBackend}/${m.host} to maintenance, its sessions shut down (FalkorDB #2359)`,
        action: { kind: 'custom', name: 'haproxy-fence', params: { backend: s.writeBackend, server: m.host } },
        destructive: true,
      });
  // The HAProxy fence stops new client commands, not the graph queries already running on FalkorDB's worker
  // threads (each counts as a blocked client until it ends): one that ends inside the pause propagates its
  // effects while paused, which is #2359's assertion (seen in the lab: 2 crashes of the master in ~30
  // switchovers once the fence took ~5 ms instead of ~30). So the pause waits until none is in flight.
  if (p.hazard2359)
    add({
      id: `${m.host}:in-flight`,
      host: m.host,
      phase: 'fence',
      describe: `wait until no client command is still running on ${m.host} (blocked_clients 0, FalkorDB #2359)`,
      action: {
        kind: 'wait',
        check: {
          kind: 'no-blocked-clients',
          host: m.host,
          what: `${m.host}: blocked_clients 0 (no graph query still running)`,
          timeoutMs: t.inFlightMs,
          intervalMs: 2,
        },
      },
    });
  add({
    id: `${m.host}:pause`,
    host: m.host,
    phase: 'fence',
    describe: `CLIENT PAUSE ${t.pauseMs} WRITE on ${m.host} (down-after is ${s.downAfterMs} ms)`,
    action: node(['CLIENT', 'PAUSE', String(t.pauseMs), 'WRITE']),
    undo: node(['CLIENT', 'UNPAUSE']),
    destructive: true,
  });
  add({
    id: `${m.host}:offsets-equal`,
    host: m.host,
    phase: 'fence',
    describe: `wait until every replica's offset equals ${m.host}'s master_repl_offset`,
    action: {
      kind: 'wait',
      check: {
        kind: 'offsets-equal',
        host: m.host,
        what: `every replica at ${m.host}'s master_repl_offset`,
        timeoutMs: t.offsetsMs,
        intervalMs: 2,
        params: { replicas: p.replicas.map((r) => r.host) },
      },
    },
  });
  // Set before the failover, while paused: there is no instant at which the old master accepts a write it
  // cannot replicate. The no-replicas check runs before the pause check, so the pause ending cannot reopen it.
  add({
    id: `${m.host}:min-replicas-fence`,
    host: m.host,
    phase: 'fence',
    describe: `min-replicas-to-write ${orig.minReplicas} → ${FENCE_REPLICAS} on ${m.host} until Sentinel demotes it`,
    action: node(['CONFIG', 'SET', 'min-replicas-to-write', String(FENCE_REPLICAS)]),
    undo: node(['CONFIG', 'SET', 'min-replicas-to-write', String(orig.minReplicas)]),
    destructive: true,
  });

  // 3. Promote through Sentinel, then move the write path once a majority records the promotion.
  add({
    id: `${leader}:failover`,
    host: leader,
    phase: 'promote',
    describe: `SENTINEL FAILOVER ${s.masterName} on ${leader} (promotes ${c.host})`,
    action: { kind: 'redis', service: 'sentinel', port: s.sentinelPort, args: ['SENTINEL', 'FAILOVER', s.masterName] },
    destructive: true,
  });
  add({
    id: `${c.host}:sentinels-agree`,
    host: c.host,
    phase: 'promote',
    describe: `wait until ${p.majority} of ${p.sentinelHosts.length} Sentinels name ${c.host} master`,
    action: {
      kind: 'wait',
      check: {
        kind: 'sentinels-name',
        host: c.host,
        what: `${p.majority} of ${p.sentinelHosts.length} Sentinels naming ${c.host} master`,
        timeoutMs: t.promoteMs,
        intervalMs: 20,
        params: { address: `${c.address}:${c.port}`, atLeast: p.majority },
      },
    },
  });
  for (const h of p.haproxyHosts)
    add({
      id: `${h}:haproxy-flip`,
      host: h,
      phase: 'promote',
      describe: `${s.writeBackend}: ${c.host} health up, ${m.host} to maintenance and its sessions shut down`,
      action: {
        kind: 'custom',
        name: 'haproxy-flip',
        params: { backend: s.writeBackend, up: c.host, down: m.host },
      },
      destructive: true,
    });

  // The old master to the master a majority of Sentinels now names, at once and while still paused. Sentinel
  // would send the same REPLICAOF 8-11 s later, but by then its pause is over and the Sentinels' hellos
  // (PUBLISH, which min-replicas-to-write does not stop) have moved its offset past the promotion: measured in
  // the lab, it then asked for offset 18782 where the new master could serve up to 4298, and needed a full
  // resync. Now its offset is the one the candidate was promoted at, and PSYNC continues on the second ID.
  add({
    id: `${m.host}:demote`,
    host: m.host,
    phase: 'promote',
    describe: `REPLICAOF ${c.host} on ${m.host} (as Sentinel would, before its offset moves: a partial resync)`,
    action: node(['REPLICAOF', c.address, String(c.port)]),
    destructive: true,
  });

  // 4. Confirm: every Sentinel names the candidate, the old master is its replica.
  add({
    id: `${c.host}:all-sentinels`,
    host: c.host,
    phase: 'confirm',
    describe: `wait until every Sentinel names ${c.host} master`,
    action: {
      kind: 'wait',
      check: {
        kind: 'sentinels-name',
        host: c.host,
        what: `every Sentinel naming ${c.host} master`,
        timeoutMs: t.promoteMs,
        intervalMs: 100,
        params: { address: `${c.address}:${c.port}`, atLeast: p.sentinelHosts.length },
      },
    },
  });
  add({
    id: `${m.host}:demoted`,
    host: m.host,
    phase: 'confirm',
    describe: `wait until ${m.host} reports role:slave of ${c.host}, link up`,
    action: {
      kind: 'wait',
      check: {
        kind: 'replica-of',
        host: m.host,
        what: `${m.host}: replica of ${c.host}, link up`,
        timeoutMs: t.demoteMs,
        intervalMs: 250,
        params: { master: `${c.address}:${c.port}` },
      },
    },
  });

  // 5. Restore what was changed: the fence value (and the file Sentinel's CONFIG REWRITE wrote it into),
  // the priorities, the old master back in the pool (its checks keep it out of the write backend), unpause.
  const restore = (host: string, id: string, describe: string, args: [string, ...string[]]) =>
    add({ id: `${host}:${id}`, host, phase: 'restore', describe, action: node(args) });
  restore(m.host, 'min-replicas', `min-replicas-to-write back to ${orig.minReplicas} on ${m.host}`, [
    'CONFIG',
    'SET',
    'min-replicas-to-write',
    String(orig.minReplicas),
  ]);
  const changed = p.replicas.filter((r) => steps.some((x) => x.id === `${r.host}:priority`));
  for (const r of changed)
    restore(r.host, 'priority-back', `replica-priority back to ${r.priority} on ${r.host}`, [
      'CONFIG',
      'SET',
      'replica-priority',
      String(r.priority),
    ]);
  for (const h of [m.host, ...changed.map((r) => r.host)])
    restore(h, 'rewrite', `CONFIG REWRITE on ${h} (the restored values reach redis.conf)`, ['CONFIG', 'REWRITE']);
  for (const h of p.haproxyHosts)
    add({
      id: `${h}:haproxy-ready`,
      host: h,
      phase: 'restore',
      describe: `${s.writeBackend}/${m.host} out of maintenance (its health checks keep a replica out)`,
      action: { kind: 'custom', name: 'haproxy-ready', params: { backend: s.writeBackend, server: m.host } },
    });
  restore(m.host, 'unpause', `CLIENT UNPAUSE on ${m.host}`, ['CLIENT', 'UNPAUSE']);
  // Last: Sentinel's failover itself ends only when it has reconfigured the other replicas (reconf_slaves,
  // one INFO period each). The write path moved long before; but the cluster is settled — and a next
  // switchover's pre-flight passes — only once no Sentinel still has the failover in progress.
  add({
    id: `${leader}:failover-done`,
    host: leader,
    phase: 'restore',
    describe: `wait until no Sentinel has the failover in progress any more`,
    action: {
      kind: 'wait',
      check: {
        kind: 'sentinels-settled',
        host: leader,
        what: `every Sentinel: ${s.masterName} at ${c.host}, no failover in progress`,
        timeoutMs: t.demoteMs,
        intervalMs: 100,
        params: { address: `${c.address}:${c.port}` },
      },
    },
  });

  return {
    command: 'switchover',
    phases: SWITCHOVER_PHASES.map((name) => ({ name, parallel: 1 })),
    steps,
    notes: [
      `${m.host} → ${c.host} (priority ${c.priority}, offset ${c.offset}); FalkorDB ${p.falkordbVersion}`,
      `writes pause for at most ${t.pauseMs} ms; after that the old master refuses writes (NOREPLICAS) until demoted`,
      ...p.notes,
    ],
  };
}
