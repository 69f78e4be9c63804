// `falkorctl backup schedule [--dry-run] [--yes] [--json]`: install (or update, or with `backup.schedule: off`
// remove) the backup timer on every database host. Facts (read-only) → refusals (no python3, an OnCalendar
// expression systemd rejects: nothing written) → pure plan → shown → cluster lock → execute, audited; the
// phase check confirms every timer's state, also when nothing had to change.
// Exit: 0 in place; 1 a step or the check failed; 2 the schedule is not a valid calendar expression; 3 refused.
import { LineCounter, parseDocument } from 'yaml';
import type { Ctx } from '../context.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { execute } from '../core/execute.js';
import { runLocked } from '../core/locked.js';
import { corePlanText, coreStepJson } from '../core/present.js';
import { done, notYet, type Probe } from '../core/wait.js';
import { readInventoryText } from '../inventory/load.js';
import { Locator } from '../inventory/locate.js';
import { dbHosts } from '../inventory/topology.js';
import { runParallel } from '../remote/parallel.js';
import type { Transport } from '../remote/transport.js';
import { BACKUP_TIMER_UNIT } from '../templates/backup-timer.js';
import {
  parseScheduleProbe,
  scheduleProbeArgv,
  schedulePlan,
  scheduleRefusals,
  type ScheduleFacts,
} from '../backup/schedule.js';
import type { BackupSession } from '../backup/session.js';
import { lockHost } from '../facts/topology.js';

async function gather(s: BackupSession, forks: number): Promise<ScheduleFacts[]> {
  const hosts = dbHosts(s.inv);
  const res = await runParallel(hosts, forks, async (h) =>
    parseScheduleProbe(h.name, (await s.transport.exec(h.name, scheduleProbeArgv(s.inv))).stdout),
  );
  const bad = res.flatMap((r, i) =>
    r.status === 'fulfilled'
      ? []
      : [`${hosts[i]!.name}: ${r.status === 'rejected' ? (r.reason as Error).message : 'not read'}`],
  );
  if (bad.length) throw refusal(`backup schedule: hosts not read; nothing was changed:\n  - ${bad.join('\n  - ')}`);
  return res.map((r) => (r as { value: ScheduleFacts }).value);
}

/** "file:line" of backup.schedule in the inventory, for the message naming a rejected expression. */
async function scheduleAt(ctx: Ctx): Promise<string> {
  try {
    const text = await readInventoryText(ctx.opts.inventory, ctx.cwd);
    const lc = new LineCounter();
    const p = new Locator(parseDocument(text, { lineCounter: lc }), lc).find(['backup', 'schedule']);
    return `${ctx.opts.inventory}:${p.line}:${p.column}`;
  } catch {
    return ctx.opts.inventory;
  }
}

export function timerProbe(t: Transport) {
  return async (spec: { host: string; params?: Readonly<Record<string, unknown>> }): Promise<Probe<string>> => {
    const r = await t.exec(spec.host, ['systemctl', 'show', '-p', 'UnitFileState,ActiveState', BACKUP_TIMER_UNIT], {
      check: false,
    });
    const kv: Record<string, string> = Object.fromEntries(
      r.stdout.split('\n').map((l) => [l.split('=')[0] ?? '', l.slice(l.indexOf('=') + 1)]),
    );
    const seen = `${spec.host}: ${BACKUP_TIMER_UNIT} ${kv.ActiveState ?? '?'}, ${kv.UnitFileState || 'not-found'}`;
    const want = spec.params?.on !== false;
    const ok = want
      ? kv.ActiveState === 'active' && kv.UnitFileState === 'enabled'
      : kv.ActiveState !== 'active' && kv.UnitFileState !== 'enabled';
    return ok ? done(seen) : notYet(seen);
  };
}

export async function schedule(ctx: Ctx, s: BackupSession, opts: Record<string, unknown>): Promise<number> {
  const { inv } = s;
  const forks = Number(opts.forks ?? 10);
  if (inv.tls?.enabled && !inv.tls.allowPlaintext)
    throw userError(
      'the scheduled backup talks plaintext to 127.0.0.1; this cluster is TLS-only (tls.allowPlaintext: false)',
      'take backups with falkorctl backup, or allow a plaintext port',
    );
  const facts = await gather(s, forks);
  const refused = scheduleRefusals(inv, facts);
  if (refused.some((r) => r.includes('systemd-analyze')))
    throw userError(`${await scheduleAt(ctx)}: backup.schedule: ${refused.find((r) => r.includes('systemd-analyze'))}`);
  if (refused.length)
    throw refusal(`backup schedule refused; nothing was changed:\n${refused.map((r) => `  - ${r}`).join('\n')}`);
  const plan = schedulePlan(inv, facts);
  const header = `backup schedule for cluster ${inv.cluster}: ${inv.backup.schedule}`;
  if (ctx.opts.dryRun) {
    ctx.out.result({ dryRun: true, schedule: inv.backup.schedule, steps: plan.steps.map(coreStepJson) }, () =>
      [corePlanText(plan, header), '(dry run: nothing was changed)'].join('\n'),
    );
    return EXIT.OK;
  }
  if (!ctx.opts.json) ctx.out.info(corePlanText(plan, header));
  const lock = {
    transport: s.transport,
    host: await lockHost(inv, s.factory, s.secrets),
    cluster: inv.cluster,
    mask: s.mask,
  };
  const rep = await runLocked(ctx, { ...lock, ship: plan.steps.length > 0 }, (r) =>
    execute(plan, { ...r.env, forks, probes: { 'backup-timer': timerProbe(s.transport) } }),
  );
  const ok = !rep.failure && !rep.interrupted;
  const out = {
    ok,
    schedule: inv.backup.schedule,
    steps: rep.results.map((x) => ({ id: x.step.id, outcome: x.outcome, ...(x.detail ? { detail: x.detail } : {}) })),
    verified: rep.verified,
    failure: rep.failure ?? null,
  };
  if (!ok) {
    if (ctx.opts.json) ctx.out.result(out);
    throw new FalkorError(
      'FAILED',
      rep.interrupted
        ? 'backup schedule interrupted'
        : `backup schedule: ${rep.failure!.host}: ${rep.failure!.what} failed: ${rep.failure!.message}`,
      { hint: 're-run falkorctl backup schedule: it plans from what is on the hosts now' },
    );
  }
  const changed = rep.results.filter((x) => x.outcome === 'changed').length;
  ctx.out.result(out, () =>
    [changed ? `${changed} step(s) done` : 'nothing to change', ...rep.verified.map((v) => `  ok  ${v}`)].join('\n'),
  );
  return EXIT.OK;
}
