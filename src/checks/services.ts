// All services running, and enabled at boot: FalkorDB and Sentinel on database hosts, HAProxy on load balancers.
import { sentinelHosts, haproxyHosts } from '../inventory/topology.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

export const services: Area = {
  name: 'services',
  phases: ['post'],
  async run(env) {
    const sent = new Set(sentinelHosts(env.inv).map((h) => h.name));
    const lbs = new Set(haproxyHosts(env.inv).map((h) => h.name));
    const unitsOf = (host: string) => [
      ...(env.dbHosts.includes(host) ? ['falkordb.service'] : []),
      ...(sent.has(host) ? ['falkordb-sentinel.service'] : []),
      ...(lbs.has(host) ? ['haproxy.service'] : []),
    ];
    const hosts = env.hosts.filter((h) => unitsOf(h).length);
    const probed = await eachHost(env, hosts, (host) =>
      env.sh(host, 'systemctl show -p Id,ActiveState,UnitFileState "$@"', unitsOf(host)),
    );
    const out: CheckResult[] = [];
    for (const [i, host] of hosts.entries()) {
      const units = unitsOf(host);
      const cmd = `systemctl show -p Id,ActiveState,UnitFileState ${units.join(' ')}`;
      const r = probed[i]!;
      const blocks = r.stdout.split(/\n\s*\n/).map((b) =>
        Object.fromEntries(
          b
            .split('\n')
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        ),
      );
      for (const u of units) {
        const b = blocks.find((x) => x.Id === u) ?? {};
        const found = `${b.ActiveState ?? 'unknown'}, ${b.UnitFileState || 'not-found'}`;
        const ok = b.ActiveState === 'active' && b.UnitFileState === 'enabled';
        out.push({
          id: `services.${u}:${host}`,
          title: `${host}: ${u} running and enabled at boot`,
          item: ITEMS.services,
          phase: 'post',
          host,
          outcome: ok ? 'pass' : 'fail',
          found,
          ...(ok ? {} : { expected: 'active, enabled' }),
          evidence: cmd,
        });
      }
    }
    return out;
  },
};
