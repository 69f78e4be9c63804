// One status round: topology and HAProxy facts in parallel, then the verdict. No output here.
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import type { RedisFactory } from '../redis/client.js';
import type { Tunnels } from '../redis/tunnel.js';
import { haproxyFacts } from './haproxy.js';
import { evaluate } from './health.js';
import { buildReport, type StatusReport } from './report.js';
import { discoverTopology } from './topology.js';

export interface GatherOpts {
  hosts?: readonly Host[];
  partial?: boolean;
  forks?: number;
  timeoutMs?: number;
  now?: () => number;
}

export async function gatherStatus(
  inv: Inventory,
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>,
  factory: RedisFactory,
  tunnels: Tunnels,
  o: GatherOpts = {},
): Promise<StatusReport> {
  const [topo, haproxy] = await Promise.all([
    discoverTopology(inv, factory, secrets, o),
    haproxyFacts(inv, tunnels, o),
  ]);
  const findings = evaluate(inv, topo, haproxy, { partial: o.partial });
  return buildReport(inv, topo, haproxy, findings, (o.now ?? Date.now)(), o.partial);
}

/** Taxonomy codes of everything that could not be asked (to tell "degraded" from "refused to connect"). */
export function errorCodes(r: StatusReport): Set<string> {
  const codes = [...r.nodes, ...r.sentinels, ...r.haproxy]
    .map((x) => x.errorCode)
    .filter((c): c is string => Boolean(c));
  return new Set(codes);
}
