// `falkorctl checklist [--phase pre|deploy|post|all] [--limit …] [--retry-timeout S] [--sign-off NAME] [--json]`:
// the seed's three checklists, every automatable item checked on the real hosts, each result with evidence.
// Read-only, except the opt-in --load-test (scratch writes, removed) and --failover-test (a switchover and back;
// confirmed or --yes). Exit 0 when nothing failed (warnings and skips are listed, and counted), 1 when something
// failed, 2 bad input, 3 a host key was refused or --failover-test was not confirmed.
import { secretValues as secretValuesOf } from '../inventory/secrets.js';
import { resolve } from 'node:path';
import type { Handler } from '../context.js';
import { EXIT, userError } from '../errors.js';
import { openInventory, secretsFor } from '../inventory/open.js';
import { dbHosts } from '../inventory/topology.js';
import { selectHosts } from '../remote/select.js';
import { createRedisFactory } from '../redis/client.js';
import { createSshTunnels } from '../redis/tunnel.js';
import { createSshPool } from '../remote/ssh-pool.js';
import { createSshTransport } from '../remote/ssh.js';
import { gatherStatus } from '../facts/gather.js';
import { gatherGraphs } from '../facts/graphs.js';
import { counts, runChecklist } from '../checks/index.js';
import { ITEMS, type CheckResult, type Phase } from '../checks/types.js';
import { HEADINGS, junit, markdown } from '../checks/formats.js';
import { parseSelection, selected } from '../checks/select.js';
import { activeOptions } from '../checks/active-options.js';
import { activeEnv } from './checklist-active.js';
import { checkWritable, writeReport } from '../checks/write.js';
import { checkBinarySources, computePlan } from '../deploy/compute.js';
import { maskSecrets } from '../deploy/present.js';

const PHASES: Record<string, Phase[]> = {
  pre: ['pre'],
  deploy: ['deploy'],
  post: ['post'],
  all: ['pre', 'deploy', 'post'],
};
const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

