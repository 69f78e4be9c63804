// The rolling-restart case: a write port that follows the master. HAProxy asks each server for its role;
// we switch the master from A to B the careful way (pause writes, let B catch up, promote B, demote A).
// The tool must show one window spanning the switch, find every acknowledged write on B, and say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWriteLoad, verify } from '../../../src/loadgen/index.js';
import { now } from '../../../src/loadgen/run.js';
import { HaproxyProc, RedisProc, tempDir } from './procs.js';

const HOST = '127.0.4.4';
const dirA = tempDir('writeload-a');
const dirB = tempDir('writeload-b');
const a = new RedisProc({ host: HOST, port: 6379, dir: dirA.path, aof: true });
const b = new RedisProc({ host: HOST, port: 6381, dir: dirB.path, aof: true, replicaOf: { host: HOST, port: 6379 } });
const haproxy = new HaproxyProc({ host: HOST, port: 6380, backend: [a.o, b.o], dir: dirA.path, roleCheck: true });
const endpoint = { host: HOST, port: 6380 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const field = (info: string, k: string) => new RegExp(`^${k}:(.*)$`, 'm').exec(info)?.[1]?.trim();

beforeAll(async () => {
  await a.start();
  await b.start();
  const cb = b.client();
  await until('B in sync with A', async () => field(await cb.info('replication'), 'master_link_status') === 'up');
  cb.disconnect();
  await haproxy.start();
  // HAProxy starts with every server up until its first checks: wait until only the master is taken.
  await until('HAProxy routes only to A', async () => {
    for (let i = 0; i < 6; i++) {
      const c = haproxy.client();
      const role = field(await c.info('replication'), 'role');
      c.disconnect();
      if (role !== 'master') return false;
    }
    return true;
  });
});
afterAll(async () => {
  await haproxy.stop();
  await a.kill();
  await b.kill();
  dirA.remove();
  dirB.remove();
});

describe('write load across a switchover behind a role-checking write port', () => {
  it('one window from the pause to the new master; every acknowledged write is on the new master', async () => {
    const before = await verify(endpoint, await runWriteLoad({ ...endpoint, maxWrites: 5 }));
    expect(before.verifiedAgainst).toContain('port 6379');

    const running = runWriteLoad({ ...endpoint, durationMs: 4000, intervalMs: 10, opTimeoutMs: 300 });
    await sleep(1200);
    const ca = a.client();
    const cb = b.client();
    const pausedAt = now();
    await ca.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    const offset = field(await ca.info('replication'), 'master_repl_offset');
    await until('B caught up', async () => field(await cb.info('replication'), 'slave_repl_offset') === offset);
    await cb.call('REPLICAOF', 'NO', 'ONE');
    const promotedAt = now();
    await ca.call('REPLICAOF', HOST, '6381');
    await ca.call('CLIENT', 'UNPAUSE');
    ca.disconnect();
    cb.disconnect();
    const run = await running;

    expect(run.stats.windows).toHaveLength(1);
    const w = run.stats.windows[0]!;
    expect(w.start).toBeGreaterThanOrEqual(pausedAt - 150);
    expect(w.start).toBeLessThanOrEqual(pausedAt + 160);
    // HAProxy needs two failed role checks to drop A and one good one to take B (inter 100 ms).
    expect(w.end).toBeGreaterThan(promotedAt);
    expect(w.end).toBeLessThanOrEqual(promotedAt + 800);
    expect(run.stats.acknowledged).toBeGreaterThan(100);

    const report = await verify(endpoint, run);
    expect(report.verifiedAgainst).toContain('role master, port 6381');
    expect(report.verifiedRole).toBe('master');
    expect(report.missing).toEqual([]);
  });
});
