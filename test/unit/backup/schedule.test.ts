// The backup timer: the pure plan from each host's facts, the rendered units (systemd-analyze verify), and the
// host-side program's pure parts run by a real python3: the password read back from the secrets file render
// writes (every quoting case of redisArg), and the same graph comparison lines as src/backup/manifest.ts.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { compareGraphs } from '../../../src/backup/manifest.js';
import {
  parseScheduleProbe,
  schedulePlan,
  scheduleRefusals,
  SCHEDULE_PATHS,
  type ScheduleFacts,
} from '../../../src/backup/schedule.js';
import { inventorySchema, type Inventory } from '../../../src/inventory/schema.js';
import {
  BACKUP_SCRIPT,
  BACKUP_TIMER,
  backupScript,
  backupScriptConfig,
  scheduleFiles,
} from '../../../src/templates/backup-timer.js';
import { redisSecretsConf } from '../../../src/templates/secrets-conf.js';

const inv = (backup: Record<string, unknown> = {}): Inventory =>
  inventorySchema.parse({
    cluster: 'c1',
    hosts: [
      { name: 'db1', address: '10.0.0.1', role: 'master' },
      { name: 'db2', address: '10.0.0.2', role: 'replica' },
      { name: 'lb1', address: '10.0.0.9', role: 'haproxy' },
    ],
    auth: { password: 'env:P' },
    backup,
  });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const bare = (host: string, o: Partial<ScheduleFacts> = {}): ScheduleFacts => ({
  host,
  files: {},
  timerEnabled: 'not-found',
  timerActive: 'inactive',
  python: true,
  calendarOk: true,
  calendarOut: '',
  ...o,
});
const installed = (i: Inventory, host: string): ScheduleFacts =>
  bare(host, {
    files: Object.fromEntries(
      scheduleFiles(
        i,
        i.hosts.find((h) => h.name === host)!,
      ).map((f) => [f.path, sha(f.content)]),
    ),
    timerEnabled: 'enabled',
    timerActive: 'active',
  });
const ids = (p: ReturnType<typeof schedulePlan>) => p.steps.map((s) => s.id);

describe('schedulePlan', () => {
  it('a bare host: directory, program, units, daemon-reload, enable --now; database hosts only', () => {
    const i = inv();
    const p = schedulePlan(i, [bare('db1'), bare('db2')]);
    expect(ids(p).filter((x) => x.startsWith('db2:'))).toEqual([
      'db2:dir',
      `db2:file:${BACKUP_SCRIPT}`,
      'db2:file:/etc/systemd/system/falkorctl-backup.service',
      `db2:file:${BACKUP_TIMER}`,
      'db2:daemon-reload',
      'db2:enable',
    ]);
    expect(p.steps.some((s) => s.host === 'lb1')).toBe(false);
    expect(p.steps.find((s) => s.id === 'db2:enable')!.action).toEqual({
      kind: 'exec',
      argv: ['systemctl', 'enable', '--now', 'falkorctl-backup.timer'],
    });
    expect(p.phases[0]!.checks!.map((c) => c.what)).toEqual([
      'db1: falkorctl-backup.timer enabled and active',
      'db2: falkorctl-backup.timer enabled and active',
    ]);
  });

  it('in place: no steps (the phase check still confirms the timer)', () => {
    const i = inv();
    const p = schedulePlan(i, [installed(i, 'db1'), installed(i, 'db2')]);
    expect(p.steps).toEqual([]);
    expect(p.phases[0]!.checks).toHaveLength(2);
  });

  it('a new schedule rewrites the timer and restarts it; a program change needs no reload', () => {
    const old = inv();
    const now = inv({ schedule: '*-*-* 02:30:00' });
    const p = schedulePlan(now, [installed(old, 'db1'), installed(old, 'db2')]);
    expect(ids(p)).toEqual([
      `db1:file:${BACKUP_TIMER}`,
      'db1:daemon-reload',
      'db1:restart',
      `db2:file:${BACKUP_TIMER}`,
      'db2:daemon-reload',
      'db2:restart',
    ]);
    const f = installed(now, 'db1');
    f.files[BACKUP_SCRIPT] = 'b'.repeat(64);
    expect(ids(schedulePlan(now, [f, installed(now, 'db2')]))).toEqual(['db1:dir', `db1:file:${BACKUP_SCRIPT}`]);
  });

  it('a stopped or disabled timer is enabled and started again', () => {
    const i = inv();
    const f = { ...installed(i, 'db2'), timerEnabled: 'disabled', timerActive: 'inactive' };
    expect(ids(schedulePlan(i, [installed(i, 'db1'), f]))).toEqual(['db2:enable']);
  });

  it('schedule off: an installed timer is disabled and its files removed; nothing where there is none', () => {
    const on = inv();
    const off = inv({ schedule: 'off' });
    const p = schedulePlan(off, [installed(on, 'db1'), bare('db2')]);
    expect(p.steps.map((s) => [s.id, s.action.kind === 'exec' ? s.action.argv : s.action.kind])).toEqual([
      ['db1:disable', ['systemctl', 'disable', '--now', 'falkorctl-backup.timer']],
      ['db1:remove', ['rm', '-f', '--', ...SCHEDULE_PATHS]],
      ['db1:daemon-reload', ['systemctl', 'daemon-reload']],
    ]);
    expect(p.phases[0]!.checks!.map((c) => c.params)).toEqual([{ on: false }, { on: false }]);
    expect(scheduleRefusals(off, [bare('db1', { python: false, calendarOk: undefined })])).toEqual([]);
  });

  it('refused: no python3, or a calendar expression systemd rejects', () => {
    const i = inv();
    expect(
      scheduleRefusals(i, [
        bare('db1', { python: false }),
        bare('db2', { calendarOk: false, calendarOut: 'Failed to parse calendar specification' }),
      ]),
    ).toEqual([
      'db1: /usr/bin/python3 is missing (the scheduled backup runs a Python 3 program)',
      'db2: systemd-analyze calendar rejects "hourly": Failed to parse calendar specification',
    ]);
  });

  it('reads the probe output', () => {
    const out = [
      `file\t${BACKUP_SCRIPT}\t${'a'.repeat(64)}`,
      `file\t${BACKUP_TIMER}\t-`,
      'timer\tenabled\tactive',
      'python\tyes',
      'calendar\tbad',
      'calendar-out\tFailed to parse calendar specification "x": Invalid argument',
      'calendar-out\tHint: …',
    ].join('\n');
    expect(parseScheduleProbe('db1', out)).toEqual({
      host: 'db1',
      files: { [BACKUP_SCRIPT]: 'a'.repeat(64), [BACKUP_TIMER]: undefined },
      timerEnabled: 'enabled',
      timerActive: 'active',
      python: true,
      calendarOk: false,
      calendarOut: 'Failed to parse calendar specification "x": Invalid argument\nHint: …',
    });
  });
});

