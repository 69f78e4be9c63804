// Kernel settings Redis needs, read live on each database host (the same probe status and deploy use).
import { KERNEL_PROBE, kernelFindings, parseKernel } from '../facts/kernel.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

export const kernel: Area = {
  name: 'kernel',
  async run(env) {
    const out: CheckResult[] = [];
    for (const host of env.dbHosts) {
      const r = await env.sh(host, KERNEL_PROBE);
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
    }
    return out;
  },
};
