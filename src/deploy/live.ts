// Render against the LIVE topology: after a failover the Sentinels' master is another host, and
// deploy must follow it (that host renders as master, the inventory's master as one of its replicas)
// rather than revert what Sentinel decided.
import { refusal } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { dbHosts, masterHost } from '../inventory/topology.js';
import type { Topology } from '../facts/topology.js';

export interface LiveMaster {
  /** The host that is master now (the inventory's master when nothing runs yet). */
  host: string;
  source: 'sentinels' | 'nodes' | 'inventory';
}

/** Which host is master now: the Sentinels' agreed answer, else the one running node that says so, else the inventory. */
export function liveMaster(
  inv: Inventory,
  topo: Pick<Topology, 'agreedMaster' | 'sentinelOpinions' | 'nodes'>,
): LiveMaster {
  const intended = masterHost(inv)?.name ?? '';
  if (topo.sentinelOpinions.length > 1) {
    throw refusal(
      `the Sentinels disagree about the master (${topo.sentinelOpinions.join(' vs ')}): deploying now could fight a failover`,
      'wait until they agree (falkorctl status), then deploy again',
    );
  }
  if (topo.agreedMaster) {
    const h = dbHosts(inv).find((x) => x.address === topo.agreedMaster!.address);
    if (!h) {
      throw refusal(
        `the Sentinels follow a master at ${topo.agreedMaster.address}:${topo.agreedMaster.port}, which is no database host of the inventory`,
        'add that host to the inventory or fix the Sentinels first',
      );
    }
    return { host: h.name, source: 'sentinels' };
  }
  const masters = topo.nodes.filter((n) => n.up && n.replication?.role === 'master');
  if (masters.length > 1) {
    throw refusal(
      `${masters.map((m) => m.host).join(', ')} all run as master and no Sentinel names one`,
      'make one of them a replica (REPLICAOF) or start the Sentinels, then deploy again',
    );
  }
  const running = masters[0];
  if (
    running &&
    running.host !== intended &&
    topo.nodes.some((n) => n.up && n.host === intended && n.replication?.role === 'replica')
  ) {
    return { host: running.host, source: 'nodes' };
  }
  return { host: intended, source: 'inventory' };
}

/** The inventory with roles swapped so that `master` is the master; unchanged when it already is. */
export function withMaster(inv: Inventory, master: string): Inventory {
  if (masterHost(inv)?.name === master) return inv;
  const hosts = inv.hosts.map((h) => {
    if (h.name === master) return { ...h, role: 'master' as const };
    if (h.role === 'master') return { ...h, role: 'replica' as const };
    return h;
  });
  return { ...inv, hosts };
}
