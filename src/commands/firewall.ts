// `falkorctl firewall apply [--limit …] [--confirm-timeout S] [--no-source-check] [--dry-run]
// [--yes]`: per host, the rendered nftables table checked with `nft -c`, the live one saved, a host-side
// rollback armed, the new one applied, and only confirmed (the rollback stopped) over a NEW SSH connection.
// Under the cluster lock (runLocked, on the live master). Exit: 0 applied (or nothing to do); 1 a step failed or
// a host rolled back; 2 bad inventory, lint errors or a ruleset nft refuses; 3 refused (not confirmed, this
// machine not in network.operator, no nft, the cluster locked).
import type { Handler } from '../context.js';
import { execute } from '../core/execute.js';
import { runLocked } from '../core/locked.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { bootProbeArgv, parseBootProbe } from '../firewall/boot.js';
import { confirmOp } from '../firewall/confirm.js';
import { firewallEnabled } from '../firewall/model.js';
import { CONFIRM_OP, planFirewall, type HostFacts } from '../firewall/plan.js';
import { parseProbe, parseSource, probeArgv, sourceArgv } from '../firewall/remote.js';
import { lockHost } from '../facts/topology.js';
import { openInventory, secretsFor } from '../inventory/open.js';
import { formatFindings, lintText } from '../lint/index.js';
import { redisFactoryFor } from '../redis/client.js';
import { runParallel } from '../remote/parallel.js';
import { selectHosts } from '../remote/select.js';
import { createSshTransport, sshTransportFor } from '../remote/ssh.js';
import { FIREWALL_PATH, firewallRuleset } from '../templates/nftables.js';

