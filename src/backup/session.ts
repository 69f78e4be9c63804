// What backup, backup list and restore open once per run: the inventory with its secrets, one SSH pool shared
// by the command transport and the Redis tunnels, and a mask for the secrets.
import { secretValues } from '../inventory/secrets.js';
import type { Ctx } from '../context.js';
import { formatDiagnostic, loadInventory, resolveSecrets, type Inventory, type Secrets } from '../inventory/index.js';
import { redisFactoryFor, type RedisFactory } from '../redis/client.js';
import { sshTransportFor } from '../remote/ssh.js';
import type { Transport } from '../remote/transport.js';
import { maskSecrets } from '../core/mask.js';
import { discoverTopology } from '../facts/topology.js';
import { dbHosts, masterHost } from '../inventory/topology.js';

export interface BackupSession {
  inv: Inventory;
  secrets: Secrets;
  transport: Transport;
  factory: RedisFactory;
  mask: (t: string) => string;
  close(): Promise<void>;
}

export async function openBackupSession(ctx: Ctx, opts: Record<string, unknown>): Promise<BackupSession> {
  const loaded = await loadInventory(ctx.opts.inventory, ctx.cwd);
  for (const w of loaded.warnings) ctx.out.warn(formatDiagnostic(w));
  const inv = loaded.inventory;
  const secrets = await resolveSecrets(loaded, {
    env: ctx.env,
    prompt: ctx.prompt,
    cwd: ctx.cwd,
    warn: (m) => ctx.out.warn(m),
  });
  const values = secretValues(secrets);
  const transport = sshTransportFor(inv, ctx, opts);
  const factory = redisFactoryFor(inv, ctx, opts);
  return {
    inv,
    secrets,
    transport,
    factory,
    mask: (t) => maskSecrets(t, values),
    close: async () => {
      await Promise.all([factory.close(), transport.close()]);
    },
  };
}

/**
 * The host of the cluster lock for backup prune and backup schedule: the live master (where backup and restore
 * take it too), the inventory's master when none answers, so every mutating command meets the same lock.
 */
export async function lockHost(s: BackupSession): Promise<string> {
  const topo = await discoverTopology(s.inv, s.factory, s.secrets);
  return (
    topo.nodes.find((n) => n.up && n.replication?.role === 'master')?.host ??
    masterHost(s.inv)?.name ??
    dbHosts(s.inv)[0]!.name
  );
}
