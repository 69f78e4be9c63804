// The one executor: turns a Plan's steps into effects. Phases in order; within a phase the hosts in parallel
// up to the phase's bound (1 = rolling: one host's steps and verifies before the next host starts); a step's
// verify right after it; the phase's checks at its end (also when no step ran). The first failure stops the
// run at a step boundary: running steps finish, nothing new starts. Ctrl-C (env.signal) does the same and
// reports `interrupted`. Every step gets exactly one result, in plan order.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../context.js';
import { realClock } from '../context.js';
import { excerptOf, FalkorError, isFalkorError, type RemoteError } from '../errors.js';
import { runParallel } from '../remote/parallel.js';
import { quoteArgv } from '../remote/quote.js';
import type { Transport } from '../remote/transport.js';
import type { Action, CheckSpec, ExecuteReport, Failure, Outcome, Plan, Step, StepResult } from './types.js';
import { waitFor, type Probe } from './wait.js';

/** A named condition: called once per poll; says what it saw so a timeout can name the last value. */
export type ProbeFn = (spec: CheckSpec, signal: AbortSignal) => Promise<Probe<string>> | Probe<string>;

/** A named operation only one command knows. Returns a detail line, or `{ changed: false }` for a no-op. */
export type CustomFn = (
  step: Step,
  signal: AbortSignal,
) => Promise<string | void | { changed: false; detail?: string }>;

/** Per-host progress (src/core/progress.ts implements it; tests may pass their own). */
export interface ProgressSink {
  /** The host started `line` (a step's describe, "verifying …"). */
  update(host: string, line: string): void;
  /** The host has nothing more to do in this run (ok = no failure on it). */
  finish(host: string, ok: boolean): void;
}

export interface ExecuteEnv {
  transport: Transport;
  /** Rendered files, looked up by host and path for `upload` steps with `source.from === 'render'`. */
  files?: readonly { host: string; path: string; content: string | Buffer }[];
  /** One command to a service on a host (through the SSH tunnel). */
  redis?: (host: string, service: 'node' | 'sentinel', port: number, args: [string, ...string[]]) => Promise<unknown>;
  probes?: Readonly<Record<string, ProbeFn>>;
  custom?: Readonly<Record<string, CustomFn>>;
  /** The --forks bound, used by phases with `parallel: 'forks'` and for phase checks. */
  forks: number;
  progress?: ProgressSink;
  /** Called once per finished step (also not-done ones are not audited: they did nothing). */
  audit?: (r: StepResult) => void | Promise<void>;
  /** Ctrl-C: the command wires SIGINT/SIGTERM to it. */
  signal?: AbortSignal;
  clock?: Clock;
}

