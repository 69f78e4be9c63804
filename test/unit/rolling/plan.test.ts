import { describe, expect, it } from 'vitest';
import { planRollingRestart } from '../../../src/rolling/plan.js';
import { timing } from '../../../src/switchover/plan.js';
import { preflight, type Preflight } from '../../../src/switchover/preflight.js';
import { healthy, settings } from '../switchover/fixture.js';

const pre = (): Preflight => {
  const r = preflight(healthy(), settings);
  if (!r.ok) throw new Error(r.reasons.join('; '));
  return r.value;
};
const opts = { switchBack: false, maxLagBytes: 1000, readyMs: 60_000, keepOffset: false };
const plan = (o = {}) => planRollingRestart(pre(), settings, { minReplicas: 0 }, timing(5000), { ...opts, ...o });
const restarts = (p: ReturnType<typeof plan>) => p.steps.filter((s) => s.id.endsWith(':restart'));

describe('rolling-restart plan', () => {
  it('keepOffset: each restart starts once from the RDB (AOF off, file rewritten) and rebuilds its AOF after', () => {
    const p = plan({ keepOffset: true });
    const c = pre().candidate.host;
    const other = c === 'db2' ? 'db3' : 'db2';
    const of = (h: string) => p.steps.filter((s) => s.host === h && !s.id.startsWith('switch')).map((s) => s.id);
    for (const h of [other, c, 'db1'])
      expect(of(h)).toEqual([
        `${h}:aof-off`,
        `${h}:aof-off-rewrite`,
        `${h}:restart`,
        `${h}:aof-on`,
        `${h}:aof-on-rewrite`,
      ]);
    const step = (id: string) => p.steps.find((s) => s.id === id)!;
    expect(step(`${other}:aof-off`).action).toMatchObject({
      kind: 'redis',
      args: ['CONFIG', 'SET', 'appendonly', 'no'],
    });
    expect(step(`${other}:aof-off`).undo).toMatchObject({ args: ['CONFIG', 'SET', 'appendonly', 'yes'] });
    expect(step(`${other}:aof-on`).verify?.kind).toBe('aof-rewritten');
    // the old master takes the same path only after the switchover made it a replica
    const ids = p.steps.map((s) => s.id);
    expect(ids.indexOf('db1:aof-off')).toBeGreaterThan(ids.indexOf('switchover:lb1:haproxy-flip'));
    // the next replica goes down only once the previous one's AOF is rebuilt
    expect(ids.indexOf(`${c}:aof-off`)).toBeGreaterThan(ids.indexOf(`${other}:aof-on-rewrite`));
    expect(plan().steps.some((s) => s.id.endsWith(':aof-off'))).toBe(false);
  });

  it('replicas one at a time (the candidate last), each verified ready; then a switchover; then the old master', () => {
    const p = plan();
    const c = pre().candidate.host;
    const other = c === 'db2' ? 'db3' : 'db2';
    expect(restarts(p).map((s) => s.id)).toEqual([`${other}:restart`, `${c}:restart`, 'db1:restart']);
    expect(p.phases.find((x) => x.name === 'replicas')!.parallel).toBe(1);
    for (const s of restarts(p)) {
      expect(s.action).toMatchObject({ kind: 'exec', argv: ['systemctl', 'restart', 'falkordb.service'] });
      expect(s.verify?.kind).toBe('node-ready');
    }
    // replicas are ready against db1; the old master against the candidate that took over
    expect(restarts(p)[0]!.verify!.params).toMatchObject({ master: 'db1', maxLagBytes: 1000 });
    expect(restarts(p)[2]!.verify!.params).toMatchObject({ master: c });
    const ids = p.steps.map((s) => s.id);
    const flip = ids.indexOf('switchover:lb1:haproxy-flip');
    expect(flip).toBeGreaterThan(ids.indexOf(`${c}:restart`));
    expect(flip).toBeLessThan(ids.indexOf('db1:restart'));
    // every step's phase exists, in the order the steps need
    const names = p.phases.map((x) => x.name);
    for (const s of p.steps) expect(names).toContain(s.phase);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('--switch-back appends a second switchover back to the old master, after its restart', () => {
    const p = plan({ switchBack: true });
    const ids = p.steps.map((s) => s.id);
    expect(ids.indexOf('switch-back:lb1:haproxy-flip')).toBeGreaterThan(ids.indexOf('db1:restart'));
    const flip = p.steps.find((s) => s.id === 'switch-back:lb1:haproxy-flip')!;
    expect(flip.action).toMatchObject({ params: { up: 'db1', down: pre().candidate.host } });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('--limit without the master restarts only the chosen replicas and switches nothing', () => {
    const p = plan({ hosts: ['db3'] });
    expect(p.steps.map((s) => s.id)).toEqual(['db3:restart']);
    expect(p.notes.join('\n')).toContain('db1 (the master) is not in --limit');
  });
});
