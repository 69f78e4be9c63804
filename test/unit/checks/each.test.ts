import { describe, expect, it } from 'vitest';
import { eachHost } from '../../../src/checks/each.js';
import { runChecklist } from '../../../src/checks/index.js';
import type { Area, CheckEnv, CheckResult, Phase } from '../../../src/checks/types.js';

/** A promise per host that the test settles by hand, so the finishing order is the test's, not a timer's. */
function gates(hosts: readonly string[]) {
  const open = new Map<string, () => void>();
  const started: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fn = (h: string) =>
    new Promise<string>((resolve) => {
      started.push(h);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      open.set(h, () => {
        inFlight--;
        resolve(`r-${h}`);
      });
    });
  return { fn, open, started, max: () => maxInFlight, hosts };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('eachHost', () => {
  it('runs at most forks hosts at once and returns results in host order, whatever finishes first', async () => {
    const hosts = ['db1', 'db2', 'db3', 'db4', 'db5'];
    const g = gates(hosts);
    const p = eachHost({ forks: 2 }, hosts, g.fn);
    await settle();
    expect(g.started).toEqual(['db1', 'db2']);
    g.open.get('db2')!(); // the second finishes first: its slot goes to db3
    await settle();
    expect(g.started).toEqual(['db1', 'db2', 'db3']);
    for (const h of ['db3', 'db1']) g.open.get(h)!();
    await settle();
    for (const h of ['db5', 'db4']) g.open.get(h)!();
    expect(await p).toEqual(['r-db1', 'r-db2', 'r-db3', 'r-db4', 'r-db5']);
    expect(g.max()).toBe(2);
  });

  it('bounds the hosts of every call on one env together (concurrent areas share --forks)', async () => {
    const env = { forks: 3 };
    const a = gates(['a1', 'a2', 'a3']);
    const b = gates(['b1', 'b2', 'b3']);
    let inFlight = 0;
    let max = 0;
    const track = (fn: (h: string) => Promise<string>) => async (h: string) => {
      max = Math.max(max, ++inFlight);
      try {
        return await fn(h);
      } finally {
        inFlight--;
      }
    };
    const pa = eachHost(env, a.hosts, track(a.fn));
    const pb = eachHost(env, b.hosts, track(b.fn));
    await settle();
    expect(a.started.length + b.started.length).toBe(3);
    for (let i = 0; i < 6; i++) {
      const next = [...a.open.entries(), ...b.open.entries()][0]!;
      a.open.delete(next[0]);
      b.open.delete(next[0]);
      next[1]();
      await settle();
    }
    expect(await pa).toEqual(['r-a1', 'r-a2', 'r-a3']);
    expect(await pb).toEqual(['r-b1', 'r-b2', 'r-b3']);
    expect(max).toBe(3);
  });

  it('tries every host, then throws the first error in host order', async () => {
    const tried: string[] = [];
    const p = eachHost({ forks: 4 }, ['db1', 'db2', 'db3'], async (h) => {
      tried.push(h);
      await settle();
      if (h !== 'db1') throw new Error(`${h} unreachable`);
      return h;
    });
    await expect(p).rejects.toThrow('db2 unreachable');
    expect(tried).toEqual(['db1', 'db2', 'db3']);
  });

  it('refuses a forks that is not a positive integer', async () => {
    await expect(eachHost({ forks: 0 }, ['db1'], () => Promise.resolve(1))).rejects.toThrow(/forks must be/);
  });
});

describe('runChecklist over concurrent areas', () => {
  const result = (id: string, phase: Phase): CheckResult => ({ id, title: id, item: 'x', phase, outcome: 'pass' });
  const env = { forks: 10 } as CheckEnv;

  it('reports in the areas order even when a later area finishes first; skips areas of other phases', async () => {
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => (releaseSlow = r));
    const ran: string[] = [];
    const areas: Area[] = [
      {
        name: 'slow',
        phases: ['post'],
        run: async () => {
          ran.push('slow');
          await slowGate;
          return [result('slow.a', 'post')];
        },
      },
      {
        name: 'fast',
        run: () => {
          ran.push('fast');
          releaseSlow(); // runs while slow is still waiting: the areas are concurrent
          return Promise.resolve([result('fast.a', 'post'), result('fast.pre', 'pre')]);
        },
      },
      { name: 'preonly', phases: ['pre'], run: () => Promise.reject(new Error('must not run for --phase post')) },
    ];
    const rs = await runChecklist(env, ['post'], undefined, areas);
    expect(rs.map((r) => r.id)).toEqual(['slow.a', 'fast.a']);
    expect(ran).toEqual(['slow', 'fast']);
  });

  it('an area that changes the cluster (alone) starts only after every other area has finished', async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const areas: Area[] = [
      {
        name: 'mover',
        alone: true,
        run: () => (log.push('mover'), Promise.resolve([result('mover.a', 'post')])),
      },
      { name: 'reader', run: async () => (log.push('reader start'), await gate, log.push('reader end'), []) },
      { name: 'other', run: () => (release(), Promise.resolve([result('other.a', 'post')])) },
    ];
    const rs = await runChecklist(env, ['post'], undefined, areas);
    expect(log).toEqual(['reader start', 'reader end', 'mover']);
    expect(rs.map((r) => r.id)).toEqual(['mover.a', 'other.a']);
  });

  it('an area that cannot run is a failure in a phase the run shows', async () => {
    const areas: Area[] = [
      { name: 'broken', phases: ['pre', 'post'], run: () => Promise.reject(new Error('no route')) },
      { name: 'throws', phases: ['post'], run: () => { throw new Error('sync'); } }, // prettier-ignore
    ];
    const rs = await runChecklist(env, ['post'], undefined, areas);
    expect(rs).toMatchObject([
      { id: 'broken.error', phase: 'post', outcome: 'fail', reason: 'could not run: no route' },
      { id: 'throws.error', phase: 'post', outcome: 'fail', reason: 'could not run: sync' },
    ]);
  });
});
