// Proves the process harness itself (test/helpers): real servers start and are probed, each "host" sees
// its own files at a shared absolute path, failures carry the server's own words, and nothing is left
// behind. Uses 127.0.2.200-209 (this suite owns 127.0.2.0/24).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claim,
  cleanupAll,
  redisClient,
  requireFalkorBinaries,
  startProcess,
  startRedis,
  tempDir,
  useCleanup,
  waitFor,
  WaitTimeout,
} from '../../helpers/index.js';

useCleanup();

const alive = (pid: number | undefined): boolean => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

describe('process harness', () => {
  it('gives two servers private data dirs at the same absolute path, and loads the real module', async () => {
    const { module } = requireFalkorBinaries();
    await claim('127.0.2.201-203');
    const root = tempDir('harness');
    const shared = join(root, 'var/lib/data'); // the path both configs name
    mkdirSync(shared, { recursive: true });
    const servers = [];
    for (const [i, addr] of ['127.0.2.201', '127.0.2.202'].entries()) {
      const own = join(root, `host${i}`);
      mkdirSync(own);
      const conf = join(own, 'redis.conf');
      writeFileSync(conf, `bind ${addr}\nport 6379\ndir ${shared}\nloadmodule ${module}\nsave ""\nappendonly no\n`);
      servers.push(await startRedis({ conf, binds: [{ source: own, target: shared }], args: ['--supervised', 'no'] }));
    }
    const [a, b] = await Promise.all(servers.map((s) => redisClient(s.host, s.port)));
    await a!.set('who', 'a');
    await b!.set('who', 'b');
    expect(await a!.get('who')).toBe('a'); // distinct servers, not one answering twice
    expect(await b!.call('CONFIG', 'GET', 'dir')).toEqual(['dir', shared]);
    const mods = (await a!.call('MODULE', 'LIST')) as unknown[][];
    expect(JSON.stringify(mods)).toContain('"graph"');
    await a!.call('SAVE');
    await b!.call('SAVE');
    // Each dump landed in its own host directory, none in the shared mount point.
    expect(existsSync(join(root, 'host0', 'dump.rdb'))).toBe(true);
    expect(existsSync(join(root, 'host1', 'dump.rdb'))).toBe(true);
    expect(readdirSync(shared)).toEqual([]);
    const pids = servers.map((s) => s.proc.pid);
    await Promise.all(servers.map((s) => s.proc.stop()));
    expect(pids.map(alive)).toEqual([false, false]);
  });

  it('reports a server that cannot start with its own error text and leaves no process', async () => {
    const root = tempDir('harness-bad');
    const conf = join(root, 'redis.conf');
    writeFileSync(conf, 'bind 127.0.2.203\nport 6379\nloadmodule /nonexistent/falkordb.so\n');
    const err = await startRedis({ conf, args: ['--supervised', 'no'], readyTimeoutMs: 5_000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/exited before it was ready/);
    expect((err as Error).message).toMatch(/Module \/nonexistent\/falkordb\.so failed to load/);
  });

  it('times out with what it waited for and the last value seen', async () => {
    let n = 0;
    const err = await waitFor(
      () => ++n,
      (v) => v < 0,
      { what: 'a negative number', timeoutMs: 200, intervalMs: 20 },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeout);
    expect(String(err.message)).toMatch(/waiting for a negative number; last observed: \d+/);
    expect(n).toBeGreaterThan(2);
  });

  it('cleanupAll stops every process and removes every temp dir', async () => {
    const dir = tempDir('harness-cleanup');
    const proc = await startProcess({ name: 'sleeper', argv: ['sleep', '300'], ready: async () => true });
    expect(alive(proc.pid)).toBe(true);
    await cleanupAll();
    expect(alive(proc.pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('claims (concurrent runs of a suite)', () => {
  const dirOf = (name: string) => join(process.env.FALKORCTL_SHARED_TMPDIR ?? tmpdir(), 'falkorctl-claims', name);

  it('waits while another live process holds the name, takes it once that owner is gone, releases it at cleanup', async () => {
    const other = await startProcess({ name: 'other test run', argv: ['sleep', '300'], ready: async () => true });
    mkdirSync(dirOf('harness-claim'), { recursive: true });
    writeFileSync(join(dirOf('harness-claim'), 'owner'), String(other.pid));
    await expect(claim('harness-claim', 500)).rejects.toThrow(new RegExp(`held by pid ${other.pid}`));
    await other.kill();
    await claim('harness-claim', 2_000);
    expect(readFileSync(join(dirOf('harness-claim'), 'owner'), 'utf8')).toBe(String(process.pid));
    await expect(claim('harness-claim', 500)).rejects.toThrow(/already claimed by this process/);
    await cleanupAll();
    expect(existsSync(dirOf('harness-claim'))).toBe(false);
  });
});
