import { describe, expect, it } from 'vitest';
import { classify, normalize, sameValue } from '../../../src/config-update/classify.js';
import { desiredOf } from '../../../src/config-update/desired.js';
import { parseSets, withRedisSets } from '../../../src/config-update/overrides.js';
import { changesText, planConfigUpdate, type NodeState } from '../../../src/config-update/plan.js';
import { falkordbConf } from '../../../src/templates/falkordb-conf.js';
import type { Inventory } from '../../../src/inventory/schema.js';
import { smallInventory } from '../render/fixture.js';

const MODULE = '/opt/falkordb/lib/falkordb.so';
const conf = (inv: Inventory, host: string) =>
  falkordbConf(
    inv,
    inv.hosts.find((h) => h.name === host)!,
  );

/** What a node started from `text` reports: CONFIG GET as Redis writes it, GRAPH.CONFIG GET with its defaults. */
function liveFrom(text: string): Pick<NodeState, 'redis' | 'module'> {
  const d = desiredOf(text, MODULE);
  const redis = Object.fromEntries([...d.redis].map(([k, v]) => [k, normalize('redis', v.join(' '))]));
  const module: Record<string, string> = {
    TIMEOUT_DEFAULT: '0',
    THREAD_COUNT: '2',
    CMD_INFO: '1',
    MAX_QUEUED_QUERIES: '25',
  };
  for (const [k, v] of d.module) module[k] = normalize('module', v);
  return { redis, module };
}

function node(host: string, role: 'master' | 'replica', running: string, rendered: string, file = running): NodeState {
  return { host, role, port: 6379, ...liveFrom(running), file, rendered };
}

const input = (nodes: NodeState[]) => ({
  nodes,
  modulePath: MODULE,
  confPath: '/etc/falkordb/falkordb.conf',
  master: 'm1',
  masterAddr: '192.0.2.1:6379',
  maxLagBytes: 1000,
  verifyMs: 60_000,
});

describe('classify', () => {
  it('FalkorDB load-time parameters need a restart, the others are runtime', () => {
    for (const p of ['THREAD_COUNT', 'CACHE_SIZE', 'OMP_THREAD_COUNT', 'NODE_CREATION_BUFFER', 'BOLT_PORT'])
      expect(classify('module', p)).toBe('restart');
    for (const p of ['IMPORT_FOLDER', 'TEMP_FOLDER']) expect(classify('module', p)).toBe('restart');
    for (const p of ['TIMEOUT_DEFAULT', 'TIMEOUT_MAX', 'MAX_QUEUED_QUERIES', 'RESULTSET_SIZE'])
      expect(classify('module', p)).toBe('runtime');
  });
  it('Redis directives CONFIG SET refuses (immutable, protected) need a restart', () => {
    for (const d of ['daemonize', 'supervised', 'logfile', 'tcp-backlog', 'appendfilename', 'dbfilename', 'databases'])
      expect(classify('redis', d)).toBe('restart');
    for (const d of ['maxmemory', 'maxmemory-policy', 'timeout', 'appendfsync', 'save', 'repl-backlog-size'])
      expect(classify('redis', d)).toBe('runtime');
  });
  it('compares values as the node reports them', () => {
    expect(sameValue('redis', '268435456', '256mb')).toBe(true);
    expect(sameValue('redis', '256000000', '256mb')).toBe(false);
    expect(sameValue('redis', 'YES', 'yes')).toBe(true);
    expect(sameValue('module', '1', 'yes')).toBe(true);
    expect(sameValue('module', '0', 'yes')).toBe(false);
    expect(sameValue('redis', '3600 1 300 100', '3600  1 300 100')).toBe(true);
  });
});

describe('--set', () => {
  it('splits FalkorDB parameters, Redis directives and Sentinel settings', () => {
    expect(parseSets(['TIMEOUT_DEFAULT=5000', 'maxmemory=1gb', 'save=900 1', 'sentinel.quorum=2'])).toEqual({
      module: [['TIMEOUT_DEFAULT', '5000']],
      redis: [
        ['maxmemory', ['1gb']],
        ['save', ['900', '1']],
      ],
      sentinel: [['quorum', 2]],
    });
  });
  it('refuses bad input with its position, before anything', () => {
    expect(() => parseSets(['maxmemory=1gb', 'nope'])).toThrow(/--set #2 .*expected NAME=VALUE/);
    expect(() => parseSets(['THREAD_COUNT=0'])).toThrow(/not a valid THREAD_COUNT/);
    expect(() => parseSets(['port=7000'])).toThrow(/port is not changed by config update/);
    expect(() => parseSets(['requirepass=x'])).toThrow(/not changed by config update/);
    expect(() => parseSets(['Max-Memory=1'])).toThrow(/neither a Redis directive/);
    expect(() => parseSets(['timeout=1', 'timeout=2'])).toThrow(/set twice/);
    expect(() => parseSets(['sentinel.foo=1'])).toThrow(/sentinel\.down-after-milliseconds/);
    expect(() => parseSets(['sentinel.quorum=0'])).toThrow(/positive whole number/);
    expect(() => parseSets(['timeout=1\n2'])).toThrow(/control character/);
    expect(() => parseSets(['save="1 2'])).toThrow(/unbalanced quotes/);
  });
  it('replaces a rendered line, or adds a new one before the final include', () => {
    const text = conf(smallInventory(), 'r1');
    const out = withRedisSets(text, parseSets(['maxmemory=1gb', 'save=900 1', 'lazyfree-lazy-eviction=yes']));
    const d = desiredOf(out, MODULE);
    expect(d.redis.get('maxmemory')).toEqual(['1gb']);
    expect(d.redis.get('save')).toEqual(['900 1']);
    expect(out.match(/^save /gm)).toHaveLength(1);
    const lines = out.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^include /);
    expect(lines).toContain('lazyfree-lazy-eviction yes');
  });
});

