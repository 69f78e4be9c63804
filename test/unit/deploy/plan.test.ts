// The planner: idempotency, order, live-topology substitution, destructive flags, Sentinel's own files.
import { PHASES } from '../../../src/deploy/types.js';
import { describe, expect, it } from 'vitest';
import { liveMaster, withMaster } from '../../../src/deploy/live.js';
import { plan } from '../../../src/deploy/plan.js';
import { rolesOf } from '../../../src/deploy/layout.js';
import { withNoNotify } from '../../../src/deploy/notify.js';
import type { Step } from '../../../src/deploy/types.js';
import { FALKORDB_UNIT } from '../../../src/templates/systemd.js';
import { fixtureInventory } from '../render/fixture.js';
import { BIN_SHA, desiredFacts, emptyFacts, render } from './helpers.js';

const inv = fixtureInventory();
const ids = (steps: Step[]) => steps.map((s) => s.id);

describe('deploy planner', () => {
  it('facts equal to the render give an empty plan, and still checks every phase', () => {
    const files = render(inv);
    const p = plan({ inv, hosts: inv.hosts, files, facts: desiredFacts(inv, files) });
    expect(p.steps).toEqual([]);
    expect(p.checks.master).toEqual([{ kind: 'master', host: 'db1' }]);
    expect(p.checks.replicas?.map((c) => c.host)).toEqual(['db2', 'db3']);
    expect(p.checks.sentinels?.map((c) => c.host)).toEqual(['db1', 'db2', 'db3']);
    expect(p.checks.haproxy).toEqual([{ kind: 'haproxy', host: 'lb1', master: 'db1', replicas: ['db2', 'db3'] }]);
  });

  it('on bare hosts: master first, then replicas, Sentinels, HAProxy; within a host user, dirs, files, reload, start', () => {
    const files = render(inv);
    const p = plan({ inv, hosts: inv.hosts, files, facts: emptyFacts(inv.hosts) });
    const phases = p.steps.map((s) => s.phase);
    expect(phases).toEqual([...phases].sort((a, b) => PHASES.indexOf(a) - PHASES.indexOf(b)));
    const db1 = ids(p.steps.filter((s) => s.host === 'db1' && s.phase === 'master'));
    expect(db1[0]).toBe('db1:user');
    const at = (id: string) => db1.indexOf(id);
    expect(at('db1:dir:/etc/falkordb')).toBeGreaterThan(at('db1:user'));
    expect(at(`db1:file:${FALKORDB_UNIT}`)).toBeGreaterThan(at('db1:dir:/etc/falkordb'));
    expect(at('db1:daemon-reload')).toBeGreaterThan(at(`db1:file:${FALKORDB_UNIT}`));
    expect(db1.slice(-2)).toEqual(['db1:enable:falkordb.service', 'db1:start:falkordb.service']);
    // the Sentinel on db1 comes after every replica has started
    const firstSentinel = p.steps.findIndex((s) => s.phase === 'sentinels');
    expect(p.steps.findIndex((s) => s.id === 'db3:start:falkordb.service')).toBeLessThan(firstSentinel);
    // HAProxy: the new file is staged and checked by haproxy itself before it replaces the live one
    const lb1 = ids(p.steps.filter((s) => s.host === 'lb1'));
    expect(lb1.indexOf('lb1:haproxy-check')).toBe(lb1.indexOf('lb1:stage:/etc/haproxy/haproxy.cfg') + 1);
    expect(lb1.indexOf('lb1:file:/etc/haproxy/haproxy.cfg')).toBe(lb1.indexOf('lb1:haproxy-check') + 1);
    const lbHaproxy = ids(p.steps.filter((s) => s.host === 'lb1' && s.phase === 'haproxy'));
    expect(lbHaproxy.slice(-2)).toEqual(['lb1:enable:haproxy.service', 'lb1:start:haproxy.service']);
    // monitoring last: the exporter of a bare db host is installed from Debian's package, its own unit disabled
    const mon = ids(p.steps.filter((s) => s.host === 'db1' && s.phase === 'monitoring'));
    expect(mon).toEqual(
      expect.arrayContaining(['db1:install:prometheus-redis-exporter', 'db1:start:falkordb-exporter.service']),
    );
    expect(mon.indexOf('db1:disable:prometheus-redis-exporter.service')).toBeLessThan(
      mon.indexOf('db1:start:falkordb-exporter.service'),
    );
    // nothing runs yet: no step is destructive; secrets are 0600
    expect(p.steps.filter((s) => s.destructive)).toEqual([]);
    for (const s of p.steps) if (s.action.kind === 'upload' && s.action.secret) expect(s.action.mode).toBe(0o600);
  });

  it('restarting a running master whose file changed is destructive; a replica restart is not', () => {
    const files = render(inv);
    const facts = desiredFacts(inv, files);
    for (const h of ['db1', 'db2']) facts.get(h)!.files['/etc/falkordb/falkordb.conf']!.sha256 = 'f'.repeat(64);
    const p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(ids(p.steps)).toEqual([
      'db1:file:/etc/falkordb/falkordb.conf',
      'db1:restart:falkordb.service',
      'db2:file:/etc/falkordb/falkordb.conf',
      'db2:restart:falkordb.service',
    ]);
    expect(p.steps.filter((s) => s.destructive).map((s) => s.id)).toEqual(['db1:restart:falkordb.service']);
  });

  it('restarts only the service whose files changed; HAProxy reloads for its cfg, restarts for its env', () => {
    const files = render(inv);
    const facts = desiredFacts(inv, files);
    facts.get('db2')!.files['/etc/falkordb/sentinel-secrets.conf']!.sha256 = 'f'.repeat(64);
    facts.get('lb1')!.files['/etc/haproxy/haproxy.cfg']!.sha256 = 'f'.repeat(64);
    let p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(ids(p.steps)).toEqual([
      'db2:file:/etc/falkordb/sentinel-secrets.conf',
      'db2:restart:falkordb-sentinel.service',
      'lb1:stage:/etc/haproxy/haproxy.cfg',
      'lb1:haproxy-check',
      'lb1:file:/etc/haproxy/haproxy.cfg',
      'lb1:reload:haproxy.service',
    ]);
    facts.get('lb1')!.files['/etc/haproxy/falkordb.env']!.sha256 = 'f'.repeat(64);
    p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(ids(p.steps.filter((s) => s.host === 'lb1')).at(-1)).toBe('lb1:restart:haproxy.service');
  });

  it('no restart for what a running service does not load: mode/owner, a unit whose [Service] is unchanged', () => {
    const files = render(inv);
    const facts = desiredFacts(inv, files);
    const conf = '/etc/falkordb/falkordb.conf';
    facts.get('db1')!.files[conf]!.mode = 0o600; // Redis's CONFIG REWRITE under UMask=0077: accepted as is
    facts.get('db2')!.files[conf]!.mode = 0o644; // looser than the render: fixed, no restart
    const unit = files.find((f) => f.host === 'db3' && f.path === FALKORDB_UNIT)!;
    facts.get('db3')!.files[FALKORDB_UNIT]!.sha256 = 'f'.repeat(64);
    facts.get('db3')!.contents[FALKORDB_UNIT] = unit.content.replace(
      /^Description=.*$/m,
      'Description=FalkorDB master (cluster prod-graph)',
    );
    let p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(ids(p.steps)).toEqual([`db2:file:${conf}`, `db3:file:${FALKORDB_UNIT}`, 'db3:daemon-reload']);
    facts.get('db3')!.contents[FALKORDB_UNIT] = unit.content.replace('LimitNOFILE=', 'LimitNOFILE=1');
    p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(ids(p.steps).slice(1)).toEqual([
      `db3:file:${FALKORDB_UNIT}`,
      'db3:daemon-reload',
      'db3:restart:falkordb.service',
    ]);
  });

  it('leaves the Sentinel template alone once Sentinel runs from its own copy', () => {
    const files = render(inv);
    const facts = desiredFacts(inv, files);
    facts.get('db3')!.files['/etc/falkordb/sentinel.conf']!.sha256 = 'f'.repeat(64);
    const p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(p.steps).toEqual([]);
    expect(p.notes.join('\n')).toMatch(/db3: Sentinel owns \/var\/lib\/falkordb\/sentinel\/sentinel.conf/);
    delete facts.get('db3')!.files['/var/lib/falkordb/sentinel/sentinel.conf'];
    expect(ids(plan({ inv, hosts: inv.hosts, files, facts }).steps)).toEqual([
      'db3:file:/etc/falkordb/sentinel.conf',
      'db3:restart:falkordb-sentinel.service',
    ]);
  });

  it('a running Sentinel whose settings differ gets SENTINEL SET, not a new file or a restart', () => {
    const files = render(inv);
    const facts = desiredFacts(inv, files);
    const live = {
      quorum: '2',
      'down-after-milliseconds': '30000',
      'failover-timeout': '180000',
      'parallel-syncs': '1',
      'num-slaves': '2',
    };
    for (const h of ['db1', 'db2', 'db3']) facts.get(h)!.sentinelMaster = { ...live };
    expect(plan({ inv, hosts: inv.hosts, files, facts }).steps).toEqual([]);
    facts.get('db2')!.sentinelMaster!['down-after-milliseconds'] = '5000';
    const p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(p.steps.map((s) => [s.id, s.action])).toEqual([
      [
        'db2:sentinel-set:down-after-milliseconds',
        {
          kind: 'redis',
          port: 26379,
          sentinel: true,
          args: ['SENTINEL', 'SET', 'falkordb-master', 'down-after-milliseconds', '30000'],
        },
      ],
    ]);
  });

  it('a redis-server that cannot notify systemd gets Type=exec drop-ins, written before the units start', () => {
    const files = withNoNotify(
      inv,
      inv.hosts,
      render(inv),
      new Map([
        ['db1', { noNotify: true }],
        ['db2', { noNotify: false }],
      ]),
      undefined,
      (h) => rolesOf(inv, h),
    );
    expect(files.filter((f) => f.path.endsWith('falkorctl-exec.conf')).map((f) => `${f.host}:${f.path}`)).toEqual([
      'db1:/etc/systemd/system/falkordb.service.d/falkorctl-exec.conf',
      'db1:/etc/systemd/system/falkordb-sentinel.service.d/falkorctl-exec.conf',
    ]);
    expect(files.find((f) => f.path.endsWith('falkorctl-exec.conf'))!.content).toMatch(/^\[Service\]\nType=exec\n$/m);
    const p = plan({ inv, hosts: inv.hosts, files, facts: emptyFacts(inv.hosts) });
    const db1 = ids(p.steps.filter((s) => s.host === 'db1'));
    expect(db1).toContain('db1:dir:/etc/systemd/system/falkordb.service.d');
    expect(db1.indexOf('db1:file:/etc/systemd/system/falkordb.service.d/falkorctl-exec.conf')).toBeLessThan(
      db1.indexOf('db1:daemon-reload'),
    );
    expect(db1.indexOf('db1:file:/etc/systemd/system/falkordb-sentinel.service.d/falkorctl-exec.conf')).toBeLessThan(
      db1.indexOf('db1:start:falkordb-sentinel.service'),
    );
    // the binary deploy installs decides for every host
    const all = withNoNotify(inv, inv.hosts, render(inv), new Map(), true, (h) => rolesOf(inv, h));
    expect(all.filter((f) => f.path.endsWith('falkorctl-exec.conf'))).toHaveLength(6);
  });

  it('--limit: only the selected hosts are planned and checked', () => {
    const files = render(inv);
    const hosts = inv.hosts.filter((h) => h.name === 'db3');
    const p = plan({ inv, hosts, files: files.filter((f) => f.host === 'db3'), facts: emptyFacts(hosts) });
    expect(new Set(p.steps.map((s) => s.host))).toEqual(new Set(['db3']));
    expect(p.checks.master).toEqual([]);
    expect(p.checks.replicas?.map((c) => c.host)).toEqual(['db3']);
  });

  it('binaries: missing without a source is a usage error; a source with another sha256 is installed', () => {
    const files = render(inv);
    expect(() => plan({ inv, hosts: inv.hosts, files, facts: emptyFacts(inv.hosts, false) })).toThrow(
      /db1: \/opt\/falkordb\/bin\/redis-server is not there/,
    );
    const facts = desiredFacts(inv, files);
    const p = plan({
      inv,
      hosts: inv.hosts,
      files,
      facts,
      binaries: {
        module: { file: '/tmp/falkordb.so', sha256: 'a'.repeat(64) },
        redisServer: { file: '/tmp/redis-server', sha256: BIN_SHA },
      },
    });
    expect(ids(p.steps)).toEqual([
      'db1:binary:/opt/falkordb/lib/falkordb.so',
      'db1:restart:falkordb.service',
      'db2:binary:/opt/falkordb/lib/falkordb.so',
      'db2:restart:falkordb.service',
      'db3:binary:/opt/falkordb/lib/falkordb.so',
      'db3:restart:falkordb.service',
    ]);
    expect(p.steps[1]!.destructive).toBe(true);
    // a new redis-server restarts the Sentinels too; the module alone does not
    const q = plan({
      inv,
      hosts: inv.hosts,
      files,
      facts,
      binaries: { redisServer: { file: '/tmp/redis-server', sha256: 'a'.repeat(64) } },
    });
    expect(ids(q.steps.filter((s) => s.host === 'db2'))).toEqual([
      'db2:binary:/opt/falkordb/bin/redis-server',
      'db2:restart:falkordb.service',
      'db2:restart:falkordb-sentinel.service',
    ]);
  });
});