describe('backup.schedule in the inventory', () => {
  it('defaults to hourly with a 2 h freshness limit; refuses what could break out of the unit line', () => {
    expect([inv().backup.schedule, inv().backup.maxAgeMs]).toEqual(['hourly', 7_200_000]);
    expect(inv({ schedule: 'Mon..Fri *-*-* 00/4:00:00 UTC' }).backup.schedule).toBe('Mon..Fri *-*-* 00/4:00:00 UTC');
    expect(() => inv({ schedule: 'hourly\nExecStart=/bin/evil' })).toThrow(/invisible or control character/);
    expect(() => inv({ schedule: 'hourly;rm' })).toThrow(/systemd OnCalendar expression/);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'falkorctl-backup-timer-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('the rendered timer and service', { timeout: 30_000 }, () => {
  it('systemd-analyze verify accepts them; systemd-analyze calendar is the schedule check', async () => {
    const i = inv();
    const files = scheduleFiles(i, i.hosts[1]!);
    const service = write('falkorctl-backup.service', files[1]!.content.replace('/usr/bin/python3', '/bin/true'));
    const timer = write('falkorctl-backup.timer', files[2]!.content);
    const r = await execa('systemd-analyze', ['verify', service, timer], { reject: false, cwd: dir });
    // verify may note the RequiresMountsFor path is absent on this machine; it must not reject the units
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await execa('systemd-analyze', ['calendar', '--', 'hourly'], { reject: false })).exitCode).toBe(0);
    expect((await execa('systemd-analyze', ['calendar', '--', 'every tuesday'], { reject: false })).exitCode).not.toBe(
      0,
    );
  });
});

describe('the host-side program (python3)', { timeout: 30_000 }, () => {
  const i = inv();
  const script = write('falkorctl-backup.py', backupScript(i, i.hosts[1]!));
  /** Runs a Python expression with the program imported as module `b`; prints its JSON. */
  const py = async (expr: string, input = '') => {
    const code =
      'import importlib.util,json,sys\n' +
      `s=importlib.util.spec_from_file_location("b", ${JSON.stringify(script)}); b=importlib.util.module_from_spec(s); s.loader.exec_module(b)\n` +
      `print(json.dumps(${expr}))`;
    const r = await execa('python3', ['-c', code], { input, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as unknown;
  };

  it('compiles, and carries its settings as data (no password in it)', async () => {
    const r = await execa('python3', ['-m', 'py_compile', script], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await py('b.CONFIG')).toEqual(backupScriptConfig(i, i.hosts[1]!));
  });

  it('reads the password back from the secrets file render writes, whatever it contains', async () => {
    for (const pw of ['plain-Pass_1', 'with space', 'q"uote', 'back\\slash', 'tab\there', 'ünï—code', '#hash', "a'b"]) {
      const conf = write('secrets.conf', redisSecretsConf(i, { password: pw, users: {} }));
      expect(await py(`b.read_password(${JSON.stringify(conf)})`), pw).toBe(pw);
    }
  });

  it('compares graphs with the same lines as falkorctl backup', async () => {
    const want = [
      { name: 'a', nodes: 1, edges: 2 },
      { name: 'b', nodes: 3, edges: 4 },
    ];
    const got = [
      { name: 'a', nodes: 1, edges: 5 },
      { name: 'c', nodes: 0, edges: 0 },
    ];
    expect(await py(`b.compare_graphs(${JSON.stringify(want)}, ${JSON.stringify(got)})`)).toEqual(
      compareGraphs(want, got),
    );
    expect(await py(`b.compare_graphs(${JSON.stringify(want)}, ${JSON.stringify(want)})`)).toEqual([]);
  });

  it('stamps ids and times as falkorctl backup does', async () => {
    const out = (await py(
      '[b.stamp(d), b.iso(d)] if (d := __import__("datetime").datetime(2026, 12, 7, 3, 30, 55, 123456, ' +
        'tzinfo=__import__("datetime").timezone.utc)) else None',
    )) as string[];
    expect(out).toEqual(['20261207T033055Z', '2026-12-07T03:30:55.123Z']);
  });
});
