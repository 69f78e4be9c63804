// `falkorctl config update [--set NAME=VALUE …] [--limit …] [--restart] [--dry-run] [--yes] [--json]`: the
// inventory's (and --set's) FalkorDB, Redis and Sentinel settings onto the running cluster. Before any node
// is touched: render (against the live roles), lint, classify every difference against the LIVE values, show
// it; then a trial start of the new file on one database host. Then node by node, replicas first and the
// master last: the runtime changes set (CONFIG SET / GRAPH.CONFIG SET), the new file written (the old kept as
// .prev) so a restart keeps them, each node verified before the next. Restart-only changes wait ("pending
// restart") unless --restart: then they go through rolling-restart's plan, a restart that fails rolled back.
// Sentinel settings: SENTINEL SET on every Sentinel. Exit: 0 done or nothing to do; 1 a step failed (the run
// stopped there); 2 bad input (a --set, a lint error, the trial start refused the file); 3 refused.
import { adminUser } from '../inventory/acl.js';
import { secretValues } from '../inventory/secrets.js';
import type { Ctx, Handler } from '../context.js';
import { EXIT, FalkorError, isFalkorError, refusal, userError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, sentinelHosts } from '../inventory/topology.js';
import { selectHosts } from '../remote/select.js';
import { renderAll, type RenderedFile } from '../render/index.js';
import { lintGate } from '../deploy/lint-gate.js';
import { withMaster } from '../deploy/live.js';
import { paths, serviceUser } from '../templates/common.js';
import { falkordbConfPath } from '../templates/falkordb-conf.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import type { CheckSpec } from '../core/types.js';
import { done, notYet } from '../core/wait.js';
import { pairs } from '../redis/replies.js';
import { planRollingRestart } from '../rolling/plan.js';
import { call, probes } from '../switchover/live.js';
import { failedRun, openSession, runSession, stepsJson, type Session } from '../switchover/session.js';
import { desiredOf } from '../config-update/desired.js';
import { configCustoms, configProbes } from '../config-update/live.js';
import { parseSets, withRedisSets, type Sets } from '../config-update/overrides.js';
import { changesText, planConfigUpdate, type ConfigPlan, type NodeState } from '../config-update/plan.js';
import { withRestarts } from '../config-update/restart.js';
import { planSentinels, type SentinelSetting } from '../config-update/sentinel.js';
import { trialStart } from '../config-update/trial.js';
import { haproxyChangesText, haproxyPhase, planHaproxy } from '../config-update/haproxy.js';
import { haproxyCustoms, haproxyPreflight, haproxyProbes, type HaproxyEnv } from '../config-update/haproxy-live.js';
import { HAPROXY_CFG } from '../templates/haproxy.js';
import { WRITE_BACKEND } from '../facts/health.js';

const VERIFY_MS = 60_000;

export const run: Handler = async ({ operands, opts }, ctx) => {
  const [action, ...extra] = operands;
  if (action !== 'update') throw userError(`unknown config action "${action ?? ''}"`, 'use: falkorctl config update');
  if (extra.length) throw userError(`config update: unexpected argument ${extra[0]}`);
  const sets = parseSets((opts.set as string[] | undefined) ?? []);
  const s = await openSession(ctx, opts);
  try {
    return await update(ctx, s, sets, opts);
  } finally {
    await s.close();
  }
};

/** The inventory with `master` as master and --set's FalkorDB parameters on the loadmodule line. */
function desiredInventory(s: Session, sets: Sets, master: string): Inventory {
  const inv = withMaster(s.inv, master);
  const params = { ...inv.falkordb.params, ...Object.fromEntries(sets.module.map(([k, v]) => [k, numeric(v)])) };
  return { ...inv, falkordb: { ...inv.falkordb, params } };
}
const numeric = (v: string) => (/^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : v);

/** Every db host's files rendered, falkordb.conf with the --set directives; linted (an error is exit 2). */
async function renderChecked(ctx: Ctx, s: Session, inv: Inventory, sets: Sets): Promise<RenderedFile[]> {
  const files = renderWithSets(
    s,
    inv,
    sets,
    dbHosts(inv).map((h) => h.name),
  );
  await lint(ctx, s, files);
  return files;
}

