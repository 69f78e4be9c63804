// The deployment steps as the cluster shows them: master serving with the graph module, replicas linked and
// in sync, Sentinels agreeing with quorum, HAProxy routing writes to the master — status's own facts and
// verdicts, retried until healthy or --retry-timeout (a replica may still be syncing), never a fixed sleep.
import type { StatusReport } from '../facts/report.js';
import { ITEMS, type Area, type CheckResult, type CheckEnv } from './types.js';

async function settled(env: CheckEnv): Promise<StatusReport> {
  const end = env.now() + env.retryTimeoutMs;
  for (;;) {
    const r = await env.status();
    if (!r.findings.some((f) => f.severity === 'degraded') || env.now() >= end) return r;
    await env.sleep(Math.min(1000, Math.max(0, end - env.now())));
  }
}

export const cluster: Area = {
  name: 'cluster',
  phases: ['deploy'],
  async run(env) {
    const r = await settled(env);
    const bad = (areas: string[]) => r.findings.filter((f) => f.severity === 'degraded' && areas.includes(f.area));
    const warn = (areas: string[]) => r.findings.filter((f) => f.severity === 'warning' && areas.includes(f.area));
    const one = (id: string, title: string, item: string, areas: string[], found: string): CheckResult => {
      const b = bad(areas);
      const w = warn(areas);
      return {
        id,
        title,
        item,
        phase: 'deploy',
        outcome: b.length ? 'fail' : w.length ? 'warn' : 'pass',
        found: b.length || w.length ? [...b, ...w].map((f) => f.message).join('; ') : found,
        evidence: 'falkorctl status (INFO, ROLE, MODULE LIST, SENTINEL, HAProxy stats socket)',
      };
    };
    const master = r.nodes.find((n) => n.replication?.role === 'master');
    const replicas = r.nodes.filter((n) => n.replication?.role === 'replica');
    return [
      one(
        'cluster.master',
        'a master serving, graph module loaded',
        ITEMS.verifyMaster,
        ['node', 'cluster'],
        `${master?.host ?? '?'} (FalkorDB ${master?.falkordbVersion ?? '?'})`,
      ),
      one(
        'cluster.replication',
        'every replica linked and in sync',
        ITEMS.replication,
        ['replication'],
        `${replicas.map((n) => n.host).join(', ')} in sync`,
      ),
      one(
        'cluster.sentinel',
        'Sentinels agree on the master, with quorum',
        ITEMS.sentinel,
        ['sentinel'],
        `${r.sentinels.filter((s) => s.up).length} Sentinels agree`,
      ),
      one(
        'cluster.haproxy',
        'HAProxy: writes to the master only, reads to replicas',
        ITEMS.lb,
        ['haproxy'],
        `${r.haproxy.length} load balancer(s)`,
      ),
      one(
        'cluster.health',
        'status reports the cluster healthy',
        ITEMS.health,
        ['node', 'replication', 'persistence', 'memory', 'sentinel', 'haproxy', 'cluster'],
        'HEALTHY',
      ),
    ];
  },
};
