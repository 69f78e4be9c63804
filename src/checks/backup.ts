// Backups: the newest verified backup (redis-check-rdb passed and the copy was loaded in a throwaway server and
// matched its manifest) younger than backup.maxAgeMs ("Backup procedures tested"), and on every database host
// the backup timer installed, enabled, active, its last run successful ("Backup schedule active").
import { BACKUP_PROBE, freshness, parseBackupProbe, timerProblem, timerText } from '../backup/freshness.js';
import { ago } from '../facts/table.js';
import { intact } from './backup-intact.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

export const backup: Area = {
  name: 'backup',
  phases: ['pre', 'post'],
  async run(env) {
    const dir = env.inv.backup.dir;
    const hosts = await eachHost(env, env.dbHosts, async (h) =>
      parseBackupProbe(h, (await env.sh(h, BACKUP_PROBE, [dir])).stdout),
    );
    const out: CheckResult[] = [];
    const f = freshness(hosts, env.now(), env.inv.backup.maxAgeMs);
    const n = f.newestVerified;
    const limit = ago(f.maxAgeSeconds);
    const problems = hosts.flatMap((h) => h.problems);
    out.push({
      id: 'backup.verified',
      title: `a verified backup younger than ${limit} on the database hosts`,
      item: ITEMS.backupTested,
      phase: 'pre',
      outcome: f.stale ? 'fail' : 'pass',
      found: n
        ? `${n.id} on ${n.host}, ${ago(n.ageSeconds)} old (${f.verified} verified of ${f.total})`
        : `no verified backup (${f.total} backups, none loaded and matched in a throwaway server)`,
      expected: `the newest verified backup at most ${limit} old (backup.maxAgeMs)`,
      evidence: `the manifests in ${dir} on ${env.dbHosts.join(', ')} (falkorctl backup list)`,
      reason:
        (f.stale
          ? 'take one with falkorctl backup --verify-restore, or check the timer (falkorctl backup schedule)'
          : 'a restore rehearsal (falkorctl restore on a staging cluster) is still a person’s sign-off') +
        (problems.length ? `; unreadable: ${problems.join('; ')}` : ''),
    });
    out.push(await intact(env, hosts, n));
    const off = env.inv.backup.schedule === 'off';
    for (const h of hosts) {
      const p = off ? undefined : timerProblem(h.timer);
      const reason = off
        ? 'backup.schedule is off in the inventory'
        : p && `${p}: run falkorctl backup schedule (journalctl -u falkorctl-backup.service says why a run failed)`;
      out.push({
        id: `backup.timer:${h.host}`,
        title: `${h.host}: backup timer enabled, active, last run succeeded`,
        item: ITEMS.backupSchedule,
        phase: 'post',
        host: h.host,
        outcome: reason ? 'fail' : 'pass',
        found: timerText(h.timer),
        ...(reason ? { expected: `active, enabled (${env.inv.backup.schedule}); last run success`, reason } : {}),
        evidence:
          'systemctl show -p UnitFileState,ActiveState,Result,ExecMainExitTimestamp falkorctl-backup.timer falkorctl-backup.service',
      });
    }
    return out;
  },
};
