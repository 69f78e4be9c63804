// The render test inventory and fixed secrets, shared by the render unit tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseInventory } from '../../../src/inventory/index.js';
import { inventorySchema, type Inventory, type InventoryInput } from '../../../src/inventory/schema.js';
import type { Secrets } from '../../../src/render/index.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/render/', import.meta.url));
export const INVENTORY_FILE = `${FIXTURES}inventory.yaml`;
export const GOLDEN = `${FIXTURES}golden`;

/** Fixed, recognisable secrets: long enough that lint does not call them weak. */
export const SECRETS: Secrets = {
  password: 'golden-cluster-password-0123456789abcdef',
  sentinelPassword: 'golden-sentinel-password-0123456789abcdef',
  users: { app: 'golden-app-password-0123456789abcdefgh' },
};

export const SECRET_ENV = {
  FALKORDB_PASSWORD: SECRETS.password,
  FALKORDB_SENTINEL_PASSWORD: SECRETS.sentinelPassword as string,
  FALKORDB_APP_PASSWORD: SECRETS.users.app as string,
};

export function fixtureInventory(): Inventory {
  return parseInventory(readFileSync(INVENTORY_FILE, 'utf8'), INVENTORY_FILE).inventory;
}

/** A small valid inventory for targeted tests; `patch` edits the input before validation. */
export function smallInventory(patch?: (i: InventoryInput) => void): Inventory {
  const input: InventoryInput = {
    cluster: 'small',
    hosts: [
      { name: 'm1', address: '192.0.2.1', role: 'master', hardware: { memory: '8gb' } },
      { name: 'r1', address: '192.0.2.2', role: 'replica', hardware: { memory: '8gb' } },
      { name: 's1', address: '192.0.2.3', role: 'sentinel' },
      { name: 'lb', address: '192.0.2.4', role: 'haproxy' },
    ],
    auth: { password: 'env:P' },
  };
  patch?.(input);
  return inventorySchema.parse(input);
}
