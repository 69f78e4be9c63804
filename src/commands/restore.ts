// `falkorctl restore BACKUP [--confirm CLUSTER] [--yes] [--dry-run] [--json]`: replace every node's data with a
// backup (an id from `backup list`). Everything that can refuse is checked before anything is stopped (sha256,
// check results, versions, the master); then the plan; then the cluster name typed (non-interactive:
// --yes --confirm CLUSTER); then the plan runs under the cluster lock, audited.
// Exit: 0 restored and verified; 1 a step failed (where it stopped is reported; re-run the same command);
// 2 bad input or confirmation missing in a non-interactive run; 3 refused before anything was stopped.
import type { Ctx, Handler } from '../context.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { discoverTopology } from '../facts/topology.js';
import { execute } from '../core/execute.js';
import { runLocked } from '../core/locked.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import type { Plan } from '../core/types.js';
import { createConns, customs, probes } from '../switchover/live.js';
import { call } from '../switchover/live.js';
import { listBackups } from '../backup/list.js';
import { restoreCustoms, restorePreflight, restoreProbes } from '../backup/restore-live.js';
import { pausedQuorum, planRestore, type RestoreInput } from '../backup/restore-plan.js';
import { openBackupSession } from '../backup/session.js';

/** Typed confirmation of the cluster name: at a terminal asked for; otherwise --yes --confirm NAME or exit 2. */
async function confirmCluster(ctx: Ctx, cluster: string, id: string, given: unknown): Promise<void> {
  if (given !== undefined || !ctx.prompt.interactive) {
    if (!ctx.opts.yes || typeof given !== 'string')
      throw userError(
        `restore replaces the data of every node of cluster ${cluster}; nothing was changed`,
        `without a terminal, confirm with --yes --confirm ${cluster}`,
      );
    if (given !== cluster) throw userError(`--confirm ${given}: the cluster is named ${cluster}; nothing was changed`);
    return;
  }
  const typed = await ctx.prompt.input(`type the cluster name (${cluster}) to replace all its data with ${id}`);
  if (typed.trim() !== cluster) throw refusal(`restore not confirmed (typed "${typed}"); nothing was changed`);
}

function stoppedAt(plan: Plan, i: RestoreInput, rep: Awaited<ReturnType<typeof execute>>): string[] {
  const doneIds = new Set(
    rep.results.filter((r) => r.outcome === 'changed' || r.outcome === 'unchanged').map((r) => r.step.id),
  );
  const paused = i.sentinels.some((s) => doneIds.has(`${s}:pause-failover`));
  const resumed = i.sentinels.every((s) => doneIds.has(`${s}:resume-failover`));
  const stopped = plan.steps.some((s) => s.id.endsWith(':stop') && doneIds.has(s.id));
  return [
    ...(paused && !resumed
      ? [
          `Sentinel failover is still paused (quorum ${pausedQuorum(i.sentinels.length)}) so nothing is promoted onto ` +
            `a half-restored cluster; the same restore command, run again, finishes it and sets quorum ${i.quorum}`,
        ]
      : []),
    stopped ? 'nodes were stopped: run the same restore again to continue' : 'no node was stopped',
  ];
}

export const run: Handler = async ({ operands, opts }, ctx) => {
  const id = operands[0];
  if (!id) throw userError('restore needs a backup id (falkorctl backup list shows them)');
  const s = await openBackupSession(ctx, opts);
  const conns = createConns(s.inv, s.factory, s.secrets);
  try {
    const { inv } = s;
    const listing = await listBackups(inv, s.transport);
    const b = listing.backups.find((x) => x.manifest.id === id);
    if (!b)
      throw userError(
        `no backup ${id} on the database hosts${listing.problems.length ? ` (unreadable: ${listing.problems.join('; ')})` : ''}`,
        'falkorctl backup list shows the ids',
      );
    const topo = await discoverTopology(inv, s.factory, s.secrets);
    const pf = await restorePreflight(inv, s.transport, conns, topo, b);
    if (!pf.ok)
      throw refusal(
        `restore of ${id} refused; nothing was stopped:\n${pf.reasons.map((r) => `  - ${r}`).join('\n')}`,
        'falkorctl backup list shows the other backups',
      );
    for (const n of pf.notes) ctx.out.warn(n);
    const plan = planRestore(pf.input);
    const header = `restore plan for cluster ${inv.cluster}: backup ${id} onto ${pf.input.master.host} (the master)`;
    if (ctx.opts.dryRun) {
      ctx.out.result(
        { dryRun: true, backup: id, steps: plan.steps.map(coreStepJson), notes: plan.notes },
        () => `${corePlanText(plan, header)}\n(dry run: nothing was changed)`,
      );
      return EXIT.OK;
    }
    if (!ctx.opts.json) ctx.out.info(corePlanText(plan, header));
    await confirmCluster(ctx, inv.cluster, id, opts.confirm);

    const t0 = ctx.clock.now();
    const master = pf.input.master.host;
    const rep = await runLocked(
      ctx,
      { transport: s.transport, host: master, cluster: inv.cluster, mask: s.mask },
      (r) =>
        execute(plan, {
          ...r.env,
          forks: Number(opts.forks ?? 10),
          probes: { ...probes(inv, conns, s.transport), ...restoreProbes(inv, conns, s.factory) },
          custom: { ...customs(inv, s.factory), ...restoreCustoms(inv, s.transport) },
          redis: async (host, service, _port, args) => call(conns, host, service, args),
        }),
    );
    const ok = !rep.failure && !rep.interrupted;
    const json = {
      ok,
      backup: id,
      master,
      ms: Math.round(ctx.clock.now() - t0),
      steps: rep.results.map((r) => ({
        id: r.step.id,
        outcome: r.outcome,
        ...(r.detail ? { detail: s.mask(r.detail) } : {}),
      })),
      verified: rep.verified,
      failure: rep.failure ?? null,
    };
    if (!ok) {
      if (ctx.opts.json) ctx.out.result(json);
      const where = rep.interrupted
        ? 'restore interrupted: the running step finished, nothing new was started'
        : `restore stopped: ${rep.failure!.host}: ${rep.failure!.what} failed\n  ${rep.failure!.message}`;
      throw new FalkorError('FAILED', s.mask([where, ...stoppedAt(plan, pf.input, rep)].join('\n')), {
        hint: `re-run: falkorctl restore ${id} --yes --confirm ${inv.cluster}`,
      });
    }
    ctx.out.result(json, () =>
      [
        `restored ${id} onto ${master} in ${(json.ms / 1000).toFixed(1)} s; replicas resynced, graphs verified on every node`,
        ...rep.verified.map((v) => `  ok  ${v}`),
      ].join('\n'),
    );
    return EXIT.OK;
  } finally {
    await conns.close();
    await s.close();
  }
};
