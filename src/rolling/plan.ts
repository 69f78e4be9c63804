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
  for (const r of replicas) steps.push(restart(r, m, 'replicas', o, 'a replica'));
  if (chosen(m.host)) {
    const sw = prefixed(planSwitchover(pre, s, orig, t), 'switchover:');
    phases.push(...sw.phases, { name: 'old-master', parallel: 1 });
    steps.push(...sw.steps, restart(m, c, 'old-master', o, `the old master, now a replica of ${c.host}`));
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
