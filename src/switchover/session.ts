// What switchover and rolling-restart share: one session of connections (SSH, Redis per service, HAProxy
// socket) with the facts and the passed pre-flight, and one way to run a plan on it — lock on the master, audit,
// progress, Ctrl-C, and the rescue when it fails.
import { secretValues } from '../inventory/secrets.js';
import type { Ctx } from '../context.js';
import { FalkorError, refusal } from '../errors.js';
import type { Inventory } from '../inventory/index.js';
import { openInventory, secretsFor } from '../inventory/open.js';
import type { Secrets } from '../inventory/secrets.js';
import { redisFactoryFor, type RedisFactory } from '../redis/client.js';
import { dbHosts } from '../inventory/topology.js';
import { sshTransportFor } from '../remote/ssh.js';
import type { Transport } from '../remote/transport.js';
import { execute, type CustomFn, type ProbeFn } from '../core/execute.js';
import { runLocked } from '../core/locked.js';
import { describeHolder, readLock } from '../core/lock.js';
import type { ExecuteReport, Plan } from '../core/types.js';
import { maskSecrets, maskValue } from '../core/mask.js';
import { gatherSwitchoverFacts, settingsOf, WRITE_BACKEND } from './facts.js';
import { call, createConns, customs, probes, type Conns } from './live.js';
import { FENCE_REPLICAS, SWITCHOVER_PHASES, timing, type Timing } from './plan.js';
import { preflight, type Preflight, type SwitchoverSettings } from './preflight.js';
import { rescue, type RescueReport } from './rescue.js';

export interface Session {
  inv: Inventory;
  secrets: Secrets;
  mask: (t: string) => string;
  /** The same for a --json value, walked (see core/mask.ts). */
  maskValue: <T>(v: T) => T;
  transport: Transport;
  factory: RedisFactory;
  conns: Conns;
  settings: SwitchoverSettings;
  pre: Preflight;
  /** min-replicas-to-write on the master before any fence. */
  minReplicas: number;
  timing: Timing;
  close(): Promise<void>;
}

const commandOf = (argv: readonly string[]) =>
  argv.includes('rolling-restart') ? 'rolling-restart' : argv.includes('config') ? 'config update' : 'switchover';