describe('live topology', () => {
  const topo = (agreed?: string, opinions: string[] = agreed ? [`${agreed}:6379`] : []) => ({
    agreedMaster: agreed ? { address: agreed, port: 6379 } : undefined,
    sentinelOpinions: opinions,
    nodes: [],
  });

  it('follows the master the Sentinels agree on: it renders as master, the old one as its replica', () => {
    const live = liveMaster(inv, topo('10.0.0.12'));
    expect(live).toEqual({ host: 'db2', source: 'sentinels' });
    const li = withMaster(inv, live.host);
    const files = render(li);
    const conf = (h: string) => files.find((f) => f.host === h && f.path === '/etc/falkordb/falkordb.conf')!.content;
    expect(conf('db2')).not.toMatch(/^replicaof/m);
    expect(conf('db1')).toMatch(/^replicaof 10\.0\.0\.12 6379$/m);
    expect(conf('db3')).toMatch(/^replicaof 10\.0\.0\.12 6379$/m);
    const p = plan({ inv: li, hosts: li.hosts, files, facts: desiredFacts(li, files) });
    expect(p.checks.master).toEqual([{ kind: 'master', host: 'db2' }]);
    expect(p.checks.replicas?.map((c) => c.host)).toEqual(['db1', 'db3']);
  });

  it('a cluster after failover planned with the inventory roles would revert it; with the live roles nothing changes', () => {
    const li = withMaster(inv, 'db2');
    const liveFiles = render(li);
    const facts = desiredFacts(li, liveFiles);
    expect(plan({ inv: li, hosts: li.hosts, files: liveFiles, facts }).steps).toEqual([]);
    const reverting = plan({ inv, hosts: inv.hosts, files: render(inv), facts });
    expect(reverting.steps.some((s) => s.id === 'db2:file:/etc/falkordb/falkordb.conf')).toBe(true);
  });

  it('nothing running: the inventory; Sentinels disagreeing or following a stranger: refused', () => {
    expect(liveMaster(inv, topo())).toEqual({ host: 'db1', source: 'inventory' });
    expect(() => liveMaster(inv, topo(undefined, ['10.0.0.11:6379', '10.0.0.12:6379']))).toThrow(
      expect.objectContaining({ code: 'REFUSED', message: expect.stringMatching(/disagree/) }),
    );
    expect(() => liveMaster(inv, topo('10.9.9.9'))).toThrow(expect.objectContaining({ code: 'REFUSED' }));
  });

  it('without Sentinels, a running master elsewhere with the inventory master as a replica is followed', () => {
    const nodes = [
      {
        host: 'db1',
        address: '10.0.0.11',
        port: 6379,
        up: true,
        intendedRole: 'master' as const,
        replication: { role: 'replica' as const, syncInProgress: false, loading: false, replicas: [] },
      },
      {
        host: 'db2',
        address: '10.0.0.12',
        port: 6379,
        up: true,
        intendedRole: 'replica' as const,
        replication: { role: 'master' as const, syncInProgress: false, loading: false, replicas: [] },
      },
    ];
    expect(liveMaster(inv, { agreedMaster: undefined, sentinelOpinions: [], nodes })).toEqual({
      host: 'db2',
      source: 'nodes',
    });
  });
});
