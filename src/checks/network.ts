// "Network security configured": on every host in scope, the live `table inet falkorctl` is the one the
// inventory renders (`falkorctl firewall apply` puts it there). Without a `network` section it stays a
// skip with its reason, never a pass.
import { firewallEnabled } from '../firewall/model.js';
import { canonical, parseProbe, probeArgv } from '../firewall/remote.js';
import { hostByName } from '../inventory/topology.js';
import { unifiedDiff } from '../render/diff.js';
import { firewallRuleset } from '../templates/nftables.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

const EVIDENCE = 'nft list table inet falkorctl';

export const network: Area = {
  name: 'network',
  prefixes: ['firewall'],
  async run(env) {
    if (!firewallEnabled(env.inv))
      return [
        {
          id: 'network.firewall',
          title: 'firewall (table inet falkorctl) on every host',
          item: ITEMS.network,
          phase: 'pre',
          outcome: 'skip',
          reason: 'the inventory declares no network section: the firewall is off (TLS and ACLs are not checked here)',
        },
      ];
    const out: CheckResult[] = [];
    for (const host of env.hosts) {
      const h = hostByName(env.inv, host);
      if (!h) continue;
      const want = firewallRuleset(env.inv, h);
      const [, , script, , ...args] = probeArgv(); // sh -c SCRIPT sh ARGS…
      const r = await env.sh(host, script!, args);
      const t = parseProbe(r.stdout);
      const base = {
        id: `network.firewall:${host}`,
        title: `${host}: the live firewall table is the render`,
        item: ITEMS.network,
        phase: 'pre' as const,
        host,
        evidence: EVIDENCE,
      };
      if (t.state !== 'present') {
        const found =
          t.state === 'error'
            ? `nft: ${t.message}`
            : t.state === 'missing'
              ? 'nft not installed'
              : 'no table inet falkorctl';
        out.push({
          ...base,
          outcome: 'fail',
          found,
          expected: 'the rendered table',
          reason: 'run falkorctl firewall apply',
        });
        continue;
      }
      const diff = unifiedDiff(
        `${canonical(want).join('\n')}\n`,
        `${canonical(t.listing).join('\n')}\n`,
        'rendered',
        `${host} (live)`,
      );
      out.push(
        diff
          ? {
              ...base,
              outcome: 'fail',
              found: diff,
              expected: 'the rendered table',
              reason: 'run falkorctl firewall apply',
            }
          : { ...base, outcome: 'pass', found: `table inet falkorctl as rendered (${canonical(want).length} lines)` },
      );
    }
    return out;
  },
};
