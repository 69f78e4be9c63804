// Configuration files reviewed: each host has exactly what the inventory renders — the same plan `deploy --diff`
// prints, so drift means "deploy would change something here" (a hand edit, a file from an older inventory, a
// unit not enabled), never a second opinion. Lint needs no check of its own: an inventory that validates renders
// lint-clean files (a property test holds that), and one that does not validate stops the checklist at line N.
import { ITEMS, type Area, type CheckResult } from './types.js';

export const config: Area = {
  name: 'config',
  phases: ['post'],
  async run(env) {
    const out: CheckResult[] = [];
    let pending: Awaited<ReturnType<typeof env.deployPlan>>;
    try {
      pending = await env.deployPlan();
    } catch (e) {
      const reason = `deploy could not plan: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      for (const host of env.hosts) out.push(drift(host, { outcome: 'skip', reason }));
      return out;
    }
    for (const host of env.hosts) {
      const steps = pending.filter((s) => s.host === host);
      out.push(
        drift(
          host,
          steps.length
            ? {
                outcome: 'fail',
                found: steps.map((s) => s.describe).join('; '),
                expected: 'nothing to change',
                reason: 'the host differs from what the inventory renders: review with deploy --diff, then deploy',
              }
            : { outcome: 'pass', found: 'the host has what the inventory renders' },
        ),
      );
    }
    return out;
  },
};

function drift(host: string, r: Pick<CheckResult, 'outcome' | 'found' | 'expected' | 'reason'>): CheckResult {
  return {
    id: `config.drift:${host}`,
    title: `${host}: configuration is what the inventory renders (no drift)`,
    item: ITEMS.config,
    phase: 'post',
    host,
    evidence: `falkorctl deploy --diff --limit ${host}`,
    ...r,
  };
}
