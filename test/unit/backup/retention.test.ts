import { describe, expect, it } from 'vitest';
import { parsePruneLine, pruneListArgv, rmArgv } from '../../../src/backup/commands.js';
import type { Manifest } from '../../../src/backup/manifest.js';
import { prunePlan } from '../../../src/backup/prune.js';
import {
  dayKey,
  hourKey,
  isoWeekKey,
  planRetention,
  type FoundManifest,
  type Retention,
  type RetentionInput,
} from '../../../src/backup/retention.js';
import { inventorySchema } from '../../../src/inventory/schema.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2026-12-07T09:30:00.000Z'); // a Monday

type V = 'verified' | 'checked' | 'failed';
function found(at: number | string, o: { on?: string; v?: V; rdb?: boolean; id?: string } = {}): FoundManifest {
  const iso = typeof at === 'string' ? at : new Date(at).toISOString();
  const on = o.on ?? 'db2';
  const id = o.id ?? `lab-${on}-${iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-1`;
  const v = o.v ?? 'verified';
  const manifest = {
    format: 1,
    id,
    cluster: 'lab',
    host: on,
    role: 'replica',
    createdAt: iso,
    redisVersion: '8.2.1',
    falkordbVersion: '4.16.3',
    masterReplOffset: 1,
    replId: 'x',
    graphs: [],
    rdb: `/b/${id}.rdb`,
    size: 1,
    sha256: 'a'.repeat(64),
    verified:
      v === 'verified'
        ? { checkRdb: true, restore: true, problems: [] }
        : v === 'checked'
          ? { checkRdb: true, restore: null, problems: [] }
          : { checkRdb: false, restore: null, problems: ['redis-check-rdb: bad'] },
  } satisfies Manifest;
  return { on, base: id, manifest, rdbPresent: o.rdb ?? true };
}

const input = (manifests: FoundManifest[], r: Partial<Retention> = {}, o: Partial<RetentionInput> = {}) => ({
  manifests,
  orphans: [],
  restoring: new Map(),
  retention: { hourly: 0, daily: 0, weekly: 0, ...r },
  nowMs: T0,
  orphanGraceMs: 2 * H,
  ...o,
});
const kept = (i: RetentionInput) =>
  planRetention(i)
    .keep.map((d) => d.at)
    .sort();
const iso = (ms: number) => new Date(ms).toISOString();

describe('bucket keys (UTC)', () => {
  it('hours and days are UTC, boundaries exact to the millisecond', () => {
    expect(hourKey(Date.parse('2026-12-07T09:59:59.999Z'))).toBe('2026-12-07T09');
    expect(hourKey(Date.parse('2026-12-07T10:00:00.000Z'))).toBe('2026-12-07T10');
    expect(dayKey(Date.parse('2026-12-07T23:59:59.999Z'))).toBe('2026-12-07');
    expect(dayKey(Date.parse('2026-12-08T00:00:00.000Z'))).toBe('2026-12-08');
    // an offset time is the same instant: bucketed by its UTC hour, not the local one
    expect(hourKey(Date.parse('2026-12-08T01:30:00+02:00'))).toBe('2026-12-07T23');
    expect(dayKey(Date.parse('2026-12-08T01:30:00+02:00'))).toBe('2026-12-07');
  });

  it('ISO weeks: Monday starts a week, the Thursday decides the year', () => {
    const w = (s: string) => isoWeekKey(Date.parse(s));
    expect(w('2026-12-06T23:59:59.999Z')).toBe('2026-W49'); // Sunday
    expect(w('2026-12-07T00:00:00.000Z')).toBe('2026-W50'); // Monday
    expect(w('2027-01-01T12:00:00Z')).toBe('2026-W53'); // Friday: 2026 has 53 weeks
    expect(w('2027-01-04T00:00:00Z')).toBe('2027-W01');
    expect(w('2024-12-30T00:00:00Z')).toBe('2025-W01'); // Monday of the week of 2025-01-02
    expect(w('2024-12-29T23:59:59Z')).toBe('2024-W52');
    expect(w('2021-01-03T10:00:00Z')).toBe('2020-W53'); // Sunday
    expect(w('2021-01-04T10:00:00Z')).toBe('2021-W01');
    expect(w('2020-02-29T00:00:00Z')).toBe('2020-W09');
    expect(w('2023-01-01T00:00:00Z')).toBe('2022-W52');
  });
});

