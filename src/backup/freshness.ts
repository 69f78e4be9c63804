// How current the backups are, for status and the checklist: the newest verified backup on any database host
// and its age against backup.maxAgeMs, and each host's timer (enabled, active, its service's last result).
// One read-only command per host (the listing of `backup list` plus `systemctl show`); the rest is pure.
import { BACKUP_SERVICE_UNIT, BACKUP_TIMER_UNIT } from '../templates/backup-timer.js';
import { LIST, parseListLine } from './commands.js';
import { isVerified, parseManifest, type Manifest } from './manifest.js';

/** $1 the backup directory. */
export const BACKUP_PROBE = [
  LIST,
  `systemctl show -p Id,UnitFileState,ActiveState,Result,ExecMainStatus,ExecMainExitTimestamp ` +
    `${BACKUP_TIMER_UNIT} ${BACKUP_SERVICE_UNIT} 2>/dev/null | sed 's/^/unit\\t/'`,
].join('\n');

export interface TimerState {
  host: string;
  /** systemctl's words: "enabled" / "disabled" / "" (not installed); "active" / "inactive". */
  enabled: string;
  active: string;
  /** The service's last run: when it ended (systemd's time string) and how; undefined when it never ran. */
  lastRun?: { at: string; result: string; status: number };
}

export interface HostBackups {
  host: string;
  backups: { manifest: Manifest; verified: boolean }[];
  timer: TimerState;
  problems: string[];
}

export function parseBackupProbe(host: string, out: string): HostBackups {
  const h: HostBackups = { host, backups: [], timer: { host, enabled: '', active: '' }, problems: [] };
  // systemctl show prints one block per unit, blank-line separated, its properties in its own order
  const blocks: Record<string, string>[] = [{}];
  for (const line of out.split('\n')) {
    if (line.startsWith('unit\t')) {
      const kv = line.slice(5);
      const i = kv.indexOf('=');
      if (i < 0) blocks.push({});
      else blocks[blocks.length - 1]![kv.slice(0, i)] = kv.slice(i + 1);
      continue;
    }
    if (!line) continue;
    const l = parseListLine(line);
    try {
      if (!l) throw new Error(`${host}: unreadable listing line`);
      const manifest = parseManifest(l.json, host);
      h.backups.push({ manifest, verified: l.rdbPresent && isVerified(manifest) });
    } catch (e) {
      h.problems.push((e as Error).message);
    }
  }
  const t = blocks.find((b) => b.Id === BACKUP_TIMER_UNIT) ?? {};
  const s = blocks.find((b) => b.Id === BACKUP_SERVICE_UNIT) ?? {};
  h.timer.enabled = t.UnitFileState ?? '';
  h.timer.active = t.ActiveState ?? '';
  if (s.ExecMainExitTimestamp)
    h.timer.lastRun = { at: s.ExecMainExitTimestamp, result: s.Result ?? '', status: Number(s.ExecMainStatus ?? -1) };
  return h;
}

export interface Freshness {
  newestVerified?: { id: string; host: string; createdAt: string; ageSeconds: number };
  verified: number;
  total: number;
  maxAgeSeconds: number;
  /** No verified backup, or the newest is older than maxAge. */
  stale: boolean;
}

export function freshness(hosts: readonly HostBackups[], nowMs: number, maxAgeMs: number): Freshness {
  const all = hosts.flatMap((h) => h.backups.map((b) => ({ ...b, on: h.host })));
  const v = all
    .filter((b) => b.verified && !Number.isNaN(Date.parse(b.manifest.createdAt)))
    .sort((a, b) => Date.parse(b.manifest.createdAt) - Date.parse(a.manifest.createdAt));
  const n = v[0];
  const newestVerified = n && {
    id: n.manifest.id,
    host: n.on,
    createdAt: n.manifest.createdAt,
    ageSeconds: Math.round((nowMs - Date.parse(n.manifest.createdAt)) / 1000),
  };
  return {
    ...(newestVerified ? { newestVerified } : {}),
    verified: v.length,
    total: all.length,
    maxAgeSeconds: Math.round(maxAgeMs / 1000),
    stale: !newestVerified || newestVerified.ageSeconds * 1000 > maxAgeMs,
  };
}

/** A timer as the checks want it: installed, enabled, active, and its last run (if any) succeeded. */
export function timerProblem(t: TimerState): string | undefined {
  if (!t.enabled || t.enabled === 'not-found') return `${BACKUP_TIMER_UNIT} is not installed`;
  if (t.enabled !== 'enabled') return `${BACKUP_TIMER_UNIT} is ${t.enabled}`;
  if (t.active !== 'active') return `${BACKUP_TIMER_UNIT} is ${t.active}`;
  if (t.lastRun && t.lastRun.result !== 'success')
    return `its last run (${t.lastRun.at}) failed: ${t.lastRun.result}, exit ${t.lastRun.status}`;
  return undefined;
}

export const timerText = (t: TimerState): string =>
  `${t.active || 'inactive'}, ${t.enabled || 'not-found'}` +
  (t.lastRun ? `; last run ${t.lastRun.at}: ${t.lastRun.result}` : '; not run yet');
