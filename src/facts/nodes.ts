// What one database node says about itself: INFO (everything status shows) and MODULE LIST. A node that
// cannot be reached is a fact too (up: false, with the reason), never an exception.
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import type { RedisFactory, RedisLike } from '../redis/client.js';
import {
  field,
  memory,
  parseInfo,
  persistence,
  replication,
  type InfoSections,
  type MemoryFacts,
  type PersistenceFacts,
  type Replication,
} from '../redis/info.js';
import { falkordbModule, parseModuleList } from '../redis/replies.js';

export interface NodeFacts {
  host: string;
  address: string;
  port: number;
  /** The inventory's role: only the intended one; after a failover `replication.role` differs. */
  intendedRole: 'master' | 'replica';
  up: boolean;
  error?: string;
  /** The error's taxonomy code (REMOTE, TIMEOUT, REFUSED…) when the node could not be asked. */
  errorCode?: string;
  replication?: Replication;
  memory?: MemoryFacts;
  persistence?: PersistenceFacts;
  redisVersion?: string;
  falkordbVersion?: string;
  uptimeSeconds?: number;
  /** Kept for lag computation against the master; not shown. */
  info?: InfoSections;
}

export const nodePort = (inv: Inventory): number =>
  inv.tls?.enabled && !inv.tls.allowPlaintext ? inv.tls.port : inv.redis.port;

/** More questions for a node that answered, on the same connection (status: its pending restarts). */
export type OnNode = (host: Host, r: RedisLike) => Promise<void>;

export async function nodeFacts(
  inv: Inventory,
  host: Host,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'password'>,
  timeoutMs?: number,
  onNode?: OnNode,
): Promise<NodeFacts> {
  const port = nodePort(inv);
  const base = {
    host: host.name,
    address: host.address,
    port,
    intendedRole: host.role === 'master' ? ('master' as const) : ('replica' as const),
  };
  let r;
  try {
    r = await factory.open(host, port, { password: secrets.password, timeoutMs });
  } catch (e) {
    return { ...base, up: false, ...errorOf(e) };
  }
  try {
    const info = parseInfo(await r.info('everything'));
    const mods = await r.call('MODULE', 'LIST').then(parseModuleList, () => []);
    // its failure is its own (a fact left out), never this node's: the node answered
    await onNode?.(host, r).catch(() => undefined);
    return {
      ...base,
      up: true,
      info,
      replication: replication(info),
      memory: memory(info),
      persistence: persistence(info),
      redisVersion: field(info, 'redis_version'),
      falkordbVersion: falkordbModule(mods)?.version,
      uptimeSeconds: Number(field(info, 'uptime_in_seconds') ?? NaN),
    };
  } catch (e) {
    return { ...base, up: false, ...errorOf(e) };
  } finally {
    await r.close();
  }
}

/** Fills in each replica's lag against the node it follows (when that node is one of ours and up). */
export function withLag(nodes: NodeFacts[]): NodeFacts[] {
  return nodes.map((n) => {
    if (!n.up || !n.info || n.replication?.role !== 'replica') return n;
    const m = nodes.find(
      (x) => x.up && x.info && x.address === n.replication!.masterHost && x.port === n.replication!.masterPort,
    );
    if (!m?.replication) return n;
    return {
      ...n,
      replication: replication(n.info, { replication: m.replication }, { address: n.address, port: n.port }),
    };
  });
}

export function errorOf(e: unknown): { error: string; errorCode?: string } {
  const err = e as { message?: string; code?: unknown };
  return { error: err?.message ?? String(e), errorCode: typeof err?.code === 'string' ? err.code : undefined };
}
