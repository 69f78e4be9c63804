// The executor, through the local transport (real sh, real files): rolling restarts one at a time with
// their check in between, parallel hosts otherwise, stop at the first failure with what was not done.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/deploy/apply.js';
import { failureText, hostsDone } from '../../../src/deploy/present.js';
import type { Check, Plan, Step } from '../../../src/deploy/types.js';
import { createLocalTransport } from '../../../src/remote/local.js';

const dir = mkdtempSync(join(tmpdir(), 'falkorctl-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const transport = createLocalTransport();

const exec = (host: string, id: string, phase: Step['phase'], log: string, extra = ''): Step => ({
  id: `${host}:${id}`,
  host,
  phase,
  describe: id,
  destructive: false,
  action: {
    kind: 'exec',
    argv: [
      'sh',
      '-c',
      `echo "start $1" >> "$2"; sleep 0.3; echo "end $1" >> "$2"${extra}`,
      'step',
      `${host}:${id}`,
      log,
    ],
  },
});

function env(
  log: string,
  files: { host: string; path: string; content: string; mode: number; secret: boolean }[] = [],
) {
  return {
    transport,
    files,
    forks: 4,
    progress: () => {},
    redis: async () => undefined,
    runCheck: async (c: Check) => {
      appendFileSync(log, `check ${c.host}\n`);
      return `${c.host} ok`;
    },
  };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n');

describe('executor', () => {
  it('restarts replicas one at a time, each checked before the next; other steps run in parallel', async () => {
    const log = join(dir, 'rolling.log');
    const master = { host: 'm', address: '127.0.0.1', port: 6379 };
    const plan: Plan = {
      steps: [
        exec('r1', 'file', 'replicas', log),
        exec('r1', 'restart:falkordb.service', 'replicas', log),
        exec('r2', 'file', 'replicas', log),
        exec('r2', 'restart:falkordb.service', 'replicas', log),
      ],
      checks: {
        replicas: [
          { kind: 'replica', host: 'r1', master },
          { kind: 'replica', host: 'r2', master },
        ],
      },
      notes: [],
    };
    const rep = await applyPlan(plan, env(log));
    expect(rep.failure).toBeUndefined();
    const l = lines(log);
    expect(l.slice(0, 2).sort()).toEqual(['start r1:file', 'start r2:file']); // both hosts at once
    const restarts = l.filter((x) => /restart|check/.test(x));
    const first = restarts[0]!.includes('r1') ? 'r1' : 'r2';
    const second = first === 'r1' ? 'r2' : 'r1';
    expect(restarts).toEqual([
      `start ${first}:restart:falkordb.service`,
      `end ${first}:restart:falkordb.service`,
      `check ${first}`,
      `start ${second}:restart:falkordb.service`,
      `end ${second}:restart:falkordb.service`,
      `check ${second}`,
    ]);
    expect(rep.verified).toHaveLength(2); // each host checked once
  });

  it('stops at the first failure: the failing command, its exit status and stderr, hosts done, what was not done', async () => {
    const log = join(dir, 'fail.log');
    const target = join(dir, 'conf');
    const files = [{ host: 'a', path: target, content: 'x 1\n', mode: 0o640, secret: false }];
    const upload: Step = {
      id: 'a:file',
      host: 'a',
      phase: 'master',
      describe: 'write conf',
      destructive: false,
      action: {
        kind: 'upload',
        path: target,
        mode: 0o640,
        secret: false,
        sha256: sha('x 1\n'),
        source: { from: 'render', path: target },
      },
    };
    const plan: Plan = {
      steps: [
        upload,
        exec('b', 'start', 'replicas', log),
        exec('c', 'start', 'replicas', log, '; echo "no such thing" >&2; exit 3'),
        exec('d', 'start', 'sentinels', log),
      ],
      checks: {
        master: [{ kind: 'master', host: 'a' }],
        sentinels: [{ kind: 'sentinel', host: 'd', master: { address: '127.0.0.1', port: 6379 } }],
      },
      notes: [],
    };
    const rep = await applyPlan(plan, env(log, files));
    expect(readFileSync(target, 'utf8')).toBe('x 1\n');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(rep.failure).toMatchObject({ host: 'c', exitStatus: 3, stderr: 'no such thing' });
    expect(rep.notDone.map((s) => s.id)).toEqual(['c:start', 'd:start']);
    expect(lines(log)).not.toContain('start d:start');
    expect(lines(log)).not.toContain('check d');
    expect(hostsDone(plan, rep)).toEqual(['a', 'b']);
    const text = failureText(rep, plan);
    expect(text).toMatch(
      /^deploy stopped: c: start failed\n {2}command: sh -c .* \(exit 3\)\n {6}no such thing\n {2}hosts done: a, b\n {2}not done \(2 step\(s\)\):\n {4}c: start\n {4}d: start$/,
    );
  });
});

describe('executor: a check that does not hold', () => {
  it('stops the rolling restart after the failing host with the check message; the next host is not touched', async () => {
    const log = join(dir, 'check-fails.log');
    const master = { host: 'm', address: '127.0.0.1', port: 6379 };
    const plan: Plan = {
      steps: [
        exec('r1', 'restart:falkordb.service', 'replicas', log),
        exec('r2', 'restart:falkordb.service', 'replicas', log),
      ],
      checks: {
        replicas: [
          { kind: 'replica', host: 'r1', master },
          { kind: 'replica', host: 'r2', master },
        ],
      },
      notes: [],
    };
    let calls = 0;
    const rep = await applyPlan(plan, {
      ...env(log),
      forks: 1,
      runCheck: async (c: Check) => {
        calls++;
        throw new Error(`${c.host}: master_link_status:down after 30 s`);
      },
    });
    expect(calls).toBe(1); // runCheck polls itself: the executor must not poll it again
    expect(rep.failure).toMatchObject({
      host: 'r1',
      what: 'verify replica after the restart',
      message: 'r1: master_link_status:down after 30 s',
    });
    expect(lines(log)).toEqual(['start r1:restart:falkordb.service', 'end r1:restart:falkordb.service']);
    expect(rep.done.map((s) => s.id)).toEqual(['r1:restart:falkordb.service']); // it ran; its check failed
    expect(rep.notDone.map((s) => s.id)).toEqual(['r2:restart:falkordb.service']);
    expect(failureText(rep, plan)).toContain('r1: verify replica after the restart failed');
  });

  it('a phase check that fails (no step ran) is reported as "verify KIND" and stops later phases', async () => {
    const log = join(dir, 'phase-check.log');
    const plan: Plan = {
      steps: [exec('d', 'start', 'sentinels', log)],
      checks: { master: [{ kind: 'master', host: 'a' }] },
      notes: [],
    };
    const rep = await applyPlan(plan, {
      ...env(log),
      runCheck: async () => {
        throw new Error('a: role:slave, expected master');
      },
    });
    expect(rep.failure).toMatchObject({ host: 'a', what: 'verify master', message: 'a: role:slave, expected master' });
    expect(rep.notDone.map((s) => s.id)).toEqual(['d:start']);
    expect(rep.verified).toEqual([]);
  });
});

describe('executor: failure names', () => {
  it('a failing step whose name starts with "check" keeps its name (only phase checks read "verify KIND")', async () => {
    const log = join(dir, 'check-named.log');
    const s = exec('lb1', 'check', 'haproxy', log, '; exit 4');
    const plan: Plan = { steps: [{ ...s, describe: 'check it with haproxy -c' }], checks: {}, notes: [] };
    const rep = await applyPlan(plan, env(log));
    expect(rep.failure).toMatchObject({ host: 'lb1', what: 'check it with haproxy -c', exitStatus: 4 });
  });
});
