// What each running Sentinel holds for the master (its own, rewritten config): compared with the
// inventory, the differences become SENTINEL SET steps instead of a rewrite of Sentinel's file.
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import type { Topology } from '../facts/topology.js';
import type { RedisFactory } from '../redis/client.js';
import { pairs } from '../redis/replies.js';
import type { HostFacts } from './types.js';

export async function addSentinelFacts(
  inv: Inventory,
  hosts: readonly Host[],
  topo: Topology,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'sentinelPassword'>,
  facts: Map<string, HostFacts>,
): Promise<void> {
  const up = new Set(topo.sentinels.filter((s) => s.up && s.masterAddr).map((s) => s.host));
  for (const h of hosts.filter((x) => up.has(x.name))) {
    const r = await factory.open(h, inv.sentinel.port, { password: secrets.sentinelPassword, timeoutMs: 5_000 });
    try {
      const kv = pairs(await r.call('SENTINEL', 'MASTER', inv.sentinel.masterName));
      const f = facts.get(h.name);
      if (f) f.sentinelMaster = Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, String(v)]));
    } finally {
      await r.close();
    }
  }
}

/** One command to a service on a host, for the executor's SENTINEL SET steps. */
export function redisCommand(
  inv: Inventory,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>,
) {
  return async (host: string, port: number, sentinel: boolean, args: [string, ...string[]]): Promise<unknown> => {
    const h = inv.hosts.find((x) => x.name === host);
    if (!h) throw new Error(`no host ${host}`);
    const r = await factory.open(h, port, {
      password: sentinel ? secrets.sentinelPassword : secrets.password,
      timeoutMs: 5_000,
    });
    try {
      return await r.call(...args);
    } finally {
      await r.close();
    }
  };
}