async function lint(ctx: Ctx, s: Session, files: RenderedFile[]): Promise<void> {
  try {
    await lintGate(files, secretValues(s.secrets), ctx.out.color.level > 0);
  } catch (e) {
    if (isFalkorError(e) && e.code === 'FAILED')
      throw new FalkorError('USER', e.message.replace('deploy would push', 'config update would write'), {
        hint: 'fix the inventory or the --set value (falkorctl render shows every finding)',
      });
    throw e;
  }
}

function renderWithSets(s: Session, inv: Inventory, sets: Sets, hosts: string[]): RenderedFile[] {
  const conf = falkordbConfPath(inv);
  return renderAll(inv, s.secrets, { hosts })
    .filter((f) => f.host !== 'cluster')
    .map((f) => (f.path === conf ? { ...f, content: withRedisSets(f.content, sets) } : f));
}

async function nodeStates(s: Session, rendered: ReadonlyMap<string, string>, hosts: string[]): Promise<NodeState[]> {
  const inv = s.inv;
  const conf = falkordbConfPath(inv);
  return Promise.all(
    hosts.map(async (host): Promise<NodeState> => {
      const want = desiredOf(rendered.get(host)!, paths(inv).modulePath);
      const names = [...want.redis.keys()];
      const redis = pairs(await call(s.conns, host, 'node', ['CONFIG', 'GET', ...names]));
      const graph = (await call(s.conns, host, 'node', ['GRAPH.CONFIG', 'GET', '*'])) as unknown[];
      const module = Object.fromEntries(
        graph.map((kv) => [String((kv as unknown[])[0]), String((kv as unknown[])[1])]),
      );
      const file = (await s.transport.read(host, conf))?.toString('utf8');
      return {
        host,
        role: host === s.pre.master.host ? 'master' : 'replica',
        port: inv.redis.port,
        redis: Object.fromEntries(Object.entries(redis).map(([k, v]) => [k, String(v)])),
        module,
        ...(file !== undefined ? { file } : {}),
        rendered: rendered.get(host)!,
      };
    }),
  );
}