export const run: Handler = async ({ operands, opts }, ctx) => {
  if (operands[0] !== 'apply')
    throw userError(`firewall: unknown action "${operands[0] ?? ''}"`, 'falkorctl firewall apply [--dry-run] [--yes]');
  const loaded = await openInventory(ctx);
  const inv = loaded.inventory;
  if (!firewallEnabled(inv) || !inv.network)
    throw userError(
      'the inventory declares no firewall (no `network` section, or network.enabled: false)',
      'add network.operator (where SSH comes from) and network.trusted (clients) to the inventory',
    );
  const confirmTimeoutS = typeof opts.confirmTimeout === 'number' ? opts.confirmTimeout : 60;
  const hosts = selectHosts(inv, opts.limit as string[] | undefined);
  const rendered = new Map(hosts.map((h) => [h.name, firewallRuleset(inv, h)]));

  // Nothing lint calls an error reaches a host (as deploy's lint gate).
  const errors = [...rendered].flatMap(([h, text]) =>
    lintText(`${h}${FIREWALL_PATH}`, text, 'nftables').filter((f) => f.severity === 'error'),
  );
  if (errors.length)
    throw userError(
      `lint found ${errors.length} error(s) in the rulesets; nothing was changed\n${formatFindings(errors, false)}`,
    );

  const transport = sshTransportFor(inv, ctx, opts);
  const factory = redisFactoryFor(inv, ctx, opts);
  try {
    const facts: HostFacts[] = [];
    await runParallel(hosts, typeof opts.forks === 'number' ? opts.forks : 10, async (h) => {
      const table = parseProbe((await transport.exec(h.name, probeArgv())).stdout);
      const source = parseSource((await transport.exec(h.name, sourceArgv(), { sudo: false })).stdout);
      const boot = parseBootProbe((await transport.exec(h.name, bootProbeArgv())).stdout);
      facts.push({ host: h.name, table, boot, ...(source ? { source } : {}) });
    });
    facts.sort((a, b) => hosts.findIndex((h) => h.name === a.host) - hosts.findIndex((h) => h.name === b.host));
    const fp = planFirewall(rendered, facts, inv.network.operator, {
      confirmTimeoutS,
      sourceCheck: opts.sourceCheck !== false,
    });
    const { plan } = fp;
    const json = (extra: Record<string, unknown> = {}) => ({
      steps: plan.steps.map(coreStepJson),
      unchanged: fp.unchanged,
      ...(fp.refusals.length ? { refusals: fp.refusals } : {}),
      ...extra,
    });
    if (fp.refusals.length) {
      if (ctx.opts.json) ctx.out.result(json());
      throw refusal(
        `firewall apply refused: ${fp.refusals.map((r) => `${r.host}: ${r.reason}`).join('; ')}; nothing was changed`,
        fp.refusals.some((r) => r.reason.includes('network.operator'))
          ? 'add this address to network.operator (or --no-source-check: the rollback still guards)'
          : undefined,
      );
    }
    const text = corePlanText(plan, `firewall apply (rollback after ${confirmTimeoutS} s unless confirmed):`);
    if (ctx.opts.dryRun) {
      ctx.out.result(json({ dryRun: true }), () => `${text}\n(nothing was changed)`);
      return EXIT.OK;
    }
    if (plan.steps.length === 0) {
      ctx.out.result(json(), () => 'nothing to do: every host has the rendered firewall');
      return EXIT.OK;
    }
    if (!ctx.opts.json) ctx.out.info(text);
    const targets = [...new Set(plan.steps.map((s) => s.host))];
    if (!(await ctx.prompt.confirm(`apply the firewall on ${targets.join(', ')}?`, '--yes')))
      throw refusal('the firewall was not confirmed; nothing was changed');

    const rolledBack = new Set<string>();
    const previous = new Map(facts.map((f) => [f.host, f.table]));
    const attemptTimeoutMs = inv.ssh.connectTimeoutMs + 15_000;
    const custom = {
      [CONFIRM_OP]: confirmOp({
        fresh: () => createSshTransport(inv, { acceptNew: false, env: ctx.env, log: (l) => ctx.out.verbose(l) }),
        rendered,
        previous,
        rollbackAfterS: confirmTimeoutS,
        attemptTimeoutMs,
        clock: ctx.clock,
        rolledBack,
      }),
    };
    const files = [...rendered].map(([host, content]) => ({ host, path: FIREWALL_PATH, content }));
    // under the cluster lock (on the live master, as every mutating command), so no rolling restart, switchover
    // or second firewall apply runs meanwhile; each host keeps the audit of its own change (as provision does)
    const lock = { transport, host: await lockHost(inv, factory, await secretsFor(ctx, loaded)), cluster: inv.cluster };
    const rep = await runLocked(ctx, { ...lock, mask: (t) => t, shipTo: targets }, (r) =>
      execute(plan, { ...r.env, files, custom, forks: 1 }),
    );
    const applied = rep.results
      .filter((r) => r.step.id.endsWith(':firewall:confirm') && r.outcome === 'changed')
      .map((r) => r.step.host);
    const out = { applied, rolledBack: [...rolledBack], ...(rep.failure ? { failure: rep.failure } : {}) };
    if (rep.failure || rep.interrupted) {
      if (ctx.opts.json) ctx.out.result(json(out));
      const f = rep.failure;
      const nftRefused = f?.stepId?.endsWith(':firewall:check');
      // the confirm step's message says it all (host, why, rolled back or not)
      const said = f?.stepId?.endsWith(':firewall:confirm') ? f.message : undefined;
      throw new FalkorError(
        nftRefused ? 'USER' : 'FAILED',
        (said ?? (f ? `${f.host}: ${f.what} failed: ${f.message}` : 'interrupted')) +
          (applied.length ? ` (applied before it: ${applied.join(', ')})` : ''),
        rep.interrupted
          ? { hint: 'a host whose apply was not confirmed rolls back by itself when its timer fires' }
          : {},
      );
    }
    ctx.out.result(json(out), () => `firewall applied and confirmed on ${applied.join(', ')}`);
    return EXIT.OK;
  } finally {
    await Promise.all([factory.close(), transport.close()]);
  }
};
