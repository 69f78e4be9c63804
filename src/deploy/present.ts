// What a person (or a script, with --json) sees: the plan, file diffs with secrets masked, the outcome.
import { unifiedDiff } from '../render/diff.js';
import type { RenderedFile } from '../render/index.js';
import { quoteArgv } from '../remote/quote.js';
import type { ApplyReport } from './apply.js';
import { PHASES, type HostFacts, type Plan, type Step } from './types.js';

import { maskSecrets } from '../core/mask.js';

export { MASK, maskSecrets } from '../core/mask.js';

export function describeStep(s: Step): string {
  const a = s.action;
  const how =
    a.kind === 'exec'
      ? `$ ${quoteArgv(a.argv)}`
      : a.kind === 'redis'
        ? `${s.host}:${a.port}> ${quoteArgv(a.args)}`
        : `upload ${a.path} mode 0${a.mode.toString(8)}${a.owner ? ` owner ${a.owner}` : ''}`;
  return `${s.describe}${s.destructive ? '  [DESTRUCTIVE]' : ''}\n        ${how}`;
}

export function stepJson(s: Step) {
  const a = s.action;
  return {
    id: s.id,
    host: s.host,
    phase: s.phase,
    describe: s.describe,
    destructive: s.destructive,
    ...(a.kind === 'exec'
      ? { argv: a.argv, tolerate: a.tolerate ?? false }
      : a.kind === 'redis'
        ? { redis: { port: a.port, command: a.args } }
        : {
            upload: {
              path: a.path,
              mode: `0${a.mode.toString(8)}`,
              owner: a.owner ?? 'root',
              secret: a.secret,
              sha256: a.sha256,
            },
          }),
  };
}

export function planText(plan: Plan, header: string): string {
  const out = [header];
  for (const n of plan.notes) out.push(`note: ${n}`);
  if (plan.steps.length === 0) {
    out.push('nothing to change: every selected host already has what the inventory renders');
    return out.join('\n');
  }
  for (const phase of PHASES) {
    const steps = plan.steps.filter((s) => s.phase === phase);
    if (!steps.length) continue;
    out.push(`${phase}:`);
    for (const s of steps) out.push(`  ${s.host.padEnd(8)} ${describeStep(s)}`);
  }
  const hosts = new Set(plan.steps.map((s) => s.host)).size;
  const d = plan.steps.filter((s) => s.destructive).length;
  out.push(`${plan.steps.length} step(s) on ${hosts} host(s)${d ? `, ${d} destructive (needs --yes)` : ''}`);
  return out.join('\n');
}

/** Unified diffs of every file the plan writes against what the host has; secret files only named. */
export function diffText(
  plan: Plan,
  files: readonly RenderedFile[],
  facts: ReadonlyMap<string, HostFacts>,
  secrets: readonly string[],
): string {
  const parts: string[] = [];
  for (const s of plan.steps) {
    const a = s.action;
    if (a.kind !== 'upload' || a.source.from !== 'render') continue;
    const f = files.find((x) => x.host === s.host && x.path === a.path);
    if (!f) continue;
    const had = facts.get(s.host)?.files[a.path];
    if (f.secret) {
      parts.push(`secret file ${s.host}:${a.path}: ${had ? 'changed' : 'new'} (contents not shown)`);
      continue;
    }
    const live = facts.get(s.host)?.contents[a.path];
    if (had && live === undefined) {
      parts.push(`${s.host}:${a.path}: ${s.describe}`);
      continue;
    }
    const d = unifiedDiff(
      maskSecrets(live ?? '', secrets),
      maskSecrets(f.content, secrets),
      had ? `${s.host}:${a.path} (on the host)` : '/dev/null',
      `${s.host}:${a.path} (rendered)`,
    );
    parts.push(d.trimEnd() || `${s.host}:${a.path}: mode/owner only`);
  }
  return parts.join('\n');
}

export function reportText(rep: ApplyReport): string {
  const head = rep.changed.length
    ? `deployed: ${rep.changed.length} change(s) on ${new Set(rep.changed.map((s) => s.host)).size} host(s)`
    : 'no changes: every host already matched the inventory; nothing was touched';
  return [head, ...rep.verified.map((v) => `  ok  ${v}`)].join('\n');
}

/** Hosts with some but not all of their steps done, and the phases they finished. */
export function hostsPartly(plan: Plan, rep: ApplyReport): string[] {
  const done = new Set(rep.done);
  const hosts = [...new Set(plan.steps.map((s) => s.host))];
  return hosts.flatMap((h) => {
    const mine = plan.steps.filter((s) => s.host === h);
    const n = mine.filter((s) => done.has(s)).length;
    if (n === 0 || n === mine.length) return [];
    const phases = PHASES.filter(
      (p) => mine.some((s) => s.phase === p) && mine.filter((s) => s.phase === p).every((s) => done.has(s)),
    );
    return [`${h} (${n}/${mine.length} steps${phases.length ? `; finished: ${phases.join(', ')}` : ''})`];
  });
}

/** The hosts whose every planned step is done (hosts without steps are not listed: nothing was due). */
export function hostsDone(plan: Plan, rep: ApplyReport): string[] {
  const done = new Set(rep.done);
  const hosts = [...new Set(plan.steps.map((s) => s.host))];
  return hosts.filter((h) => plan.steps.filter((s) => s.host === h).every((s) => done.has(s)));
}

export function failureText(rep: ApplyReport, plan: Plan): string {
  const f = rep.failure!;
  const lines = [`deploy stopped: ${f.host}: ${f.what} failed`];
  if (f.argv)
    lines.push(`  command: ${quoteArgv(f.argv)}${f.exitStatus !== undefined ? ` (exit ${f.exitStatus})` : ''}`);
  // a remote failure's first line repeats the command shown above; its stderr excerpt follows
  const msg = f.argv && f.stderr !== undefined ? f.message.split('\n').slice(1) : f.message.split('\n');
  lines.push(...msg.map((l) => `  ${l}`));
  const done = hostsDone(plan, rep);
  lines.push(`  hosts done: ${done.length ? done.join(', ') : 'none'}`);
  const partly = hostsPartly(plan, rep);
  if (partly.length) lines.push(`  hosts partly done: ${partly.join(', ')}`);
  if (rep.notDone.length) {
    lines.push(`  not done (${rep.notDone.length} step(s)):`);
    for (const s of rep.notDone) lines.push(`    ${s.host}: ${s.describe}`);
  }
  return lines.join('\n');
}

/** Ctrl-C stopped the run at a step boundary: what was done and what was not. */
export function interruptedText(rep: ApplyReport, plan: Plan): string {
  const done = hostsDone(plan, rep);
  const lines = ['deploy interrupted: the running steps finished, nothing new was started'];
  lines.push(`  hosts done: ${done.length ? done.join(', ') : 'none'}`);
  const partly = hostsPartly(plan, rep);
  if (partly.length) lines.push(`  hosts partly done: ${partly.join(', ')}`);
  if (rep.notDone.length) {
    lines.push(`  not done (${rep.notDone.length} step(s)):`);
    for (const s of rep.notDone) lines.push(`    ${s.host}: ${s.describe}`);
  }
  return lines.join('\n');
}
