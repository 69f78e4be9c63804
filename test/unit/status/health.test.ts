// The verdict rules of `status` (src/facts/health.ts), fed with facts parsed from INFO / SENTINEL /
// `show stat` replies captured from real servers, altered one condition at a time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, type Finding } from '../../../src/facts/health.js';
import type { HAProxyView } from '../../../src/facts/haproxy.js';
import type { NodeFacts } from '../../../src/facts/nodes.js';
import type { SentinelView, Topology } from '../../../src/facts/topology.js';
import { parseShowStat } from '../../../src/haproxy/stats.js';
import { inventorySchema } from '../../../src/inventory/schema.js';
import { memory, parseInfo, persistence, replication } from '../../../src/redis/info.js';

const redisFx = (n: string) => readFileSync(new URL(`../redis/fixtures/${n}`, import.meta.url), 'utf8');
const inv = inventorySchema.parse({
  cluster: 'c',
  hosts: [
    { name: 'db1', address: '127.0.9.1', role: 'master' },
    { name: 'db2', address: '127.0.9.2', role: 'replica' },
    { name: 'db3', address: '127.0.9.5', role: 'replica' },
    { name: 'lb1', address: '127.0.9.4', role: 'haproxy' },
  ],
  auth: { password: 'env:P' },
});

function node(host: string, address: string, infoText: string, patch: (t: string) => string = (t) => t): NodeFacts {
  const info = parseInfo(patch(infoText));
  return {
    host,
    address,
    port: 6379,
    intendedRole: host === 'db1' ? ('master' as const) : ('replica' as const),
    up: true,
    replication: replication(info),
    memory: memory(info),
    persistence: persistence(info),
    redisVersion: '8.2.3',
    falkordbVersion: '4.16.3',
  };
}
const sentinel = (host: string, ip = '127.0.9.1', flags = ['master']): SentinelView => ({
  host,
  up: true,
  masterAddr: { address: ip, port: 6379 },
  master: {
    name: 'falkordb-master',
    ip,
    port: 6379,
    flags,
    numSlaves: 2,
    numOtherSentinels: 2,
    quorum: 2,
    configEpoch: 0,
  },
});
function topo(o: { nodes?: NodeFacts[]; sentinels?: SentinelView[] } = {}): Topology {
  const nodes = o.nodes ?? [
    node('db1', '127.0.9.1', redisFx('info-master.txt')),
    node('db2', '127.0.9.2', redisFx('info-replica.txt')),
    node('db3', '127.0.9.5', redisFx('info-replica.txt')),
  ];
  const sentinels = o.sentinels ?? [sentinel('db1'), sentinel('db2'), sentinel('db3')];
  const opinions = [
    ...new Set(sentinels.filter((s) => s.masterAddr).map((s) => `${s.masterAddr!.address}:${s.masterAddr!.port}`)),
  ];
  const agreed = opinions.length === 1 ? sentinels.find((s) => s.masterAddr)!.masterAddr : undefined;
  return {
    nodes,
    sentinels,
    sentinelOpinions: opinions,
    agreedMaster: agreed && { ...agreed, host: inv.hosts.find((h) => h.address === agreed.address)?.name },
  };
}
/** The captured CSV with every server UP unless `status` says otherwise. */
function lb(status: Record<string, string> = {}): HAProxyView {
  const backends = parseShowStat(readFileSync(new URL('./fixtures/haproxy-show-stat.csv', import.meta.url), 'utf8'));
  for (const b of backends)
    for (const s of b.servers)
      s.status = status[`${b.name}/${s.server}`] ?? (b.name === 'falkordb_write' && s.server !== 'db1' ? 'DOWN' : 'UP');
  return { host: 'lb1', up: true, backends };
}
const degraded = (f: Finding[]) => f.filter((x) => x.severity === 'degraded').map((x) => x.message);
const warnings = (f: Finding[]) => f.filter((x) => x.severity === 'warning').map((x) => x.message);

