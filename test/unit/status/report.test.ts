// The human form of the status report: aligned tables, plain-words problems, one verdict line.
import { stripVTControlCharacters } from 'node:util';
import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/facts/health.js';
import { buildReport, renderHuman } from '../../../src/facts/report.js';
import { pendingWarnings } from '../../../src/facts/pending.js';
import { ago, bytes, table } from '../../../src/facts/table.js';
import type { Topology } from '../../../src/facts/topology.js';
import { parseShowStat } from '../../../src/haproxy/stats.js';
import { inventorySchema } from '../../../src/inventory/schema.js';
import { memory, parseInfo, persistence, replication } from '../../../src/redis/info.js';

const fx = (n: string) => readFileSync(new URL(`../redis/fixtures/${n}`, import.meta.url), 'utf8');
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
const node = (host: string, address: string, text: string) => {
  const info = parseInfo(text);
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
};
const sentinel = (host: string) => ({
  host,
  up: true,
  masterAddr: { address: '127.0.9.1', port: 6379 },
  master: {
    name: 'falkordb-master',
    ip: '127.0.9.1',
    port: 6379,
    flags: ['master'],
    numSlaves: 1,
    numOtherSentinels: 1,
    quorum: 2,
    configEpoch: 0,
  },
});

describe('renderHuman', () => {
  const topo: Topology = {
    nodes: [
      node('db1', '127.0.9.1', fx('info-master.txt')),
      node('db2', '127.0.9.2', fx('info-replica-link-down.txt')),
    ],
    sentinels: [sentinel('db1'), sentinel('db2')],
    sentinelOpinions: ['127.0.9.1:6379'],
    agreedMaster: { address: '127.0.9.1', port: 6379, host: 'db1' },
  };
  const haproxy = [
    {
      host: 'lb1',
      up: true,
      backends: parseShowStat(readFileSync(new URL('./fixtures/haproxy-show-stat.csv', import.meta.url), 'utf8')),
    },
  ];
  const report = buildReport(inv, topo, haproxy, evaluate(inv, topo, haproxy), 1795793000_000);
  const text = renderHuman(report, new Chalk({ level: 0 }));

  it('one table per area, columns aligned', () => {
    const lines = text.split('\n');
    const head = lines.find((l) => l.includes('HOST  ADDRESS'))!;
    const db1 = lines.find((l) => l.trimStart().startsWith('db1   127.0.9.1'))!;
    expect(db1.indexOf('master')).toBe(head.indexOf('ROLE'));
    expect(db1.indexOf('on ok')).toBe(head.indexOf('AOF'));
    expect(text).toMatch(/db2\s+127\.0\.9\.2:6379\s+up\s+replica\s+DOWN 7s/);
    expect(text).toMatch(/Sentinel — master "falkordb-master", quorum 2, agreed: 127\.0\.9\.1:6379 \(db1\)/);
    expect(text).toMatch(/lb1\s+falkordb_read\s+db2\s+MAINT/);
  });
  it('problems in plain words, then the verdict', () => {
    expect(text).toContain('✗ db2: replication link down for 7 s (master 127.0.9.1:6379)');
    expect(text).toContain('✗ lb1: falkordb_read/db2 is MAINT: taken out by an operator');
    expect(text.trimEnd().split('\n').pop()).toBe('DEGRADED: 2 problem(s)');
    expect(report.healthy).toBe(false);
  });
  it("a live role other than the inventory's (after a failover) is shown beside it", () => {
    const swapped = buildReport(
      inv,
      {
        ...topo,
        nodes: topo.nodes.map((n) => ({
          ...n,
          intendedRole: n.host === 'db1' ? ('replica' as const) : ('master' as const),
        })),
      },
      haproxy,
      [],
      1795793000_000,
    );
    expect(renderHuman(swapped, new Chalk({ level: 0 }))).toMatch(
      /db1\s+127\.0\.9\.1:6379\s+up\s+master \(inventory: replica\)/,
    );
  });
  it('a pending restart is a warning: shown with live and file values, the verdict stays HEALTHY', () => {
    const pending = pendingWarnings({
      db1: [],
      db2: [{ kind: 'module', name: 'THREAD_COUNT', live: '2', file: '3' }],
    });
    expect(pending).toEqual([
      {
        severity: 'warning',
        area: 'node',
        host: 'db2',
        message: 'db2: pending restart: THREAD_COUNT (live 2, file 3) — falkorctl config update --restart brings it in',
      },
    ]);
    const r = buildReport(inv, topo, [], pending, 1795793000_000, true);
    expect(r.healthy).toBe(true);
    const t = renderHuman(r, new Chalk({ level: 0 }));
    expect(t).toContain('! db2: pending restart: THREAD_COUNT (live 2, file 3)');
    expect(t.trimEnd().split('\n').pop()).toBe('HEALTHY (1 warning(s))');
  });
  it('the JSON report leaves out the raw INFO', () => {
    expect(JSON.stringify(report)).not.toContain('"info"');
  });
});

describe('table helpers', () => {
  it('pads plain text before painting, so colour codes do not skew columns', () => {
    const c = new Chalk({ level: 1 });
    const t = table(
      ['A', 'B'],
      [
        [{ text: 'x', paint: c.red }, 'y'],
        ['long', 'z'],
      ],
    );
    const plain = stripVTControlCharacters(t);
    expect(plain.split('\n')).toEqual(['  A     B', '  x     y', '  long  z']);
  });
  it('bytes and ago', () => {
    expect([bytes(512), bytes(3338296), bytes(268435456), bytes(undefined)]).toEqual(['512B', '3.2M', '256M', '?']);
    expect([ago(5), ago(600), ago(10800), ago(400000)]).toEqual(['5s', '10m', '3h', '5d']);
  });
});