async function update(ctx: Ctx, s: Session, sets: Sets, opts: Record<string, unknown>): Promise<number> {
  const inv = desiredInventory(s, sets, s.pre.master.host);
  const conf = falkordbConfPath(inv);
  const files = await renderChecked(ctx, s, inv, sets);
  const rendered = new Map(files.filter((f) => f.path === conf).map((f) => [f.host, f.content]));
  const limit = opts.limit as string[] | undefined;
  const chosen = new Set((limit ? selectHosts(s.inv, limit) : s.inv.hosts).map((h) => h.name));
  const db = dbHosts(inv)
    .map((h) => h.name)
    .filter((h) => chosen.has(h));
  const restart = Boolean(opts.restart);
  const masterAddr = `${s.pre.master.address}:${s.pre.master.port}`;
  const planInput = {
    nodes: await nodeStates(s, rendered, db),
    modulePath: paths(inv).modulePath,
    confPath: conf,
    master: s.pre.master.host,
    masterAddr,
    maxLagBytes: inv.monitoring.replicationLagBytes,
    verifyMs: VERIFY_MS,
  };
  const all = planConfigUpdate(planInput);
  const restartHosts = new Set(restart ? all.changes.filter((c) => c.cls === 'restart').map((c) => c.host) : []);
  const cp = restartHosts.size ? planConfigUpdate({ ...planInput, restartHosts }) : all;
  if (cp.refused.length)
    throw refusal(
      `config update does not move a node: ${cp.refused.map((c) => `${c.host} ${c.name} ${c.from} → ${c.to}`).join(', ')}`,
      'ports, addresses and the data directory change with falkorctl deploy',
    );
  const sentinel = await sentinelPlan(s, sets, chosen);
  // HAProxy last, rendered for the master the database steps leave (a --restart of the master switches over)
  const finalMaster = restartHosts.has(s.pre.master.host) ? s.pre.candidate.host : s.pre.master.host;
  const lbFiles = renderAll(desiredInventory(s, sets, finalMaster), s.secrets, {
    hosts: haproxyHosts(s.inv)
      .map((h) => h.name)
      .filter((h) => chosen.has(h)),
  }).filter((f) => f.path === HAPROXY_CFG);
  await lint(ctx, s, lbFiles);
  const lbRendered = new Map(lbFiles.map((f) => [f.host, f.content]));
  const lb = planHaproxy({
    lbs: await Promise.all(
      lbFiles.map(async (f) => {
        const live = (await s.transport.read(f.host, HAPROXY_CFG))?.toString('utf8');
        return { host: f.host, rendered: f.content, ...(live !== undefined ? { live } : {}) };
      }),
    ),
    cfgPath: HAPROXY_CFG,
    writeBackend: WRITE_BACKEND,
    master: finalMaster,
    servers: dbHosts(s.inv).map((h) => h.name),
    verifyMs: VERIFY_MS,
  });
  let plan = cp.plan;
  // the old master restarts as a replica of the candidate: its file for that restart says so
  const c = s.pre.candidate;
  const afterSwitch = restartHosts.has(s.pre.master.host)
    ? renderWithSets(s, desiredInventory(s, sets, c.host), sets, [s.pre.master.host]).find((f) => f.path === conf)
    : undefined;
  if (restartHosts.size) {
    const keepOffset = inv.redis.persistence === 'hybrid' && inv.redis.save.length > 0;
    const rolling = planRollingRestart(s.pre, s.settings, { minReplicas: s.minReplicas }, s.timing, {
      hosts: [...restartHosts],
      switchBack: false,
      maxLagBytes: inv.monitoring.replicationLagBytes,
      readyMs: 10 * 60_000,
      keepOffset,
    });
    const masterOf: Record<string, { master: string; masterAddr: string }> = {};
    for (const h of restartHosts)
      masterOf[h] =
        h === s.pre.master.host
          ? { master: c.host, masterAddr: `${c.address}:${c.port}` }
          : { master: s.pre.master.host, masterAddr };
    const changes = new Map([...restartHosts].map((h) => [h, cp.changes.filter((x) => x.host === h)]));
    plan = withRestarts(plan, rolling, {
      confPath: conf,
      changes,
      masterOf,
      maxLagBytes: inv.monitoring.replicationLagBytes,
      verifyMs: VERIFY_MS,
      keepOffset,
    });
  }
  plan = {
    ...plan,
    phases: [...plan.phases, { name: 'sentinels', parallel: 1 }, haproxyPhase],
    steps: [...plan.steps, ...sentinel.steps, ...lb.steps],
  };
  const pending = !restart ? cp.changes.filter((c) => c.cls === 'restart') : [];
  const diff = [
    changesText(cp, restart),
    ...sentinel.changes.map((c) => `${c.host} (Sentinel): ${c.name} ${c.from} → ${c.to}`),
    haproxyChangesText(lb.changes),
  ]
    .filter(Boolean)
    .join('\n');
  const header = `config update for cluster ${inv.cluster} (master: ${s.pre.master.host})`;
  const json = <T extends Record<string, unknown>>(extra: T) => ({
    master: s.pre.master.host,
    changes: cp.changes,
    fileOnly: cp.fileOnly,
    sentinel: sentinel.changes,
    haproxy: lb.changes,
    pendingRestart: pending.map((c) => `${c.host}:${c.name}`),
    ...extra,
  });
  if (!plan.steps.length) {
    ctx.out.result(
      json({ steps: [] }),
      () => 'no differences: every node runs and has on file what the inventory renders',
    );
    return EXIT.OK;
  }
  if (ctx.opts.dryRun) {
    ctx.out.result(json({ dryRun: true, steps: plan.steps.map(coreStepJson) }), () =>
      [diff, '', corePlanText(plan, header), '(dry run: nothing was changed)'].join('\n'),
    );
    return EXIT.OK;
  }
  if (!ctx.opts.json) ctx.out.info([diff, '', corePlanText(plan, header)].join('\n'));
  const ok = await ctx.prompt.confirm(
    `apply these changes to ${[...new Set(plan.steps.map((x) => x.host))].join(', ')}?`,
  );
  if (!ok) throw refusal('not confirmed: config update; nothing was changed');

  const lbEnv: HaproxyEnv = {
    transport: s.transport,
    ...(s.factory.tunnels ? { tunnels: s.factory.tunnels } : {}),
    socket: s.inv.haproxy.statsSocket,
    rendered: lbRendered,
  };
  // before any node is touched: a file HAProxy rejects, or a unit whose reload is no graceful one, stops here
  for (const c of lb.changes) {
    const seen = await haproxyPreflight(lbEnv, c.host, HAPROXY_CFG);
    if (!ctx.opts.json) ctx.out.info(seen);
  }
  if (cp.changes.length || cp.fileOnly.length) {
    // the trial runs on a replica: the master is busiest, and its host's memory matters most
    const trialHost = s.inv.hosts.find((h) => h.name === (s.pre.replicas[0]?.host ?? s.pre.master.host))!;
    const seen = await trialStart({
      transport: s.transport,
      factory: s.factory,
      host: trialHost,
      redisServer: inv.falkordb.redisServer,
      conf: rendered.get(trialHost.name) ?? rendered.values().next().value!,
      password: s.secrets.password,
      ...(adminUser(inv) ? { username: adminUser(inv) } : {}),
      params: desiredOf(rendered.get(trialHost.name)!, paths(inv).modulePath).module,
      clock: ctx.clock,
      timeoutMs: VERIFY_MS,
      mask: s.mask,
    });
    if (!ctx.opts.json) ctx.out.info(`trial start: ${seen}`);
  }
  const base = probes(s.inv, s.conns, s.transport);
  const extraProbes = {
    ...configProbes(s.conns, () => base['node-ready']!),
    ...haproxyProbes(lbEnv),
    'sentinel-config': sentinelProbe(s),
  };
  const custom = configCustoms({
    transport: s.transport,
    conns: s.conns,
    rendered: (host, master) =>
      master === s.pre.master.host || master === undefined ? rendered.get(host) : afterSwitch?.content,
    owner: serviceUser(inv),
    probes: () => ({ ...base, ...extraProbes }),
  });
  const o = await runSession(ctx, s, plan, extraProbes, { ...custom, ...haproxyCustoms(lbEnv) });
  const result = json({ ok: !o.rep.failure && !o.rep.interrupted, ms: Math.round(o.ms), steps: stepsJson(s, o.rep) });
  if (!result.ok) {
    if (ctx.opts.json)
      ctx.out.result(s.maskValue({ ...result, failure: o.rep.failure ?? null, rescue: o.rescue ?? null }));
    throw failedRun('config update', s, o);
  }
  ctx.out.result(result, () => summary(cp, sentinel.changes.length, lb.changes.length, pending.length, o.ms));
  return EXIT.OK;
}