describe('planRetention', () => {
  it('hourly keeps the newest verified backup of each of the N most recent hours that have one', () => {
    const ms = [
      T0 - 0.1 * H, // 09:24 — newest of hour 09
      T0 - 0.4 * H, // 09:06
      T0 - 0.6 * H, // 08:54 — newest of hour 08
      T0 - 0.9 * H, // 08:36
      T0 - 3.5 * H, // 06:00 — hour 06 (07 has none: the slot goes to the next hour that has one)
      T0 - 5 * H, // 04:30 — outside 3 hourly slots
    ];
    expect(
      kept(
        input(
          ms.map((m) => found(m)),
          { hourly: 3 },
        ),
      ),
    ).toEqual([T0 - 3.5 * H, T0 - 0.6 * H, T0 - 0.1 * H].map(iso).sort());
  });

  it('the boundary: 09:59:59.999 and 10:00:00.000 are different hours and different slots', () => {
    const a = Date.parse('2026-12-07T09:59:59.999Z');
    const b = Date.parse('2026-12-07T10:00:00.000Z');
    const c = Date.parse('2026-12-07T09:00:00.000Z');
    const r = planRetention(input([found(a), found(b), found(c)], { hourly: 2 }));
    expect(r.keep.map((d) => d.at).sort()).toEqual([iso(a), iso(b)]);
    expect(r.prune.map((d) => d.at)).toEqual([iso(c)]);
    expect(r.keep.find((d) => d.at === iso(b))!.why).toEqual(['the newest verified backup', 'hourly 2026-12-07T10']);
  });

  it('daily and weekly pick the newest of each UTC day and ISO week; classes overlap into one kept set', () => {
    // every 6 hours for 20 days, all verified
    const ms = Array.from({ length: 80 }, (_, i) => T0 - i * 6 * H);
    const r = planRetention(
      input(
        ms.map((m) => found(m)),
        { hourly: 2, daily: 3, weekly: 3 },
      ),
    );
    const at = r.keep.map((d) => d.at).sort();
    // hourly: 09:30 today, 03:30 today; daily: today 09:30, 12-06 21:30, 12-05 21:30;
    // weekly: W50 (today 09:30), W49 (Sunday 12-06 21:30), W48 (Sunday 11-29 21:30)
    expect(at).toEqual(
      [
        '2026-11-29T21:30:00.000Z',
        '2026-12-05T21:30:00.000Z',
        '2026-12-06T21:30:00.000Z',
        '2026-12-07T03:30:00.000Z',
        '2026-12-07T09:30:00.000Z',
      ].sort(),
    );
    expect(r.prune).toHaveLength(75);
    const sunday = r.keep.find((d) => d.at === '2026-12-06T21:30:00.000Z')!;
    expect(sunday.why).toEqual(['daily 2026-12-06', 'weekly 2026-W49']);
  });

  it('the newest verified backup is kept even when every count is 0', () => {
    const r = planRetention(input([found(T0 - H), found(T0 - 2 * H)]));
    expect(r.keep.map((d) => d.at)).toEqual([iso(T0 - H)]);
    expect(r.keep[0]!.why).toEqual(['the newest verified backup (always kept)']);
  });

  it('unverified copies: kept while newer than the newest verified, pruned once older; never fill a slot', () => {
    const r = planRetention(
      input(
        [
          found(T0 - 0.1 * H, { v: 'failed' }), // newer than the newest verified: kept
          found(T0 - 0.2 * H, { v: 'checked' }), // checked but never loaded: kept (newer)
          found(T0 - 0.5 * H), // the newest verified
          found(T0 - 0.7 * H, { v: 'checked' }), // older: pruned
          found(T0 - 3 * H, { v: 'failed' }), // older: pruned
          found(T0 - 4 * H), // verified: second hourly slot
        ],
        { hourly: 2 },
      ),
    );
    expect(r.keep.map((d) => [d.at, d.verified, d.why[0]])).toEqual([
      [iso(T0 - 0.1 * H), false, 'unverified, newer than the newest verified backup'],
      [iso(T0 - 0.2 * H), false, 'unverified, newer than the newest verified backup'],
      [iso(T0 - 0.5 * H), true, 'the newest verified backup'],
      [iso(T0 - 4 * H), true, 'hourly 2026-12-07T05'],
    ]);
    expect(r.prune.map((d) => d.why)).toEqual([
      ['unverified, older than the newest verified backup'],
      ['unverified, older than the newest verified backup'],
    ]);
  });

  it('with no verified backup at all every unverified copy is kept, with a note', () => {
    const r = planRetention(input([found(T0 - 30 * D, { v: 'failed' }), found(T0 - D, { v: 'checked' })]));
    expect(r.prune).toEqual([]);
    expect(r.keep).toHaveLength(2);
    expect(r.notes[0]).toMatch(/no verified backup on any host/);
  });

  it('a manifest whose RDB is gone is pruned (only its .json), and is never the newest verified', () => {
    const r = planRetention(input([found(T0 - 0.1 * H, { rdb: false }), found(T0 - H)], { hourly: 5 }));
    const gone = r.prune.find((d) => d.kind === 'no-rdb')!;
    expect(gone.files).toEqual([`${gone.base}.json`]);
    expect(gone.why).toEqual(['its RDB is missing: nothing to restore from this manifest']);
    expect(r.keep.map((d) => d.at)).toEqual([iso(T0 - H)]);
  });

  it('an RDB without a manifest: kept in the grace period and while a restore marker names it, else pruned', () => {
    const r = planRetention(
      input(
        [found(T0 - 5 * D)],
        {},
        {
          orphans: [
            { on: 'db2', base: 'young', mtimeMs: T0 - H }, // grace 2 h
            { on: 'db2', base: 'old', mtimeMs: T0 - 3 * H },
            { on: 'db1', base: 'staged', mtimeMs: T0 - 10 * D },
            { on: 'db2', base: 'staged', mtimeMs: T0 - 10 * D }, // the marker is on db1 only
          ],
          restoring: new Map([['db1', new Set(['staged'])]]),
        },
      ),
    );
    const k = (d: { on: string; base: string }) => `${d.on}:${d.base}`;
    expect(r.keep.map(k).sort()).toEqual(['db1:staged', `db2:${r.keep.find((d) => d.verified)!.base}`, 'db2:young']);
    expect(r.prune.map(k).sort()).toEqual(['db2:old', 'db2:staged']);
    expect(r.prune.find((d) => d.base === 'old')!.files).toEqual(['old.rdb']);
  });

  it('backups on several hosts form one pool; equal times are ordered by host, so plans are stable', () => {
    const a = found(T0 - H, { on: 'db3' });
    const b = found(T0 - H, { on: 'db2' });
    const r1 = planRetention(input([a, b], { hourly: 1 }));
    const r2 = planRetention(input([b, a], { hourly: 1 }));
    expect(r1.keep.map((d) => d.on)).toEqual(['db2']);
    expect(r2.keep.map((d) => d.on)).toEqual(['db2']);
  });

  it('a manifest with an unreadable createdAt is left alone and named', () => {
    const bad = found(T0 - H);
    bad.manifest.createdAt = 'yesterday';
    const r = planRetention(input([bad, found(T0 - 2 * H)]));
    expect(r.decisions).toHaveLength(1);
    expect(r.notes[0]).toMatch(/createdAt "yesterday", not a time: left alone/);
  });

  it('the default policy (24/7/4) over 60 days of hourly backups keeps 24 + 5 + 2 distinct ones', () => {
    const ms = Array.from({ length: 60 * 24 }, (_, i) => T0 - i * H);
    const r = planRetention(
      input(
        ms.map((m) => found(m)),
        inventorySchema.shape.backup.parse({}).retention,
      ),
    );
    // hourly: 12-06 10:30 … 12-07 09:30; daily: 12-07 and 12-06 (23:30) are hourly ones, then 12-05 … 12-01
    // at 23:30; weekly: W50 and W49 (Sunday 12-06 23:30) are kept already, then the Sundays 11-29 and 11-22
    expect(r.keep).toHaveLength(24 + 5 + 2);
    expect(r.keep.filter((d) => d.why.includes('weekly 2026-W47')).map((d) => d.at)).toEqual([
      '2026-11-22T23:30:00.000Z',
    ]);
    expect(new Set(r.keep.map((d) => d.id)).size).toBe(r.keep.length);
    expect(r.keep.length + r.prune.length).toBe(ms.length);
  });
});

