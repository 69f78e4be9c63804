// graphFacts against a real redis-server 8 + FalkorDB on 127.0.13.1 (claimed): GRAPH.CONFIG GET *, GRAPH.LIST
// and the graphdata keys as the checklist reads them, a graph created by GRAPH.QUERY and one deleted, a graph
// moved to database 1 (listed, no key in db 0: graph-list fails), and a scan its deadline cuts short.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphConfigChecks, graphListChecks } from '../../../src/checks/graph-config.js';
import { graphFacts } from '../../../src/facts/graphs.js';
import { inventorySchema } from '../../../src/inventory/schema.js';
import { createRedisFactory } from '../../../src/redis/client.js';
import { claim, redisClient, requireFalkorBinaries, startRedis, tempDir, useCleanup } from '../../helpers/index.js';

useCleanup();
const HOST = '127.0.13.1';
const PORT = 6379;
const PW = 'graph-facts-pw';
const inv = inventorySchema.parse({
  cluster: 'gf',
  hosts: [{ name: 'db1', address: HOST, role: 'master' }],
  auth: { password: 'env:X' },
  falkordb: { params: { TIMEOUT_DEFAULT: 0, CMD_INFO: 'yes' } },
});
const factory = createRedisFactory(inv, { mode: 'direct' });
const read = (deadlineMs?: number) =>
  graphFacts(inv, inv.hosts[0]!, factory, { password: PW }, { now: () => Date.now(), deadlineMs });
let c: Redis;

beforeAll(async () => {
  await claim('127.0.13.1', 120_000);
  const dir = tempDir('graph-facts');
  const conf = join(dir, 'redis.conf');
  const bins = requireFalkorBinaries();
  writeFileSync(
    conf,
    `bind ${HOST}\nport ${PORT}\ndir ${dir}\nsave ""\nrequirepass ${PW}\nloadmodule ${bins.module}\n`,
  );
  await startRedis({ conf, host: HOST, port: PORT });
  c = await redisClient(HOST, PORT, { password: PW });
  return () => factory.close();
});

describe('graph facts from a real FalkorDB', () => {
  it('reads GRAPH.CONFIG, GRAPH.LIST and the graph keys; a created graph appears, a deleted key goes', async () => {
    await c.call('GRAPH.QUERY', 'social', 'CREATE (:P {n: 1})');
    await c.call('GRAPH.QUERY', 'gone', 'CREATE (:P {n: 2})');
    await c.set('plain', 'x');
    expect(await c.type('social')).toBe('graphdata');
    expect(await c.del('gone')).toBe(1);
    const f = await read();
    expect(f).toMatchObject({
      up: true,
      list: ['social'],
      listAfter: ['social'],
      keys: ['social'],
      scanComplete: true,
    });
    expect(f.config).toMatchObject({ TIMEOUT_DEFAULT: '0', CMD_INFO: '1' });
    expect(graphConfigChecks(inv, [f])[0]).toMatchObject({ outcome: 'pass', found: 'TIMEOUT_DEFAULT=0, CMD_INFO=1' });
    expect(graphListChecks([f])[0]).toMatchObject({ outcome: 'pass' });
  });

  it('a runtime GRAPH.CONFIG SET fails graph-config; set back, it passes', async () => {
    await c.call('GRAPH.CONFIG', 'SET', 'TIMEOUT_DEFAULT', '250');
    try {
      expect(graphConfigChecks(inv, [await read()])[0]).toMatchObject({
        outcome: 'fail',
        found: 'TIMEOUT_DEFAULT=250',
        expected: 'TIMEOUT_DEFAULT=0',
      });
    } finally {
      await c.call('GRAPH.CONFIG', 'SET', 'TIMEOUT_DEFAULT', '0');
    }
    expect(graphConfigChecks(inv, [await read()])[0]?.outcome).toBe('pass');
  });

  it('a graph moved to database 1 is listed without a key in db 0: graph-list fails naming it', async () => {
    await c.call('GRAPH.QUERY', 'moved', 'CREATE (:P)');
    expect(await c.move('moved', 1)).toBe(1);
    const f = await read();
    expect(f.list).toContain('moved');
    expect(f.keys).not.toContain('moved');
    expect(graphListChecks([f])[0]).toMatchObject({ outcome: 'fail', found: 'listed without a graph key: "moved"' });
    await c.select(1);
    await c.move('moved', 0);
    await c.select(0);
    expect(graphListChecks([await read()])[0]?.outcome).toBe('pass');
  });

  it('a scan its deadline ends early says so instead of reporting graphs missing', async () => {
    // enough keys that SCAN COUNT 1000 cannot finish in one call; a deadline of 0 stops after the first
    const p = c.pipeline();
    for (let i = 0; i < 20_000; i++) p.set(`k${i}`, '1');
    await p.exec();
    const f = await read(0);
    expect(f).toMatchObject({ scanComplete: false, scans: 1 });
    expect(graphListChecks([f])[0]).toMatchObject({
      outcome: 'skip',
      reason: expect.stringMatching(/^scan incomplete/),
    });
    const full = await read();
    expect(full.scanComplete).toBe(true);
    expect(full.keys).toEqual(['moved', 'social']);
  });

  it('a node that does not answer is a fact, not an exception', async () => {
    const other = inventorySchema.parse({ ...inv, hosts: [{ name: 'db9', address: '127.0.13.9', role: 'master' }] });
    const f = await graphFacts(other, other.hosts[0]!, factory, { password: PW }, { now: () => Date.now() });
    expect(f).toMatchObject({ host: 'db9', up: false, error: expect.stringContaining('db9') });
    expect(graphListChecks([f])[0]?.outcome).toBe('skip');
  });
});