function summary(cp: ConfigPlan, sentinels: number, lbs: number, pending: number, ms: number): string {
  const hosts = new Set(cp.changes.map((c) => c.host));
  return [
    `config update done in ${(ms / 1000).toFixed(1)} s: ${cp.changes.length} change(s) on ${hosts.size} node(s)` +
      (sentinels ? `, ${sentinels} Sentinel setting(s)` : '') +
      (lbs ? `, HAProxy reloaded on ${lbs} host(s)` : ''),
    ...(pending
      ? // not rolling-restart: its AOF step's CONFIG REWRITE writes the running values back over the file
        [`${pending} change(s) pending restart (falkorctl status shows them): run falkorctl config update --restart`]
      : []),
  ].join('\n');
}

async function sentinelPlan(s: Session, sets: Sets, chosen: ReadonlySet<string>) {
  const i = s.inv.sentinel;
  const want: Record<SentinelSetting, number> = {
    'down-after-milliseconds': i.downAfterMs,
    'failover-timeout': i.failoverTimeoutMs,
    'parallel-syncs': i.parallelSyncs,
    quorum: i.quorum,
    ...Object.fromEntries(sets.sentinel),
  };
  const states = await Promise.all(
    sentinelHosts(s.inv)
      .filter((h) => chosen.has(h.name))
      .map(async (h) => ({
        host: h.name,
        port: i.port,
        master: pairs(await call(s.conns, h.name, 'sentinel', ['SENTINEL', 'MASTER', i.masterName])),
      })),
  );
  return planSentinels(states, want, i.masterName, VERIFY_MS);
}

const sentinelProbe = (s: Session) => async (spec: CheckSpec) => {
  const want = spec.params!.want as Record<string, string>;
  const kv = pairs(await call(s.conns, spec.host, 'sentinel', ['SENTINEL', 'MASTER', String(spec.params!.masterName)]));
  const off = Object.entries(want).filter(([k, v]) => String(kv[k]) !== v);
  const seen = Object.keys(want)
    .map((k) => `${k} ${String(kv[k])}`)
    .join(', ');
  return off.length ? notYet(seen) : done(seen);
};
