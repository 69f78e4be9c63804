// `backup schedule`: what is on each database host (one read-only command), and the pure plan from there to the
// inventory's schedule: the program and both units written when their sha256 differs, daemon-reload, the timer
// enabled and started (or restarted when its file changed); with `schedule: off`, an installed timer disabled
// and its files removed. A host already as wanted gets no steps; the phase check confirms the timer's state.
import { createHash } from 'node:crypto';
import type { CheckSpec, Plan, Step } from '../core/types.js';
import type { Inventory } from '../inventory/schema.js';
import { dbHosts } from '../inventory/topology.js';
import type { Argv } from '../remote/quote.js';
import {
  BACKUP_SCRIPT,
  BACKUP_SERVICE,
  BACKUP_SERVICE_UNIT,
  BACKUP_TIMER,
  BACKUP_TIMER_UNIT,
  PYTHON,
  scheduleFiles,
} from '../templates/backup-timer.js';

export const SCHEDULE_PATHS = [BACKUP_SCRIPT, BACKUP_SERVICE, BACKUP_TIMER];

// $1 the OnCalendar expression ("off": not checked), then the paths
const PROBE = [
  'cal=$1; shift',
  'for f in "$@"; do if [ -f "$f" ]; then printf "file\\t%s\\t%s\\n" "$f" "$(sha256sum < "$f" | cut -d" " -f1)"; ' +
    'else printf "file\\t%s\\t-\\n" "$f"; fi; done',
  `printf "timer\\t%s\\t%s\\n" "$(systemctl is-enabled ${BACKUP_TIMER_UNIT} 2>/dev/null)" ` +
    `"$(systemctl is-active ${BACKUP_TIMER_UNIT} 2>/dev/null)"`,
  `if [ -x ${PYTHON} ]; then echo "python\\tyes"; else echo "python\\tno"; fi`,
  'if [ "$cal" != off ]; then if out=$(systemd-analyze calendar -- "$cal" 2>&1); then echo "calendar\\tok"; ' +
    'else echo "calendar\\tbad"; fi; printf "%s\\n" "$out" | sed "s/^/calendar-out\\t/"; fi',
].join('\n');

export const scheduleProbeArgv = (inv: Inventory): Argv => [
  'sh',
  '-c',
  PROBE,
  'sh',
  inv.backup.schedule,
  ...SCHEDULE_PATHS,
];

export interface ScheduleFacts {
  host: string;
  /** sha256 of each installed file, undefined when absent. */
  files: Record<string, string | undefined>;
  timerEnabled: string;
  timerActive: string;
  python: boolean;
  /** systemd-analyze calendar accepted the expression (undefined: not asked, schedule off). */
  calendarOk?: boolean;
  calendarOut: string;
}

export function parseScheduleProbe(host: string, out: string): ScheduleFacts {
  const f: ScheduleFacts = { host, files: {}, timerEnabled: '', timerActive: '', python: false, calendarOut: '' };
  const cal: string[] = [];
  for (const line of out.split('\n')) {
    const [k, a = '', b = ''] = line.split('\t');
    if (k === 'file') f.files[a] = b === '-' || !/^[a-f0-9]{64}$/.test(b) ? undefined : b;
    else if (k === 'timer') [f.timerEnabled, f.timerActive] = [a, b];
    else if (k === 'python') f.python = a === 'yes';
    else if (k === 'calendar') f.calendarOk = a === 'ok';
    else if (k === 'calendar-out') cal.push(line.slice('calendar-out\t'.length));
  }
  f.calendarOut = cal.join('\n').trim();
  return f;
}

const dirname = (p: string) => p.replace(/\/[^/]*$/, '');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export const timerCheck = (host: string, on: boolean, timeoutMs = 30_000): CheckSpec => ({
  kind: 'backup-timer',
  host,
  what: on ? `${host}: ${BACKUP_TIMER_UNIT} enabled and active` : `${host}: no ${BACKUP_TIMER_UNIT} installed`,
  timeoutMs,
  intervalMs: 500,
  params: { on },
});

