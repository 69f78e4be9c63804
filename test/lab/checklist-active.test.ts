// checklist's opt-in tests against the lab: --load-test passes on the healthy cluster and fails with a p99 no
// real write reaches (found/expected shown); --failover-test without --yes refuses with exit 3 and leaves the
// master where it was; with --yes it passes with the unavailability measured and nothing lost, and the cluster
// is healthy afterwards (one master the Sentinels agree on, both replicas linked).
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import type { Lab } from '../helpers/lab.js';
import { falkorctl, redis, role, sentinelMasters } from './deploy-fixture.js';
import { useDeployedLab } from './deployed-lab.js';

let lab: Lab;
let inv: string;

useDeployedLab((l) => {
  lab = l;
  inv = l.inventoryPath;
});

async function checklist(args: string[], global: string[] = []) {
  const r = await falkorctl(['-i', inv, '--json', ...global, 'checklist', ...args]);
  const doc = JSON.parse(r.stdout) as { results: CheckResult[] };
  return { code: r.code, by: (id: string) => doc.results.find((x) => x.id === id), stderr: r.stderr };
}

async function master(): Promise<string> {
  const roles = await Promise.all(['db1', 'db2', 'db3'].map(async (h) => [h, (await role(lab, h))[0]] as const));
  const ms = roles.filter(([, r]) => r === 'master').map(([h]) => h);
  expect(ms, JSON.stringify(roles)).toHaveLength(1);
  return ms[0]!;
}

async function keysLike(host: string, pattern: string): Promise<string[]> {
  const c = redis(lab, host, 6379);
  await c.connect();
  try {
    return await c.keys(pattern);
  } finally {
    c.disconnect();
  }
}

describe('checklist --load-test / --failover-test in the lab', () => {
  it('without the flags both are skipped with the flag as the reason, never passed', async () => {
    const c = await checklist(['--only', 'active']);
    expect(c.by('active.load')).toMatchObject({
      outcome: 'skip',
      reason: expect.stringMatching(/^opt-in: --load-test/),
    });
    expect(c.by('active.failover')).toMatchObject({
      outcome: 'skip',
      reason: expect.stringMatching(/^opt-in: --failover-test/),
    });
    expect(c.code).toBe(0);
  });

  it('--load-test passes on the healthy lab; an unreachable p99 fails with found and expected; no scratch left', async () => {
    const ok = await checklist(['--only', 'active.load', '--load-test', '--load-duration', '3']);
    console.log(`load test: ${ok.by('active.load')?.found}`);
    expect(ok.by('active.load'), ok.stderr).toMatchObject({
      outcome: 'pass',
      found: expect.stringMatching(/^\d+ ops in [\d.]+ s \(\d+ ops\/s\), p99 [\d.]+ ms$/),
      expected: expect.stringContaining('p99 ≤ 50 ms'),
    });
    expect(ok.code).toBe(0);
    const bad = await checklist([
      '--only',
      'active.load',
      '--load-test',
      '--load-duration',
      '2',
      '--load-p99',
      '0.001',
    ]);
    expect(bad.by('active.load')).toMatchObject({
      outcome: 'fail',
      found: expect.stringMatching(/ops\/s\), p99 [\d.]+ ms/),
      expected: expect.stringContaining('p99 ≤ 0.001 ms (--load-p99)'),
      evidence: expect.stringContaining('falkorctl_load_test_'),
    });
    expect(bad.code).toBe(1);
    // the scratch graph and keys are gone, on the master and (replicated) on a replica
    const m = await master();
    expect(await keysLike(m, 'falkorctl*load*')).toEqual([]);
    expect(await keysLike(m === 'db2' ? 'db3' : 'db2', 'falkorctl*load*')).toEqual([]);
  });

  it('--failover-test without --yes refuses (exit 3) and changes nothing; with --yes it passes, 0 lost', async () => {
    const before = await master();
    const refused = await falkorctl(['-i', inv, 'checklist', '--phase', 'deploy', '--failover-test']);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/failover-test .*not confirmed.*\n.*--yes/);
    expect(await master()).toBe(before);

    const c = await checklist(['--only', 'active.failover', '--failover-test'], ['--yes']);
    const r = c.by('active.failover');
    console.log(`failover test: ${r?.found}`);
    expect(r, c.stderr).toMatchObject({
      outcome: 'pass',
      found: expect.stringMatching(/^0 of \d+ acknowledged writes lost; writes unavailable \d+ ms in \d+ window/),
      expected: '0 lost; longest unavailability ≤ 1000 ms (--failover-max-unavailable)',
      evidence: expect.stringContaining('falkorctl failover-test (planned): switch the master'),
    });
    expect(c.code).toBe(0);
    // healthy afterwards: one master the Sentinels agree on, both replicas linked to it
    const now = await master();
    const masters = await sentinelMasters(lab);
    expect(new Set(masters)).toEqual(new Set([`${lab.host(now).address}:6379`]));
    for (const h of ['db1', 'db2', 'db3'].filter((x) => x !== now)) {
      const rr = await role(lab, h);
      expect(rr[0], h).toBe('slave');
      expect(rr[1], h).toBe(lab.host(now).address);
      expect(rr[3], h).toBe('connected');
    }
    const health = await checklist(['--only', 'cluster.health']);
    expect(health.by('cluster.health')?.outcome).toBe('pass');
  });
});
