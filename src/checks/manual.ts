// Items no program can check: listed, never silently passed. Signed off with --sign-off NAME (recorded with the
// time), else pending (skip). The failover and load tests are checks of their own, opt-in (active.ts).
import { ITEMS, type Area, type CheckResult, type Phase } from './types.js';

const MANUAL: [string, Phase][] = [
  [ITEMS.docs, 'pre'],
  [ITEMS.goLive, 'deploy'],
  [ITEMS.docsComplete, 'post'],
  [ITEMS.trained, 'post'],
];

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export const manual: Area = {
  name: 'manual',
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
    return Promise.resolve(out);
  },
};
