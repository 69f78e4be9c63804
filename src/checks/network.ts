// "Network security configured": on every host in scope, the live `table inet falkorctl` is the one the
// inventory renders (`falkorctl firewall apply` puts it there). Without a `network` section it stays a
// skip with its reason, never a pass.
import { firewallEnabled } from '../firewall/model.js';
import { canonical, parseProbe, probeArgv } from '../firewall/remote.js';
import { hostByName } from '../inventory/topology.js';
import { unifiedDiff } from '../render/diff.js';
import { firewallRuleset } from '../templates/nftables.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

const EVIDENCE = 'nft list table inet falkorctl';

// A client with no login must get NOAUTH from every node: requirepass, or `user default off` in ACL mode. Asked
// over SSH on the host's loopback with bash's /dev/tcp (no client program needed; no secret involved).
const AUTH_PROBE = [
  'exec 3<>"/dev/tcp/127.0.0.1/$1" || { echo "no connection to 127.0.0.1:$1"; exit 0; }',
  "printf 'PING\\r\\n' >&3",
  'IFS= read -r -t 5 line <&3 || line="no answer"',
  'printf "%s\\n" "$line" | tr -d "\\r"',
].join('\n');

async function authChecks(env: Parameters<Area['run']>[0]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const port = env.inv.redis.port;
  // a TLS-only node has no plaintext port to ask
  if (env.inv.tls?.enabled && !env.inv.tls.allowPlaintext) return out;
  // bounded: a firewall that drops loopback traffic would hold a /dev/tcp connect for minutes
  const probed = await eachHost(env, env.dbHosts, (host) =>
    env.sh(host, 'timeout 8 bash -c "$1" probe "$2" || echo "no answer within 8 s"', [AUTH_PROBE, String(port)]),
  );
  for (const [i, host] of env.dbHosts.entries()) {
    const r = probed[i]!;
    const found = r.stdout.trim().split('\n')[0] || 'no answer';
    const refused = found.startsWith('-NOAUTH');
    out.push({
      id: `network.auth:${host}`,
      title: `${host}: a client without a login is refused`,
      item: ITEMS.network,
      phase: 'pre',
      host,
      evidence: `PING without AUTH on 127.0.0.1:${port}`,
      outcome: refused ? 'pass' : 'fail',
      found,
      expected: '-NOAUTH',
      ...(refused
        ? {}
        : {
            reason: env.inv.auth.acl
              ? 'the default user lets clients in: users.acl says `user default off`; falkorctl deploy / ACL LOAD'
              : 'the node asks no password: requirepass from secrets.conf is not in effect; falkorctl deploy',
          }),
    });
  }
  return out;
}

export const network: Area = {
  name: 'network',
  prefixes: ['firewall'],
  phases: ['pre'],
  async run(env) {
    const [fw, auth] = await Promise.all([firewallChecks(env), authChecks(env)]);
    return [...fw, ...auth];
  },
};

async function firewallChecks(env: Parameters<Area['run']>[0]): Promise<CheckResult[]> {
  {
    if (!firewallEnabled(env.inv))
      return [
        {
          id: 'network.firewall',
          title: 'firewall (table inet falkorctl) on every host',
          item: ITEMS.network,
          phase: 'pre',
          outcome: 'skip',
          reason: 'the inventory declares no network section: the firewall is off (TLS is not checked here)',
        },
      ];
    const out: CheckResult[] = [];
    const hosts = env.hosts.filter((host) => hostByName(env.inv, host));
    const [, , script, , ...args] = probeArgv(); // sh -c SCRIPT sh ARGS…
    const probed = await eachHost(env, hosts, (host) => env.sh(host, script!, args));
    for (const [i, host] of hosts.entries()) {
      const want = firewallRuleset(env.inv, hostByName(env.inv, host)!);
      const t = parseProbe(probed[i]!.stdout);
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
  }
}