describe('prune facts and plan', () => {
  it('parses the listing lines; unsafe names are not read as files', () => {
    expect(parsePruneLine('manifest\tlab-db2-x-1\trdb\t{"a":"b\tc"}')).toEqual({
      kind: 'manifest',
      base: 'lab-db2-x-1',
      rdbPresent: true,
      json: '{"a":"b\tc"}',
    });
    expect(parsePruneLine('orphan\tx\t1765100000')).toEqual({ kind: 'orphan', base: 'x', mtimeMs: 1765100000000 });
    expect(parsePruneLine('restoring\tlab-db2-x-1')).toEqual({ kind: 'restoring', id: 'lab-db2-x-1' });
    expect(parsePruneLine('orphan\t-rf\t1')).toBeUndefined();
    expect(parsePruneLine('orphan\t../x\t1')).toBeUndefined();
    expect(parsePruneLine('manifest\ta b\trdb\t{}')).toBeUndefined();
    expect(parsePruneLine('junk')).toBeUndefined();
    expect(pruneListArgv('/b').slice(-2)).toEqual(['sh', '/b']);
    expect(rmArgv('/b', ['x.rdb', 'x.json'])).toEqual(['rm', '-f', '--', '/b/x.rdb', '/b/x.json']);
  });

  it('one destructive rm step per pruned backup on its host', () => {
    const inv = inventorySchema.parse({
      cluster: 'lab',
      hosts: [{ name: 'db1', address: '10.0.0.1', role: 'master' }],
      auth: { password: 'env:P' },
    });
    const r = planRetention(input([found(T0 - H), found(T0 - 2 * H, { on: 'db3' })]));
    const p = prunePlan(inv, r.prune);
    expect(p.steps).toEqual([
      expect.objectContaining({
        id: `db3:rm:${r.prune[0]!.base}`,
        host: 'db3',
        phase: 'prune',
        destructive: true,
        action: {
          kind: 'exec',
          argv: [
            'rm',
            '-f',
            '--',
            `${inv.backup.dir}/${r.prune[0]!.base}.rdb`,
            `${inv.backup.dir}/${r.prune[0]!.base}.json`,
          ],
        },
      }),
    ]);
  });
});
