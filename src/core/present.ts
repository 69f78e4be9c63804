// A core plan as a person reads it: phases in order, each step with its host, what it does and exactly how
// (the argv, the Redis command, the awaited condition with its deadline, the named operation).
import { quoteArgv } from '../remote/quote.js';
import type { Action, Plan, Step } from './types.js';

export function actionText(s: Step, a: Action = s.action): string {
  switch (a.kind) {
    case 'exec':
      return `$ ${quoteArgv(a.argv)}`;
    case 'redis':
      return `${s.host}:${a.port}> ${quoteArgv(a.args)}`;
    case 'upload':
      return `upload ${a.path} mode 0${a.mode.toString(8)}${a.owner ? ` owner ${a.owner}` : ''}`;
    case 'wait':
      return `wait ≤ ${fmtMs(a.check.timeoutMs)}: ${a.check.what}`;
    case 'custom':
      return `${a.name}${a.params ? ` ${JSON.stringify(a.params)}` : ''}`;
  }
}

export function corePlanText(plan: Plan, header: string): string {
  const out = [header, ...plan.notes.map((n) => `note: ${n}`)];
  if (!plan.steps.length) {
    out.push('nothing to do');
    return out.join('\n');
  }
  let i = 0;
  for (const ph of plan.phases) {
    const steps = plan.steps.filter((s) => s.phase === ph.name);
    if (!steps.length) continue;
    out.push(`${ph.name}:`);
    for (const s of steps)
      out.push(
        `  ${String(++i).padStart(2)}. ${s.host.padEnd(8)} ${s.describe}${s.destructive ? '  [DESTRUCTIVE]' : ''}`,
        `        ${actionText(s)}${s.undo ? `   (undo: ${actionText(s, s.undo)})` : ''}`,
      );
  }
  return out.join('\n');
}

/** A step as data for --json. */
export const coreStepJson = (s: Step) => ({
  id: s.id,
  host: s.host,
  phase: s.phase,
  describe: s.describe,
  destructive: s.destructive ?? false,
  action: s.action,
  ...(s.undo ? { undo: s.undo } : {}),
});

const fmtMs = (ms: number) => (ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
