import { describe, expect, it } from 'vitest';
import { withRestarts } from '../../../src/config-update/restart.js';
import type { Change } from '../../../src/config-update/plan.js';
import { planSentinels } from '../../../src/config-update/sentinel.js';
import { planRollingRestart } from '../../../src/rolling/plan.js';
import { timing } from '../../../src/switchover/plan.js';
import { preflight } from '../../../src/switchover/preflight.js';
import type { Plan } from '../../../src/core/types.js';
import { healthy, settings } from '../switchover/fixture.js';

const CONF = '/etc/falkordb/falkordb.conf';
const rolling = (hosts?: string[]) => {
  const r = preflight(healthy(), settings);
  if (!r.ok) throw new Error(r.reasons.join('; '));
  return planRollingRestart(r.value, settings, { minReplicas: 0 }, timing(5000), {
    ...(hosts ? { hosts } : {}),
    switchBack: false,
    maxLagBytes: 1000,
    readyMs: 60_000,
    keepOffset: true,
  });
};
const config: Plan = { command: 'config update', phases: [{ name: 'replicas', parallel: 1 }], steps: [], notes: [] };

const change = (host: string): Change => ({
  host,
  kind: 'module',
  name: 'THREAD_COUNT',
  from: '2',
  to: '4',
  cls: 'restart',
});
const restartInput = (hosts: string[]) => ({
  confPath: CONF,
  changes: new Map(hosts.map((h) => [h, [change(h)]])),
  masterOf: Object.fromEntries(
    hosts.map((h) => [
      h,
      h === 'db1' ? { master: 'db2', masterAddr: '10.0.0.2:6379' } : { master: 'db1', masterAddr: '10.0.0.1:6379' },
    ]),
  ),
  maxLagBytes: 1000,
  verifyMs: 60_000,
  keepOffset: true,
});

describe('config update --restart', () => {
  it("writes each node's file right before its own restart, verifies its values after, undoes a failed restart", () => {
    const r = rolling();
    const p = withRestarts(config, r, restartInput(['db1', 'db2', 'db3']));
    const ids = p.steps.map((s) => s.id);
    for (const h of ['db1', 'db2', 'db3']) {
      // after rolling-restart's own CONFIG REWRITE (which writes the running values back), before the restart
      expect(ids.indexOf(`${h}:conf`)).toBe(ids.indexOf(`${h}:restart`) - 1);
      expect(ids.indexOf(`${h}:conf`)).toBeGreaterThan(ids.indexOf(`${h}:aof-off-rewrite`));
      expect(ids.indexOf(`${h}:config-live`)).toBe(ids.indexOf(`${h}:restart`) + 1);
      const restart = p.steps.find((s) => s.id === `${h}:restart`)!;
      expect(restart.undo).toMatchObject({
        kind: 'custom',
        name: 'conf-rollback',
        params: { path: CONF, prev: `${CONF}.prev`, restart: true, ready: restart.verify, aofBack: true },
      });
    }
    // replicas restart from the RDB: their file says appendonly no for that start
    expect(p.steps.find((s) => s.id === 'db2:conf')!.action).toEqual({
      kind: 'custom',
      name: 'conf-write',
      params: { path: CONF, prev: `${CONF}.prev`, appendonly: 'no', renderedWith: 'db1' },
    });
    // the old master restarts after the switchover, as a replica of the candidate, and is verified as one
    expect(ids.indexOf('db1:conf')).toBeGreaterThan(ids.findIndex((id) => id.startsWith('switchover:')));
    expect(p.steps.find((s) => s.id === 'db1:conf')!.action).toMatchObject({ params: { renderedWith: 'db2' } });
    expect(p.steps.find((s) => s.id === 'db1:config-live')!.action).toMatchObject({
      kind: 'wait',
      check: {
        kind: 'node-config',
        params: {
          role: 'replica',
          masterAddr: '10.0.0.2:6379',
          settings: [{ kind: 'module', name: 'THREAD_COUNT', value: '4' }],
        },
      },
    });
    // every phase of the rolling plan is in the plan, after config update's own
    expect(p.phases.map((x) => x.name)).toEqual(['replicas', ...r.phases.map((x) => `restart:${x.name}`)]);
    expect(p.steps.every((s) => p.phases.some((x) => x.name === s.phase))).toBe(true);
  });

  it('restarts only the hosts given, the master (and its switchover) only when chosen', () => {
    const p = withRestarts(config, rolling(['db2']), restartInput(['db2']));
    expect(p.steps.filter((s) => s.id.endsWith(':restart')).map((s) => s.host)).toEqual(['db2']);
    expect(p.steps.some((s) => s.id.startsWith('switchover:'))).toBe(false);
  });
});

describe('Sentinel settings', () => {
  const want = { 'down-after-milliseconds': 5000, 'failover-timeout': 180000, 'parallel-syncs': 1, quorum: 2 };
  const state = (host: string, downAfter: number) => ({
    host,
    port: 26379,
    master: {
      'down-after-milliseconds': String(downAfter),
      'failover-timeout': '180000',
      'parallel-syncs': '1',
      quorum: '2',
    },
  });

  it('SENTINEL SET where a Sentinel differs, verified by SENTINEL MASTER, undone to the old value', () => {
    const p = planSentinels([state('db1', 30000), state('db2', 5000)], want, 'falkordb-master', 60_000);
    expect(p.changes).toEqual([{ host: 'db1', name: 'down-after-milliseconds', from: '30000', to: '5000' }]);
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]!.action).toEqual({
      kind: 'redis',
      service: 'sentinel',
      port: 26379,
      args: ['SENTINEL', 'SET', 'falkordb-master', 'down-after-milliseconds', '5000'],
    });
    expect(p.steps[0]!.verify).toMatchObject({
      kind: 'sentinel-config',
      params: { want: { 'down-after-milliseconds': '5000' } },
    });
    expect(p.steps[0]!.undo).toMatchObject({
      args: ['SENTINEL', 'SET', 'falkordb-master', 'down-after-milliseconds', '30000'],
    });
  });

  it('nothing when every Sentinel already has the values', () => {
    expect(planSentinels([state('db1', 5000)], want, 'm', 1000)).toEqual({ changes: [], steps: [] });
  });
});
