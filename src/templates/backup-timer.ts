// The scheduled backup: a systemd timer on every database host, its oneshot service, and the host-side program
// it runs (backup-script.ts). Every database host gets it, because the master can change (failover): the program
// itself decides at each run whether this node is the one to back up (a replica, in sync, the first one its
// master lists), so exactly one in-sync replica takes each scheduled backup, whichever node is master.
import type { Host, Inventory } from '../inventory/schema.js';
import { BACKUP_PY } from './backup-script.js';
import { header, lines, paths, serviceUser } from './common.js';
import { secretsConfPath } from './falkordb-conf.js';

export const BACKUP_SCRIPT = '/usr/local/lib/falkorctl/falkorctl-backup.py';
export const BACKUP_SERVICE_UNIT = 'falkorctl-backup.service';
export const BACKUP_TIMER_UNIT = 'falkorctl-backup.timer';
export const BACKUP_SERVICE = `/etc/systemd/system/${BACKUP_SERVICE_UNIT}`;
export const BACKUP_TIMER = `/etc/systemd/system/${BACKUP_TIMER_UNIT}`;
export const PYTHON = '/usr/bin/python3';

/** What the program needs to know about its host (no secret: the password is read from the secrets file). */
export function backupScriptConfig(inv: Inventory, h: Host) {
  const p = paths(inv);
  return {
    cluster: inv.cluster,
    host: h.name,
    address: h.address,
    port: inv.redis.port,
    dir: inv.backup.dir,
    group: serviceUser(inv),
    redisServer: p.redisServer,
    modulePath: p.modulePath,
    secretsFile: secretsConfPath(inv),
    timeoutMs: inv.backup.timeoutMs,
    maxLagBytes: inv.monitoring.replicationLagBytes,
  };
}

export function backupScript(inv: Inventory, h: Host): string {
  // a JSON string literal is a valid Python string literal: the settings cannot break out of it
  const cfg = JSON.stringify(JSON.stringify(backupScriptConfig(inv, h)));
  return lines(
    `#!${PYTHON}`,
    header(inv, `scheduled backup of ${h.name} — ${BACKUP_SCRIPT} (run by ${BACKUP_SERVICE_UNIT})`),
    '# It backs up only when this node is the first in-sync replica; elsewhere it logs why it skipped.',
    BACKUP_PY.replace('__CONFIG__', () => cfg).trim(),
  );
}

export function backupService(inv: Inventory, h: Host): string {
  // the BGSAVE, the copy's check and its load each have backup.timeoutMs
  const secs = Math.ceil((3 * inv.backup.timeoutMs) / 1000) + 60;
  return lines(
    header(inv, `scheduled backup on ${h.name} — ${BACKUP_SERVICE}`),
    '[Unit]',
    `Description=falkorctl scheduled backup of cluster ${inv.cluster} (taken on the first in-sync replica)`,
    'After=falkordb.service',
    `RequiresMountsFor=${inv.backup.dir}`,
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${PYTHON} ${BACKUP_SCRIPT}`,
    `TimeoutStartSec=${secs}`,
    '# a backup yields to the database for CPU and disk',
    'Nice=10',
    'IOSchedulingClass=best-effort',
    'IOSchedulingPriority=7',
    'UMask=0027',
    'PrivateTmp=yes',
    'ProtectHome=yes',
    'ProtectSystem=full',
  );
}

export function backupTimer(inv: Inventory, h: Host): string {
  return lines(
    header(inv, `scheduled backup on ${h.name} — ${BACKUP_TIMER}`),
    '[Unit]',
    `Description=falkorctl scheduled backup of cluster ${inv.cluster}: ${inv.backup.schedule}`,
    '',
    '[Timer]',
    `OnCalendar=${inv.backup.schedule}`,
    '# a run missed while the host was off is made up at boot',
    'Persistent=true',
    `Unit=${BACKUP_SERVICE_UNIT}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
  );
}

export interface ScheduleFile {
  path: string;
  content: string;
  mode: number;
}

export function scheduleFiles(inv: Inventory, h: Host): ScheduleFile[] {
  return [
    { path: BACKUP_SCRIPT, content: backupScript(inv, h), mode: 0o750 },
    { path: BACKUP_SERVICE, content: backupService(inv, h), mode: 0o644 },
    { path: BACKUP_TIMER, content: backupTimer(inv, h), mode: 0o644 },
  ];
}
