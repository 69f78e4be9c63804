// `falkorctl provision [--limit …] [--dry-run] [--diff] [--yes] [--wipe HOST,…] [--json]`: one discovery
// command per host (read-only) → pure plan per host → refusals stop everything → confirm → execute.
// Exit: 0 provisioned (or nothing to do); 1 a step failed, or (--diff) something would change;
// 2 bad inventory/flags; 3 refused (a disk with data, not confirmed, a wipe not confirmed by the host name).
import type { Handler } from '../context.js';
import { createAudit } from '../core/audit.js';
import { execute } from '../core/execute.js';
import type { Plan } from '../core/types.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { openInventory } from '../inventory/open.js';
import { isPlainStorage } from '../inventory/schema.js';
import { quoteArgv } from '../remote/quote.js';
import { selectHosts } from '../remote/select.js';
import { sshTransportFor } from '../remote/ssh.js';
import { discover } from '../storage/discover.js';
import { PHASE, planHostStorage, type HostStoragePlan } from '../storage/plan.js';
import { serviceUser } from '../templates/common.js';
import { volumeMountFor } from '../templates/systemd.js';

export const run: Handler = async ({ opts }, ctx) => {
  const loaded = await openInventory(ctx);
  const inv = loaded.inventory;
  const hosts = selectHosts(inv, opts.limit as string[] | undefined).filter((h) => h.storage);
  const wipe = wipeList(opts.wipe, new Set(inv.hosts.map((h) => h.name)));
  const stamp = new Date(ctx.clock.now()).toISOString().replace(/[-:]|\.\d+/g, '');
  const transport = sshTransportFor(inv, ctx, opts);
  try {
    const plans: HostStoragePlan[] = await Promise.all(
      hosts.map(async (h) => {
        const s = h.storage;
        if (!s) throw new Error('unreachable');
        // LVM: the disks, and each volume's path (its filesystem, when the volume exists already)
        const devices = isPlainStorage(s)
          ? [s.device]
          : [...s.devices, ...s.volumes.map((v) => `/dev/${s.volumeGroup}/${v.name}`)];
        // a database host's data directory on one of its volumes is the service user's (planned after the mount)
        const mount = h.role === 'master' || h.role === 'replica' ? volumeMountFor(h, inv.redis.dataDir) : undefined;
        const service = mount ? { user: serviceUser(inv), dir: inv.redis.dataDir, mount } : undefined;
        const facts = await discover(transport, h.name, devices, service);
        return planHostStorage(h.name, s, facts, { wipe: wipe.has(h.name), stamp, ...(service ? { service } : {}) });
      }),
    );
    const json = (extra: Record<string, unknown> = {}) => ({
      hosts: plans.map((p) => ({
        host: p.host,
        steps: p.steps.map((s) => ({ id: s.id, describe: s.describe, argv: argvOf(s), destructive: !!s.destructive })),
        changed: p.steps.length > 0,
        notes: p.notes,
        ...(p.refusals.length ? { error: p.refusals.map((r) => r.reason).join('; '), refusals: p.refusals } : {}),
      })),
      ...extra,
    });
    const text = plans.map(planText).join('\n');
    const refusals = plans.flatMap((p) => p.refusals);
    if (refusals.length) {
      if (ctx.opts.json) ctx.out.result(json());
      else ctx.out.info(text);
      const wipeable = refusals.every((r) => r.wipeable);
      throw refusal(
        `provision refused: ${refusals.map((r) => `${r.host}: ${r.reason}`).join('; ')}; nothing was changed`,
        wipeable ? 'if that data may go: --wipe HOST (and type the host name when asked)' : undefined,
      );
    }
    const steps = plans.flatMap((p) => p.steps);
    if (opts.diff || ctx.opts.dryRun) {
      ctx.out.result(json({ dryRun: true }), () =>
        steps.length ? `${text}\n(nothing was changed)` : 'nothing to do: every host has its storage',
      );
      return opts.diff && steps.length ? EXIT.FAILED : EXIT.OK;
    }
    if (steps.length === 0) {
      ctx.out.result(json(), () => 'nothing to do: every host has its storage');
      return EXIT.OK;
    }
    if (!ctx.opts.json) ctx.out.info(text);
    for (const host of new Set(steps.filter((s) => s.id.endsWith(':wipefs')).map((s) => s.host))) {
      // --yes alone never wipes: the host name must be typed at a terminal.
      if (!ctx.prompt.interactive)
        throw refusal(`${host}: a wipe needs the host name typed at the prompt; nothing was changed`);
      const typed = await ctx.prompt.input(`type the host name to erase every signature on ${host}'s disk`);
      if (typed.trim() !== host) throw refusal(`${host}: the wipe was not confirmed (typed "${typed}")`);
    }
    const destructive = steps.filter((s) => s.destructive);
    if (destructive.length) {
      const what = destructive.map((s) => `${s.host}: ${s.describe}`).join('; ');
      if (!(await ctx.prompt.confirm(`provision would ${what}. Proceed?`, '--yes')))
        throw refusal(`not confirmed: ${what}; nothing was changed`);
    }
    const plan: Plan = { command: 'provision', phases: [{ name: PHASE, parallel: 'forks' }], steps, notes: [] };
    const forks = typeof opts.forks === 'number' ? opts.forks : 10;
    // every step audited (operator's machine; on the hosts the run touched: there may be no cluster yet);
    // per-host progress through the one reporter
    const audit = createAudit({ cluster: inv.cluster, argv: ctx.argv, env: ctx.env, clock: ctx.clock });
    const progress = ctx.progress();
    let rep;
    try {
      rep = await execute(plan, { transport, forks, clock: ctx.clock, progress, audit: (r) => audit.record(r) });
    } finally {
      progress.stop();
      for (const h of [...new Set(steps.map((x) => x.host))]) {
        const w = await audit.shipTo(transport, h);
        if (w) ctx.out.warn(w);
      }
    }
    const done = rep.results.filter((r) => r.outcome === 'changed').map((r) => r.step.id);
    if (rep.failure) {
      if (ctx.opts.json) ctx.out.result(json({ done, failure: rep.failure }));
      throw new FalkorError(
        'REMOTE',
        `${rep.failure.host}: ${rep.failure.what} failed: ${rep.failure.message}` +
          (done.length ? ` (done before it: ${done.join(', ')})` : ' (nothing was changed)'),
      );
    }
    ctx.out.result(json({ done }), () => `provisioned: ${done.join(', ')}`);
    return EXIT.OK;
  } finally {
    await transport.close();
  }
};

function wipeList(v: unknown, known: Set<string>): Set<string> {
  const names = (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .flatMap((x: unknown) => String(x).split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  for (const n of names) if (!known.has(n)) throw userError(`--wipe ${n}: not a host in the inventory`);
  return new Set(names);
}

const argvOf = (s: Plan['steps'][number]) => (s.action.kind === 'exec' ? [...s.action.argv] : []);

function planText(p: HostStoragePlan): string {
  const lines = [`${p.host}:`];
  for (const r of p.refusals) lines.push(`  REFUSED: ${r.reason}`, ...r.evidence.map((e) => `    ${e}`));
  for (const n of p.notes) lines.push(`  note: ${n}`);
  for (const s of p.steps) lines.push(`  ${s.describe}`, `    $ ${quoteArgv(argvOf(s))}`);
  if (!p.refusals.length && !p.steps.length) lines.push('  nothing to do');
  return lines.join('\n');
}
