// Shared set-up for the SSH transport tests: a client key, a temp known_hosts, inventories that
// point at test sshds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inventorySchema, type Inventory, type InventoryInput } from '../../../src/inventory/schema.js';
import { makeKeyPair, type Sshd } from '../../helpers/sshd.js';

export interface ClientSide {
  dir: string;
  /** Remove the temp dir (keys, known_hosts). */
  dispose(): void;
  key: { privatePath: string; publicLine: string };
  knownHosts: string;
}

export function clientSide(): ClientSide {
  const dir = mkdtempSync(join(tmpdir(), 'falkorctl-client-'));
  return {
    dir,
    key: makeKeyPair(dir, 'id_test'),
    knownHosts: join(dir, 'known_hosts'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function trust(c: ClientSide, ...servers: Sshd[]): void {
  writeFileSync(c.knownHosts, servers.map((s) => s.knownHostsLine()).join('\n') + '\n');
}

export type HostSpec = {
  name: string;
  sshd: Sshd;
  role?: 'master' | 'replica' | 'sentinel' | 'haproxy';
  user?: string;
};

export function inventory(c: ClientSide, hosts: HostSpec[], ssh: NonNullable<InventoryInput['ssh']> = {}): Inventory {
  return inventorySchema.parse({
    cluster: 'sshtest',
    ssh: {
      identityFile: c.key.privatePath,
      knownHosts: c.knownHosts,
      connectTimeoutMs: 5000,
      commandTimeoutMs: 30_000,
      ...ssh,
    },
    hosts: hosts.map((h, i) => ({
      name: h.name,
      address: h.sshd.address,
      role: h.role ?? (i === 0 ? 'master' : 'replica'),
      ssh: { port: h.sshd.port, ...(h.user ? { user: h.user } : {}) },
    })),
    auth: { password: 'env:FALKOR_TEST_PASSWORD' },
  });
}

/** No ssh-agent from the environment the tests happen to run in. */
export const noAgent = { env: {} as NodeJS.ProcessEnv };
