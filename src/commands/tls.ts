// `falkorctl tls issue [--out DIR] [--days N]`: a private CA (made once, then reused) and a certificate per
// inventory host, on the operator's machine, for operators without a PKI. Never overwrites: a re-run is a
// no-op, and a file in the way (a key without its certificate, a certificate for other names) is a refusal
// naming it, before anything is written. Exit: 0 done or nothing to do; 1 openssl failed (this run's files
// are removed); 2 bad input; 3 refused.
import { resolve } from 'node:path';
import type { Ctx, Handler } from '../context.js';
import { EXIT, refusal, userError } from '../errors.js';
import { openInventory } from '../inventory/open.js';
import type { Inventory } from '../inventory/schema.js';
import { gatherFiles, issuePaths } from '../tls/facts.js';
import { executeIssue } from '../tls/issue.js';
import { isNoop, planIssue, type IssuePlan } from '../tls/plan.js';
import { sansText } from '../tls/sans.js';
import { installLines, inventorySnippet } from '../tls/snippet.js';

const ACTIONS = ['issue'] as const;
export const DEFAULT_DAYS = 825;
/** The CA outlives the host certificates it signs several times over. */
export const CA_DAYS = 3650;

export const run: Handler = async ({ operands, opts }, ctx) => {
  const [action, ...extra] = operands;
  if (extra.length > 0) throw userError(`tls ${action}: unexpected argument ${extra[0]}`);
  if (action === 'issue') return issue(ctx, opts);
  throw userError(`unknown tls action "${action ?? ''}"`, `use one of: ${ACTIONS.join(', ')}`);
};

function planText(p: IssuePlan): string {
  const ca =
    p.ca.action === 'create'
      ? `  create CA "${p.ca.subject}" (EC P-256, ${p.caDays} days): ${p.ca.cert}, ${p.ca.key} (0600)`
      : `  reuse CA "${p.ca.subject}" (valid until ${p.ca.validTo ?? '?'}): ${p.ca.cert}`;
  const hosts = p.hosts.map((h) =>
    h.action === 'create'
      ? `  ${h.host}: create key (0600) and certificate (${p.days} days) for ${sansText(h.sans)} in ${h.files.dir}`
      : `  ${h.host}: keep ${h.files.cert} (matches the inventory and the CA)${h.writeCa ? '; add ca.crt' : ''}`,
  );
  return [`plan for ${p.dir}:`, ca, ...hosts].join('\n');
}

function days(v: unknown): number {
  if (v === undefined) return DEFAULT_DAYS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > CA_DAYS)
    throw userError(
      `--days must be a whole number of days from 1 to ${CA_DAYS} (the CA's lifetime), not ${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
  return n;
}

async function issue(ctx: Ctx, opts: Record<string, unknown>): Promise<number> {
  const dir = resolve(ctx.cwd, typeof opts.out === 'string' ? opts.out : 'tls');
  const hostDays = days(opts.days);
  const loaded = await openInventory(ctx);
  const inv: Inventory = loaded.inventory;
  const files = await gatherFiles(
    issuePaths(
      dir,
      inv.hosts.map((h) => h.name),
    ),
  );
  const plan = planIssue({
    dir,
    cluster: inv.cluster,
    hosts: inv.hosts,
    days: hostDays,
    caDays: CA_DAYS,
    now: ctx.clock.now(),
    files,
  });
  for (const w of plan.warnings) ctx.out.warn(w);
  if (plan.refusals.length)
    throw refusal(
      `tls issue: nothing was written:\n${plan.refusals.map((r) => `  - ${r}`).join('\n')}`,
      'move the named files away, or choose another --out DIR',
    );
  const snippet = inventorySnippet(inv, dir);
  const install = installLines(inv, dir);
  const noop = isNoop(plan);
  if (!ctx.opts.json) ctx.out.info(planText(plan));
  let created: string[] = [];
  if (!noop && !ctx.opts.dryRun) created = await executeIssue(plan, (l) => ctx.out.info(l));
  ctx.out.result(
    {
      dir,
      changed: created.length > 0,
      dryRun: ctx.opts.dryRun,
      ca: plan.ca,
      hosts: plan.hosts.map((h) => ({ host: h.host, action: h.action, sans: h.sans, ...h.files })),
      created,
      inventory: snippet,
      install,
    },
    () =>
      [
        noop
          ? `nothing to do: the CA and every host's certificate in ${dir} exist and match the inventory`
          : ctx.opts.dryRun
            ? '--dry-run: nothing was written'
            : `wrote ${created.length} file(s) to ${dir}`,
        '',
        'inventory (tls section):',
        snippet.replace(/^/gm, '  '),
        '',
        'deploy installs them from tls.source (or install them yourself):',
        ...install.map((l) => `  ${l}`),
      ].join('\n'),
  );
  return EXIT.OK;
}