describe('evaluate', () => {
  it('a healthy cluster has no degraded finding (the replicas failing the write check are expected)', () => {
    expect(degraded(evaluate(inv, topo(), [lb()]))).toEqual([]);
  });
  it('a node that cannot be reached', () => {
    const t = topo();
    t.nodes[2] = {
      host: 'db3',
      address: '127.0.9.5',
      port: 6379,
      intendedRole: 'replica',
      up: false,
      error: 'db3: port 6379: connection refused (nothing listening)',
    };
    expect(degraded(evaluate(inv, t, [lb({ 'falkordb_read/db3': 'DOWN' })]))).toEqual([
      'db3: FalkorDB down — port 6379: connection refused (nothing listening)',
    ]);
  });
  it('a replication link down, with how long', () => {
    const t = topo();
    t.nodes[1] = node('db2', '127.0.9.2', redisFx('info-replica-link-down.txt'));
    expect(degraded(evaluate(inv, t, [lb()]))).toContain('db2: replication link down for 7 s (master 127.0.9.1:6379)');
  });
  it('lag over monitoring.replicationLagBytes', () => {
    const t = topo();
    t.nodes[1]!.replication!.lagBytes = inv.monitoring.replicationLagBytes + 1;
    expect(degraded(evaluate(inv, t, [lb()]))).toEqual([
      `db2: ${inv.monitoring.replicationLagBytes + 1} bytes behind the master (limit 10000000, monitoring.replicationLagBytes)`,
    ]);
    t.nodes[1]!.replication!.lagBytes = inv.monitoring.replicationLagBytes;
    expect(degraded(evaluate(inv, t, [lb()]))).toEqual([]);
  });
  it('loading, a full sync, a missing module', () => {
    const t = topo();
    t.nodes[0] = node('db1', '127.0.9.1', redisFx('info-master.txt'), (s) => s.replace('loading:0', 'loading:1'));
    t.nodes[1] = node('db2', '127.0.9.2', redisFx('info-replica.txt'), (s) =>
      s.replace('master_sync_in_progress:0', 'master_sync_in_progress:1'),
    );
    t.nodes[2]!.falkordbVersion = undefined;
    expect(degraded(evaluate(inv, t, [lb()]))).toEqual([
      'db1: loading its dataset into memory (not serving yet)',
      'db2: full resynchronisation from 127.0.9.1:6379 in progress',
      'db3: the FalkorDB module is not loaded (MODULE LIST has no "graph")',
    ]);
  });
  it('persistence errors (RDB save, AOF write, AOF rewrite); AOF off against the inventory is a warning', () => {
    const t = topo();
    t.nodes[0] = node('db1', '127.0.9.1', redisFx('info-master.txt'), (s) =>
      s
        .replace('rdb_last_bgsave_status:ok', 'rdb_last_bgsave_status:err')
        .replace('aof_last_write_status:ok', 'aof_last_write_status:err')
        .replace('aof_last_bgrewrite_status:ok', 'aof_last_bgrewrite_status:err'),
    );
    expect(degraded(evaluate(inv, t, [lb()]))).toEqual([
      'db1: last RDB save failed (rdb_last_bgsave_status:err)',
      'db1: AOF writes are failing (aof_last_write_status:err)',
      'db1: last AOF rewrite failed (aof_last_bgrewrite_status:err)',
    ]);
    const off = topo();
    off.nodes[0] = node('db1', '127.0.9.1', redisFx('info-master.txt'), (s) =>
      s.replace('aof_enabled:1', 'aof_enabled:0'),
    );
    expect(warnings(evaluate(inv, off, [lb()]))).toContain(
      'db1: AOF is off, but the inventory says persistence: hybrid',
    );
    expect(degraded(evaluate(inv, off, [lb()]))).toEqual([]);
  });
  it('memory over memoryWarnRatio is a warning, not degraded', () => {
    const t = topo();
    t.nodes[0]!.memory = { used: 90, max: 100, policy: 'noeviction' };
    const f = evaluate(inv, t, [lb()]);
    expect(warnings(f)).toContain('db1: memory 90% of maxmemory (warn at 85%)');
    expect(degraded(f)).toEqual([]);
  });
  it('no master, two masters, a replica following someone else', () => {
    const none = topo();
    none.nodes[0] = node('db1', '127.0.9.1', redisFx('info-replica.txt'));
    expect(degraded(evaluate(inv, none, [lb()]))).toContain('no reachable node is a master: writes fail');
    const two = topo();
    two.nodes[2] = node('db3', '127.0.9.5', redisFx('info-master.txt'));
    expect(degraded(evaluate(inv, two, [lb()]))).toContain(
      '2 nodes are masters (db1, db3): split brain, writes diverge',
    );
    const stray = topo();
    stray.nodes[2] = node('db3', '127.0.9.5', redisFx('info-replica.txt'), (s) =>
      s.replace('master_port:6379', 'master_port:1'),
    );
    expect(degraded(evaluate(inv, stray, [lb()]))).toContain(
      'db3: follows 127.0.9.1:1, not the master db1 (127.0.9.1:6379)',
    );
  });
  it('Sentinels that disagree, and Sentinels that agree on a node that is not the master', () => {
    const dis = topo({ sentinels: [sentinel('db1'), sentinel('db2'), sentinel('db3', '127.0.9.2')] });
    expect(degraded(evaluate(inv, dis, [lb()]))).toEqual([
      'Sentinels disagree on the master: db1, db2 → 127.0.9.1:6379; db3 → 127.0.9.2:6379',
    ]);
    const wrong = topo({ sentinels: ['db1', 'db2', 'db3'].map((h) => sentinel(h, '127.0.9.2')) });
    expect(degraded(evaluate(inv, wrong, [lb()]))).toEqual([
      'Sentinels name 127.0.9.2:6379 (db2) as master, but it reports role replica',
    ]);
  });
  it('one Sentinel down is a warning; fewer than quorum tracking the master is degraded', () => {
    const down = (h: string): SentinelView => ({
      host: h,
      up: false,
      error: `${h}: port 26379: connection refused (nothing listening)`,
    });
    const one = evaluate(inv, topo({ sentinels: [sentinel('db1'), sentinel('db2'), down('db3')] }), [lb()]);
    expect(degraded(one)).toEqual([]);
    expect(warnings(one)).toEqual(['db3: Sentinel down — port 26379: connection refused (nothing listening)']);
    const two = evaluate(inv, topo({ sentinels: [sentinel('db1'), down('db2'), down('db3')] }), [lb()]);
    expect(degraded(two)).toEqual(['only 1 of 3 Sentinels track the master; quorum is 2: no failover possible']);
  });
  it('a Sentinel that sees the master down (s_down, from the captured reply) or is failing over', () => {
    const f = evaluate(
      inv,
      topo({
        sentinels: [
          sentinel('db1', '127.0.9.1', ['s_down', 'master', 'disconnected']),
          sentinel('db2', '127.0.9.1', ['master', 'failover_in_progress']),
          sentinel('db3'),
        ],
      }),
      [lb()],
    );
    expect(degraded(f)).toEqual([
      'db1: Sentinel sees the master as down (s_down)',
      'db2: Sentinel failover in progress',
    ]);
  });
  it('HAProxy: a server in maintenance, the master failing the write check, a replica passing it, a replica out of the read pool', () => {
    expect(degraded(evaluate(inv, topo(), [lb({ 'falkordb_read/db2': 'MAINT' })]))).toEqual([
      'lb1: falkordb_read/db2 is MAINT: taken out by an operator',
    ]);
    expect(degraded(evaluate(inv, topo(), [lb({ 'falkordb_write/db1': 'DOWN' })]))[0]).toMatch(
      /^lb1: falkordb_write\/db1 is DOWN .*, but it is the master: writes fail$/,
    );
    expect(degraded(evaluate(inv, topo(), [lb({ 'falkordb_write/db2': 'UP' })]))[0]).toMatch(
      /^lb1: falkordb_write\/db2 is UP .*, but it is a replica/,
    );
    expect(degraded(evaluate(inv, topo(), [lb({ 'falkordb_read/db2': 'DOWN' })]))[0]).toMatch(
      /^lb1: falkordb_read\/db2 is DOWN/,
    );
  });
  it('HAProxy without the FalkorDB write or read backend (a stock haproxy.cfg with a stats socket)', () => {
    const stock: HAProxyView = {
      host: 'lb1',
      up: true,
      backends: parseShowStat('# pxname,svname,status\nstats,FRONTEND,OPEN\nstats,BACKEND,UP\n'),
    };
    expect(degraded(evaluate(inv, topo(), [stock]))).toEqual([
      'lb1: HAProxy has no falkordb_write backend: the write port 6380 reaches no FalkorDB',
      'lb1: HAProxy has no falkordb_read backend: the read port 6381 reaches no FalkorDB',
    ]);
    const noRead = lb();
    noRead.backends = noRead.backends!.filter((b) => b.name !== 'falkordb_read');
    expect(degraded(evaluate(inv, topo(), [noRead]))).toEqual([
      'lb1: HAProxy has no falkordb_read backend: the read port 6381 reaches no FalkorDB',
    ]);
  });
  it('HAProxy backend servers that match no database host of the inventory, even under --limit', () => {
    const v = lb();
    const read = v.backends!.find((b) => b.name === 'falkordb_read')!;
    read.servers.push({ ...read.servers[0]!, server: 'old-db9', address: '10.0.0.9:6379', status: 'UP' });
    const msg = 'lb1: falkordb_read/old-db9 (10.0.0.9:6379) is no database host of the inventory';
    expect(degraded(evaluate(inv, topo(), [v]))).toEqual([msg]);
    const t = topo({ nodes: [node('db2', '127.0.9.2', redisFx('info-replica.txt'))], sentinels: [sentinel('db2')] });
    expect(degraded(evaluate(inv, t, [v], { partial: true }))).toEqual([msg]);
  });
  it('HAProxy whose stats cannot be read', () => {
    const f = evaluate(inv, topo(), [
      { host: 'lb1', up: false, error: 'lb1: /run/haproxy/admin.sock: cannot open the socket' },
    ]);
    expect(degraded(f)).toEqual(['lb1: HAProxy stats unavailable — /run/haproxy/admin.sock: cannot open the socket']);
  });
  it('--limit (partial): cluster-wide rules are skipped, per-host ones kept', () => {
    const t = topo({
      nodes: [node('db2', '127.0.9.2', redisFx('info-replica-link-down.txt'))],
      sentinels: [sentinel('db2')],
    });
    expect(degraded(evaluate(inv, t, [], { partial: true }))).toEqual([
      'db2: replication link down for 7 s (master 127.0.9.1:6379)',
    ]);
    expect(degraded(evaluate(inv, t, []))).toContain('no reachable node is a master: writes fail');
  });
});
