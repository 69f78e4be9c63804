// The live topology: what every database node says it is, what every Sentinel believes the master is,
// and whether they agree. The inventory's `role: master` is only the intended master; after a failover
// the truth is here. Shared by `status` and `deploy`.
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import { dbHosts, masterHost, sentinelHosts } from '../inventory/topology.js';
import { runParallel } from '../remote/parallel.js';
import type { RedisFactory } from '../redis/client.js';
import { parseMasterAddr, parseSentinelMaster, type SentinelMaster } from '../redis/replies.js';
import { errorOf, nodeFacts, nodePort, withLag, type NodeFacts, type OnNode } from './nodes.js';

export interface SentinelView {
  host: string;
  up: boolean;
  /** GET-MASTER-ADDR-BY-NAME; undefined when down or when it monitors no master of that name. */
  masterAddr?: { address: string; port: number };
  /** SENTINEL MASTER: flags, num-other-sentinels, quorum … */
  master?: SentinelMaster;
  error?: string;
  errorCode?: string;
}

export interface Topology {
  nodes: NodeFacts[];
  sentinels: SentinelView[];
  /** Set when every Sentinel that answered names the same master (and at least one answered). */
  agreedMaster?: { address: string; port: number; host?: string };
  /** Distinct master addresses named by the Sentinels that answered ("10.0.0.1:6379"). */
  sentinelOpinions: string[];
}

export interface DiscoverOpts {
  /** Only these hosts are asked (--limit); default all. */
  hosts?: readonly Host[];
  forks?: number;
  timeoutMs?: number;
  /** Asked of every node that answered, on its connection, before it is closed. */
  onNode?: OnNode;
}

export async function discoverTopology(
  inv: Inventory,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>,
  o: DiscoverOpts = {},
): Promise<Topology> {
  const chosen = new Set((o.hosts ?? inv.hosts).map((h) => h.name));
  const forks = o.forks ?? 10;
  const dbs = dbHosts(inv).filter((h) => chosen.has(h.name));
  const sents = sentinelHosts(inv).filter((h) => chosen.has(h.name));
  const [nodeRes, sentRes] = await Promise.all([
    runParallel(dbs, forks, (h) => nodeFacts(inv, h, factory, secrets, o.timeoutMs, o.onNode)),
    runParallel(sents, forks, (h) => sentinelView(inv, h, factory, secrets, o.timeoutMs)),
  ]);
  const nodes = withLag(
    nodeRes.map((r, i) =>
      r.status === 'fulfilled'
        ? r.value
        : {
            host: dbs[i]!.name,
            address: dbs[i]!.address,
            port: nodePort(inv),
            intendedRole: dbs[i]!.role === 'master' ? ('master' as const) : ('replica' as const),
            up: false,
            ...errorOf(r.status === 'rejected' ? r.reason : 'skipped'),
          },
    ),
  );
  const sentinels = sentRes.map((r, i) =>
    r.status === 'fulfilled'
      ? r.value
      : { host: sents[i]!.name, up: false, ...errorOf(r.status === 'rejected' ? r.reason : 'skipped') },
  );
  const named = sentinels.filter((s) => s.masterAddr).map((s) => `${s.masterAddr!.address}:${s.masterAddr!.port}`);
  const opinions = [...new Set(named)];
  const agreed = opinions.length === 1 ? sentinels.find((s) => s.masterAddr)!.masterAddr! : undefined;
  const everyoneAnswered = sentinels.filter((s) => s.up).every((s) => s.masterAddr);
  return {
    nodes,
    sentinels,
    sentinelOpinions: opinions,
    agreedMaster:
      agreed && everyoneAnswered
        ? { ...agreed, host: inv.hosts.find((h) => h.address === agreed.address)?.name }
        : undefined,
  };
}

export async function sentinelView(
  inv: Inventory,
  host: Host,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'sentinelPassword'>,
  timeoutMs?: number,
): Promise<SentinelView> {
  let r;
  try {
    r = await factory.open(host, inv.sentinel.port, { password: secrets.sentinelPassword, timeoutMs });
  } catch (e) {
    return { host: host.name, up: false, ...errorOf(e) };
  }
  try {
    const name = inv.sentinel.masterName;
    const addr = parseMasterAddr(await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name));
    if (!addr) return { host: host.name, up: true, error: `monitors no master named ${name}` };
    const master = parseSentinelMaster(await r.call('SENTINEL', 'MASTER', name));
    return { host: host.name, up: true, masterAddr: { address: addr.host, port: addr.port }, master };
  } catch (e) {
    return { host: host.name, up: true, ...errorOf(e) };
  } finally {
    await r.close();
  }
}

/**
 * The host of the cluster lock for the commands that discover it (backup prune, backup schedule, firewall apply):
 * the live master, where backup and restore take it too, the inventory's master when none answers, so every
 * mutating command meets the same lock.
 */
export async function lockHost(
  inv: Inventory,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>,
): Promise<string> {
  const topo = await discoverTopology(inv, factory, secrets);
  return (
    topo.nodes.find((n) => n.up && n.replication?.role === 'master')?.host ??
    masterHost(inv)?.name ??
    dbHosts(inv)[0]!.name
  );
}
