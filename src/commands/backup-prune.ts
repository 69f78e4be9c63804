// `falkorctl backup prune [--dry-run] [--yes] [--json]`: remove the backups the retention policy
// (backup.retention) does not keep, on every database host. Facts (read-only) → pure plan → the plan shown
// (kept and removed, each with why) → confirmation (non-interactive: --yes) → cluster lock → execute, audited.
// Exit: 0 pruned (or nothing to prune); 1 a removal failed; 3 refused (a host unreadable, not confirmed, locked).
import type { Ctx } from '../context.js';
import { EXIT, FalkorError, refusal } from '../errors.js';
import { execute } from '../core/execute.js';
import { runLocked } from '../core/locked.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import { gatherPruneFacts, orphanGraceMs, prunePlan } from '../backup/prune.js';
import { planRetention, type Decision } from '../backup/retention.js';
import type { BackupSession } from '../backup/session.js';
import { lockHost } from '../facts/topology.js';

const row = (d: Decision) => `  ${d.keep ? 'keep  ' : 'remove'} ${d.on.padEnd(8)} ${d.id}  ${d.why.join('; ')}`;
const json = (d: Decision) => ({
  id: d.id,
  host: d.on,
  kind: d.kind,
  at: d.at,
  verified: d.verified,
  keep: d.keep,
  why: d.why,
  files: d.files,
});

export async function prune(ctx: Ctx, s: BackupSession, opts: Record<string, unknown>): Promise<number> {
  const { inv } = s;
  const forks = Number(opts.forks ?? 10);
  const facts = await gatherPruneFacts(inv, s.transport, forks);
  if (facts.problems.length)
    throw refusal(
      `backup prune refused; nothing was removed (a host not read may hold the newest verified backup):\n` +
        facts.problems.map((p) => `  - ${p}`).join('\n'),
    );
  for (const w of facts.warnings) ctx.out.warn(w);
  const r = planRetention({
    ...facts,
    retention: inv.backup.retention,
    nowMs: ctx.clock.now(),
    orphanGraceMs: orphanGraceMs(inv),
  });
  const plan = prunePlan(inv, r.prune, r.notes);
  const { hourly, daily, weekly } = inv.backup.retention;
  const header =
    `backup prune for cluster ${inv.cluster} (keep: newest verified of the last ${hourly} hours, ` +
    `${daily} days, ${weekly} ISO weeks, UTC): ${r.keep.length} kept, ${r.prune.length} to remove`;
  const listing = () => [header, ...r.decisions.map(row)].join('\n');
  const base = { kept: r.keep.map(json), pruned: r.prune.map(json), notes: r.notes, warnings: facts.warnings };
  if (ctx.opts.dryRun || !plan.steps.length) {
    ctx.out.result({ ok: true, dryRun: ctx.opts.dryRun, ...base, steps: plan.steps.map(coreStepJson) }, () =>
      [
        listing(),
        ...r.notes.map((n) => `note: ${n}`),
        plan.steps.length ? '(dry run: nothing was removed)' : 'nothing to remove',
      ].join('\n'),
    );
    return EXIT.OK;
  }
  if (!ctx.opts.json) ctx.out.info(`${listing()}\n\n${corePlanText(plan, 'steps:')}`);
  const hosts = [...new Set(r.prune.map((d) => d.on))];
  if (!(await ctx.prompt.confirm(`remove ${r.prune.length} backup file set(s) on ${hosts.join(', ')}?`)))
    throw refusal('not confirmed: backup prune; nothing was removed');

  const rep = await runLocked(
    ctx,
    { transport: s.transport, host: await lockHost(inv, s.factory, s.secrets), cluster: inv.cluster, mask: s.mask },
    (r) => execute(plan, { ...r.env, forks }),
  );
  const removed = new Set(rep.results.filter((x) => x.outcome === 'changed').map((x) => x.step.id));
  const ok = !rep.failure && !rep.interrupted;
  const out = {
    ok,
    ...base,
    steps: rep.results.map((x) => ({ id: x.step.id, outcome: x.outcome, ...(x.detail ? { detail: x.detail } : {}) })),
    failure: rep.failure ?? null,
  };
  if (!ok) {
    if (ctx.opts.json) ctx.out.result(out);
    throw new FalkorError(
      'FAILED',
      rep.interrupted
        ? `backup prune interrupted after ${removed.size} of ${plan.steps.length} removals`
        : `backup prune: ${rep.failure!.host}: ${rep.failure!.what} failed: ${rep.failure!.message}`,
      { hint: 're-run falkorctl backup prune: it plans from what is on the hosts now' },
    );
  }
  ctx.out.result(out, () => `removed ${removed.size} backup file set(s); ${r.keep.length} kept`);
  return EXIT.OK;
}
