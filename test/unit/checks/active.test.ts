// The opt-in checks' judgement and flags, pure: what a load or failover measurement passes or fails on, and
// which flag combinations are refused before any host is asked.
import { describe, expect, it } from 'vitest';
import { active, evaluateFailover, evaluateLoad, OPT_IN, type FailoverMeasured } from '../../../src/checks/active.js';
import { activeOptions } from '../../../src/checks/active-options.js';
import type { CheckEnv } from '../../../src/checks/types.js';
import type { WriteLoadReport } from '../../../src/loadgen/types.js';

const report = (o: Partial<WriteLoadReport> = {}): WriteLoadReport => ({
  runId: 'abcd1234',
  attempted: 1000,
  acknowledged: 1000,
  failed: 0,
  windows: [],
  longestWindowMs: 0,
  totalUnavailableMs: 0,
  durationMs: 2000,
  p50Ms: 1.2,
  p99Ms: 4.5,
  ackedGraph: 1000,
  ackedKv: 1000,
  missing: [],
  verifiedAgainst: '10.0.0.1:6380 (role master)',
  verifiedRole: 'master',
  ...o,
});
const load = (o: Partial<WriteLoadReport> = {}, cleanupError?: string) => ({
  report: report(o),
  graph: 'falkorctl_load_test_abcd1234',
  through: 'lb1:6380',
  ...(cleanupError ? { cleanupError } : {}),
});
const lim = { durationS: 2, p99Ms: 50 };
const window = { start: 0, end: 480, ms: 480, errors: 3, firstError: 'READONLY' };
const fo = (o: Partial<FailoverMeasured> = {}, r: Partial<WriteLoadReport> = {}): FailoverMeasured => ({
  what: 'switch the master db1 → db2 and back',
  lb: 'lb1',
  report: report({ windows: [window, window], totalUnavailableMs: 960, longestWindowMs: 480, ...r }),
  lost: 0,
  healthyMs: 4200,
  ...o,
});

describe('active.load', () => {
  it('passes under the p99 with no error: N ops in S s (X ops/s), p99 Y ms', () => {
    expect(evaluateLoad(load(), lim)).toMatchObject({
      id: 'active.load',
      item: 'Load test with production data',
      outcome: 'pass',
      found: '2000 ops in 2.0 s (1000 ops/s), p99 4.5 ms',
      expected: 'p99 ≤ 50 ms (--load-p99), no failed write, every acknowledged write read back',
      evidence: expect.stringContaining('through lb1:6380 for 2 s into the scratch graph falkorctl_load_test_abcd1234'),
    });
  });
  it('fails above the p99, on a failed write, a missing write, an unverified read-back or nothing acknowledged', () => {
    expect(evaluateLoad(load({ p99Ms: 50.1 }), lim).outcome).toBe('fail');
    expect(evaluateLoad(load(), { ...lim, p99Ms: 0.001 }).outcome).toBe('fail');
    const failed = evaluateLoad(load({ failed: 2, windows: [{ ...window, firstError: 'LOADING' }] }), lim);
    expect(failed).toMatchObject({
      outcome: 'fail',
      found: expect.stringContaining('2 of 1000 attempts failed (first: LOADING)'),
    });
    expect(evaluateLoad(load({ missing: [{ kind: 'kv', seq: 3 }] }), lim).found).toContain(
      '1 acknowledged writes missing',
    );
    expect(evaluateLoad(load({ unverified: 'no answer' }), lim).outcome).toBe('fail');
    expect(evaluateLoad(load({ ackedGraph: 0, ackedKv: 0, p99Ms: 0 }), lim)).toMatchObject({
      outcome: 'fail',
      found: expect.stringContaining('nothing was acknowledged'),
    });
  });
  it('scratch data left behind is a warning with the reason, not a pass', () => {
    expect(evaluateLoad(load({}, 'cleanup failed: timeout'), lim)).toMatchObject({
      outcome: 'warn',
      reason: expect.stringContaining('scratch data not removed: cleanup failed: timeout'),
    });
  });
});

