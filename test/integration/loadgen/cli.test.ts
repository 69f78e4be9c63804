// scripts/writeload end to end: the real wrapper and built CLI, against redis-server 8 + FalkorDB behind
// HAProxy. The server here has no persistence, so a restart loses acknowledged writes: exit 1.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaproxyProc, RedisProc, tempDir, waitPing } from './procs.js';

const ROOT = join(import.meta.dirname, '../../..');
const HOST = '127.0.4.3';
const password = randomBytes(12).toString('hex');
const dir = tempDir('writeload-cli');
const redis = new RedisProc({ host: HOST, port: 6379, dir: dir.path, aof: false, password });
const haproxy = new HaproxyProc({ host: HOST, port: 6380, backend: { host: HOST, port: 6379 }, dir: dir.path });
// Plain Redis without the graph module, reached directly: every GRAPH.QUERY fails.
const plainDir = tempDir('writeload-plain');
const plain = new RedisProc({ host: HOST, port: 6390, dir: plainDir.path, aof: false, falkordb: false });
const base = ['--host', HOST, '--port', '6380', '--password-env', 'WL_PW'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function writeload(args: string[], during?: (pid: number) => Promise<void>): Promise<Result> {
  const child = spawn(join(ROOT, 'scripts/writeload'), args, {
    env: { ...process.env, WL_PW: password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return (async () => {
    if (during) await during(child.pid!);
    const code = await exited;
    // The password travels only through the environment, and no output repeats it.
    expect(stdout + stderr).not.toContain(password);
    return { code, stdout, stderr };
  })();
}

/** Wait until the CLI (whose start-up time varies with machine load) has written at least n more keys. */
async function writesLanded(n: number): Promise<void> {
  const c = redis.client();
  try {
    const deadline = Date.now() + 10_000;
    const target = (await c.dbsize()) + n;
    while ((await c.dbsize()) < target) {
      if (Date.now() > deadline) throw new Error('the CLI wrote nothing within 10 s');
      await new Promise((res) => setTimeout(res, 20));
    }
  } finally {
    c.disconnect();
  }
}

beforeAll(async () => {
  // The wrapper runs dist/: build the loadgen part of it (what it imports, nothing else) the project's way.
  const cfg = join(dir.path, 'tsconfig.loadgen.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      include: [join(ROOT, 'src/loadgen/**/*.ts')],
      compilerOptions: { typeRoots: [join(ROOT, 'node_modules/@types')] },
    }),
  );
  const tsc = spawn(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', cfg], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  tsc.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => tsc.on('close', r));
  expect(code, out).toBe(0);
  const built = join(ROOT, 'dist/loadgen/cli.js');
  expect(statSync(built).mtimeMs).toBeGreaterThanOrEqual(statSync(join(ROOT, 'src/loadgen/cli.ts')).mtimeMs);
  await redis.start();
  await plain.start();
  await haproxy.start(password);
});
afterAll(async () => {
  await haproxy.stop();
  await redis.kill();
  await plain.kill();
  dir.remove();
  plainDir.remove();
});

describe('scripts/writeload', () => {
  it('a clean timed run prints a JSON report and exits 0', async () => {
    const r = await writeload([...base, '--duration', '1s', '--interval', '5ms', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.acknowledged).toBeGreaterThan(50);
    expect(report.acknowledged).toBe(report.attempted);
    expect(report.ackedGraph).toBe(report.attempted);
    expect(report.windows).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(report.durationMs).toBeGreaterThanOrEqual(1000);
    expect(report.verifiedAgainst).toContain('role master');
  });

  it('the human report says what was written and that nothing is missing; --cleanup removes the run', async () => {
    const r = await writeload([...base, '--max-writes', '40', '--interval', '1ms', '--cleanup']);
    expect(r.code).toBe(0);
    const runId = /^write load ([0-9a-f]+):/.exec(r.stdout)?.[1];
    expect(runId).toBeDefined();
    const c = redis.client();
    try {
      expect(await c.keys(`writeload:${runId}:*`)).toEqual([]);
      const reply = (await c.call(
        'GRAPH.RO_QUERY',
        'writeload',
        `MATCH (n:W {run: '${runId}'}) RETURN count(n)`,
      )) as unknown[][];
      expect(reply[1]).toEqual([[0]]);
    } finally {
      c.disconnect();
    }
    expect(r.stdout).toMatch(/: 40 attempts in [\d.]+ s, 40 acknowledged, 0 failed/);
    expect(r.stdout).toContain('acknowledged writes: graph 40, kv 40');
    expect(r.stdout).toContain('unavailability windows: none');
    expect(r.stdout).toContain('missing acknowledged writes: none');
  });

  it('a restart without persistence loses acknowledged writes: listed by seq, exit 1', async () => {
    let killedAt = 0;
    const r = await writeload([...base, '--duration', '3s', '--timeout', '300ms', '--json', '--verbose'], async () => {
      await writesLanded(20);
      killedAt = Date.now();
      await redis.kill();
      await redis.start();
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/writeload: FAILED: \d+ acknowledged writes are missing/);
    // --verbose narrates the outage as it happens.
    expect(r.stderr).toMatch(/writeload: writes failing since \d{4}-\d\d-\d\dT[\d:.]+Z: /);
    expect(r.stderr).toMatch(/writeload: writes acknowledged again after [\d.]+ ms \(\d+ failed attempts\)/);
    const report = JSON.parse(r.stdout);
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0].start).toBeGreaterThanOrEqual(killedAt - 150); // a write in flight at the kill counts from its send
    // Everything acknowledged before the kill is gone, everything after it is there.
    const graph = report.missing.filter((m: { kind: string }) => m.kind === 'graph').map((m: { seq: number }) => m.seq);
    const kv = report.missing.filter((m: { kind: string }) => m.kind === 'kv').map((m: { seq: number }) => m.seq);
    expect(graph.length).toBeGreaterThan(10);
    expect(graph).toEqual(Array.from({ length: graph.length }, (_, i) => i + 1));
    expect(kv).toEqual(graph);
    expect(report.ackedGraph).toBeGreaterThan(graph.length); // the post-restart writes were verified present
  });

  it('nothing reachable: every attempt fails, nothing to verify, exit 1', async () => {
    const r = await writeload(['--host', HOST, '--port', '6399', '--duration', '300ms', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAILED: no write attempt was acknowledged');
    const report = JSON.parse(r.stdout);
    expect(report.acknowledged).toBe(0);
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0].ongoing).toBe(true);
    expect(report.windows[0].firstError).toMatch(/ECONNREFUSED/);
  });

  it('graph writes failing while SETs succeed: one long window, no attempt acknowledged, exit 1', async () => {
    const r = await writeload(['--host', HOST, '--port', '6390', '--max-writes', '20', '--interval', '1ms', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAILED: no write attempt was acknowledged');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      attempted: 20,
      acknowledged: 0,
      failed: 20,
      ackedGraph: 0,
      ackedKv: 20,
      missing: [],
    });
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0].firstError).toMatch(/unknown command.*GRAPH\.QUERY/i);
  });

  it('an endpoint still down at the end: the windows are reported, the writes are NOT VERIFIED, exit 1', async () => {
    try {
      const r = await writeload(
        [...base, '--duration', '1500ms', '--timeout', '200ms', '--verify-wait', '500ms'],
        async () => {
          await writesLanded(10);
          await redis.kill();
        },
      );
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/unavailability windows: 1, longest \d+/);
      expect(r.stdout).toContain('(+ still failing when the run ended)');
      expect(r.stdout, r.stderr).toMatch(
        /missing acknowledged writes: NOT VERIFIED \(cannot verify: 127\.0\.4\.3:6380 did not answer/,
      );
      expect(r.stderr).toMatch(/FAILED: acknowledged writes were not verified/);
    } finally {
      await redis.start();
      await waitPing({ host: HOST, port: 6380, password }, 5000);
    }
  });

  it('Ctrl-C ends a long run early, and it is still verified and reported', async () => {
    const r = await writeload([...base, '--duration', '10m', '--json'], async (pid) => {
      await writesLanded(10);
      process.kill(pid, 'SIGINT');
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.acknowledged).toBeGreaterThanOrEqual(5);
    expect(report.missing).toEqual([]);
    expect(report.durationMs).toBeLessThan(600_000); // ended by Ctrl-C, not by its 10 min duration
  });

  it('bad input: one clear line, exit 2, no stack trace, nothing written', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--port', '6380', '--password-env', 'WL_NOT_SET_ANYWHERE'],
        /WL_NOT_SET_ANYWHERE: that environment variable is not set/,
      ],
      [['--port', '6380', '--duration', '5'], /--duration: not a duration: 5/],
      [['--port', '70000'], /--port: not a TCP port: 70000/],
      [['--host', HOST], /--port is required/],
      [['--port', '6380', '--password', 'x'], /Unknown option '--password'/],
    ];
    for (const [args, message] of cases) {
      const r = await writeload(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
    }
  });
});
