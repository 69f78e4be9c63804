// `falkorctl rolling-restart [--limit …] [--switch-back] [--yes] [--dry-run] [--json]`: restart every FalkorDB
// node with the cluster serving writes throughout: replicas one at a time, each verified ready before the next;
// the master handed to the candidate by a switchover (no acknowledged write lost), then restarted as a
// replica; with --switch-back the master role goes back at the end. Never a fixed sleep: every wait polls.
// Exit: 0 done; 1 a step failed (the rest untouched; after a switchover step, the rescue ran); 2 bad input;
// 3 refused (pre-flight, not confirmed, locked).
import type { Handler } from '../context.js';
import { EXIT, refusal } from '../errors.js';
import { dbHosts } from '../inventory/topology.js';
import { selectHosts } from '../remote/select.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import { field, parseInfo } from '../redis/info.js';
import { planRollingRestart } from '../rolling/plan.js';
import { call } from '../switchover/live.js';
import { failedRun, openSession, runSession, stepsJson, type Session } from '../switchover/session.js';

/** sync_full per database node (full resyncs it served as a master), to report how many the run caused. */
async function fullSyncs(s: Session): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const h of dbHosts(s.inv))
    try {
      out[h.name] = Number(
        field(parseInfo(String(await call(s.conns, h.name, 'node', ['INFO', 'stats']))), 'sync_full'),
      );
    } catch {
      out[h.name] = NaN;
    }
  return out;
}

export const run: Handler = async ({ opts }, ctx) => {
  const s = await openSession(ctx, opts);
  try {
    const limit = opts.limit as string[] | undefined;
    const hosts = limit ? selectHosts(s.inv, limit).map((h) => h.name) : undefined;
    const plan = planRollingRestart(s.pre, s.settings, { minReplicas: s.minReplicas }, s.timing, {
      ...(hosts ? { hosts } : {}),
      switchBack: Boolean(opts.switchBack),
      maxLagBytes: s.inv.monitoring.replicationLagBytes,
      readyMs: 10 * 60_000,
      // the RDB written at shutdown carries the replication offset; --full-resync restarts from the AOF as is
      keepOffset: s.inv.redis.persistence === 'hybrid' && s.inv.redis.save.length > 0 && !opts.fullResync,
    });
    const header = `rolling-restart plan for cluster ${s.inv.cluster} (master: ${s.pre.master.host})`;
    if (ctx.opts.dryRun) {
      ctx.out.result(
        { dryRun: true, master: s.pre.master.host, notes: plan.notes, steps: plan.steps.map(coreStepJson) },
        () => `${corePlanText(plan, header)}\n(dry run: nothing was changed)`,
      );
      return EXIT.OK;
    }
    if (!plan.steps.length) {
      ctx.out.result({ master: s.pre.master.host, steps: [] }, () => 'nothing to restart: --limit selects no node');
      return EXIT.OK;
    }
    if (!ctx.opts.json) ctx.out.info(corePlanText(plan, header));
    const restarts = plan.steps.filter((x) => x.id.endsWith(':restart')).map((x) => x.host);
    if (plan.steps.some((x) => x.id.endsWith(':aof-off')) && !ctx.opts.json)
      ctx.out.info('replicas restart from the RDB written at shutdown (partial resync); their AOF is rebuilt after');
    const ok = await ctx.prompt.confirm(`restart ${restarts.join(', ')} one at a time (the master by a switchover)?`);
    if (!ok) throw refusal('not confirmed: rolling-restart; nothing was changed');

    const before = await fullSyncs(s);
    const o = await runSession(ctx, s, plan);
    const after = await fullSyncs(s);
    const full = Object.keys(after).reduce((n, h) => n + Math.max(0, (after[h] ?? 0) - (before[h] ?? 0) || 0), 0);
    const json = {
      master: s.pre.master.host,
      ok: !o.rep.failure && !o.rep.interrupted,
      ms: Math.round(o.ms),
      fullResyncs: full,
      steps: stepsJson(s, o.rep),
      failure: o.rep.failure ?? null,
      rescue: o.rescue ?? null,
    };
    if (!json.ok) {
      if (ctx.opts.json) ctx.out.result(s.maskValue(json));
      throw failedRun('rolling-restart', s, o);
    }
    ctx.out.result(json, () =>
      [
        `restarted ${restarts.join(', ')} in ${(o.ms / 1000).toFixed(1)} s; full resyncs: ${full}`,
        ...o.rep.results
          .filter((x) => x.step.id.endsWith(':restart') || x.step.id.endsWith(':haproxy-flip'))
          .map((x) => `  ${String(Math.round(x.durationMs)).padStart(6)} ms  ${x.step.describe}`),
      ].join('\n'),
    );
    return EXIT.OK;
  } finally {
    await s.close();
  }
};
