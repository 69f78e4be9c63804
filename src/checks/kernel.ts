// Kernel settings Redis needs, read live on each database host (the same probe status and deploy use), and
// the huge pages each running redis-server already holds (issue 13): THP turned off later does not give back
// a huge page Redis mapped before; only a restart does.
import { KERNEL_PROBE, kernelFindings, parseKernel, smapsCommand, type KernelFacts } from '../facts/kernel.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

export const kernel: Area = {
  name: 'kernel',
  phases: ['pre'],
  async run(env) {
    const probed = await eachHost(env, env.dbHosts, (host) => env.sh(host, KERNEL_PROBE));
    const out: CheckResult[] = [];
    for (const [i, host] of env.dbHosts.entries()) {
      const r = probed[i]!;
      const k = parseKernel(r.stdout);
      const off = kernelFindings(k);
      const base = {
        item: ITEMS.config,
        phase: 'pre' as const,
        host,
        evidence: 'sysctl -n …; cat /sys/kernel/mm/transparent_hugepage/*',
      };
      const all: [string, string | undefined][] = [
        ['vm.overcommit_memory', k.overcommit?.toString()],
        ['net.core.somaxconn', k.somaxconn?.toString()],
        ['vm.swappiness', k.swappiness?.toString()],
        ['transparent_hugepage/enabled', k.thpEnabled],
        ['transparent_hugepage/defrag', k.thpDefrag],
      ];
      for (const [setting, seen] of all) {
        const f = off.find((x) => x.setting === setting);
        const evidence = setting.startsWith('transparent') ? `cat /sys/kernel/mm/${setting}` : `sysctl -n ${setting}`;
        const id = `kernel.${setting}:${host}`;
        const title = `${host}: ${setting}`;
        if (seen === undefined)
          out.push({ ...base, evidence, id, title, outcome: 'skip', reason: 'not readable on this host' });
        else if (f)
          out.push({ ...base, evidence, id, title, outcome: 'fail', found: f.seen, expected: f.want, reason: f.why });
        else out.push({ ...base, evidence, id, title, outcome: 'pass', found: seen });
      }
      out.push(...hugePageResults(host, k));
    }
    return out;
  },
};

/** `kernel.thp.process:HOST`: AnonHugePages of every running redis-server (not Sentinel) must be 0 kB. */
export function hugePageResults(host: string, k: KernelFacts): CheckResult[] {
  const base = {
    item: ITEMS.config,
    phase: 'pre' as const,
    host,
    id: `kernel.thp.process:${host}`,
    title: `${host}: redis-server huge pages (AnonHugePages)`,
    expected: '0 kB',
  };
  if (!k.redis) return [{ ...base, outcome: 'skip', reason: 'the processes could not be read on this host' }];
  if (!k.redis.length)
    return [{ ...base, outcome: 'skip', evidence: 'pgrep -x redis-server', reason: 'no redis-server is running' }];
  return k.redis.map((r) => {
    const one = { ...base, ...(k.redis!.length > 1 ? { id: `${base.id}:${r.pid}` } : {}) };
    const evidence = smapsCommand(r.pid);
    const who = `pid ${r.pid} (${r.title || 'redis-server'})`;
    if (r.anonHugePagesKb === undefined)
      return { ...one, evidence, outcome: 'skip' as const, reason: `${who}: its smaps could not be read` };
    const found = `${r.anonHugePagesKb} kB in ${who}`;
    return r.anonHugePagesKb === 0
      ? { ...one, evidence, outcome: 'pass' as const, found }
      : {
          ...one,
          evidence,
          outcome: 'fail' as const,
          found,
          reason:
            'huge pages make copy-on-write after fork() copy 2 MB per touched page: set transparent_hugepage to ' +
            'never (falkorctl deploy), then restart this node (falkorctl rolling-restart) to give them back',
        };
  });
}
