// Deploy on the one executor (src/core/execute.ts): this file only translates. Phases in order (master,
// replicas, Sentinels, HAProxy); within a phase the hosts in parallel (--forks). Replicas and Sentinels
// restart one at a time, each verified before the next goes down (never all replicas resyncing at once,
// never the Sentinels' quorum lost): such a phase becomes a parallel "prepare" phase (files, units, users)
// and a rolling phase from each host's first restart on, whose restart step carries the host's check.
// The first failure stops everything at a step boundary: running steps finish, nothing new starts.
import { execute, type ExecuteEnv, type ProgressSink } from '../core/execute.js';
import type * as core from '../core/types.js';
import { done, giveUp } from '../core/wait.js';
import type { Transport } from '../remote/transport.js';
import type { RenderedFile } from '../render/index.js';
import { PHASES, type Check, type Plan, type Step } from './types.js';

export interface ApplyEnv {
  transport: Transport;
  files: readonly RenderedFile[];
  /** Polls one check with its own deadline; resolves with a summary or throws what it last saw. */
  runCheck: (c: Check) => Promise<string>;
  /** Sends one command to a service on a host (SENTINEL SET). */
  redis: (host: string, port: number, sentinel: boolean, args: [string, ...string[]]) => Promise<unknown>;
  /** Per-host progress (src/core/progress.ts), or a plain line sink. */
  progress: ProgressSink | ((line: string) => void);
  forks: number;
  audit?: ExecuteEnv['audit'];
  signal?: AbortSignal;
}

export type Failure = core.Failure;

export interface ApplyReport {
  done: Step[];
  changed: Step[];
  verified: string[];
  warnings: string[];
  failure?: Failure;
  notDone: Step[];
  interrupted?: boolean;
  /** The executor's per-step results (outcome, duration, detail), for --json and the audit log. */
  results: core.StepResult[];
}

/** runCheck does its own polling and deadline; the executor's deadline only bounds a hung probe. */
const CHECK_BOUND_MS = 24 * 3600_000;
const BOOT_NOTE = ' — left as it is (the file still applies at boot)';
const ROLLING = new Set<string>(['replicas', 'sentinels']);

export async function applyPlan(plan: Plan, env: ApplyEnv): Promise<ApplyReport> {
  const { plan: cp, original } = toCorePlan(plan);
  const verified: string[] = [];
  const progress: ProgressSink =
    typeof env.progress === 'function'
      ? {
          update: (
            (p) => (host, line) =>
              p(`${host}: ${line}`)
          )(env.progress),
          finish: () => {},
        }
      : env.progress;
  const rep = await execute(cp, {
    transport: env.transport,
    files: env.files,
    forks: env.forks,
    progress,
    audit: env.audit,
    signal: env.signal,
    redis: (host, service, port, args) => env.redis(host, port, service === 'sentinel', args),
    probes: {
      'deploy-check': async (spec) => {
        try {
          const v = await env.runCheck(spec.params!.check as Check);
          verified.push(v);
          return done(v);
        } catch (e) {
          throw giveUp(e);
        }
      },
    },
  });
  // Back in the deploy plan's order (the core plan moved rolling steps after the prepare steps).
  const byStep = new Map(rep.results.map((r) => [original.get(r.step)!, r]));
  const ordered = plan.steps.map((s) => ({ s, r: byStep.get(s)! }));
  // A step whose verify failed did run (the restart happened; the check after it did not hold).
  const ranThenFailed = (r: core.StepResult) =>
    r.outcome === 'failed' && rep.failure?.stepId === r.step.id && rep.failure.what.startsWith('verify ');
  const isDone = (r: core.StepResult) =>
    r.outcome === 'changed' || r.outcome === 'unchanged' || r.outcome === 'warning' || ranThenFailed(r);
  // a phase check (no step id) reads "verify KIND", as deploy always said; a step's own name is left alone
  const failure = rep.failure && {
    ...rep.failure,
    what: rep.failure.stepId ? rep.failure.what : rep.failure.what.replace(/^check /, 'verify '),
  };
  return {
    done: ordered.filter((x) => isDone(x.r)).map((x) => x.s),
    changed: ordered
      .filter((x) => x.r.outcome === 'changed' || x.r.outcome === 'warning' || ranThenFailed(x.r))
      .map((x) => x.s),
    verified,
    warnings: rep.warnings.map((w) => w + BOOT_NOTE),
    ...(failure ? { failure } : {}),
    notDone: ordered.filter((x) => !isDone(x.r)).map((x) => x.s),
    ...(rep.interrupted ? { interrupted: true } : {}),
    results: ordered.map((x) => x.r),
  };
}

const checkSpec = (c: Check, what: string): core.CheckSpec => ({
  kind: 'deploy-check',
  host: c.host,
  what,
  timeoutMs: CHECK_BOUND_MS,
  params: { check: c },
});

/** The deploy plan as a core plan; `original` maps each core step back to the deploy step it came from. */
export function toCorePlan(plan: Plan): { plan: core.Plan; original: Map<core.Step, Step> } {
  const original = new Map<core.Step, Step>();
  const phases: core.PhaseSpec[] = [];
  const steps: core.Step[] = [];
  for (const phase of PHASES) {
    const mine = plan.steps.filter((s) => s.phase === phase);
    const checks = plan.checks[phase] ?? [];
    const rolled = new Set<Check>();
    const rollingSteps: core.Step[] = [];
    const prepSteps: core.Step[] = [];
    for (const host of [...new Set(mine.map((s) => s.host))]) {
      const hs = mine.filter((s) => s.host === host);
      const check = checks.find((c) => c.host === host);
      const first = ROLLING.has(phase) && check ? hs.findIndex((s) => s.id.includes(':restart:')) : -1;
      hs.forEach((s, i) => {
        const rolling = first >= 0 && i >= first;
        const c: core.Step = {
          id: s.id,
          host: s.host,
          phase: rolling ? `${phase}:rolling` : phase,
          describe: s.describe,
          action: coreAction(s.action),
          ...(s.undo ? { undo: coreAction(s.undo) } : {}),
          ...(s.destructive ? { destructive: true } : {}),
          ...(rolling && i === first && check ? { verify: checkSpec(check, `${check.kind} after the restart`) } : {}),
        };
        if (rolling && i === first && check) rolled.add(check);
        original.set(c, s);
        (rolling ? rollingSteps : prepSteps).push(c);
      });
    }
    const rest = checks.filter((c) => !rolled.has(c)).map((c) => checkSpec(c, c.kind));
    if (rollingSteps.length) {
      phases.push({ name: phase, parallel: 'forks' });
      phases.push({ name: `${phase}:rolling`, parallel: 1, checks: rest });
    } else phases.push({ name: phase, parallel: 'forks', checks: rest });
    steps.push(...prepSteps, ...rollingSteps);
  }
  return { plan: { command: 'deploy', phases, steps, notes: plan.notes }, original };
}

function coreAction(a: Step['action']): core.Action {
  if (a.kind === 'redis')
    return { kind: 'redis', service: a.sentinel ? 'sentinel' : 'node', port: a.port, args: a.args };
  return a;
}
