import { describe, expect, it } from 'vitest';
import { FENCE_REPLICAS, planSwitchover, timing } from '../../../src/switchover/plan.js';
import { preflight, type Preflight } from '../../../src/switchover/preflight.js';
import { healthy, settings } from './fixture.js';

const passed = (f = healthy()): Preflight => {
  const r = preflight(f, settings);
  if (!r.ok) throw new Error(r.reasons.join('; '));
  return r.value;
};
const ids = (p: ReturnType<typeof planSwitchover>) => p.steps.map((s) => s.id);

describe('switchover plan', () => {
  it('orders pick → fence → pause → offsets → min-replicas → failover → majority → flip → confirm → restore', () => {
    const plan = planSwitchover(passed(), settings, { minReplicas: 0 });
    const l = ids(plan);
    expect(l).toEqual([
      'db2:priority',
      'db1:info-period',
      'db1:sees-candidate',
      'db1:info-timing',
      'db1:info-period-back',
      'lb1:haproxy-fence',
      'db1:in-flight',
      'db1:pause',
      'db1:offsets-equal',
      'db1:min-replicas-fence',
      'db1:failover',
      'db2:sentinels-agree',
      'lb1:haproxy-flip',
      'db1:demote',
      'db2:all-sentinels',
      'db1:demoted',
      'db1:min-replicas',
      'db2:priority-back',
      'db1:rewrite',
      'db2:rewrite',
      'lb1:haproxy-ready',
      'db1:unpause',
      'db1:failover-done',
    ]);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step('db2:priority').action).toMatchObject({ args: ['CONFIG', 'SET', 'replica-priority', '1'] });
    expect(step('db2:priority-back').action).toMatchObject({ args: ['CONFIG', 'SET', 'replica-priority', '100'] });
    expect(step('db1:min-replicas-fence').action).toMatchObject({
      args: ['CONFIG', 'SET', 'min-replicas-to-write', String(FENCE_REPLICAS)],
    });
    expect(step('db1:min-replicas').action).toMatchObject({ args: ['CONFIG', 'SET', 'min-replicas-to-write', '0'] });
    expect(step('db1:failover').action).toMatchObject({
      service: 'sentinel',
      port: 26379,
      args: ['SENTINEL', 'FAILOVER', 'falkordb-master'],
    });
    expect(step('db2:sentinels-agree').action).toMatchObject({ check: { params: { atLeast: 2 } } });
    expect(step('lb1:haproxy-flip').action).toMatchObject({ params: { up: 'db2', down: 'db1' } });
    // the old master follows the new one while still paused, so its offset cannot move past the promotion
    expect(step('db1:demote').action).toMatchObject({ kind: 'redis', args: ['REPLICAOF', '10.0.0.2', '6379'] });
  });

  it('bounds the pause well under down-after, and waits for offsets within the pause', () => {
    const plan = planSwitchover(passed(), settings, { minReplicas: 0 });
    const pause = plan.steps.find((s) => s.id === 'db1:pause')!.action;
    expect(pause).toMatchObject({ args: ['CLIENT', 'PAUSE', String(timing(5000).pauseMs), 'WRITE'] });
    for (const d of [1000, 5000, 30_000, 600_000]) {
      const t = timing(d);
      expect(t.pauseMs).toBeLessThanOrEqual(Math.max(500, d / 3));
      expect(t.pauseMs).toBeLessThanOrEqual(5000);
      expect(t.offsetsMs).toBeLessThan(t.pauseMs);
    }
  });

  it('skips the HAProxy pre-fence on fixed FalkorDB, and priority steps already in place', () => {
    const f = healthy();
    for (const n of f.nodes) n.falkordbVersion = '4.20.4';
    f.nodes[1]!.info!.replication!.slave_priority = '1';
    const l = ids(planSwitchover(passed(f), settings, { minReplicas: 0 }));
    expect(l).not.toContain('lb1:haproxy-fence');
    expect(l).not.toContain('db1:in-flight');
    expect(l).not.toContain('db2:priority');
    expect(l).not.toContain('db2:priority-back');
    expect(l[0]).toBe('db1:info-period');
  });

  it("lowers the leader's INFO period only while aiming, and back to what it was before the fence", () => {
    const f = healthy();
    f.infoPeriods = { db1: 8000 };
    const plan = planSwitchover(passed(f), settings, { minReplicas: 0 });
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step('db1:info-period').action).toMatchObject({
      service: 'sentinel',
      args: ['SENTINEL', 'DEBUG', 'INFO-PERIOD', '1000'],
    });
    expect(step('db1:info-period').undo).toMatchObject({ args: ['SENTINEL', 'DEBUG', 'INFO-PERIOD', '8000'] });
    expect(step('db1:info-period-back').action).toMatchObject({ args: ['SENTINEL', 'DEBUG', 'INFO-PERIOD', '8000'] });
    const l = ids(plan);
    expect(l.indexOf('db1:info-period-back')).toBeLessThan(l.indexOf('db1:pause'));
    expect(l.indexOf('db1:info-period')).toBeLessThan(l.indexOf('db1:sees-candidate'));
  });

  it('without SENTINEL DEBUG (an older Sentinel) it waits for the usual INFO period instead', () => {
    const f = healthy();
    delete f.infoPeriods;
    const plan = planSwitchover(passed(f), settings, { minReplicas: 0 });
    expect(ids(plan)).not.toContain('db1:info-period');
    expect(ids(plan)).not.toContain('db1:info-period-back');
    expect(plan.steps.find((s) => s.id === 'db1:info-timing')!.action).toMatchObject({
      check: { timeoutMs: timing(5000).infoCycleMs },
    });
  });

  it('moves another replica below the candidate when it would otherwise win', () => {
    const f = healthy();
    f.nodes[2]!.info!.replication!.slave_priority = '1';
    const p2 = preflight(f, { ...settings, to: 'db2' });
    if (!p2.ok) throw new Error(p2.reasons.join('; '));
    const plan2 = planSwitchover(p2.value, settings, { minReplicas: 0 });
    expect(ids(plan2).slice(0, 2)).toEqual(['db2:priority', 'db3:priority']);
    expect(plan2.steps[1]!.action).toMatchObject({ args: ['CONFIG', 'SET', 'replica-priority', '2'] });
    expect(ids(plan2)).toContain('db3:priority-back');
  });

  it('marks the effects destructive and gives the pause and fence an undo', () => {
    const plan = planSwitchover(passed(), settings, { minReplicas: 1 });
    const pause = plan.steps.find((s) => s.id === 'db1:pause')!;
    expect(pause.destructive).toBe(true);
    expect(pause.undo).toMatchObject({ args: ['CLIENT', 'UNPAUSE'] });
    expect(plan.steps.find((s) => s.id === 'db1:min-replicas-fence')!.undo).toMatchObject({
      args: ['CONFIG', 'SET', 'min-replicas-to-write', '1'],
    });
  });
});
