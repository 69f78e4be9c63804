// `falkorctl switchover [--to HOST] [--yes] [--dry-run] [--json]`: hand the master role to a replica with no
// acknowledged write lost. Facts (read-only) → pre-flight (every reason to refuse at once) → pure plan →
// confirm → cluster lock → execute (aim at Sentinel's INFO cycle, pause, offsets equal, fence, SENTINEL
// FAILOVER, HAProxy flip, confirm, restore) → on failure or Ctrl-C a rescue from what is true now (unpause,
// fence lifted only when safe, HAProxy pointed at the master the Sentinels name).
// Exit: 0 switched; 1 a step failed (the rescue ran; its report says what is true now); 2 bad input;
// 3 refused (pre-flight, not confirmed, locked).
import type { Handler } from '../context.js';
import { EXIT, refusal } from '../errors.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import { planSwitchover } from '../switchover/plan.js';
import { failedRun, openSession, runSession, stepsJson } from '../switchover/session.js';

export const run: Handler = async ({ opts }, ctx) => {
  const s = await openSession(ctx, opts, typeof opts.to === 'string' ? opts.to : undefined);
  try {
    const { pre } = s;
    const plan = planSwitchover(pre, s.settings, { minReplicas: s.minReplicas }, s.timing);
    const header = `switchover plan for cluster ${s.inv.cluster}: ${pre.master.host} → ${pre.candidate.host}`;
    if (ctx.opts.dryRun) {
      ctx.out.result(
        {
          dryRun: true,
          from: pre.master.host,
          to: pre.candidate.host,
          notes: plan.notes,
          steps: plan.steps.map(coreStepJson),
        },
        () => `${corePlanText(plan, header)}\n(dry run: nothing was changed)`,
      );
      return EXIT.OK;
    }
    if (!ctx.opts.json) ctx.out.info(corePlanText(plan, header));
    const ok = await ctx.prompt.confirm(
      `hand the master role from ${pre.master.host} to ${pre.candidate.host} (writes pause for up to ${s.timing.pauseMs} ms)?`,
    );
    if (!ok) throw refusal(`not confirmed: switchover ${pre.master.host} → ${pre.candidate.host}; nothing was changed`);

    const o = await runSession(ctx, s, plan);
    const json = {
      from: pre.master.host,
      to: pre.candidate.host,
      ok: !o.rep.failure && !o.rep.interrupted,
      ms: Math.round(o.ms),
      steps: stepsJson(s, o.rep),
      failure: o.rep.failure ?? null,
      rescue: o.rescue ?? null,
    };
    if (!json.ok) {
      if (ctx.opts.json) ctx.out.result(s.maskValue(json));
      throw failedRun('switchover', s, o);
    }
    ctx.out.result(json, () => switchedText(pre.master.host, pre.candidate.host, o));
    return EXIT.OK;
  } finally {
    await s.close();
  }
};

/** The result a person reads: total time, then each step up to the flip with how long it took. */
export function switchedText(
  from: string,
  to: string,
  o: { rep: { results: { step: { phase: string; describe: string }; durationMs: number }[] }; ms: number },
): string {
  return [
    `switched over: ${from} → ${to} in ${(o.ms / 1000).toFixed(1)} s`,
    ...o.rep.results
      .filter((x) => x.step.phase !== 'restore')
      .map((x) => `  ${String(Math.round(x.durationMs)).padStart(6)} ms  ${x.step.describe}`),
  ].join('\n');
}
