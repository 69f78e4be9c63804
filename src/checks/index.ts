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

/** Whether an area can give a result in one of these phases (one that cannot is not run at all). */
export const areaInPhases = (a: Area, phases: readonly Phase[]) =>
  !a.phases || a.phases.some((p) => phases.includes(p));

/**
 * Every wanted area, concurrently (they are independent; each bounds its per-host work by env.forks through
 * eachHost), then the areas that change the cluster (`alone`) one at a time once the others have finished, so no
 * read-only check sees a failover half-way. The results in AREAS order whatever finished first.
 */
export async function runChecklist(
  env: CheckEnv,
  phases: readonly Phase[],
  sel: Selection = { only: [], skip: [] },
  areas: readonly Area[] = AREAS,
): Promise<CheckResult[]> {
  const wanted = areas.filter((x) => areaWanted(x, sel) && areaInPhases(x, phases));
  const run = (a: Area) =>
    Promise.resolve()
      .then(() => a.run(env))
      .catch((e: unknown) => [areaError(a, phases, e)]);
  const per = new Map<Area, CheckResult[]>();
  const together = wanted.filter((a) => !a.alone);
  (await Promise.all(together.map(run))).forEach((rs, i) => per.set(together[i]!, rs));
  for (const a of wanted.filter((x) => x.alone)) per.set(a, await run(a));
  return wanted
    .flatMap((a) => per.get(a)!)
    .filter((r) => phases.includes(r.phase) && (r.id.endsWith('.error') || selected(r, sel)));
}

// a check that cannot run is a failure with its reason, never a silent pass: in a phase the run shows
function areaError(a: Area, phases: readonly Phase[], e: unknown): CheckResult {
  return {
    id: `${a.name}.error`,
    title: `${a.name} checks`,
    item: a.name,
    phase: (a.phases ?? phases).find((p) => phases.includes(p)) ?? 'pre',
    outcome: 'fail',
    reason: `could not run: ${e instanceof Error ? e.message : String(e)}`,
  };
}

export function counts(rs: readonly CheckResult[]) {
  const c = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of rs) c[r.outcome]++;
  return c;
}
