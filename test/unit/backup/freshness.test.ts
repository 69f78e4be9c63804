// status's and the checklist's view of the backups, from what the probe prints on a host.
import { describe, expect, it } from 'vitest';
import { freshness, parseBackupProbe, timerProblem, timerText } from '../../../src/backup/freshness.js';
import { backupWarnings } from '../../../src/facts/backups.js';
import { inventorySchema } from '../../../src/inventory/schema.js';

const man = (id: string, createdAt: string, restore: boolean | null = true) =>
  JSON.stringify({
    format: 1,
    id,
    cluster: 'lab',
    host: 'db2',
    role: 'replica',
    createdAt,
    redisVersion: '8.2.3',
    falkordbVersion: '4.16.3',
    masterReplOffset: 5,
    replId: 'r',
    graphs: [{ name: 'g', nodes: 1, edges: 0 }],
    rdb: `/b/${id}.rdb`,
    size: 10,
    sha256: 'a'.repeat(64),
    verified: { checkRdb: true, restore, problems: [] },
  });
const units = (o: { enabled?: string; active?: string; result?: string; exit?: string; status?: number } = {}) =>
  // systemctl's own property order (not the -p order), as measured on the lab's systemd 252
  [
    'Result=success',
    'ExecMainStatus=0',
    'Id=falkorctl-backup.timer',
    `ActiveState=${o.active ?? 'active'}`,
    `UnitFileState=${o.enabled ?? 'enabled'}`,
    '',
    `Result=${o.result ?? 'success'}`,
    `ExecMainExitTimestamp=${o.exit ?? 'Mon 2026-12-07 09:21:58 UTC'}`,
    `ExecMainStatus=${o.status ?? 0}`,
    'Id=falkorctl-backup.service',
    'ActiveState=inactive',
    'UnitFileState=static',
  ]
    .map((l) => `unit\t${l}`) // the probe's sed prefixes every line, the blank separator too
    .join('\n');
const NOW = Date.parse('2026-12-07T10:00:00Z');

describe('backup freshness', () => {
  it('reads manifests and both units; the newest verified backup and its age', () => {
    const out = [
      `rdb\t${man('new-unverified', '2026-12-07T09:59:00.000Z', null)}`,
      `rdb\t${man('a', '2026-12-07T09:30:00.000Z')}`,
      `no-rdb\t${man('gone', '2026-12-07T09:50:00.000Z')}`,
      `rdb\t${man('old', '2026-12-06T09:30:00.000Z')}`,
      'rdb\t{broken',
      units(),
    ].join('\n');
    const h = parseBackupProbe('db2', out);
    expect(h.backups.map((b) => [b.manifest.id, b.verified])).toEqual([
      ['new-unverified', false],
      ['a', true],
      ['gone', false],
      ['old', true],
    ]);
    expect(h.problems).toHaveLength(1);
    expect(h.timer).toEqual({
      host: 'db2',
      enabled: 'enabled',
      active: 'active',
      lastRun: { at: 'Mon 2026-12-07 09:21:58 UTC', result: 'success', status: 0 },
    });
    const f = freshness([h, parseBackupProbe('db3', units())], NOW, 7_200_000);
    expect(f).toEqual({
      newestVerified: { id: 'a', host: 'db2', createdAt: '2026-12-07T09:30:00.000Z', ageSeconds: 1800 },
      verified: 2,
      total: 4,
      maxAgeSeconds: 7200,
      stale: false,
    });
    expect(freshness([h], NOW, 1_799_000).stale).toBe(true);
    expect(freshness([parseBackupProbe('db3', units())], NOW, 7_200_000)).toMatchObject({ stale: true, total: 0 });
  });

  it('a timer: not installed, disabled, stopped, last run failed, never run', () => {
    const t = (o: Parameters<typeof units>[0]) => parseBackupProbe('db1', units(o)).timer;
    expect(timerProblem(t({ enabled: '', active: 'inactive' }))).toBe('falkorctl-backup.timer is not installed');
    expect(timerProblem(t({ enabled: 'disabled', active: 'inactive' }))).toBe('falkorctl-backup.timer is disabled');
    expect(timerProblem(t({ active: 'inactive' }))).toBe('falkorctl-backup.timer is inactive');
    expect(timerProblem(t({ result: 'exit-code', status: 1 }))).toBe(
      'its last run (Mon 2026-12-07 09:21:58 UTC) failed: exit-code, exit 1',
    );
    expect(timerProblem(t({}))).toBeUndefined();
    const never = t({ exit: '' });
    expect([timerProblem(never), timerText(never)]).toEqual([undefined, 'active, enabled; not run yet']);
  });

  it('status warns (never degrades) about stale backups and broken timers; not about timers when off', () => {
    const inv = (schedule: string) =>
      inventorySchema.parse({
        cluster: 'lab',
        hosts: [{ name: 'db1', address: '10.0.0.1', role: 'master' }],
        auth: { password: 'env:P' },
        backup: { schedule },
      });
    const b = {
      ...freshness([parseBackupProbe('db1', units({ enabled: 'disabled', active: 'inactive' }))], NOW, 7_200_000),
      timers: [parseBackupProbe('db1', units({ enabled: 'disabled', active: 'inactive' })).timer],
      problems: [],
    };
    expect(backupWarnings(inv('hourly'), b).map((f) => [f.severity, f.message])).toEqual([
      ['warning', 'no verified backup on any database host (falkorctl backup --verify-restore)'],
      ['warning', 'db1: falkorctl-backup.timer is disabled (falkorctl backup schedule)'],
    ]);
    expect(backupWarnings(inv('off'), b)).toHaveLength(1);
  });
});