export function schedulePlan(inv: Inventory, facts: readonly ScheduleFacts[]): Plan {
  const on = inv.backup.schedule !== 'off';
  const steps: Step[] = [];
  const checks: CheckSpec[] = [];
  for (const h of dbHosts(inv)) {
    const f = facts.find((x) => x.host === h.name);
    if (!f) throw new Error(`no schedule facts for ${h.name}`);
    const add = (id: string, describe: string, action: Step['action']) =>
      steps.push({ id: `${h.name}:${id}`, host: h.name, phase: 'schedule', describe, action });
    checks.push(timerCheck(h.name, on));
    if (!on) {
      const present = SCHEDULE_PATHS.filter((p) => f.files[p] !== undefined);
      if (f.timerEnabled === 'enabled' || f.timerActive === 'active')
        add('disable', `stop and disable ${BACKUP_TIMER_UNIT} (backup.schedule is off)`, {
          kind: 'exec',
          argv: ['systemctl', 'disable', '--now', BACKUP_TIMER_UNIT],
        });
      if (present.length) {
        add('remove', `remove ${present.join(', ')}`, { kind: 'exec', argv: ['rm', '-f', '--', ...present] });
        add('daemon-reload', 'reload systemd units', { kind: 'exec', argv: ['systemctl', 'daemon-reload'] });
      }
      continue;
    }
    const changed: string[] = [];
    for (const file of scheduleFiles(inv, h)) {
      const want = sha(file.content);
      if (f.files[file.path] === want) continue;
      changed.push(file.path);
      if (file.path === BACKUP_SCRIPT)
        add('dir', `create ${dirname(BACKUP_SCRIPT)}`, {
          kind: 'exec',
          argv: ['install', '-d', '-m', '0755', dirname(BACKUP_SCRIPT)],
        });
      add(`file:${file.path}`, `${f.files[file.path] ? 'update' : 'write'} ${file.path}`, {
        kind: 'upload',
        path: file.path,
        mode: file.mode,
        owner: 'root:root',
        secret: false,
        sha256: want,
        source: { from: 'inline', content: file.content },
      });
    }
    if (changed.some((p) => p !== BACKUP_SCRIPT))
      add('daemon-reload', 'reload systemd units', { kind: 'exec', argv: ['systemctl', 'daemon-reload'] });
    if (f.timerEnabled !== 'enabled' || f.timerActive !== 'active')
      add('enable', `enable and start ${BACKUP_TIMER_UNIT} (${inv.backup.schedule})`, {
        kind: 'exec',
        argv: ['systemctl', 'enable', '--now', BACKUP_TIMER_UNIT],
      });
    else if (changed.includes(BACKUP_TIMER))
      // the next elapse is computed when the timer starts: a new OnCalendar takes effect on restart
      add('restart', `restart ${BACKUP_TIMER_UNIT} (its schedule changed; no backup is started)`, {
        kind: 'exec',
        argv: ['systemctl', 'restart', BACKUP_TIMER_UNIT],
      });
  }
  return {
    command: 'backup schedule',
    phases: [{ name: 'schedule', parallel: 'forks', checks }],
    steps,
    notes: on
      ? [
          `${BACKUP_SERVICE_UNIT} runs on every database host at "${inv.backup.schedule}"; each run backs up only ` +
            'on the first in-sync replica the master lists and logs why it skipped elsewhere (journalctl -u ' +
            `${BACKUP_SERVICE_UNIT})`,
        ]
      : [],
  };
}

/** Refusals before anything is written: no python3, or an expression systemd does not accept. */
export function scheduleRefusals(inv: Inventory, facts: readonly ScheduleFacts[]): string[] {
  if (inv.backup.schedule === 'off') return [];
  const out: string[] = [];
  for (const f of facts) {
    if (!f.python) out.push(`${f.host}: ${PYTHON} is missing (the scheduled backup runs a Python 3 program)`);
    if (f.calendarOk === false)
      out.push(`${f.host}: systemd-analyze calendar rejects "${inv.backup.schedule}": ${f.calendarOut}`);
  }
  return out;
}
