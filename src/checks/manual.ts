// Items no program can check, and items whose machinery falkorctl does not deploy yet: listed, never silently
// passed. Manual items are signed off with --sign-off NAME (recorded with the time), else pending (skip).
import { ITEMS, type Area, type CheckResult, type Phase } from './types.js';

const MANUAL: [string, Phase][] = [
  [ITEMS.docs, 'pre'],
  [ITEMS.goLive, 'deploy'],
  [ITEMS.docsComplete, 'post'],
  [ITEMS.trained, 'post'],
];

/** Automatable, but what they check is not deployed by falkorctl yet: skip, with where it will come from. */
const NOT_YET: [string, Phase, string][] = [
  [
    ITEMS.failover,
    'deploy',
    'opt-in, it fails the master on purpose: run falkorctl failover-test under load and record the report',
  ],
  [ITEMS.loadTest, 'deploy', 'opt-in: the load test is not built yet'],
];

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export const manual: Area = {
  name: 'manual',
  prefixes: ['pending'],
  phases: ['pre', 'deploy', 'post'],
  run(env) {
    const at = new Date(env.now()).toISOString();
    const out: CheckResult[] = MANUAL.map(([item, phase]) => ({
      id: `manual.${slug(item)}`,
      title: item,
      item,
      phase,
      ...(env.signOff
        ? { outcome: 'pass' as const, found: `signed off by ${env.signOff} at ${at}` }
        : { outcome: 'skip' as const, reason: 'a person confirms this: pending until --sign-off NAME' }),
    }));
    for (const [item, phase, reason] of NOT_YET)
      out.push({ id: `pending.${slug(item)}`, title: item, item, phase, outcome: 'skip', reason });
    return Promise.resolve(out);
  },
};
