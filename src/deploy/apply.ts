// The one executor: phases in order (master, replicas, Sentinels, HAProxy); within a phase the hosts in
// parallel (--forks), each host's steps in order; after each phase its checks. The first failure stops
// everything at a step boundary: running steps finish, nothing new starts.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { excerptOf, FalkorError, isFalkorError, RemoteError } from '../errors.js';
import { createLimiter, runParallel } from '../remote/parallel.js';
import { quoteArgv } from '../remote/quote.js';
import type { Transport } from '../remote/transport.js';
import type { RenderedFile } from '../render/index.js';
import { PHASES, type Check, type Plan, type Step } from './types.js';

export interface ApplyEnv {
  transport: Transport;
  files: readonly RenderedFile[];
  runCheck: (c: Check) => Promise<string>;
  /** Sends one command to a service on a host (SENTINEL SET). */
  redis: (host: string, port: number, sentinel: boolean, args: [string, ...string[]]) => Promise<unknown>;
  progress: (line: string) => void;
  forks: number;
}

export interface Failure {
  host: string;
  what: string;
  argv?: readonly string[];
  exitStatus?: number | null;
  stderr?: string;
  message: string;
}

export interface ApplyReport {
  done: Step[];
  changed: Step[];
  verified: string[];
  warnings: string[];
  failure?: Failure;
  notDone: Step[];
}

export async function applyPlan(plan: Plan, env: ApplyEnv): Promise<ApplyReport> {
  const rep: ApplyReport = { done: [], changed: [], verified: [], warnings: [], notDone: [] };
  const byPath = new Map(env.files.map((f) => [`${f.host}\u0000${f.path}`, f]));
  let stop = false;

  const runStep = async (s: Step): Promise<void> => {
    const a = s.action;
    if (a.kind === 'exec') {
      const r = await env.transport.exec(s.host, a.argv, { check: !a.tolerate });
      if (a.tolerate && r.code !== 0)
        rep.warnings.push(
          `${s.host}: ${s.describe}: \`${quoteArgv(a.argv)}\` failed (exit ${r.code}): ${excerptOf(r.stderr, 3).split('\n').join('; ') || 'no message'} — left as it is (the file still applies at boot)`,
        );
      rep.changed.push(s);
      return;
    }
    if (a.kind === 'redis') {
      await env.redis(s.host, a.port, a.sentinel, a.args);
      rep.changed.push(s);
      return;
    }
    const src = a.source;
    const data = src.from === 'render' ? byPath.get(`${s.host}\u0000${src.path}`)?.content : await readFile(src.file);
    if (data === undefined) throw new Error(`no rendered ${a.path} for ${s.host}`);
    const got = createHash('sha256').update(data).digest('hex');
    if (got !== a.sha256)
      throw new FalkorError(
        'USER',
        `${s.host}: ${a.path}: the source's sha256 is ${got}, the plan expected ${a.sha256}`,
      );
    const [owner, group] = a.owner?.split(':') ?? [];
    const r = await env.transport.upload(s.host, a.path, data, { mode: a.mode, owner, group: group ?? owner });
    if (r.changed) rep.changed.push(s);
  };

  // Replicas and Sentinels restart one at a time, each verified before the next goes down: never all
  // replicas resyncing at once, never the Sentinels' quorum lost.
  const rolling = createLimiter(1);
  const check = async (c: Check) => {
    env.progress(`${c.host}: verifying (${c.kind})`);
    rep.verified.push(await env.runCheck(c));
  };

  for (const phase of PHASES) {
    const steps = plan.steps.filter((s) => s.phase === phase);
    const hosts = [...new Set(steps.map((s) => s.host))];
    const checked = new Set<Check>();
    if (!stop && hosts.length) {
      await runParallel(hosts, env.forks, async (host) => {
        for (const s of steps.filter((x) => x.host === host)) {
          if (stop) return;
          const mine = (plan.checks[phase] ?? []).find((c) => c.host === host);
          const roll = s.id.includes(':restart:') && (phase === 'replicas' || phase === 'sentinels') && mine;
          let stage: 'step' | 'check' = 'step';
          try {
            const run = async () => {
              env.progress(`${host}: ${s.describe}`);
              await runStep(s);
              rep.done.push(s);
              if (roll) {
                stage = 'check';
                checked.add(mine);
                await check(mine);
              }
            };
            await (roll ? rolling(() => (stop ? Promise.resolve() : run())) : run());
          } catch (e) {
            stop = true;
            rep.failure ??=
              stage === 'step'
                ? failureOf(s, e)
                : { host, what: `verify ${mine ? mine.kind : ''} after the restart`, message: (e as Error).message };
          }
        }
      });
    }
    const checks = (plan.checks[phase] ?? []).filter((c) => !checked.has(c));
    if (!stop && checks.length) {
      await runParallel(checks, env.forks, async (c) => {
        try {
          await check(c);
        } catch (e) {
          stop = true;
          rep.failure ??= { host: c.host, what: `verify ${c.kind}`, message: (e as Error).message };
        }
      });
    }
  }
  const done = new Set(rep.done);
  rep.notDone = plan.steps.filter((s) => !done.has(s));
  return rep;
}

function failureOf(s: Step, e: unknown): Failure {
  const a = s.action;
  const base = {
    host: s.host,
    what: s.describe,
    argv: a.kind === 'exec' ? a.argv : a.kind === 'redis' ? a.args : ['upload', a.path],
  };
  if (e instanceof RemoteError || (isFalkorError(e) && e.code === 'REMOTE' && 'exitStatus' in e)) {
    const r = e as RemoteError;
    return { ...base, exitStatus: r.exitStatus, stderr: r.stderrExcerpt, message: r.message };
  }
  return { ...base, message: (e as Error)?.message ?? String(e) };
}