export const run: Handler = async ({ opts }, ctx) => {
  const phase = typeof opts.phase === 'string' ? opts.phase : 'all';
  const phases = PHASES[phase];
  if (!phases) throw userError(`--phase ${phase}: one of pre, deploy, post, all`);
  const retry = opts.retryTimeout === undefined ? 60 : Number(opts.retryTimeout);
  if (!Number.isFinite(retry) || retry < 0)
    throw userError(`--retry-timeout ${String(opts.retryTimeout)}: seconds ≥ 0`);
  const sel = parseSelection(opts.only as string[] | undefined, opts.skip as string[] | undefined);
  const wanted = (id: string) => phases.includes('deploy') && selected({ id }, sel);
  const act = activeOptions(opts, { wanted, dryRun: ctx.opts.dryRun });
  const junitFile = typeof opts.junit === 'string' ? opts.junit : undefined;
  const mdFile = typeof opts.markdown === 'string' ? opts.markdown : undefined;
  if (junitFile) await checkWritable(ctx.cwd, junitFile, '--junit');
  if (mdFile) await checkWritable(ctx.cwd, mdFile, '--markdown');
  const loaded = await openInventory(ctx);
  const inv = loaded.inventory;
  const limit = opts.limit as string[] | undefined;
  const hosts = selectHosts(inv, limit);
  const secrets = await secretsFor(ctx, loaded);
  const active = await activeEnv(ctx, opts, inv, secrets, act); // confirms --failover-test before any host is asked
  const pool = createSshPool(inv, {
    acceptNew: opts.acceptNew === true,
    prompt: ctx.prompt,
    env: ctx.env,
    log: (l) => ctx.out.verbose(l),
    notice: (l) => ctx.out.info(l),
  });
  const tunnels = createSshTunnels(inv, { pool });
  const transport = createSshTransport(inv, { pool, log: (l) => ctx.out.verbose(l) });
  const factory = createRedisFactory(inv, { mode: 'ssh', tunnels });
  const names = hosts.map((h) => h.name);
  const forks = Number(opts.forks ?? 10); // --forks: hosts worked on at once, by the checks and deploy's planner
  const secretValues = secretValuesOf(secrets);
  const status = () =>
    gatherStatus(inv, secrets, factory, tunnels, {
      hosts,
      partial: Boolean(limit?.length),
      forks,
      now: () => ctx.clock.now(),
    });
  let first: ReturnType<typeof status> | undefined;
  let graphs: ReturnType<typeof gatherGraphs> | undefined;
  const dbs = dbHosts(inv).filter((h) => names.includes(h.name));
  try {
    const results = await runChecklist(
      {
        inv,
        hosts: names,
        dbHosts: dbs.map((h) => h.name),
        sh: async (host, script, args = [], o = {}) => {
          const r = await transport.exec(host, ['sh', '-c', script, 'sh', ...args], {
            check: false,
            timeoutMs: o.timeoutMs ?? 20_000,
          });
          return { stdout: r.stdout, code: r.code };
        },
        status,
        statusOnce: () => (first ??= status()),
        graphs: () => (graphs ??= gatherGraphs(inv, dbs, factory, secrets, { now: () => ctx.clock.now() })),
        deployPlan: async () => {
          const binaries = await checkBinarySources(inv, resolve(ctx.cwd, loaded.file, '..'));
          const { plan } = await computePlan({
            loaded,
            secrets,
            hosts,
            transport,
            factory,
            forks,
            readAll: false,
            binaries,
            color: false,
          });
          return plan.steps.map((st) => ({ host: st.host, describe: maskSecrets(st.describe, secretValues) }));
        },
        retryTimeoutMs: retry * 1000,
        forks,
        ...(typeof opts.signOff === 'string' ? { signOff: opts.signOff } : {}),
        active,
        now: () => ctx.clock.now(),
        sleep: (ms) => ctx.clock.sleep(ms),
      },
      phases,
      sel,
    );
    const c = counts(results);
    const at = new Date(ctx.clock.now());
    if (junitFile) await writeReport(ctx.cwd, junitFile, junit(inv.cluster, results, at));
    if (mdFile) await writeReport(ctx.cwd, mdFile, markdown(inv.cluster, results, at));
    ctx.out.result({ cluster: inv.cluster, counts: c, results }, () => human(results, c));
    return c.fail ? EXIT.FAILED : EXIT.OK;
  } finally {
    await factory.close();
    await tunnels.close();
  }
};

function human(rs: readonly CheckResult[], c: ReturnType<typeof counts>): string {
  const out: string[] = [];
  for (const p of ['pre', 'deploy', 'post'] as const) {
    const mine = rs.filter((r) => r.phase === p);
    if (!mine.length) continue;
    out.push(`${HEADINGS[p]}:`);
    const order = Object.values(ITEMS) as string[];
    const items = [...new Set(mine.map((r) => r.item))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    for (const item of items) {
      const of = mine.filter((r) => r.item === item);
      const worst = of.some((r) => r.outcome === 'fail')
        ? 'fail'
        : of.some((r) => r.outcome === 'warn')
          ? 'warn'
          : of.every((r) => r.outcome === 'skip')
            ? 'skip'
            : 'pass';
      out.push(`  [${MARK[worst]}] ${item}`);
      for (const r of of) {
        if (of.length === 1 && r.title === item && r.outcome === 'skip') {
          out.push(`         ${r.reason}`);
          continue;
        }
        const detail = [
          r.found !== undefined ? `found ${r.found}` : '',
          r.expected !== undefined ? `expected ${r.expected}` : '',
          r.reason ?? '',
        ].filter(Boolean);
        out.push(`    ${MARK[r.outcome]}  ${r.title}${detail.length ? ` — ${detail.join('; ')}` : ''}`);
        if (r.outcome === 'fail' && r.evidence) out.push(`          $ ${r.evidence}`);
      }
    }
  }
  out.push(`checklist: ${c.pass} passed, ${c.warn} warnings, ${c.fail} failed, ${c.skip} skipped`);
  return out.join('\n');
}
