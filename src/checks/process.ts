// The running server, not its unit file: the open-files limit the kernel actually gives falkordb's main
// process. Redis needs maxclients + 32 descriptors; short of that it lowers maxclients at start and logs it
// once, and clients are refused under load long after anyone read that log line.
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

const PROBE = [
  'pid=$(systemctl show -p MainPID --value falkordb.service)',
  '[ -n "$pid" ] && [ "$pid" != 0 ] || { echo "pid none"; exit 0; }',
  'echo "pid $pid"',
  "grep '^Max open files' /proc/$pid/limits",
].join('\n');

/** "Max open files  65568  65568  files" → the soft limit (what the process gets), or undefined. */
export function softNofile(text: string): number | 'unlimited' | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? 'unlimited' : Number(m[1]);
}

export const processLimits: Area = {
  name: 'process',
  phases: ['post'],
  async run(env) {
    const need = env.inv.redis.maxclients + 32;
    const probed = await eachHost(env, env.dbHosts, (host) => env.sh(host, PROBE));
    const out: CheckResult[] = [];
    for (const [i, host] of env.dbHosts.entries()) {
      const r = probed[i]!;
      const base = {
        id: `process.nofile:${host}`,
        title: `${host}: falkordb's open-files limit ≥ maxclients + 32`,
        item: ITEMS.services,
        phase: 'post' as const,
        host,
        evidence: 'grep "Max open files" /proc/$(systemctl show -p MainPID --value falkordb.service)/limits',
      };
      const soft = softNofile(r.stdout);
      if (/^pid none/m.test(r.stdout)) out.push({ ...base, outcome: 'fail', found: 'falkordb.service is not running' });
      else if (soft === undefined) out.push({ ...base, outcome: 'skip', reason: `no limits read (exit ${r.code})` });
      else if (soft === 'unlimited' || soft >= need) out.push({ ...base, outcome: 'pass', found: String(soft) });
      else
        out.push({
          ...base,
          outcome: 'fail',
          found: String(soft),
          expected: `≥ ${need}`,
          reason: `Redis lowers maxclients to ${Math.max(0, soft - 32)} at start and refuses clients beyond it`,
        });
    }
    return out;
  },
};
