// FalkorDB itself: the same Redis and FalkorDB versions on every node, and known defects of that version.
import type { StatusReport } from '../facts/report.js';
import { affectedBy2359 } from '../switchover/preflight.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

export const falkordb: Area = {
  name: 'falkordb',
  phases: ['post'],
  async run(env) {
    const r: StatusReport = await env.status();
    const up = r.nodes.filter((n) => n.up);
    const versions = (k: 'redisVersion' | 'falkordbVersion') => [...new Set(up.map((n) => n[k] ?? '?'))];
    const out: CheckResult[] = [];
    for (const [k, what] of [
      ['redisVersion', 'Redis'],
      ['falkordbVersion', 'FalkorDB'],
    ] as const) {
      const v = versions(k);
      out.push({
        id: `falkordb.same-${k}`,
        title: `the same ${what} version on every node`,
        item: ITEMS.config,
        phase: 'post',
        outcome: v.length === 1 && v[0] !== '?' ? 'pass' : 'fail',
        found: up.map((n) => `${n.host} ${n[k] ?? '?'}`).join(', '),
        evidence: k === 'redisVersion' ? 'INFO server redis_version' : 'MODULE LIST (graph)',
      });
    }
    const fv = versions('falkordbVersion').filter((v) => v !== '?');
    const hazard = fv.filter(affectedBy2359);
    out.push({
      id: 'falkordb.known-defects',
      title: 'no known failover defect in this FalkorDB version',
      item: ITEMS.config,
      phase: 'post',
      outcome: hazard.length ? 'warn' : 'pass',
      found: fv.join(', ') || '?',
      ...(hazard.length
        ? {
            expected: '≥ 4.20.2',
            reason:
              'FalkorDB #2359 (fixed in 4.20.2): a node can crash when a client pause meets the module during a failover under load; falkorctl switchover fences through HAProxy first on these versions',
          }
        : {}),
      evidence: 'MODULE LIST (graph)',
    });
    return out;
  },
};
