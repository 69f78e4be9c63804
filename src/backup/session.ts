// What backup, backup list and restore open once per run: the inventory with its secrets, one SSH pool shared
// by the command transport and the Redis tunnels, and a mask for the secrets.
import { secretValues } from '../inventory/secrets.js';
import type { Ctx } from '../context.js';
import type { Inventory, Secrets } from '../inventory/index.js';
import { openInventory, secretsFor } from '../inventory/open.js';
import { redisFactoryFor, type RedisFactory } from '../redis/client.js';
import { sshTransportFor } from '../remote/ssh.js';
import type { Transport } from '../remote/transport.js';
import { maskSecrets } from '../core/mask.js';

export interface BackupSession {
  inv: Inventory;
  secrets: Secrets;
  transport: Transport;
  factory: RedisFactory;
  mask: (t: string) => string;
  close(): Promise<void>;
}

export async function openBackupSession(ctx: Ctx, opts: Record<string, unknown>): Promise<BackupSession> {
  const loaded = await openInventory(ctx);
  const inv = loaded.inventory;
  const secrets = await secretsFor(ctx, loaded);
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