export async function openSession(ctx: Ctx, opts: Record<string, unknown>, to?: string): Promise<Session> {
  const loaded = await openInventory(ctx);
  const inv = loaded.inventory;
  const secrets = await secretsFor(ctx, loaded);
  const values = secretValues(secrets);
  const settings = settingsOf(inv, to);
  const transport = sshTransportFor(inv, ctx, opts);
  const factory = redisFactoryFor(inv, ctx, opts);
  const conns = createConns(inv, factory, secrets);
  const close = async () => {
    await conns.close();
    await Promise.all([factory.close(), transport.close()]);
  };
  try {
    const { facts, minReplicas } = await gatherSwitchoverFacts(inv, factory, conns, secrets);
    // Another run holds the cluster: say so first, not what its work looks like from outside (a replica
    // resyncing mid-restart would read as a failed pre-flight).
    // The lock is on the master the holder started from; with no master answering (the holder may be
    // restarting it: the old master's restart at the end of a rolling-restart), look on every database host.
    const master = facts.nodes.find((n) => n.up && n.replication?.role === 'master')?.host;
    let held: Awaited<ReturnType<typeof readLock>>;
    let lockHost: string | undefined;
    for (const h of master ? [master] : dbHosts(inv).map((x) => x.name)) {
      // a host that cannot be reached is already a pre-flight refusal (from its INFO)
      held = await readLock({ transport, host: h, cluster: inv.cluster }).catch((e: unknown) => {
        if (master) throw e;
        return undefined;
      });
      lockHost = h;
      if (held) break;
    }
    if (held)
      throw refusal(
        `cluster ${inv.cluster} is locked by ${describeHolder(held)} on ${lockHost}`,
        held.stale
          ? `make sure that run is gone, then remove the lock (falkorctl deploy --force-unlock ${inv.cluster})`
          : 'wait for it to finish',
      );
    const pf = preflight(facts, settings);
    if (!pf.ok)
      throw refusal(
        `${commandOf(ctx.argv)} refused; nothing was changed:\n` + pf.reasons.map((r) => `  - ${r}`).join('\n'),
        'fix these (falkorctl status shows the cluster), then run it again',
      );
    const pre = pf.value;
    const orig = minReplicas[pre.master.host] ?? inv.redis.minReplicasToWrite;
    if (orig >= FENCE_REPLICAS)
      throw refusal(
        `${pre.master.host} has min-replicas-to-write ${orig}: the fence of an earlier switchover is still set`,
        `set it back (CONFIG SET min-replicas-to-write ${inv.redis.minReplicasToWrite}) once the cluster is healthy`,
      );
    return {
      inv,
      secrets,
      mask: (t) => maskSecrets(t, values),
      maskValue: (v) => maskValue(v, values),
      transport,
      factory,
      conns,
      settings,
      pre,
      minReplicas: orig,
      timing: timing(settings.downAfterMs),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export interface RunOutcome {
  rep: ExecuteReport;
  rescue?: RescueReport;
  ms: number;
}

/** Whether a step of a switchover phase (nested or not) ran, even partly. */
export const switchoverRan = (rep: ExecuteReport): boolean =>
  rep.results.some((r) => r.outcome !== 'not-done' && SWITCHOVER_PHASES.includes(r.step.phase.split(':').pop()!));

/** Lock, audit, progress, Ctrl-C; the rescue when a step failed or the run was interrupted. */
export async function runSession(
  ctx: Ctx,
  s: Session,
  plan: Plan,
  extraProbes: Record<string, ProbeFn> = {},
  extraCustom: Record<string, CustomFn> = {},
): Promise<RunOutcome> {
  const t0 = ctx.clock.now();
  const lock = { transport: s.transport, host: s.pre.master.host, cluster: s.inv.cluster, mask: s.mask };
  return runLocked(ctx, lock, async ({ env, progress }) => {
    const rep = await execute(plan, {
      ...env,
      forks: 1,
      probes: { ...probes(s.inv, s.conns, s.transport), ...extraProbes },
      custom: { ...customs(s.inv, s.factory), ...extraCustom },
      redis: async (host, service, _port, args) => call(s.conns, host, service, args),
    });
    let saved: RescueReport | undefined;
    // the rescue repairs what a switchover changes (pause, fence, priorities, HAProxy); a run that failed
    // before any switchover step ran (a replica's restart) changed none of it, and its CONFIG REWRITEs
    // would rewrite the files of nodes the run never touched
    if ((rep.failure || rep.interrupted) && switchoverRan(rep)) {
      progress.update(s.pre.master.host, 'rescue: unpause, fence, HAProxy from the live roles');
      saved = await rescue({
        inv: s.inv,
        conns: s.conns,
        factory: s.factory,
        pre: s.pre,
        minReplicas: s.minReplicas,
        writeBackend: WRITE_BACKEND,
        clock: ctx.clock,
        demoteMs: s.timing.demoteMs,
      });
    }
    return { rep, ...(saved ? { rescue: saved } : {}), ms: ctx.clock.now() - t0 };
  });
}

/** Per-step results as data, details masked. */
export const stepsJson = (s: Session, rep: ExecuteReport) =>
  rep.results.map((x) => ({
    id: x.step.id,
    outcome: x.outcome,
    ms: Math.round(x.durationMs),
    ...(x.detail ? { detail: s.mask(x.detail) } : {}),
  }));

/** The error a failed or interrupted run ends with: what failed, what the rescue did, what is true now. */
export function failedRun(command: string, s: Session, o: RunOutcome): FalkorError {
  const r = o.rep;
  const sv = o.rescue;
  const lines = [
    r.interrupted
      ? `${command} interrupted: the running step finished, nothing new was started`
      : `${command} stopped: ${r.failure!.host}: ${r.failure!.what} failed\n  ${r.failure!.message}`,
    // what a failed step's undo did (config update's rollback: the previous file, restarted, verified)
    ...r.results
      .filter((x) => x.outcome === 'undone')
      .map((x) => `undone on ${x.step.host}: ${x.step.describe}${x.undone ? `\n  ${x.undone}` : ''}`),
    ...(sv
      ? [
          'rescue:',
          ...sv.actions.map((a) => `  ${a}`),
          `master now (a majority of Sentinels): ${sv.master ?? 'none agreed'}`,
          ...sv.nodes.map((n) => `  ${n.host}: ${n.state}`),
          ...sv.unresolved.map((u) => `UNRESOLVED: ${u}`),
        ]
      : []),
  ];
  return new FalkorError('FAILED', s.mask(lines.join('\n')), {
    hint: sv?.unresolved.length
      ? 'check the cluster with falkorctl status before anything else'
      : `falkorctl status shows the cluster; run ${command} again once it is healthy`,
  });
}
