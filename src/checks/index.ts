// Every area of the checklist, in the order the report shows them.
import { active } from './active.js';
import { backup } from './backup.js';
import { cluster } from './cluster.js';
import { config } from './config.js';
import { falkordb } from './falkordb.js';
import { graphs } from './graph-config.js';
import { hardware } from './hardware.js';
import { kernel } from './kernel.js';
import { manual } from './manual.js';
import { monitoring } from './monitoring.js';
import { network } from './network.js';
import { processLimits } from './process.js';
import { services } from './services.js';
import { storage } from './storage.js';
import { tls } from './tls.js';
import { areaWanted, selected, type Selection } from './select.js';
import type { Area, CheckEnv, CheckResult, Phase } from './types.js';

export const AREAS: Area[] = [
  hardware,
  storage,
  kernel,
  config,
  services,
  processLimits,
  cluster,
  falkordb,
  graphs,
  network,
  tls,
  monitoring,
  backup,
  manual,
  // last: the failover test moves the master, so every read-only check has seen the cluster before it
  active,
];

export async function runChecklist(
  env: CheckEnv,
  phases: readonly Phase[],
  sel: Selection = { only: [], skip: [] },
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const a of AREAS.filter((x) => areaWanted(x, sel))) {
    try {
      out.push(...(await a.run(env)));
    } catch (e) {
      // a check that cannot run is a failure with its reason, never a silent pass
      out.push({
        id: `${a.name}.error`,
        title: `${a.name} checks`,
        item: a.name,
        phase: 'pre',
        outcome: 'fail',
        reason: `could not run: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  return out.filter((r) => phases.includes(r.phase) && (r.id.endsWith('.error') || selected(r, sel)));
}

export function counts(rs: readonly CheckResult[]) {
  const c = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of rs) c[r.outcome]++;
  return c;
}
