// The rendered HAProxy health checks, without Sentinel in the way: the read port falls back to the
// master while no replica is up and hands clients back when one returns (readFallbackToMaster); and
// when roles swap (REPLICAOF) the write port follows the new master within a few check intervals, as
// `haproxy.checkIntervalMs` promises. Hosts: 127.0.2.30-33.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { parseInfo, redisClient, useCleanup, waitFor, type RunningServer } from '../../helpers/index.js';
import { checkTiming, layout, type Layout } from './fixture.js';
import { backendStates, lbFiles, startDb, startLb } from './nodes.js';

useCleanup();

const DB = ['db-1', 'db-2', 'db-3'] as const;
let l: Layout;
const servers = new Map<string, RunningServer>();
const direct = (h: string) => redisClient(l.addr(h), l.inv.redis.port, { password: l.secrets.password });
const via = (port: number) => redisClient(l.addr('lb-1'), port, { password: l.secrets.password });
const runId = async (r: Redis) => parseInfo(await r.info('server')).run_id;

beforeAll(async () => {
  l = await layout({ first: 30, ports: [16400, 16401], label: 'render-roles' });
  for (const h of DB) servers.set(h, await startDb(l, h));
  await replicasLinked();
  await startLb(l, 'lb-1');
  const { inter, fall, rise, timeoutCheck } = checkTiming(lbFiles(l, 'lb-1').cfg);
  await waitFor(
    () => backendStates(l.inv.haproxy.statsSocket),
    (s) =>
      s['falkordb_write/db-1'] === 'UP' && s['falkordb_write/db-2'] === 'DOWN' && s['falkordb_write/db-3'] === 'DOWN',
    {
      what: 'only db-1 UP in the write backend',
      timeoutMs: fall * (inter + timeoutCheck) + rise * inter + 5_000,
      intervalMs: 100,
    },
  );
});

async function replicasLinked(): Promise<void> {
  for (const h of ['db-2', 'db-3']) {
    await waitFor(
      async () => parseInfo(await (await direct(h)).info('replication')).master_link_status,
      (s) => s === 'up',
      {
        what: `${h} link up`,
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
  }
}

describe('read port with readFallbackToMaster', () => {
  it('serves reads from the master while no replica is up, and hands those clients back when one returns', async () => {
    const { inter, fall, rise } = checkTiming(lbFiles(l, 'lb-1').cfg);
    const states = () => backendStates(l.inv.haproxy.statsSocket);
    const masterId = await runId(await direct('db-1'));
    expect(await runId(await via(l.inv.haproxy.readPort))).not.toBe(masterId); // a replica, while there is one

    await Promise.all(['db-2', 'db-3'].map((h) => servers.get(h)!.proc.stop()));
    await waitFor(states, (s) => s['falkordb_read/db-2'] === 'DOWN' && s['falkordb_read/db-3'] === 'DOWN', {
      what: 'both replicas DOWN in the read backend',
      timeoutMs: fall * inter + 3_000,
      intervalMs: 50,
    });
    const held = await via(l.inv.haproxy.readPort);
    expect(await runId(held)).toBe(masterId); // the backup server: the master

    for (const h of ['db-2', 'db-3']) servers.set(h, await startDb(l, h));
    await replicasLinked();
    await waitFor(states, (s) => s['falkordb_read/db-2'] === 'UP' || s['falkordb_read/db-3'] === 'UP', {
      what: 'a replica back UP in the read backend',
      timeoutMs: rise * inter + 3_000,
      intervalMs: 50,
    });
    // on-marked-up shutdown-backup-sessions: the client parked on the master is disconnected, and a
    // new connection lands on a replica again.
    await waitFor(
      () =>
        held.call('PING').then(
          () => 'still connected',
          (e: Error) => e.message,
        ),
      (m) => m !== 'still connected',
      {
        what: 'the read client on the backup master to be disconnected',
        timeoutMs: 2_000,
      },
    );
    expect(await runId(await via(l.inv.haproxy.readPort))).not.toBe(masterId);
  });
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
    await waitFor(
      async () => runId(await via(l.inv.haproxy.writePort)),
      (id) => id === newId,
      {
        what: 'the write port to reach db-2',
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );
    const took = Date.now() - swapped;
    const w = await via(l.inv.haproxy.writePort);
    await w.call('GRAPH.QUERY', 'g', 'CREATE (:After {swap: true})');
    expect(parseInfo(await (await direct('db-1')).info('replication')).role).toBe('slave');

    // Follows promptly: a failed check must fail at once, not wait out `timeout check`.
    const bound = fall * inter + rise * inter + 1_000;
    expect(
      took,
      `write port took ${took} ms to follow; checkIntervalMs ${inter}, fall ${fall}, rise ${rise} allow ${bound} ms`,
    ).toBeLessThanOrEqual(bound);
  });
});
