// Checks that need the whole inventory (the schema sees one value at a time). Each finding names the
// key path of the offending value so the loader can point at its line.
import type { KeyPath } from './locate.js';
import type { Inventory } from './schema.js';
import { CLUSTER_FILES as CLUSTER } from './fields.js';
import { isIp } from '../templates/quote.js';
import { configFindings } from './semantic-config.js';
import { memoryFindings } from './semantic-memory.js';
import { portFindings } from './semantic-ports.js';
import { networkFindings } from './semantic-network.js';
import { sentinelHosts } from './topology.js';

export interface Finding {
  path: KeyPath;
  severity: 'error' | 'warning';
  message: string;
  atKey?: boolean;
}

export const error = (path: KeyPath, message: string): Finding => ({ path, severity: 'error', message });
export const warning = (path: KeyPath, message: string): Finding => ({ path, severity: 'warning', message });

export function semanticFindings(inv: Inventory): Finding[] {
  return [
    ...topologyFindings(inv),
    ...portFindings(inv),
    ...memoryFindings(inv),
    ...configFindings(inv),
    ...networkFindings(inv),
  ];
}

/** Names, roles and who runs a Sentinel / HAProxy. */
function topologyFindings(inv: Inventory): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, number>();
  inv.hosts.forEach((h, i) => {
    const first = seen.get(h.name);
    if (first !== undefined)
      out.push(error(['hosts', i, 'name'], `duplicate host name "${h.name}" (first used by hosts[${first}])`));
    else seen.set(h.name, i);
    if (h.name === CLUSTER)
      out.push(
        error(['hosts', i, 'name'], `a host may not be named "${CLUSTER}": render uses it for cluster-wide files`),
      );
    // render's bindAddresses: Redis and Sentinel bind IP addresses only
    if (h.role !== 'haproxy' && h.role !== 'monitoring' && !isIp(h.address) && inv.redis.bind.length === 0)
      out.push(
        error(
          ['hosts', i, 'address'],
          `"${h.address}" is a DNS name, and Redis and Sentinel bind IP addresses only: use the IP address here, ` +
            'or list the address to bind in redis.bind',
        ),
      );
  });

  const masters = inv.hosts.flatMap((h, i) => (h.role === 'master' ? [i] : []));
  if (masters.length === 0) out.push(error(['hosts'], 'no host has role master: exactly one is required'));
  for (const i of masters.slice(1))
    out.push(
      error(
        ['hosts', i, 'role'],
        `a second master ("${inv.hosts[i]?.name}"): exactly one host may have role master; make the others replicas`,
      ),
    );

  const replicas = inv.hosts.flatMap((h, i) => (h.role === 'replica' ? [i] : []));
  if (replicas.length === 0)
    out.push(
      warning(['hosts'], 'no replica: Sentinel has nothing to fail over to, so losing the master loses the service'),
    );
  else if (replicas.every((i) => inv.hosts[i]?.replicaPriority === 0))
    out.push(
      error(
        ['hosts', replicas[0] ?? 0, 'replicaPriority'],
        'every replica has replicaPriority 0, so Sentinel can never promote one: failover is impossible',
      ),
    );
  inv.hosts.forEach((h, i) => {
    if (h.replicaPriority !== undefined && h.role !== 'replica' && h.role !== 'master')
      out.push(
        warning(['hosts', i, 'replicaPriority'], `ignored: "${h.name}" has role ${h.role} and runs no database`),
      );
  });

  out.push(
    ...memberFindings(inv, 'sentinel'),
    ...memberFindings(inv, 'haproxy'),
    ...memberFindings(inv, 'monitoring'),
    ...sentinelCountFindings(inv),
  );
  return out;
}

/** sentinel.hosts / haproxy.hosts / monitoring.hosts must name known hosts, each once. */
function memberFindings(inv: Inventory, section: 'sentinel' | 'haproxy' | 'monitoring'): Finding[] {
  const list = inv[section].hosts;
  if (!list) return [];
  const out: Finding[] = [];
  const known = new Set(inv.hosts.map((h) => h.name));
  const some = [...known].slice(0, 10).join(', ') + (known.size > 10 ? `, … (${known.size} hosts)` : '');
  const listed = new Set<string>();
  list.forEach((n, i) => {
    if (!known.has(n)) out.push(error([section, 'hosts', i], `"${n}" is not a host in hosts: (known: ${some})`));
    if (listed.has(n)) out.push(error([section, 'hosts', i], `"${n}" is listed twice`));
    listed.add(n);
  });
  return out;
}

function sentinelCountFindings(inv: Inventory): Finding[] {
  const out: Finding[] = [];
  const known = new Map(inv.hosts.map((h) => [h.name, h]));
  const names = inv.sentinel.hosts ?? sentinelHosts(inv).map((h) => h.name);
  const members = [...new Set(names)].flatMap((n) => known.get(n) ?? []);
  const where = inv.sentinel.hosts ? ['sentinel', 'hosts'] : ['hosts'];
  const n = members.length;
  const machines = new Set(members.map((h) => h.address)).size;
  if (n === 0)
    out.push(error(where, 'no Sentinel host: Sentinel is what detects a dead master and promotes a replica'));
  else if (n < 3)
    out.push(
      warning(
        where,
        `only ${n} Sentinel${n === 1 ? '' : 's'}: with fewer than 3, losing one host can leave too few to agree on a failover`,
      ),
    );
  else if (machines < 3)
    out.push(
      warning(
        where,
        `the ${n} Sentinels run on only ${machines} distinct address(es): one machine failing takes out several votes`,
      ),
    );
  const q = inv.sentinel.quorum;
  if (n > 0 && q > n)
    out.push(
      error(
        ['sentinel', 'quorum'],
        `quorum ${q} is more than the ${n} Sentinel${n === 1 ? '' : 's'}: no failover could ever be agreed`,
      ),
    );
  else if (n > 0 && q <= n / 2)
    out.push(
      error(
        ['sentinel', 'quorum'],
        `quorum ${q} is not a majority of the ${n} Sentinels (need at least ${Math.floor(n / 2) + 1}): a minority partition could start a failover`,
      ),
    );
  const lbs = inv.haproxy.hosts ?? inv.hosts.filter((h) => h.role === 'haproxy').map((h) => h.name);
  if (lbs.length === 0)
    out.push(
      warning(
        inv.haproxy.hosts ? ['haproxy', 'hosts'] : ['hosts'],
        'no HAProxy host: clients get no stable write/read endpoint and must ask Sentinel for the master themselves',
      ),
    );
  return out;
}
