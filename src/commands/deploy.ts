// `falkorctl deploy [--limit …] [--diff] [-n] [-y]`: facts (every host asked first, read-only) → live
// master → render → pure plan → preview or confirm → apply with checks after each phase.
// Exit: 0 deployed (or nothing to change); 1 a step or check failed, or (--diff) something would change;
// 2 bad inventory/flags; 3 refused (a destructive step not confirmed, Sentinels disagreeing).
import { resolve } from 'node:path';
import type { Handler } from '../context.js';
import { maskValue } from '../core/mask.js';
import { EXIT, FalkorError, refusal } from '../errors.js';
import { openInventory, secretsFor } from '../inventory/open.js';
import { redisFactoryFor } from '../redis/client.js';
import { selectHosts } from '../remote/select.js';
import { sshTransportFor } from '../remote/ssh.js';
import { applyPlan } from '../deploy/apply.js';
import { runCheck } from '../deploy/checks.js';
import { connectAll } from '../deploy/facts.js';
import { redisCommand } from '../deploy/sentinel-facts.js';
import { checkBinarySources, computePlan } from '../deploy/compute.js';
import {
  diffText,
  failureText,
  hostsDone,
  interruptedText,
  maskSecrets,
  planText,
  reportText,
  stepJson,
} from '../deploy/present.js';
import { createAudit } from '../core/audit.js';
import { describeHolder, forceUnlock, withLock } from '../core/lock.js';
import { commandLine, operatorId } from '../core/operator.js';
import { hostExec } from '../monitoring/probe.js';

export const run: Handler = async ({ opts }, ctx) => {
  const loaded = await openInventory(ctx);
  const secrets = await secretsFor(ctx, loaded);
  const hosts = selectHosts(loaded.inventory, opts.limit as string[] | undefined);
  const forks = typeof opts.forks === 'number' ? opts.forks : 10;
  const binaries = await checkBinarySources(loaded.inventory, resolve(ctx.cwd, loaded.file, '..'));
  const transport = sshTransportFor(loaded.inventory, ctx, opts);
  const factory = redisFactoryFor(loaded.inventory, ctx, opts);
  try {
    // Every selected host first: an unreachable one, a refused key or a failed login stops the run here.
    await connectAll(hosts, transport, forks);
    const { inv, live, files, facts, plan, secretValues } = await computePlan({
      loaded,
      secrets,
      hosts,
      transport,
      factory,
      forks,
      readAll: Boolean(opts.diff),
      binaries,
      color: ctx.out.color.level > 0,
    });
    const header = `deploy plan for cluster ${inv.cluster} (master: ${live.host})`;

    if (opts.diff) {
      const text = diffText(plan, files, facts, secretValues);
      const others = plan.steps.filter((s) => s.action.kind !== 'upload').map((s) => `  ${s.host}: ${s.describe}`);
      const human = [
        ...plan.notes.map((n) => `note: ${n}`),
        text,
        ...(others.length ? ['other steps deploy would take:', ...others] : []),
      ].filter(Boolean);
      ctx.out.result(
        {
          master: live.host,
          notes: plan.notes,
          changed: plan.steps.length > 0,
          steps: plan.steps.map(stepJson),
          diff: text,
        },
        () =>
          plan.steps.length
            ? human.join('\n')
            : [...human, 'no differences: the hosts have what the inventory renders'].join('\n'),
      );
      return plan.steps.length ? EXIT.FAILED : EXIT.OK;
    }
    if (ctx.opts.dryRun) {
      ctx.out.result(
        { dryRun: true, master: live.host, notes: plan.notes, steps: plan.steps.map(stepJson), checks: plan.checks },
        () => `${planText(plan, header)}\n(dry run: nothing was changed)`,
      );
      return EXIT.OK;
    }
    if (!ctx.opts.json) ctx.out.info(planText(plan, header));
    const destructive = plan.steps.filter((s) => s.destructive);
    if (destructive.length) {
      const what = destructive.map((s) => `${s.host}: ${s.describe}`).join('; ');
      const ok = await ctx.prompt.confirm(
        `deploy would ${what}. Proceed?`,
        '--yes (or leave the master as it is and restart it later with a rolling restart)',
      );
      if (!ok) throw refusal(`not confirmed: ${what}; nothing was changed`);
    }
    // One mutating run per cluster: the lock is taken after confirmation (a prompt left open must not block
    // the others) and lives on the master this run plans around.
    const mask = (t: string) => maskSecrets(t, secretValues);
    const lockAt = { transport, host: live.host, cluster: inv.cluster };
    if (typeof opts.forceUnlock === 'string') {
      const was = await forceUnlock({ ...lockAt, typed: opts.forceUnlock });
      if (was) ctx.out.warn(`removed the cluster lock held by ${describeHolder(was)}`);
    }
    const audit = createAudit({ cluster: inv.cluster, argv: ctx.argv, env: ctx.env, clock: ctx.clock, mask });
    const progress = ctx.progress(mask);
    const abort = new AbortController();
    const onSignal = () => abort.abort(new Error('interrupted'));
    const rep = await withLock(
      { ...lockAt, owner: operatorId(ctx.env), command: commandLine(['falkorctl', ...ctx.argv]), clock: ctx.clock },
      async () => {
        process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
        try {
          return await applyPlan(plan, {
            transport,
            files,
            forks,
            progress,
            audit: (r) => audit.record(r),
            signal: abort.signal,
            runCheck: (c) => runCheck({ inv, factory, secrets, clock: ctx.clock, exec: hostExec(transport) }, c),
            redis: redisCommand(inv, factory, secrets),
          });
        } finally {
          process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
          progress.stop();
          const w = await audit.shipTo(transport, live.host);
          if (w) ctx.out.warn(w);
        }
      },
    );
    if (rep.interrupted && !rep.failure)
      throw new FalkorError('FAILED', mask(interruptedText(rep, plan)), {
        hint: 're-run deploy: it plans from what the hosts have now and continues where this run stopped',
      });
    for (const w of rep.warnings) ctx.out.warn(w);
    const json = {
      master: live.host,
      notes: plan.notes,
      changed: rep.changed.map(stepJson),
      verified: rep.verified,
      warnings: rep.warnings,
      hostsDone: hostsDone(plan, rep),
      failure: rep.failure ?? null,
      notDone: rep.notDone.map(stepJson),
    };
    if (rep.failure) {
      if (ctx.opts.json) ctx.out.result(maskValue(json, secretValues));
      // a failing command's stderr could quote a config line: mask before it reaches the terminal
      throw new FalkorError(
        rep.failure.what.startsWith('verify') ? 'FAILED' : 'REMOTE',
        maskSecrets(failureText(rep, plan), secretValues),
      );
    }
    ctx.out.result(json, () => reportText(rep));
    return EXIT.OK;
  } finally {
    await Promise.all([factory.close(), transport.close()]);
  }
};
