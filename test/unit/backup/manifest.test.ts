import { describe, expect, it } from 'vitest';
import type { NodeFacts } from '../../../src/facts/nodes.js';
import {
  backupId,
  compareGraphs,
  compareVersions,
  isVerified,
  parseCheckRdb,
  parseManifest,
  pickSource,
  utcStamp,
  type Manifest,
} from '../../../src/backup/manifest.js';

const node = (host: string, o: Partial<NodeFacts['replication']> & { up?: boolean } = {}): NodeFacts => {
  const { up = true, ...rep } = o;
  const master = (rep.role ?? 'replica') === 'master';
  return {
    host,
    address: `10.0.0.${host.slice(-1)}`,
    port: 6379,
    intendedRole: master ? 'master' : 'replica',
    up,
    ...(up ? {} : { error: 'connection refused' }),
    falkordbVersion: '4.16.3',
    replication: {
      role: 'replica',
      syncInProgress: false,
      loading: false,
      replicas: [],
      ...(master ? {} : { masterHost: '10.0.0.1', masterPort: 6379, linkUp: true, lagBytes: 0 }),
      ...rep,
    },
  };
};
const cluster = () => [node('db1', { role: 'master' }), node('db2', { lagBytes: 50 }), node('db3', { lagBytes: 10 })];

describe('pickSource', () => {
  it('takes the in-sync replica least behind, never the master unless named', () => {
    const p = pickSource(cluster(), 1000);
    expect(p.ok && p.node.host).toBe('db3');
    const m = pickSource(cluster(), 1000, 'db1');
    expect(m.ok && m.node.host).toBe('db1');
  });

  it('skips replicas that are down, resyncing, linked elsewhere or too far behind', () => {
    const nodes = [
      node('db1', { role: 'master' }),
      node('db2', { syncInProgress: true }),
      node('db3', { lagBytes: 5000 }),
      node('db4', { masterHost: '10.0.0.9' }),
      node('db5', { up: false }),
      node('db6', { linkUp: false }),
    ];
    const p = pickSource(nodes, 1000);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.reasons).toEqual([
      'db2: a sync with the master is in progress',
      'db3 is 5000 bytes behind (limit 1000)',
      'db4 replicates 10.0.0.9:6379, not the master db1',
      'db5 is down: connection refused',
      'db6: master link down',
      'name the master with --host db1 to snapshot it instead (its fork costs it memory and latency)',
    ]);
    expect(pickSource(nodes, 1000, 'db5')).toEqual({ ok: false, reasons: ['db5 is down: connection refused'] });
    expect(pickSource(nodes, 1000, 'nope')).toEqual({
      ok: false,
      reasons: ['nope is not a database host of the inventory'],
    });
  });

  it('refuses without exactly one master', () => {
    const two = [node('db1', { role: 'master' }), node('db2', { role: 'master' })];
    expect(pickSource(two, 1000)).toEqual({ ok: false, reasons: ['2 nodes report role master (expected exactly 1)'] });
  });
});

describe('names', () => {
  it('id is cluster-host-UTC stamp-offset', () => {
    const at = new Date('2026-12-07T03:30:55.123Z');
    expect(utcStamp(at)).toBe('20261207T033055Z');
    expect(backupId('prod', 'db2', at, 123456)).toBe('prod-db2-20261207T033055Z-123456');
  });
});

describe('parseCheckRdb', () => {
  it('reads the verdict, the offset and the key count', () => {
    const ok =
      "[offset 151] AUX FIELD repl-offset = '5238'\n[offset 5999] \\o/ RDB looks OK! \\o/\n[info] 2 keys read\n";
    expect(parseCheckRdb(ok, 0)).toEqual({ ok: true, replOffset: 5238, keys: 2 });
    const bad =
      "[offset 151] AUX FIELD repl-offset = '23670'\n--- RDB ERROR DETECTED ---\n[offset 152] Invalid object type: 120\n" +
      '[additional info] While doing: read-type\n[info] 0 keys read\n';
    const r = parseCheckRdb(bad, 1);
    expect(r.ok).toBe(false);
    expect(r.error).toBe(
      '--- RDB ERROR DETECTED ---; [offset 152] Invalid object type: 120; [additional info] While doing: read-type',
    );
    expect(parseCheckRdb('\\o/ RDB looks OK! \\o/', 1).ok).toBe(false); // the exit status counts too
  });
});

describe('compareGraphs', () => {
  it('names missing, extra and miscounted graphs', () => {
    const want = [
      { name: 'a', nodes: 3, edges: 1 },
      { name: 'b', nodes: 2, edges: 0 },
    ];
    expect(compareGraphs(want, [...want].reverse())).toEqual([]);
    expect(
      compareGraphs(want, [
        { name: 'a', nodes: 3, edges: 2 },
        { name: 'c', nodes: 1, edges: 0 },
      ]),
    ).toEqual([
      'graph a: 3 nodes, 2 edges; the manifest says 3, 1',
      'graph b is missing from GRAPH.LIST',
      'graph c is not in the manifest',
    ]);
  });
});

const manifest = (): Manifest => ({
  format: 1,
  id: 'lab-db2-20261207T033055Z-5',
  cluster: 'lab',
  host: 'db2',
  role: 'replica',
  createdAt: '2026-12-07T03:30:55.123Z',
  redisVersion: '8.2.3',
  falkordbVersion: '4.16.3',
  masterReplOffset: 5,
  replId: 'x',
  graphs: [{ name: 'g', nodes: 1, edges: 0 }],
  rdb: '/var/backups/falkordb/lab-db2-20261207T033055Z-5.rdb',
  size: 10,
  sha256: 'a'.repeat(64),
  verified: { checkRdb: true, restore: true, problems: [] },
});

describe('parseManifest / isVerified', () => {
  it('round-trips and names a malformed field', () => {
    expect(parseManifest(JSON.stringify(manifest()), 'db2:x')).toEqual(manifest());
    expect(() => parseManifest('{', 'db2:x')).toThrow(/^db2:x: not JSON/);
    expect(() => parseManifest(JSON.stringify({ ...manifest(), sha256: 'zz' }), 'db2:x')).toThrow(
      'db2:x: manifest field sha256 is missing or malformed',
    );
    expect(() => parseManifest(JSON.stringify({ ...manifest(), graphs: [{ name: 1 }] }), 'h')).toThrow(/graphs/);
  });

  it('verified only when both checks ran and passed', () => {
    expect(isVerified(manifest())).toBe(true);
    expect(isVerified({ verified: { checkRdb: true, restore: null, problems: [] } })).toBe(false);
    expect(isVerified({ verified: { checkRdb: false, restore: true, problems: ['x'] } })).toBe(false);
  });
});

describe('compareVersions', () => {
  it('orders dotted versions numerically', () => {
    expect(compareVersions('4.16.3', '4.20.2')).toBeLessThan(0);
    expect(compareVersions('4.20.10', '4.20.2')).toBeGreaterThan(0);
    expect(compareVersions('4.16', '4.16.0')).toBe(0);
  });
});
