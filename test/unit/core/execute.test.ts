// The core executor through the local transport (real sh, real files): rolling order, the parallel bound,
// stop at the first failure, a failing verify, a probe timing out with the last value, undo, Ctrl-C.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execute, type ExecuteEnv } from '../../../src/core/execute.js';
import type { CheckSpec, PhaseSpec, Plan, Step } from '../../../src/core/types.js';
import { done, giveUp, notYet } from '../../../src/core/wait.js';
import { createLocalTransport } from '../../../src/remote/local.js';
import { waitFor } from '../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'falkorctl-execute-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const transport = createLocalTransport();
let n = 0;
const logFile = () => join(dir, `log-${++n}`);
const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : []);

/** An exec step that appends "<id>" to the log; `fail` makes it exit 1 after logging. */
const step = (host: string, what: string, phase: string, log: string, o: Partial<Step> & { fail?: boolean } = {}) => {
  const { fail, ...rest } = o;
  const s: Step = {
    id: `${host}:${what}`,
    host,
    phase,
    describe: what,
    action: {
      kind: 'exec',
      argv: ['sh', '-c', `echo "$1" >> "$2"${fail ? '; echo boom >&2; exit 1' : ''}`, 'x', `${host}:${what}`, log],
    },
    ...rest,
  };
  return s;
};

/** A probe "logged" that appends "verify <host>" and passes; "never" never passes and says what it saw. */
const probes = (log: string): ExecuteEnv['probes'] => ({
  logged: (c) => {
    writeFileSync(log, `verify ${c.host}\n`, { flag: 'a' });
    return done(`${c.host} ok`);
  },
  never: (c) => notYet(`${c.host}: master_link_status:down`),
});
const spec = (host: string, kind = 'logged', timeoutMs = 1000): CheckSpec => ({
  kind,
  host,
  what: `${host}: in sync`,
  timeoutMs,
  intervalMs: 5,
});
const plan = (phases: PhaseSpec[], steps: Step[]): Plan => ({ command: 'test', phases, steps, notes: [] });
const outcomes = (r: Awaited<ReturnType<typeof execute>>) =>
  Object.fromEntries(r.results.map((x) => [x.step.id, x.outcome]));