describe('active.failover', () => {
  const max = { maxUnavailableMs: 1000 };
  it('passes with 0 lost and every window under the limit, reporting the unavailability', () => {
    expect(evaluateFailover(fo(), max)).toMatchObject({
      id: 'active.failover',
      item: 'Perform failover test',
      outcome: 'pass',
      found:
        '0 of 1000 acknowledged writes lost; writes unavailable 960 ms in 2 window(s), longest 480 ms; healthy again after 4.2 s',
      expected: '0 lost; longest unavailability ≤ 1000 ms (--failover-max-unavailable)',
      evidence:
        'falkorctl failover-test (planned): switch the master db1 → db2 and back, writing through lb1 every 2 ms',
    });
  });
  it('fails on a lost write, a window above the limit, an unverified read-back, or a failed switchover', () => {
    expect(evaluateFailover(fo({ lost: 2 }), max)).toMatchObject({
      outcome: 'fail',
      reason: '2 acknowledged write(s) lost',
    });
    expect(evaluateFailover(fo(), { maxUnavailableMs: 479 })).toMatchObject({
      outcome: 'fail',
      reason: 'longest unavailability above 479 ms',
    });
    expect(evaluateFailover(fo({}, { unverified: 'no answer' }), max)).toMatchObject({
      outcome: 'fail',
      found: expect.stringMatching(/^not verified \(no answer\) acknowledged/),
    });
    const broke = evaluateFailover(fo({ actionError: new Error('switchover stopped: db2: pause failed') }), max);
    expect(broke.outcome).toBe('fail');
    expect(broke.reason).toContain('the failover did not complete: switchover stopped');
    expect(broke.found).not.toContain('healthy again');
  });
});

describe('the area', () => {
  const env = (a: CheckEnv['active']) => ({ active: a }) as CheckEnv;
  it('without the flags: both skipped, the flag as the reason', async () => {
    const rs = await active.run(env(undefined));
    expect(rs.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['active.load', 'skip', OPT_IN.load],
      ['active.failover', 'skip', OPT_IN.failover],
    ]);
    expect(OPT_IN.failover).toMatch(/^opt-in: --failover-test/);
  });
  it('a run that cannot be made fails with the reason; the load runs before the failover', async () => {
    const order: string[] = [];
    const rs = await active.run(
      env({
        load: { ...lim, run: () => (order.push('load'), Promise.resolve(load())) },
        failover: {
          maxUnavailableMs: 1000,
          run: () => (order.push('failover'), Promise.reject(new Error('refused: pre-flight'))),
        },
      }),
    );
    expect(order).toEqual(['load', 'failover']);
    expect(rs[0]!.outcome).toBe('pass');
    expect(rs[1]).toMatchObject({ outcome: 'fail', reason: 'could not run: refused: pre-flight' });
  });
});

describe('activeOptions', () => {
  const all = { wanted: () => true, dryRun: false };
  it('defaults: 10 s, p99 50 ms, longest window 1000 ms; nothing without the flags', () => {
    expect(activeOptions({}, all)).toEqual({});
    expect(activeOptions({ loadTest: true, failoverTest: true }, all)).toEqual({
      load: { durationS: 10, p99Ms: 50 },
      failover: { maxUnavailableMs: 1000 },
    });
    expect(activeOptions({ loadTest: true, loadDuration: '3', loadP99: '0.001' }, all)).toEqual({
      load: { durationS: 3, p99Ms: 0.001 },
    });
  });
  it.each([
    [{ loadTest: true, loadDuration: '0' }, /--load-duration 0: seconds, 1 to 300/],
    [{ loadTest: true, loadDuration: '301' }, /--load-duration 301/],
    [{ loadTest: true, loadP99: 'fast' }, /--load-p99 fast: milliseconds > 0/],
    [{ loadTest: true, loadP99: '0' }, /--load-p99 0/],
    [{ failoverTest: true, failoverMaxUnavailable: '-1' }, /--failover-max-unavailable -1/],
    [{ loadP99: '10' }, /--load-p99 sets a threshold of --load-test: give --load-test too/],
    [{ failoverMaxUnavailable: '10' }, /give --failover-test too/],
  ])('%j is refused (usage)', (opts, msg) => {
    expect(() => activeOptions(opts, all)).toThrow(msg);
    try {
      activeOptions(opts, all);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
  it('refused with --dry-run, or when the selection leaves the check out', () => {
    expect(() => activeOptions({ failoverTest: true }, { ...all, dryRun: true })).toThrow(/not with --dry-run/);
    const noFailover = { wanted: (id: string) => id !== 'active.failover', dryRun: false };
    expect(() => activeOptions({ failoverTest: true }, noFailover)).toThrow(
      /--failover-test: its check active.failover .* left out by --phase, --only or --skip/,
    );
    expect(activeOptions({ loadTest: true }, noFailover).load).toBeDefined();
  });
});