export async function execute(plan: Plan, env: ExecuteEnv): Promise<ExecuteReport> {
  // A step in no phase would silently never run: refuse the plan before anything starts.
  const known = new Set(plan.phases.map((p) => p.name));
  for (const s of plan.steps)
    if (!known.has(s.phase)) throw new FalkorError('USER', `step ${s.id}: no phase ${s.phase}`);
  const clock = env.clock ?? realClock;
  const signal = env.signal ?? new AbortController().signal;
  const results = new Map<Step, StepResult>();
  const rep: ExecuteReport = { results: [], verified: [], warnings: [] };
  const byPath = new Map((env.files ?? []).map((f) => [`${f.host}\u0000${f.path}`, f.content]));
  let stop = false;
  const halted = () => stop || signal.aborted;
  const fail = (f: Failure) => {
    stop = true;
    rep.failure ??= f;
  };

  const record = async (r: StepResult) => {
    results.set(r.step, r);
    await env.audit?.(r);
  };

  const check = async (c: CheckSpec, what = c.what): Promise<string> => {
    const probe = env.probes?.[c.kind];
    if (!probe) throw new FalkorError('USER', `${c.host}: no probe named "${c.kind}" for "${c.what}"`);
    env.progress?.update(c.host, `verifying ${what}`);
    return waitFor(() => probe(c, signal), {
      what: c.what,
      timeoutMs: c.timeoutMs,
      intervalMs: c.intervalMs,
      clock,
      signal,
    });
  };

  /** Runs one action; returns its outcome and detail. Throws on failure. */
  const act = async (s: Step, a: Action): Promise<{ outcome: Outcome; detail?: string }> => {
    if (a.kind === 'exec') {
      const r = await env.transport.exec(s.host, a.argv, { check: !a.tolerate, timeoutMs: a.timeoutMs });
      if (a.tolerate && r.code !== 0) {
        const why = excerptOf(r.stderr, 3).split('\n').join('; ') || 'no message';
        const w = `${s.host}: ${s.describe}: \`${quoteArgv(a.argv)}\` failed (exit ${r.code}): ${why}`;
        rep.warnings.push(w);
        return { outcome: 'warning', detail: w };
      }
      return { outcome: 'changed' };
    }
    if (a.kind === 'redis') {
      if (!env.redis) throw new FalkorError('USER', `${s.host}: ${s.describe}: no Redis connection given`);
      await env.redis(s.host, a.service, a.port, a.args);
      return { outcome: 'changed' };
    }
    if (a.kind === 'wait') return { outcome: 'unchanged', detail: await check(a.check) };
    if (a.kind === 'custom') {
      const fn = env.custom?.[a.name];
      if (!fn) throw new FalkorError('USER', `${s.host}: ${s.describe}: no operation named "${a.name}"`);
      // an undo's operation gets the step with the undo as its action: its params are the undo's
      const r = await fn(a === s.action ? s : { ...s, action: a }, signal);
      if (r && typeof r === 'object') return { outcome: 'unchanged', detail: r.detail };
      return { outcome: 'changed', detail: r || undefined };
    }
    const src = a.source;
    const data =
      src.from === 'render'
        ? byPath.get(`${s.host}\u0000${src.path}`)
        : src.from === 'local'
          ? await readFile(src.file)
          : src.content;
    if (data === undefined) throw new FalkorError('USER', `${s.host}: no rendered file for ${a.path}`);
    const got = createHash('sha256').update(data).digest('hex');
    if (got !== a.sha256)
      throw new FalkorError(
        'USER',
        `${s.host}: ${a.path}: the source's sha256 is ${got}, the plan expected ${a.sha256}`,
      );
    const [owner, group] = a.owner?.split(':') ?? [];
    const r = await env.transport.upload(s.host, a.path, data, { mode: a.mode, owner, group: group ?? owner });
    return { outcome: r.changed ? 'changed' : 'unchanged' };
  };

  /** One step and its verify; on failure or interrupt its undo. Never throws. */
  const runStep = async (s: Step): Promise<boolean> => {
    const t0 = clock.now();
    const took = () => clock.now() - t0;
    env.progress?.update(s.host, s.describe);
    let stage: 'step' | 'verify' = 'step';
    try {
      const r = await act(s, s.action);
      if (s.verify) {
        stage = 'verify';
        const seen = await check(s.verify);
        r.detail ??= seen;
      }
      await record({ step: s, outcome: r.outcome, durationMs: took(), ...(r.detail ? { detail: r.detail } : {}) });
      return true;
    } catch (e) {
      const interrupted = signal.aborted;
      const message = interrupted ? 'interrupted' : messageOf(e);
      if (!interrupted)
        fail(
          stage === 'step'
            ? failureOf(s, e)
            : { host: s.host, stepId: s.id, what: `verify ${s.verify!.what}`, message },
        );
      let outcome: Outcome = interrupted ? 'not-done' : 'failed';
      let detail = message;
      let undone: string | undefined;
      if (s.undo) {
        env.progress?.update(s.host, `undoing: ${s.describe}`);
        try {
          undone = (await act(s, s.undo)).detail;
          outcome = 'undone';
        } catch (u) {
          outcome = 'failed';
          detail = `${message}; undo failed: ${messageOf(u)}`;
          if (interrupted) fail({ host: s.host, stepId: s.id, what: `undo ${s.describe}`, message: messageOf(u) });
        }
      }
      await record({ step: s, outcome, durationMs: took(), detail, ...(undone ? { undone } : {}) });
      return false;
    }
  };

  for (const phase of plan.phases) {
    if (halted()) break;
    const steps = plan.steps.filter((s) => s.phase === phase.name);
    const hosts = [...new Set(steps.map((s) => s.host))];
    const bound = phase.parallel === 'forks' ? env.forks : phase.parallel;
    await runParallel(hosts, Math.max(1, bound), async (host) => {
      let ok = true;
      for (const s of steps.filter((x) => x.host === host)) {
        if (halted()) break;
        if (!(await runStep(s))) {
          ok = false;
          break;
        }
      }
      env.progress?.finish(host, ok);
    });
    if (halted()) break;
    await runParallel(phase.checks ?? [], Math.max(1, env.forks), async (c) => {
      if (halted()) return;
      try {
        rep.verified.push(await check(c));
        env.progress?.finish(c.host, true);
      } catch (e) {
        env.progress?.finish(c.host, false);
        if (!signal.aborted) fail({ host: c.host, what: `check ${c.what}`, message: messageOf(e) });
      }
    });
  }
  rep.results = plan.steps.map((s) => results.get(s) ?? { step: s, outcome: 'not-done', durationMs: 0 });
  if (signal.aborted) rep.interrupted = true;
  return rep;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

function failureOf(s: Step, e: unknown): Failure {
  const a = s.action;
  const argv =
    a.kind === 'exec' ? a.argv : a.kind === 'redis' ? a.args : a.kind === 'upload' ? ['upload', a.path] : undefined;
  const base: Failure = {
    host: s.host,
    stepId: s.id,
    what: s.describe,
    message: messageOf(e),
    ...(argv ? { argv } : {}),
  };
  if (isFalkorError(e) && e.code === 'REMOTE' && 'exitStatus' in e) {
    const r = e as RemoteError;
    return { ...base, exitStatus: r.exitStatus, stderr: r.stderrExcerpt };
  }
  return base;
}
