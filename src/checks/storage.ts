// Storage: the data directory of each database host on XFS, mounted (not the root filesystem), without nofail.
import { ITEMS, type Area, type CheckResult } from './types.js';

export const storage: Area = {
  name: 'storage',
  async run(env) {
    const dir = env.inv.redis.dataDir;
    const probe = 'findmnt -n -o FSTYPE,TARGET,OPTIONS -T "$1"';
    const out: CheckResult[] = [];
    for (const host of env.dbHosts) {
      const r = await env.sh(host, probe, [dir]);
      const [fstype = '', target = '', options = ''] = r.stdout.trim().split(/\s+/);
      const base = {
        item: ITEMS.storage,
        phase: 'pre' as const,
        host,
        evidence: `findmnt -n -o FSTYPE,TARGET,OPTIONS -T ${dir}`,
      };
      out.push(
        fstype === 'xfs'
          ? {
              ...base,
              id: `storage.xfs:${host}`,
              title: `${host}: ${dir} on XFS`,
              outcome: 'pass',
              found: `xfs at ${target} (${options})`,
            }
          : {
              ...base,
              id: `storage.xfs:${host}`,
              title: `${host}: ${dir} on XFS`,
              outcome: 'fail',
              found: r.code === 0 ? `${fstype} at ${target}` : `findmnt exit ${r.code}`,
              expected: 'xfs, a data volume of its own',
              reason: 'the data set, its RDB snapshots and AOF belong on the provisioned XFS volume',
            },
      );
    }
    return out;
  },
};