describe('execute', () => {
  it('a rolling phase runs one host at a time: its steps, its verify, then the next host; checks at the end', async () => {
    const log = logFile();
    const p = plan(
      [
        { name: 'master', parallel: 'forks' },
        { name: 'replicas', parallel: 1, checks: [spec('all')] },
      ],
      [
        step('m', 'conf', 'master', log),
        step('r1', 'conf', 'replicas', log),
        step('r1', 'restart', 'replicas', log, { verify: spec('r1') }),
        step('r2', 'conf', 'replicas', log),
        step('r2', 'restart', 'replicas', log, { verify: spec('r2') }),
      ],
    );
    const rep = await execute(p, { transport, forks: 4, probes: probes(log) });
    expect(rep.failure).toBeUndefined();
    expect(lines(log)).toEqual([
      'm:conf',
      'r1:conf',
      'r1:restart',
      'verify r1',
      'r2:conf',
      'r2:restart',
      'verify r2',
      'verify all',
    ]);
    expect(Object.values(outcomes(rep))).toEqual(['changed', 'changed', 'changed', 'changed', 'changed']);
    expect(rep.verified).toEqual(['all ok']);
    expect(rep.results.every((r) => r.durationMs >= 0)).toBe(true);
  });

  it('phase checks run also when no step ran, and a failing check fails the run', async () => {
    const log = logFile();
    const p = plan([{ name: 'haproxy', parallel: 'forks', checks: [spec('lb', 'never', 30)] }], []);
    const rep = await execute(p, { transport, forks: 2, probes: probes(log) });
    expect(rep.failure?.what).toBe('check lb: in sync');
    expect(rep.failure?.message).toContain('last seen: lb: master_link_status:down');
  });

  it('never has more hosts at work than the bound', async () => {
    for (const [bound, forks, want] of [
      [2, 8, 2],
      ['forks', 3, 3],
    ] as const) {
      let active = 0;
      let max = 0;
      let started = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const hosts = ['a', 'b', 'c', 'd', 'e'];
      const steps: Step[] = hosts.map((h) => ({
        id: `${h}:op`,
        host: h,
        phase: 'p',
        describe: 'op',
        action: { kind: 'custom', name: 'op' },
      }));
      const env: ExecuteEnv = {
        transport,
        forks,
        custom: {
          op: async () => {
            active++;
            max = Math.max(max, active);
            if (++started === want) release();
            await gate;
            active--;
          },
        },
      };
      const rep = await execute(plan([{ name: 'p', parallel: bound }], steps), env);
      expect(rep.failure).toBeUndefined();
      expect(max).toBe(want);
      expect(started).toBe(5);
    }
  });

  it('stops at the first failure at a step boundary: nothing new starts; the report names the command', async () => {
    const log = logFile();
    const p = plan(
      [
        { name: 'replicas', parallel: 1 },
        { name: 'sentinels', parallel: 'forks' },
      ],
      [
        step('r1', 'conf', 'replicas', log, { fail: true }),
        step('r1', 'restart', 'replicas', log),
        step('r2', 'conf', 'replicas', log),
        step('s1', 'conf', 'sentinels', log),
      ],
    );
    const rep = await execute(p, { transport, forks: 4, probes: probes(log) });
    expect(lines(log)).toEqual(['r1:conf']);
    expect(outcomes(rep)).toEqual({
      'r1:conf': 'failed',
      'r1:restart': 'not-done',
      'r2:conf': 'not-done',
      's1:conf': 'not-done',
    });
    expect(rep.failure).toMatchObject({ host: 'r1', stepId: 'r1:conf', exitStatus: 1 });
    expect(rep.failure?.stderr).toContain('boom');
    expect(rep.failure?.argv?.[0]).toBe('sh');
  });

  it('a failing parallel step lets the running ones finish and starts nothing new', async () => {
    const log = logFile();
    // b waits until a has failed (its log line is there), then finishes; its second step never starts.
    const wait = `while ! grep -q a:bad "$2"; do sleep 0.01; done; echo "$1" >> "$2"`;
    const b: Step = {
      ...step('b', 'slow', 'p', log),
      action: { kind: 'exec', argv: ['sh', '-c', wait, 'x', 'b:slow', log] },
    };
    const p = plan(
      [{ name: 'p', parallel: 'forks' }],
      [step('a', 'bad', 'p', log, { fail: true }), b, step('b', 'next', 'p', log)],
    );
    const rep = await execute(p, { transport, forks: 2 });
    expect(lines(log)).toEqual(['a:bad', 'b:slow']);
    expect(outcomes(rep)).toEqual({ 'a:bad': 'failed', 'b:slow': 'changed', 'b:next': 'not-done' });
  });

  it("a verify that does not hold fails the step with the probe's last value, runs its undo, and stops", async () => {
    const log = logFile();
    const undo = { kind: 'exec' as const, argv: ['sh', '-c', 'echo undo r1 >> "$1"', 'x', log] as const };
    const p = plan(
      [{ name: 'replicas', parallel: 1 }],
      [
        step('r1', 'restart', 'replicas', log, { verify: spec('r1', 'never', 40), undo }),
        step('r2', 'restart', 'replicas', log),
      ],
    );
    const rep = await execute(p, { transport, forks: 4, probes: probes(log) });
    expect(lines(log)).toEqual(['r1:restart', 'undo r1']);
    expect(outcomes(rep)).toEqual({ 'r1:restart': 'undone', 'r2:restart': 'not-done' });
    expect(rep.failure?.what).toBe('verify r1: in sync');
    expect(rep.failure?.message).toMatch(
      /timed out after 40 ms waiting for r1: in sync; last seen: r1: master_link_status:down/,
    );
  });

  it('a wait step times out naming the last value; an unknown probe is a clear error', async () => {
    const p = plan(
      [{ name: 'p', parallel: 1 }],
      [
        {
          id: 'a:wait',
          host: 'a',
          phase: 'p',
          describe: 'wait for sync',
          action: { kind: 'wait', check: spec('a', 'never', 20) },
        },
      ],
    );
    const rep = await execute(p, { transport, forks: 1, probes: probes(logFile()) });
    expect(rep.results[0]).toMatchObject({ outcome: 'failed' });
    expect(rep.results[0]!.detail).toContain('last seen: a: master_link_status:down');
    const rep2 = await execute(p, { transport, forks: 1 });
    expect(rep2.failure?.message).toBe('a: no probe named "never" for "a: in sync"');
  });

  it('a probe that gives up stops the wait at once with its own error, without polling again', async () => {
    let calls = 0;
    const p = plan(
      [{ name: 'p', parallel: 1 }],
      [
        {
          id: 'a:wait',
          host: 'a',
          phase: 'p',
          describe: 'wait',
          action: { kind: 'wait', check: spec('a', 'gu', 60_000) },
        },
      ],
    );
    const rep = await execute(p, {
      transport,
      forks: 1,
      probes: {
        gu: () => {
          calls++;
          throw giveUp(new Error('db2: replica of db9, not db1'));
        },
      },
    });
    expect(calls).toBe(1);
    expect(rep.failure?.message).toBe('db2: replica of db9, not db1');
  });

  it('tolerated exec failures are warnings, not stops; uploads report changed then unchanged', async () => {
    const log = logFile();
    const target = join(dir, `up-${n}`);
    const content = 'hello\n';
    const sha256 = (await import('node:crypto')).createHash('sha256').update(content).digest('hex');
    const up: Step = {
      id: 'a:file',
      host: 'a',
      phase: 'p',
      describe: 'write file',
      action: { kind: 'upload', path: target, mode: 0o640, secret: false, sha256, source: { from: 'inline', content } },
    };
    const tol: Step = { ...step('a', 'sysctl', 'p', log, { fail: true }) };
    if (tol.action.kind === 'exec') tol.action = { ...tol.action, tolerate: true };
    const p = plan([{ name: 'p', parallel: 1 }], [tol, up]);
    const rep = await execute(p, { transport, forks: 1 });
    expect(outcomes(rep)).toEqual({ 'a:sysctl': 'warning', 'a:file': 'changed' });
    expect(rep.warnings[0]).toMatch(/a: sysctl: .* failed \(exit 1\): boom/);
    expect(readFileSync(target, 'utf8')).toBe(content);
    expect(outcomes(await execute(p, { transport, forks: 1 }))['a:file']).toBe('unchanged');
  });

  it('Ctrl-C mid-step: the running step finishes, nothing new starts, the run reports interrupted', async () => {
    const log = logFile();
    const go = join(dir, `go-${n}`);
    const slow = `echo "start $1" >> "$2"; while [ ! -f "$3" ]; do sleep 0.01; done; echo "$1" >> "$2"`;
    const first: Step = {
      ...step('a', 'one', 'p', log),
      action: { kind: 'exec', argv: ['sh', '-c', slow, 'x', 'a:one', log, go] },
    };
    const p = plan(
      [
        { name: 'p', parallel: 1 },
        { name: 'q', parallel: 1 },
      ],
      [first, step('a', 'two', 'p', log), step('b', 'three', 'q', log)],
    );
    const ac = new AbortController();
    const audited: string[] = [];
    const running = execute(p, {
      transport,
      forks: 1,
      signal: ac.signal,
      audit: (r) => void audited.push(`${r.step.id} ${r.outcome}`),
    });
    await waitFor(
      () => lines(log),
      (l) => l.includes('start a:one'),
      { what: 'the first step to start' },
    );
    ac.abort();
    writeFileSync(go, '');
    const rep = await running;
    expect(rep.interrupted).toBe(true);
    expect(rep.failure).toBeUndefined();
    expect(lines(log)).toEqual(['start a:one', 'a:one']);
    expect(outcomes(rep)).toEqual({ 'a:one': 'changed', 'a:two': 'not-done', 'b:three': 'not-done' });
    expect(audited).toEqual(['a:one changed']);
  });

  it('Ctrl-C during a wait stops waiting and runs the step undo', async () => {
    const log = logFile();
    const ac = new AbortController();
    const undo = { kind: 'exec' as const, argv: ['sh', '-c', 'echo undo >> "$1"', 'x', log] as const };
    const p = plan(
      [{ name: 'p', parallel: 1 }],
      [{ id: 'a:fence', host: 'a', phase: 'p', describe: 'fence', action: { kind: 'custom', name: 'hang' }, undo }],
    );
    const custom: ExecuteEnv['custom'] = {
      hang: (_s, signal) =>
        new Promise((_r, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error));
          queueMicrotask(() => ac.abort());
        }),
    };
    const rep = await execute(p, { transport, forks: 1, signal: ac.signal, custom });
    expect(rep.interrupted).toBe(true);
    expect(outcomes(rep)).toEqual({ 'a:fence': 'undone' });
    expect(lines(log)).toEqual(['undo']);
  });

  it("a custom undo gets its own params (not the failed action's), and its answer is in the result", async () => {
    const log = logFile();
    const p = plan(
      [{ name: 'p', parallel: 1 }],
      [
        step('a', 'restart', 'p', log, {
          fail: true,
          undo: { kind: 'custom', name: 'rollback', params: { prev: '/etc/x.prev' } },
        }),
      ],
    );
    const seen: unknown[] = [];
    const custom: ExecuteEnv['custom'] = {
      rollback: async (s) => {
        seen.push(s.action.kind === 'custom' ? s.action.params : s.action.kind);
        return 'restored from /etc/x.prev';
      },
    };
    const rep = await execute(p, { transport, forks: 1, custom });
    expect(seen).toEqual([{ prev: '/etc/x.prev' }]);
    expect(outcomes(rep)).toEqual({ 'a:restart': 'undone' });
    expect(rep.results[0]!.undone).toBe('restored from /etc/x.prev');
    expect(rep.failure?.host).toBe('a');
  });

  it('refuses a plan with a step in no phase before running anything', async () => {
    const log = logFile();
    const p = plan([{ name: 'p', parallel: 1 }], [step('a', 'one', 'p', log), step('a', 'two', 'nope', log)]);
    await expect(execute(p, { transport, forks: 1 })).rejects.toThrow('step a:two: no phase nope');
    expect(lines(log)).toEqual([]);
  });
});
