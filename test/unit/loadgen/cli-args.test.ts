import { describe, expect, it } from 'vitest';
import { parseCli, parseDuration } from '../../../src/loadgen/args.js';
import { verdict } from '../../../src/loadgen/cli.js';
import { formatReport, ranges } from '../../../src/loadgen/format.js';
import type { WriteLoadReport } from '../../../src/loadgen/types.js';

describe('parseCli', () => {
  it('maps flags to load options, password from the named variable only', () => {
    const a = parseCli(
      [
        '--host',
        '10.0.0.5',
        '--port',
        '6380',
        '--password-env',
        'PW',
        '--duration',
        '2m',
        '--interval',
        '5ms',
        '--timeout',
        '1.5s',
        '--max-window',
        '3s',
        '--json',
      ],
      { PW: 's3cret' },
    );
    expect(a.load).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      password: 's3cret',
      durationMs: 120_000,
      intervalMs: 5,
      opTimeoutMs: 1500,
    });
    expect(a.maxWindowMs).toBe(3000);
    expect(a.json).toBe(true);
  });

  it('refuses bad input with a usage error (exit 2)', () => {
    const bad: string[][] = [
      [],
      ['--port', '0'],
      ['--port', '1', '--password-env', 'NOPE'],
      ['--port', '1', '--max-writes', '2.5'],
      ['--port', '1', 'extra'],
    ];
    for (const argv of bad)
      expect(() => parseCli(argv, {}), argv.join(' ')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('durations need a unit', () => {
    expect(parseDuration('--d', '250ms')).toBe(250);
    expect(parseDuration('--d', '1.5s')).toBe(1500);
    expect(parseDuration('--d', '1h')).toBe(3_600_000);
    expect(() => parseDuration('--d', '30')).toThrow(/not a duration/);
    expect(() => parseDuration('--d', '-1s')).toThrow(/not a duration/);
  });
});

const report = (over: Partial<WriteLoadReport> = {}): WriteLoadReport => ({
  runId: 'r1',
  attempted: 10,
  acknowledged: 9,
  failed: 1,
  windows: [],
  longestWindowMs: 0,
  totalUnavailableMs: 0,
  durationMs: 1000,
  p50Ms: 0.5,
  p99Ms: 2,
  ackedGraph: 9,
  ackedKv: 10,
  missing: [],
  verifiedAgainst: 'x:1 (role master)',
  verifiedRole: 'master',
  ...over,
});

describe('verdict and report text', () => {
  it('fails on missing writes, on no acknowledgement, and on a window over the limit', () => {
    expect(verdict(report())).toEqual([]);
    expect(verdict(report({ missing: [{ kind: 'kv', seq: 3 }] }))).toEqual(['1 acknowledged writes are missing']);
    expect(verdict(report({ acknowledged: 0, ackedGraph: 0, ackedKv: 0 }))).toEqual([
      'no write attempt was acknowledged',
    ]);
    expect(verdict(report({ longestWindowMs: 2500 }), 2000)).toEqual([
      'longest unavailability window 2500 ms exceeds 2000 ms',
    ]);
    expect(verdict(report({ longestWindowMs: 2000 }), 2000)).toEqual([]);
    expect(verdict(report({ unverified: 'x:1 did not answer' }))).toEqual([
      'acknowledged writes were not verified: x:1 did not answer',
    ]);
    expect(formatReport(report({ unverified: 'x:1 did not answer' }))).toContain(
      'missing acknowledged writes: NOT VERIFIED (x:1 did not answer)',
    );
  });

  it('lists windows and missing seqs as ranges', () => {
    expect(ranges([1, 2, 3, 7, 9, 10])).toBe('1-3, 7, 9-10');
    const text = formatReport(
      report({
        windows: [{ start: 0, end: 1500, ms: 1500, errors: 4, firstError: 'Command timed out', ongoing: true }],
        longestWindowMs: 1500,
        totalUnavailableMs: 1500,
        missing: [
          { kind: 'graph', seq: 4 },
          { kind: 'graph', seq: 5 },
          { kind: 'kv', seq: 9 },
        ],
      }),
    );
    expect(text).toContain('unavailability windows: 1, longest 1500 ms');
    expect(text).toMatch(/1970-01-01T00:00:00\.000Z\s+1970-01-01T00:00:01\.500Z\+\s+1500\s+4\s+Command timed out/);
    expect(text).toContain('MISSING acknowledged writes: 3');
    expect(text).toContain('graph: 4-5');
    expect(text).toContain('kv: 9');
  });
});
