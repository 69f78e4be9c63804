// Everything the switchover pre-flight needs, read-only: each node's INFO and replica-priority, each
// Sentinel's view and CKQUORUM, each HAProxy's backends, and the master's min-replicas-to-write (restored
// after the fence).
import type { Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import { dbHosts, sentinelHosts } from '../inventory/topology.js';
import type { RedisFactory } from '../redis/client.js';
import { discoverTopology } from '../facts/topology.js';
import { haproxyFacts } from '../facts/haproxy.js';
import { pairs } from '../redis/replies.js';
import { call, type Conns } from './live.js';
import type { SwitchoverFacts, SwitchoverSettings } from './preflight.js';

export const WRITE_BACKEND = 'falkordb_write';

export function settingsOf(inv: Inventory, to?: string): SwitchoverSettings {
  return {
    masterName: inv.sentinel.masterName,
    downAfterMs: inv.sentinel.downAfterMs,
    writeBackend: WRITE_BACKEND,
    sentinelPort: inv.sentinel.port,
    ...(to ? { to } : {}),
  };
}

const configValue = (reply: unknown): string | undefined =>
  Array.isArray(reply) && reply.length >= 2 ? String(reply[1]) : undefined;

export async function gatherSwitchoverFacts(
  inv: Inventory,
  factory: RedisFactory,
  conns: Conns,
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>,
): Promise<{ facts: SwitchoverFacts; minReplicas: Record<string, number> }> {
  const [topo, haproxy] = await Promise.all([
    discoverTopology(inv, factory, secrets),
    factory.tunnels ? haproxyFacts(inv, factory.tunnels) : Promise.resolve([]),
  ]);
  const ckquorum: SwitchoverFacts['ckquorum'] = {};
  await Promise.all(
    sentinelHosts(inv).map(async (h) => {
      try {
        const t = String(await call(conns, h.name, 'sentinel', ['SENTINEL', 'CKQUORUM', inv.sentinel.masterName]));
        ckquorum[h.name] = { ok: t.startsWith('OK'), text: t };
      } catch (e) {
        ckquorum[h.name] = { ok: false, text: (e as Error).message };
      }
    }),
  );
  // Sentinel's INFO period (SENTINEL DEBUG, Redis 7+; not persisted, so 10 s after any Sentinel restart): the
  // switchover lowers it on the leader for the moments it waits for Sentinel to read the new priorities.
  const infoPeriods: Record<string, number> = {};
  await Promise.all(
    sentinelHosts(inv).map(async (h) => {
      try {
        const kv = pairs(await call(conns, h.name, 'sentinel', ['SENTINEL', 'DEBUG']));
        const v = Number(kv['INFO-PERIOD'] ?? kv['info-period']);
        if (Number.isFinite(v) && v > 0) infoPeriods[h.name] = v;
      } catch {
        // an older Sentinel without SENTINEL DEBUG: the switchover waits for its 10 s INFO period instead
      }
    }),
  );
  const priorities: Record<string, number> = {};
  const minReplicas: Record<string, number> = {};
  await Promise.all(
    dbHosts(inv).map(async (h) => {
      try {
        const p = configValue(await call(conns, h.name, 'node', ['CONFIG', 'GET', 'replica-priority']));
        if (p !== undefined) priorities[h.name] = Number(p);
        const m = configValue(await call(conns, h.name, 'node', ['CONFIG', 'GET', 'min-replicas-to-write']));
        if (m !== undefined) minReplicas[h.name] = Number(m);
      } catch {
        // a node that cannot be asked is already a pre-flight refusal (from its INFO)
      }
    }),
  );
  return {
    facts: { nodes: topo.nodes, sentinels: topo.sentinels, ckquorum, haproxy, priorities, infoPeriods },
    minReplicas,
  };
}
