// Turning ACL mode on for a running cluster: deploy logs in as `default` while the nodes have no admin user yet
// (src/redis/client.ts), restarts each node with its aclfile (the master with --yes), and ends healthy:
// `default` refused, the replicas linked as the replication user, HAProxy's write port on the master.
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { falkorctl, inventoryCopy, redis, setupDeploy, wipe } from './deploy-fixture.js';

let lab: Lab;
let tmp: string;

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  tmp = mkdtempSync(join(tmpdir(), 'falkorctl-acl-convert-'));
  await wipe(lab);
  await setupDeploy(lab.inventoryPath);
});
afterAll(async () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await cleanupAll();
});

async function ask<T>(host: string, port: number, user: string | undefined, f: (c: Redis) => Promise<T>): Promise<T> {
  const c = redis(lab, host, port, user ? lab.password() : null, {
    ...(user ? { username: user } : {}),
    readyCheck: false,
  });
  try {
    await c.connect();
    return await f(c);
  } finally {
    c.disconnect();
  }
}

it('a running cluster is converted to ACL mode by deploy --yes and ends healthy', async () => {
  const inv = inventoryCopy(
    lab,
    (d) => {
      d.auth.acl = Object.fromEntries(
        ['replication', 'sentinel', 'healthcheck', 'exporter'].map((r) => {
          const f = join(tmp, `${r}.pass`);
          writeFileSync(f, `${r}-${Math.random().toString(36).slice(2)}x`, { mode: 0o600 });
          return [r, { password: `file:${f}` }];
        }),
      );
    },
    tmp,
  );
  const plan = await falkorctl(['-i', inv, 'deploy', '--dry-run']);
  expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(0);
  expect(plan.stdout).toMatch(/users\.acl/);
  const r = await falkorctl(['-i', inv, 'deploy', '--yes']);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(await ask('db1', 6379, undefined, (c) => c.call('PING').catch((e: Error) => e.message))).toMatch(/^NOAUTH/);
  const list = await ask('db1', 6379, 'falkorctl', async (c) => String(await c.call('CLIENT', 'LIST')));
  expect(list.split('\n').filter((l) => /flags=S/.test(l) && /user=replication/.test(l))).toHaveLength(2);
  await waitFor(
    () => falkorctl(['-i', inv, 'status']),
    (st) => st.code === 0,
    { what: 'falkorctl status exit 0 after the conversion', timeoutMs: 120_000 },
  );
  const again = await falkorctl(['-i', inv, 'deploy']);
  expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
  expect(again.stdout).toMatch(/no changes/);
});
