// Hardware: CPU cores and memory of each database host against what the inventory declares (below it: fail)
// and the seed's recommendation for the role (master 16 cores / 64 GB, replica 8 / 32 GB; below it: warn).
import { parseBytes } from '../inventory/topology.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

const RECOMMENDED = { master: { cpus: 16, memory: 64 * 2 ** 30 }, replica: { cpus: 8, memory: 32 * 2 ** 30 } };
const PROBE = "nproc; awk '/^MemTotal:/ {print $2 * 1024}' /proc/meminfo";
const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

export const hardware: Area = {
  name: 'hardware',
  phases: ['pre'],
  async run(env) {
    const probed = await eachHost(env, env.dbHosts, (name) => env.sh(name, PROBE));
    const out: CheckResult[] = [];
    for (const [i, name] of env.dbHosts.entries()) {
      const h = env.inv.hosts.find((x) => x.name === name)!;
      const r = probed[i]!;
      const [cpus, mem] = r.stdout.trim().split('\n').map(Number);
      const rec = RECOMMENDED[h.role === 'master' ? 'master' : 'replica'];
      const base = { item: ITEMS.hardware, phase: 'pre' as const, host: name, evidence: PROBE };
      const declared = h.hardware;
      for (const [what, have, want, recd, fmt] of [
        ['cpus', cpus, declared?.cpus, rec.cpus, String],
        ['memory', mem, declared?.memory !== undefined ? parseBytes(declared.memory) : undefined, rec.memory, gib],
      ] as const) {
        const id = `hardware.${what}:${name}`;
        const title = `${name}: ${what === 'cpus' ? 'CPU cores' : 'memory'}`;
        if (have === undefined || Number.isNaN(have))
          out.push({
            ...base,
            id,
            title,
            outcome: 'fail',
            found: r.stdout.trim() || `exit ${r.code}`,
            reason: 'could not read it',
          });
        else if (want !== undefined && have < want * 0.98)
          out.push({
            ...base,
            id,
            title,
            outcome: 'fail',
            found: fmt(have),
            expected: `≥ ${fmt(want)} (inventory hardware.${what})`,
          });
        else if (have < recd)
          out.push({
            ...base,
            id,
            title,
            outcome: 'warn',
            found: fmt(have),
            expected: `≥ ${fmt(recd)} recommended for a ${h.role}`,
            reason: 'below the production recommendation',
          });
        else out.push({ ...base, id, title, outcome: 'pass', found: fmt(have) });
      }
    }
    return out;
  },
};
