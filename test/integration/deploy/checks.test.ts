// deploy's checks against real processes (Redis 8 + FalkorDB, a replica, HAProxy) on 127.0.9.0/24: each one
// passes on a healthy set-up and fails — with a timeout naming what was awaited and what was seen — when the
// thing it checks is broken: a read port that reaches only the master, a write port that reaches a replica,
// a replica of another master, a master that is a replica, no Sentinel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck, type CheckEnv } from '../../../src/deploy/checks.js';
import { inventorySchema, type Inventory } from '../../../src/inventory/schema.js';
import { createRedisFactory } from '../../../src/redis/client.js';
import { claim } from '../../helpers/claim.js';
import { cleanupAll } from '../../helpers/cleanup.js';
import { waitFor } from '../../helpers/wait.js';
import { HaproxyProc, RedisProc, tempDir } from '../loadgen/procs.js';

const M = '127.0.9.1';
const R = '127.0.9.2';
const LB = '127.0.9.3';
const dirs = [tempDir('checks-m'), tempDir('checks-r'), tempDir('checks-lb')];
const keep = (d: ReturnType<typeof tempDir>) => (dirs.push(d), d);
const PW = 'checks-pw';
const master = new RedisProc({ host: M, port: 6379, dir: dirs[0]!.path, aof: false, password: PW });
const replica = new RedisProc({
  host: R,
  port: 6379,
  dir: dirs[1]!.path,
  aof: false,
  password: PW,
  replicaOf: { host: M, port: 6379 },
});
// one backend server per port: the right write and read ports, and the two wrong ones
const write = new HaproxyProc({ host: LB, port: 6380, backend: master.o, dir: dirs[2]!.path });
const readGood = new HaproxyProc({ host: LB, port: 6381, backend: replica.o, dir: keep(tempDir('checks-rg')).path });
const readMaster = new HaproxyProc({ host: LB, port: 6382, backend: master.o, dir: keep(tempDir('checks-rm')).path });
const writeReplica = new HaproxyProc({
  host: LB,
  port: 6383,
  backend: replica.o,
  dir: keep(tempDir('checks-wr')).path,
});

const inv = (o: { writePort?: number; readPort?: number } = {}): Inventory =>
  inventorySchema.parse({
    cluster: 'checks',
    hosts: [
      { name: 'db1', address: M, role: 'master' },
      { name: 'db2', address: R, role: 'replica' },
      { name: 'lb1', address: LB, role: 'haproxy' },
    ],
    auth: { password: 'env:X' },
    haproxy: { writePort: o.writePort ?? 6380, readPort: o.readPort ?? 6381 },
  });

let factories: ReturnType<typeof createRedisFactory>[] = [];
const env = (i: Inventory): CheckEnv => {
  const factory = createRedisFactory(i, { mode: 'direct' });
  factories.push(factory);
  return {
    inv: i,
    factory,
    secrets: { password: PW },
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    deadlines: { master: 1500, replica: 1500, sentinel: 1500, haproxy: 4000 },
  };
};
const haproxyCheck = { kind: 'haproxy' as const, host: 'lb1', master: 'db1', replicas: ['db2'] };

beforeAll(async () => {
  await claim('127.0.9.1-3', 120_000);
  await master.start();
  await replica.start();
  const c = replica.client();
  await waitFor(
    () => c.info('replication').catch((e: Error) => e.message),
    (v) => v.includes('master_link_status:up'),
    { what: 'the replica linked to the master', timeoutMs: 30_000 },
  );
  c.disconnect();
  for (const h of [write, readGood, readMaster, writeReplica]) await h.start(PW);
});
afterAll(async () => {
  await Promise.all(factories.map((f) => f.close()));
  factories = [];
  for (const h of [write, readGood, readMaster, writeReplica]) await h.stop();
  await master.kill();
  await replica.kill();
  for (const d of dirs) d.remove();
  await cleanupAll();
});

describe('deploy checks on real processes', () => {
  it('master and replica checks pass on the healthy pair, and fail naming what they saw when the roles are wrong', async () => {
    const e = env(inv());
    expect(await runCheck(e, { kind: 'master', host: 'db1' })).toContain('db1: master');
    const m = { host: 'db1', address: M, port: 6379 };
    expect(await runCheck(e, { kind: 'replica', host: 'db2', master: m })).toContain('db2: replica of db1');
    await expect(runCheck(e, { kind: 'master', host: 'db2' })).rejects.toThrow(/db2: master .*last seen: ROLE replica/);
    await expect(
      runCheck(e, { kind: 'replica', host: 'db2', master: { host: 'x', address: '127.0.9.9', port: 6379 } }),
    ).rejects.toThrow(/not so after \d+s; last seen: replica of 127\.0\.9\.1:6379/);
  });

  it('no Sentinel answering: the sentinel check times out with the connection error', async () => {
    await expect(
      runCheck(env(inv()), { kind: 'sentinel', host: 'db1', master: { address: M, port: 6379 } }),
    ).rejects.toThrow(/db1: Sentinel monitoring .* last seen: .*26379/);
  });

  it('the HAProxy check passes when the write port reaches the master and the read port a replica', async () => {
    expect(await runCheck(env(inv()), haproxyCheck)).toBe('lb1: write port 6380 → db1; read port 6381 → a replica');
  });

  it('fails when the read port reaches only the master although the cluster has a replica', async () => {
    await expect(runCheck(env(inv({ readPort: 6382 })), haproxyCheck)).rejects.toThrow(
      /lb1: read port 6382 reaching a replica: not so after \d+s; last seen: the master db1/,
    );
  });

  it('fails when the write port reaches a replica', async () => {
    await expect(runCheck(env(inv({ writePort: 6383 })), haproxyCheck)).rejects.toThrow(
      /lb1: write port 6383 reaching the master db1: not so after \d+s; last seen: a replica/,
    );
  });

  it('fails when no replica answers at all, instead of accepting the master on the read port', async () => {
    const e = env(inv({ readPort: 6382 }));
    await expect(runCheck(e, { ...haproxyCheck, replicas: ['db3-not-there'] })).rejects.toThrow(
      /a replica \(db3-not-there\) answering with its run_id: not so after \d+s; last seen: no replica answered/,
    );
    // a cluster without replicas may read from the master
    expect(await runCheck(e, { ...haproxyCheck, replicas: [] })).toBe(
      'lb1: write port 6380 → db1; read port 6382 → db1',
    );
  });
});
