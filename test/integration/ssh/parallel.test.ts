// --forks over real hosts: at most N hosts worked on at once, results in inventory order, one
// host's failure does not stop the others.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runParallel } from '../../../src/remote/parallel.js';
import { selectHosts } from '../../../src/remote/select.js';
import { createSshTransport } from '../../../src/remote/ssh.js';
import type { Transport } from '../../../src/remote/transport.js';
import type { Inventory } from '../../../src/inventory/schema.js';
import { startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

const servers: Sshd[] = [];
let c: ClientSide;
let inv: Inventory;
let t: Transport;

beforeAll(async () => {
  c = clientSide();
  for (const address of ['127.0.3.1', '127.0.3.2', '127.0.3.3']) {
    servers.push(await startSshd({ address, authorizedKeys: { root: [c.key.publicLine] } }));
  }
  trust(c, ...servers);
  // Six inventory hosts over three sshds: two per server.
  inv = inventory(
    c,
    [0, 1, 2, 3, 4, 5].map((i) => ({
      name: `h${i}`,
      sshd: servers[i % 3]!,
      role: i === 0 ? 'master' : i < 4 ? 'replica' : 'sentinel',
    })),
  );
  t = createSshTransport(inv, noAgent);
  await Promise.all(inv.hosts.map((h) => t.exec(h.name, ['true']))); // connect outside the timed part
});
afterAll(async () => {
  c?.dispose();
  await t?.close();
  await Promise.all(servers.map((s) => s.dispose()));
});

describe('parallel steps over SSH', () => {
  for (const limit of [1, 2, 3]) {
    test(`--forks ${limit}: peak concurrency is exactly ${limit}`, async () => {
      let active = 0;
      let peak = 0;
      const started = Date.now();
      const results = await runParallel(inv.hosts, limit, async (h) => {
        peak = Math.max(peak, ++active);
        try {
          return (await t.exec(h.name, ['sh', '-c', 'sleep 0.4; echo "$0"', h.name])).stdout.trim();
        } finally {
          active--;
        }
      });
      const elapsed = Date.now() - started;
      expect(peak).toBe(limit);
      expect(results).toEqual(inv.hosts.map((h) => ({ status: 'fulfilled', value: h.name })));
      // six 0.4 s steps in at least ceil(6/limit) waves (no upper bound: a loaded CI machine may stall)
      expect(elapsed).toBeGreaterThanOrEqual(Math.ceil(6 / limit) * 400 - 50);
    });
  }

  test('a failing host is reported with its error; the others still run', async () => {
    const targets = selectHosts(inv, ['role:replica', 'h5']);
    expect(targets.map((h) => h.name)).toEqual(['h1', 'h2', 'h3', 'h5']);
    const results = await runParallel(targets, 2, (h) =>
      t.exec(h.name, ['sh', '-c', h.name === 'h2' ? 'echo boom >&2; exit 4' : 'echo ok']),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const failed = results[1] as { reason: { message: string; exitStatus: number } };
    expect(failed.reason.exitStatus).toBe(4);
    expect(failed.reason.message).toContain('boom');
  });
});
