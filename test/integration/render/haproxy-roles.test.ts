// The rendered HAProxy health check is role-aware: when roles swap (REPLICAOF, no Sentinel involved),
// the write port must follow the new master within a few check intervals, as `haproxy.checkIntervalMs`
// promises. Hosts: 127.0.2.30-33.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { parseInfo, redisClient, useCleanup, waitFor } from '../../helpers/index.js';
import { checkTiming, layout, type Layout } from './fixture.js';
import { backendStates, lbFiles, startDb, startLb } from './nodes.js';

useCleanup();

const DB = ['db-1', 'db-2', 'db-3'] as const;
let l: Layout;
const direct = (h: string) => redisClient(l.addr(h), l.inv.redis.port, { password: l.secrets.password });
const via = (port: number) => redisClient(l.addr('lb-1'), port, { password: l.secrets.password });
const runId = async (r: Redis) => parseInfo(await r.info('server')).run_id;

beforeAll(async () => {
  l = await layout({ first: 30, ports: [16400, 16401], label: 'render-roles' });
  for (const h of DB) await startDb(l, h);
  for (const h of ['db-2', 'db-3']) {
    const r = await direct(h);
    await waitFor(async () => parseInfo(await r.info('replication')).master_link_status, (s) => s === 'up', {
      what: `${h} link up`,
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  }
  await startLb(l, 'lb-1');
  const { inter, fall, rise, timeoutCheck } = checkTiming(lbFiles(l, 'lb-1').cfg);
  await waitFor(
    () => backendStates(l.inv.haproxy.statsSocket),
    (s) => s['falkordb_write/db-1'] === 'UP' && s['falkordb_write/db-2'] === 'DOWN' && s['falkordb_write/db-3'] === 'DOWN',
    { what: 'only db-1 UP in the write backend', timeoutMs: fall * (inter + timeoutCheck) + rise * inter + 5_000, intervalMs: 100 },
  );
});

describe('write port after REPLICAOF swaps roles', () => {
  it('follows the new master within fall×inter + rise×inter (+1 s)', async () => {
    const { inter, fall, rise } = checkTiming(lbFiles(l, 'lb-1').cfg);
    const w0 = await via(l.inv.haproxy.writePort);
    expect(await runId(w0)).toBe(await runId(await direct('db-1')));

    const db2 = await direct('db-2');
    const newId = await runId(db2);
    await db2.call('REPLICAOF', 'NO', 'ONE');
    await (await direct('db-1')).call('REPLICAOF', l.addr('db-2'), String(l.inv.redis.port));
    await (await direct('db-3')).call('REPLICAOF', l.addr('db-2'), String(l.inv.redis.port));
    const swapped = Date.now();

    // Follows at all (generous deadline): the check asks for the role, not just PING.
    await waitFor(async () => runId(await via(l.inv.haproxy.writePort)), (id) => id === newId, {
      what: 'the write port to reach db-2',
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    const took = Date.now() - swapped;
    const w = await via(l.inv.haproxy.writePort);
    await w.call('GRAPH.QUERY', 'g', 'CREATE (:After {swap: true})');
    expect(parseInfo(await (await direct('db-1')).info('replication')).role).toBe('slave');

    // Follows promptly: a failed check must fail at once, not wait out `timeout check`.
    const bound = fall * inter + rise * inter + 1_000;
    expect(took, `write port took ${took} ms to follow; checkIntervalMs ${inter}, fall ${fall}, rise ${rise} allow ${bound} ms`).toBeLessThanOrEqual(bound);
  });
});
