import { describe, expect, it } from 'vitest';
import { loadmoduleLine, withRestarts } from '../../../src/config-update/restart.js';
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
const LINE = 'loadmodule /opt/falkordb/lib/falkordb.so THREAD_COUNT 4';

describe('config update --restart', () => {
  it('puts the new loadmodule line back right before each rolling restart, and undoes a restart that fails', () => {
    const r = rolling();
    const p = withRestarts(config, r, CONF, { db1: LINE, db2: LINE, db3: LINE });
    const ids = p.steps.map((s) => s.id);
    for (const h of ['db1', 'db2', 'db3']) {
      // after rolling-restart's own CONFIG REWRITE (which writes the loaded arguments back), before the restart
      expect(ids.indexOf(`${h}:loadmodule`)).toBe(ids.indexOf(`${h}:restart`) - 1);
      expect(ids.indexOf(`${h}:loadmodule`)).toBeGreaterThan(ids.indexOf(`${h}:aof-off-rewrite`));
      const restart = p.steps.find((s) => s.id === `${h}:restart`)!;
      expect(restart.undo).toMatchObject({
        kind: 'custom',
        name: 'conf-rollback',
        params: { path: CONF, prev: `${CONF}.prev`, restart: true, ready: restart.verify },
      });
    }
    expect(p.steps.find((s) => s.id === 'db2:loadmodule')!.action).toEqual({
      kind: 'custom',
      name: 'loadmodule-line',
      params: { path: CONF, line: LINE },
    });
    // every phase of the rolling plan is in the plan, after config update's own
    expect(p.phases.map((x) => x.name)).toEqual(['replicas', ...r.phases.map((x) => `restart:${x.name}`)]);
    expect(new Set(p.steps.map((s) => s.phase)).size).toBeLessThanOrEqual(p.phases.length);
    expect(p.steps.every((s) => p.phases.some((x) => x.name === s.phase))).toBe(true);
  });

  it('restarts only the hosts given, the master (and its switchover) only when chosen', () => {
    const p = withRestarts(config, rolling(['db2']), CONF, { db2: LINE });
    expect(p.steps.filter((s) => s.id.endsWith(':restart')).map((s) => s.host)).toEqual(['db2']);
    expect(p.steps.some((s) => s.id.startsWith('switchover:'))).toBe(false);
  });

  it('finds the loadmodule line of the module', () => {
    const text = `# x\nloadmodule /other.so A 1\n${LINE}\nport 6379\n`;
    expect(loadmoduleLine(text, '/opt/falkordb/lib/falkordb.so')).toBe(LINE);
    expect(loadmoduleLine('port 1\n', '/opt/falkordb/lib/falkordb.so')).toBeUndefined();
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