describe('config update plan', () => {
  const before = smallInventory();
  const after = smallInventory((i) => {
    i.falkordb = { params: { TIMEOUT_DEFAULT: 5000, THREAD_COUNT: 4 } };
    i.redis = { maxmemory: '1gb' };
  });
  const nodes = () => [
    node('m1', 'master', conf(before, 'm1'), conf(after, 'm1')),
    node('r1', 'replica', conf(before, 'r1'), conf(after, 'r1')),
  ];

  it('classifies each change against the live values, replicas first, the master last', () => {
    const p = planConfigUpdate(input(nodes()));
    const of = (h: string) => p.changes.filter((c) => c.host === h).map((c) => `${c.name}:${c.cls}`);
    expect(of('r1').sort()).toEqual(['THREAD_COUNT:restart', 'TIMEOUT_DEFAULT:runtime', 'maxmemory:runtime']);
    expect(of('m1').sort()).toEqual(of('r1').sort());
    expect(p.plan.steps.map((s) => s.id)).toEqual([
      'r1:set:maxmemory',
      'r1:set:TIMEOUT_DEFAULT',
      'r1:conf',
      'm1:set:maxmemory',
      'm1:set:TIMEOUT_DEFAULT',
      'm1:conf',
    ]);
    const set = p.plan.steps.find((s) => s.id === 'r1:set:TIMEOUT_DEFAULT')!;
    expect(set.action).toEqual({
      kind: 'redis',
      service: 'node',
      port: 6379,
      args: ['GRAPH.CONFIG', 'SET', 'TIMEOUT_DEFAULT', '5000'],
    });
    expect(set.undo).toMatchObject({ args: ['GRAPH.CONFIG', 'SET', 'TIMEOUT_DEFAULT', '0'] });
    const mm = p.plan.steps.find((s) => s.id === 'r1:set:maxmemory')!;
    expect(mm.action).toMatchObject({ args: ['CONFIG', 'SET', 'maxmemory', '1073741824'] });
    // the file step verifies the runtime values (normalized) and, on a replica, replication
    const file = p.plan.steps.find((s) => s.id === 'r1:conf')!;
    expect(file.describe).toContain('pending restart: THREAD_COUNT');
    expect(file.verify).toMatchObject({
      kind: 'node-config',
      params: {
        role: 'replica',
        masterAddr: '192.0.2.1:6379',
        settings: [
          { kind: 'redis', name: 'maxmemory', value: '1073741824' },
          { kind: 'module', name: 'TIMEOUT_DEFAULT', value: '5000' },
        ],
      },
    });
    expect(file.undo).toMatchObject({ name: 'conf-rollback', params: { restart: false } });
    expect(changesText(p, false)).toContain('+ THREAD_COUNT 4   [pending restart]');
    expect(changesText(p, true)).toContain('+ THREAD_COUNT 4   [restart]');
    expect(changesText(p, false)).toContain('+ maxmemory 1073741824   [runtime]');
  });

  it('with --restart, a node that restarts gets nothing before its restart (restart.ts writes its file then)', () => {
    const p = planConfigUpdate({ ...input(nodes()), restartHosts: new Set(['r1']) });
    expect(p.plan.steps.map((s) => s.id)).toEqual(['m1:set:maxmemory', 'm1:set:TIMEOUT_DEFAULT', 'm1:conf']);
    expect(p.changes.filter((c) => c.host === 'r1')).toHaveLength(3);
  });

  it('a node that already runs and has on file what is rendered gets no steps', () => {
    const same = [
      node('m1', 'master', conf(after, 'm1'), conf(after, 'm1')),
      node('r1', 'replica', conf(after, 'r1'), conf(after, 'r1')),
    ];
    const p = planConfigUpdate(input(same));
    expect(p.changes).toEqual([]);
    expect(p.plan.steps).toEqual([]);
  });

  it('a file that lost a value the node still runs is written, nothing set', () => {
    // CONFIG REWRITE writes back the loadmodule arguments the module was loaded with
    const lost = node('r1', 'replica', conf(after, 'r1'), conf(after, 'r1'), conf(before, 'r1'));
    const p = planConfigUpdate(input([lost]));
    expect(p.changes).toEqual([]);
    expect(p.fileOnly).toEqual(['r1']);
    expect(p.plan.steps.map((s) => s.id)).toEqual(['r1:conf']);
  });

  it('a setting the node does not report can only be proven by a start: restart', () => {
    const text = withRedisSets(conf(before, 'r1'), parseSets(['no-such-directive=1']));
    const p = planConfigUpdate(input([node('r1', 'replica', conf(before, 'r1'), text)]));
    expect(p.changes).toEqual([{ host: 'r1', kind: 'redis', name: 'no-such-directive', to: '1', cls: 'restart' }]);
  });

  it('a port change is refused (it moves the node), not planned', () => {
    const moved = smallInventory((i) => void (i.redis = { port: 7000 }));
    const p = planConfigUpdate(input([node('r1', 'replica', conf(before, 'r1'), conf(moved, 'r1'))]));
    expect(p.refused.map((c) => `${c.name} ${c.from} → ${c.to}`)).toEqual(['port 6379 → 7000']);
    expect(p.changes.some((c) => c.name === 'port')).toBe(false);
  });
});
