// `falkorctl switchover [--to HOST] [--yes] [--dry-run] [--json]`: hand the master role to a replica with no
// acknowledged write lost. Facts (read-only) → pre-flight (every reason to refuse at once) → pure plan →
// confirm → cluster lock → execute (pause, offsets equal, fence, SENTINEL FAILOVER, HAProxy flip, confirm,
// restore) → on failure or Ctrl-C a rescue from what is true now (unpause, fence lifted only when safe, HAProxy
// pointed at the master the Sentinels name).
// Exit: 0 switched; 1 a step failed (the rescue ran; its report says what is true now); 2 bad input;
// 3 refused (pre-flight, not confirmed, locked).
import type { Handler } from '../context.js';
import { EXIT, FalkorError, refusal } from '../errors.js';
import { formatDiagnostic, loadInventory, resolveSecrets } from '../inventory/index.js';
import { redisFactoryFor } from '../redis/client.js';
import { sshTransportFor } from '../remote/ssh.js';
import { createAudit } from '../core/audit.js';
import { execute } from '../core/execute.js';
import { withLock } from '../core/lock.js';
import { commandLine, operatorId } from '../core/operator.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import type { ExecuteReport } from '../core/types.js';
import { maskSecrets } from '../deploy/present.js';
import { gatherSwitchoverFacts, settingsOf, WRITE_BACKEND } from '../switchover/facts.js';
import { call, createConns, customs, probes } from '../switchover/live.js';
import { FENCE_REPLICAS, planSwitchover, timing } from '../switchover/plan.js';
import { preflight } from '../switchover/preflight.js';
import { rescue, type RescueReport } from '../switchover/rescue.js';

export const run: Handler = async ({ opts }, ctx) => {
  const loaded = await loadInventory(ctx.opts.inventory, ctx.cwd);
  for (const w of loaded.warnings) ctx.out.warn(formatDiagnostic(w));
  const inv = loaded.inventory;
  const secrets = await resolveSecrets(loaded, { env: ctx.env, prompt: ctx.prompt, cwd: ctx.cwd });
  const secretValues = [secrets.password, secrets.sentinelPassword ?? '', ...Object.values(secrets.users)].filter(
    Boolean,
  );
  const mask = (t: string) => maskSecrets(t, secretValues);
  const to = typeof opts.to === 'string' ? opts.to : undefined;
  const settings = settingsOf(inv, to);

  const transport = sshTransportFor(inv, ctx, opts);
  const factory = redisFactoryFor(inv, ctx, opts);
  const conns = createConns(inv, factory, secrets);
  try {
    const { facts, minReplicas } = await gatherSwitchoverFacts(inv, factory, conns, secrets);
    const pf = preflight(facts, settings);
    if (!pf.ok)
      throw refusal(
        `switchover refused; nothing was changed:\n${pf.reasons.map((r) => `  - ${r}`).join('\n')}`,
        'fix these (falkorctl status shows the cluster), then run switchover again',
      );
    const pre = pf.value;
    const orig = minReplicas[pre.master.host] ?? inv.redis.minReplicasToWrite;
    if (orig >= FENCE_REPLICAS)
      throw refusal(
        `${pre.master.host} has min-replicas-to-write ${orig}: the fence of an earlier switchover is still set`,
        `set it back (CONFIG SET min-replicas-to-write ${inv.redis.minReplicasToWrite}) once the cluster is healthy`,
      );
    const t = timing(settings.downAfterMs);
    const plan = planSwitchover(pre, settings, { minReplicas: orig }, t);
    const header = `switchover plan for cluster ${inv.cluster}: ${pre.master.host} → ${pre.candidate.host}`;
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
      `hand the master role from ${pre.master.host} to ${pre.candidate.host} (writes pause for up to ${t.pauseMs} ms)?`,
    );
    if (!ok) throw refusal(`not confirmed: switchover ${pre.master.host} → ${pre.candidate.host}; nothing was changed`);

    const audit = createAudit({ cluster: inv.cluster, argv: ctx.argv, env: ctx.env, clock: ctx.clock, mask });
    const progress = ctx.progress(mask);
    const abort = new AbortController();
    const onSignal = () => abort.abort(new Error('interrupted'));
    const t0 = ctx.clock.now();
    let rep: ExecuteReport | undefined;
    let saved: RescueReport | undefined;
    await withLock(
      {
        transport,
        host: pre.master.host,
        cluster: inv.cluster,
        owner: operatorId(ctx.env),
        command: commandLine(['falkorctl', ...ctx.argv]),
        clock: ctx.clock,
      },
      async () => {
        process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
        try {
          rep = await execute(plan, {
            transport,
            forks: 1,
            progress,
            audit: (r) => audit.record(r),
            signal: abort.signal,
            clock: ctx.clock,
            probes: probes(inv, conns),
            custom: customs(inv, factory),
            redis: async (host, service, _port, args) => call(conns, host, service, args),
          });
          if (rep.failure || rep.interrupted) {
            progress.update(pre.master.host, 'rescue: unpause, fence, HAProxy from the live roles');
            saved = await rescue({
              inv,
              conns,
              factory,
              pre,
              minReplicas: orig,
              writeBackend: WRITE_BACKEND,
              clock: ctx.clock,
              demoteMs: t.demoteMs,
            });
          }
        } finally {
          process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
          progress.stop();
          const w = await audit.shipTo(transport, pre.master.host);
          if (w) ctx.out.warn(w);
        }
      },
    );
    const r = rep!;
    const took = ctx.clock.now() - t0;
    const steps = r.results.map((x) => ({
      id: x.step.id,
      outcome: x.outcome,
      ms: Math.round(x.durationMs),
      ...(x.detail ? { detail: mask(x.detail) } : {}),
    }));
    const json = {
      from: pre.master.host,
      to: pre.candidate.host,
      ok: !r.failure && !r.interrupted,
      ms: Math.round(took),
      steps,
      failure: r.failure ?? null,
      rescue: saved ?? null,
    };
    if (r.failure || r.interrupted) {
      if (ctx.opts.json) ctx.out.result(JSON.parse(mask(JSON.stringify(json))));
      const s = saved!;
      const lines = [
        r.interrupted
          ? 'switchover interrupted'
          : `switchover stopped: ${r.failure!.host}: ${r.failure!.what} failed\n  ${r.failure!.message}`,
        'rescue:',
        ...s.actions.map((a) => `  ${a}`),
        `master now (a majority of Sentinels): ${s.master ?? 'none agreed'}`,
        ...s.nodes.map((n) => `  ${n.host}: ${n.state}`),
        ...s.unresolved.map((u) => `UNRESOLVED: ${u}`),
      ];
      throw new FalkorError('FAILED', mask(lines.join('\n')), {
        hint: s.unresolved.length
          ? 'check the cluster with falkorctl status before anything else'
          : 'falkorctl status shows the cluster; run switchover again once it is healthy',
      });
    }
    ctx.out.result(json, () =>
      [
        `switched over: ${pre.master.host} → ${pre.candidate.host} in ${(took / 1000).toFixed(1)} s`,
        ...r.results
          .filter((x) => x.step.phase !== 'restore')
          .map((x) => `  ${String(Math.round(x.durationMs)).padStart(6)} ms  ${x.step.describe}`),
      ].join('\n'),
    );
    return EXIT.OK;
  } finally {
    await conns.close();
    await Promise.all([factory.close(), transport.close()]);
  }
};
