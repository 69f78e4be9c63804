// status's view of the backups: the newest verified backup with its age (against backup.maxAgeMs) and each
// database host's timer with its last result. Read with the same probe as the checklist (backup/freshness.ts),
// in status's one command per host (host-probe.ts); problems are warnings: a stale backup does not stop the
// cluster serving.
import { freshness, parseBackupProbe, timerProblem, type Freshness, type TimerState } from '../backup/freshness.js';
import type { Inventory } from '../inventory/schema.js';
import type { Finding } from './health.js';
import { ago } from './table.js';

export interface BackupStatus extends Freshness {
  timers: TimerState[];
  /** Hosts whose backups could not be read, manifests that could not be parsed. */
  problems: string[];
}

/** Each database host's BACKUP_PROBE output (hostProbe's backup section), or why it could not be read. */
export type BackupRead = { host: string; out: string } | { host: string; error: string };

export function backupStatus(inv: Inventory, hosts: readonly BackupRead[], now: number): BackupStatus {
  const read = hosts.map((h) =>
    'out' in h
      ? parseBackupProbe(h.host, h.out)
      : { ...parseBackupProbe(h.host, ''), problems: [`${h.host}: ${h.error}`] },
  );
  return {
    ...freshness(read, now, inv.backup.maxAgeMs),
    timers: read.map((h) => h.timer),
    problems: read.flatMap((h) => h.problems),
  };
}

export function backupWarnings(inv: Inventory, b: BackupStatus): Finding[] {
  const w = (message: string, host?: string): Finding => ({
    severity: 'warning',
    area: 'backup',
    ...(host ? { host } : {}),
    message,
  });
  const out: Finding[] = [];
  const n = b.newestVerified;
  if (!n) out.push(w('no verified backup on any database host (falkorctl backup --verify-restore)'));
  else if (b.stale)
    out.push(
      w(`the newest verified backup (${n.id} on ${n.host}) is ${ago(n.ageSeconds)} old, over ${ago(b.maxAgeSeconds)}`),
    );
  if (inv.backup.schedule !== 'off')
    for (const t of b.timers) {
      const p = timerProblem(t);
      if (p) out.push(w(`${t.host}: ${p} (falkorctl backup schedule)`, t.host));
    }
  for (const p of b.problems) out.push(w(`backups: ${p}`));
  return out;
}
