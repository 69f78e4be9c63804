// rolling-restart as a Plan: pure, from a passed switchover pre-flight. Replicas one at a time (the candidate
// last, so it is the freshest when it takes over), each restarted through systemd and verified ready — PING,
// loading:0, role replica of the master, link up, no sync in progress, offset within the lag limit — before the
// next goes down; then a switchover to the candidate; then the old master restarted and verified as a replica
// of the new one; with --switch-back, a second switchover hands the master role back.
import type { CheckSpec, Plan, Step } from '../core/types.js';
import { planSwitchover, type SwitchoverOriginal, type Timing } from '../switchover/plan.js';
import type { NodeRef, Preflight, SwitchoverSettings } from '../switchover/preflight.js';

export const FALKORDB_UNIT = 'falkordb.service';

export interface RollingOptions {
  /** Only these database hosts are restarted (--limit); default all. */
  hosts?: readonly string[];
  switchBack: boolean;
  /** A replica is ready when at most this many bytes behind its master (monitoring.replicationLagBytes). */
  maxLagBytes: number;
  /** Restart → ready, per node: loading a large data set takes minutes. */
  readyMs: number;
  /**
   * Restart replicas from the RDB written at shutdown instead of the AOF, so they resume replication with a
   * partial resync (PSYNC) instead of a full one. Safe only where shutdown writes that RDB: AOF on and save
   * points configured (persistence hybrid). See restartSteps.
   */
  keepOffset: boolean;
}

const ready = (r: NodeRef, master: NodeRef, o: RollingOptions): CheckSpec => ({
  kind: 'node-ready',
  host: r.host,
  what: `${r.host}: up, loaded, replica of ${master.host} with link up, no sync in progress, ≤ ${o.maxLagBytes} bytes behind`,
  timeoutMs: o.readyMs,
  intervalMs: 200,
  params: { master: master.host, masterAddr: `${master.address}:${master.port}`, maxLagBytes: o.maxLagBytes },
});

const restart = (r: NodeRef, master: NodeRef, phase: string, o: RollingOptions, why: string): Step => ({
  id: `${r.host}:restart`,
  host: r.host,
  phase,
  describe: `restart ${FALKORDB_UNIT} on ${r.host} (${why})`,
  action: { kind: 'exec', argv: ['systemctl', 'restart', FALKORDB_UNIT], timeoutMs: o.readyMs },
  verify: ready(r, master, o),
});

/**
 * A replica's restart. With AOF on, Redis loads the AOF at startup, which carries no replication id or offset
 * (server.c loadDataFromDisk), so every restarted replica needs a full resync: the master forks, and the whole
 * data set crosses the network. An RDB does carry them, and shutdown writes one when save points exist. So:
 * AOF off for this one start (CONFIG SET + REWRITE: the file is what the restart reads), restart (shutdown saves
 * the RDB with the offset, startup loads it and continues with PSYNC), then AOF on again, which rewrites the AOF
 * from the live data set; the node counts as done once that rewrite succeeded. The master keeps its AOF all
 * along, and a replica's own AOF is rebuilt before the next node goes down.
 */
function restartSteps(r: NodeRef, master: NodeRef, phase: string, o: RollingOptions, why: string): Step[] {
  if (!o.keepOffset) return [restart(r, master, phase, o, why)];
  const node = (args: [string, ...string[]]) => ({
    kind: 'redis' as const,
    service: 'node' as const,
    port: r.port,
    args,
  });
  const aof = (v: 'yes' | 'no') => node(['CONFIG', 'SET', 'appendonly', v]);
  return [
    {
      id: `${r.host}:aof-off`,
      host: r.host,
      phase,
      describe: `appendonly no on ${r.host} for one start, so it loads the RDB written at shutdown (offset kept)`,
      action: aof('no'),
      undo: aof('yes'),
    },
    {
      id: `${r.host}:aof-off-rewrite`,
      host: r.host,
      phase,
      describe: `CONFIG REWRITE on ${r.host} (the restart reads the file)`,
      action: node(['CONFIG', 'REWRITE']),
    },
    restart(r, master, phase, o, `${why}; partial resync`),
    {
      id: `${r.host}:aof-on`,
      host: r.host,
      phase,
      describe: `appendonly yes again on ${r.host}: its AOF is rewritten from the live data set`,
      action: aof('yes'),
      verify: {
        kind: 'aof-rewritten',
        host: r.host,
        what: `${r.host}: AOF on, its rewrite finished and ok`,
        timeoutMs: o.readyMs,
        intervalMs: 200,
      },
    },
    {
      id: `${r.host}:aof-on-rewrite`,
      host: r.host,
      phase,
      describe: `CONFIG REWRITE on ${r.host} (appendonly yes back in the file)`,
      action: node(['CONFIG', 'REWRITE']),
    },
  ];
}

/** A switchover plan's steps and phases under a prefix, so two switchovers can sit in one plan. */
function prefixed(p: Plan, prefix: string): Plan {
  return {
    ...p,
    phases: p.phases.map((ph) => ({ ...ph, name: `${prefix}${ph.name}` })),
    steps: p.steps.map((s) => ({ ...s, id: `${prefix}${s.id}`, phase: `${prefix}${s.phase}` })),
  };
}

export function planRollingRestart(
  pre: Preflight,
  s: SwitchoverSettings,
  orig: SwitchoverOriginal,
  t: Timing,
  o: RollingOptions,
): Plan {
  const chosen = (h: string) => !o.hosts || o.hosts.includes(h);
  const m = pre.master;
  const c = pre.candidate;
  const phases: Plan['phases'] = [{ name: 'replicas', parallel: 1 }];
  const steps: Step[] = [];
  const notes: string[] = [];
  const replicas = [...pre.replicas.filter((r) => r.host !== c.host), c].filter((r) => chosen(r.host));
  for (const r of replicas) steps.push(...restartSteps(r, m, 'replicas', o, 'a replica'));
  if (chosen(m.host)) {
    const sw = prefixed(planSwitchover(pre, s, orig, t), 'switchover:');
    phases.push(...sw.phases, { name: 'old-master', parallel: 1 });
    steps.push(...sw.steps, ...restartSteps(m, c, 'old-master', o, `the old master, now a replica of ${c.host}`));
    notes.push(...sw.notes);
    if (o.switchBack) {
      // Back the other way: the old master (restarted, in sync) becomes the candidate of a second switchover.
      const back: Preflight = {
        ...pre,
        master: { ...c, priority: c.priority },
        candidate: { ...m, priority: m.priority },
        replicas: [...pre.replicas.filter((r) => r.host !== c.host), m],
        notes: [],
      };
      const sb = prefixed(planSwitchover(back, { ...s, to: m.host }, orig, t), 'switch-back:');
      phases.push(...sb.phases);
      steps.push(...sb.steps);
      notes.push(`then back: ${c.host} → ${m.host}`);
    }
  } else notes.push(`${m.host} (the master) is not in --limit: only replicas are restarted, no switchover`);
  return { command: 'rolling-restart', phases, steps, notes };
}
