// Pending restarts per database node, for status: its falkordb.conf (read in status's one SSH command per host)
// against one CONFIG GET of the restart-only directives the file names and one GRAPH.CONFIG GET * when it names
// a load-time parameter, both on the node's one status connection.
// The comparison is config update's own (src/config-update/pending.ts). A node that cannot be read is left
// out: status reports it down or unreachable elsewhere.
import type { Inventory } from '../inventory/schema.js';
import type { RedisLike } from '../redis/client.js';
import { pairs } from '../redis/replies.js';
import { paths } from '../templates/common.js';
import { pendingRestarts, pendingText, restartOnlyNames, type PendingRestart } from '../config-update/pending.js';
import type { Finding } from './health.js';

/** The node's restart-only values, asked on the connection status already has open to it (nodeFacts's). */
export async function nodePending(inv: Inventory, r: RedisLike, file: string): Promise<PendingRestart[] | undefined> {
  const modulePath = paths(inv).modulePath;
  const names = restartOnlyNames(file, modulePath);
  if (!names.redis.length && !names.module.length) return [];
  try {
    const redis = names.redis.length ? pairs(await r.call('CONFIG', 'GET', ...names.redis)) : {};
    const module: Record<string, string> = {};
    if (names.module.length)
      for (const kv of (await r.call('GRAPH.CONFIG', 'GET', '*')) as unknown[][]) module[String(kv[0])] = String(kv[1]);
    const live = Object.fromEntries(Object.entries(redis).map(([k, v]) => [k, String(v)]));
    return pendingRestarts(file, modulePath, { redis: live, module });
  } catch {
    return undefined;
  }
}

/**
 * A warning, not a degradation: the node serves with the values it runs; the file's wait for a restart the
 * operator chose to leave for later (config update without --restart says so).
 */
export function pendingWarnings(pending: Readonly<Record<string, readonly PendingRestart[]>>): Finding[] {
  return Object.entries(pending)
    .filter(([, p]) => p.length)
    .map(([host, p]) => ({
      severity: 'warning' as const,
      area: 'node' as const,
      host,
      message: `${host}: pending restart: ${p.map(pendingText).join(', ')} — falkorctl config update --restart brings it in`,
    }));
}
