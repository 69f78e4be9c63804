// What the rendered files say, role by role, and the seed guide's mistakes that must not come back.
import { describe, expect, it } from 'vitest';
import { isFalkorError } from '../../../src/errors.js';
import { renderAll, renderHost, type RenderedFile } from '../../../src/render/index.js';
import { SECRETS, fixtureInventory, smallInventory } from './fixture.js';

const inv = fixtureInventory();
const all = renderAll(inv, SECRETS);
const file = (host: string, path: string): RenderedFile => {
  const f = all.find((x) => x.host === host && x.path === path);
  if (!f) throw new Error(`no ${host}:${path}`);
  return f;
};
const lines = (t: string) => t.split('\n');
const directives = (t: string) => lines(t).filter((l) => l.trim() && !l.trimStart().startsWith('#'));

describe('renderAll', () => {
  it('is deterministic and sorted by host, then path', () => {
    const again = renderAll(fixtureInventory(), SECRETS);
    expect(again).toEqual(all);
    const keys = all.map((f) => `${f.host}\0${f.path}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('gives each host exactly the files of its roles', () => {
    const paths = (h: string) => all.filter((f) => f.host === h).map((f) => f.path);
    expect(paths('db1')).toEqual([
      '/etc/falkordb/falkordb.conf',
      '/etc/falkordb/redis-exporter.json',
      '/etc/falkordb/secrets.conf',
      '/etc/falkordb/sentinel-notify',
      '/etc/falkordb/sentinel-secrets.conf',
      '/etc/falkordb/sentinel.conf',
      '/etc/sysctl.d/60-falkordb.conf',
      '/etc/systemd/system/falkordb-exporter.service',
      '/etc/systemd/system/falkordb-sentinel.service',
      '/etc/systemd/system/falkordb.service',
      '/etc/tmpfiles.d/falkordb-thp.conf',
    ]);
    expect(paths('lb1')).toEqual([
      '/etc/haproxy/falkordb.env',
      '/etc/haproxy/haproxy.cfg',
      '/etc/systemd/system/haproxy.service.d/falkordb.conf',
    ]);
    expect(paths('cluster')).toContain('/prometheus/falkordb-alerts.yml');
  });

  it('--host narrows the output to those hosts (no cluster files unless asked)', () => {
    const some = renderAll(inv, SECRETS, { hosts: ['db2'] });
    expect(new Set(some.map((f) => f.host))).toEqual(new Set(['db2']));
    expect(some).toEqual(renderHost(inv, 'db2', SECRETS));
    expect(new Set(renderAll(inv, SECRETS, { hosts: ['cluster'] }).map((f) => f.host))).toEqual(new Set(['cluster']));
  });

  it('puts passwords only in secret files, which are mode 0600', () => {
    const values = [SECRETS.password, SECRETS.sentinelPassword as string, SECRETS.users.app as string];
    for (const f of all) {
      const holds = values.some((v) => f.content.includes(v));
      expect(holds, `${f.host}:${f.path}`).toBe(f.secret);
      if (f.secret) expect(f.mode).toBe(0o600);
    }
    // per db host: secrets.conf, sentinel-secrets.conf, redis-exporter.json
    expect(all.filter((f) => f.secret).length).toBe(3 * 3 + 1 + 4);
  });
});

describe('falkordb.conf', () => {
  const master = file('db1', '/etc/falkordb/falkordb.conf').content;
  const replica = file('db2', '/etc/falkordb/falkordb.conf').content;

  it('differs between master and replica only where the role requires', () => {
    expect(master).not.toMatch(/^replicaof /m);
    expect(replica).toMatch(/^replicaof 10\.0\.0\.11 6379$/m);
    expect(master).toMatch(/^replica-announce-ip 10\.0\.0\.11$/m);
    expect(replica).toMatch(/^replica-announce-ip 10\.0\.0\.12$/m);
    expect(file('db3', '/etc/falkordb/falkordb.conf').content).toMatch(/^replica-priority 50$/m);
    const strip = (t: string) => directives(t).filter((l) => !/^(replicaof|replica-announce-ip|bind) /.test(l));
    expect(strip(replica)).toEqual(strip(master));
  });

  it('loads the module with the inventory parameters and binds address + loopback', () => {
    expect(master).toMatch(
      /^loadmodule \/opt\/falkordb\/lib\/falkordb\.so THREAD_COUNT 16 CACHE_SIZE 500 TIMEOUT_DEFAULT 30000 QUERY_MEM_CAPACITY 2147483648$/m,
    );
    expect(master).toMatch(/^bind 10\.0\.0\.11 127\.0\.0\.1$/m);
    expect(master).toMatch(/^protected-mode yes$/m);
  });

  it("sets maxmemory in bytes (0.75 of 64gb) with noeviction, not the seed's allkeys-lru", () => {
    expect(master).toMatch(/^maxmemory 51539607552$/m);
    expect(master).toMatch(/^maxmemory-policy noeviction$/m);
    expect(master).not.toMatch(/allkeys-lru/);
  });

  it('hybrid persistence: AOF everysec with RDB preamble plus the save points', () => {
    for (const l of [
      'appendonly yes',
      'appendfsync everysec',
      'aof-use-rdb-preamble yes',
      'save 3600 1',
      'save 300 100',
      'save 60 10000',
    ]) {
      expect(directives(master)).toContain(l);
    }
  });

  it('runs under systemd in the foreground with replication settings on every node', () => {
    for (const l of [
      'supervised systemd',
      'daemonize no',
      'replica-read-only yes',
      'repl-diskless-sync yes',
      'min-replicas-to-write 1',
      'min-replicas-max-lag 10',
      'repl-backlog-size 268435456',
    ]) {
      expect(directives(master)).toContain(l);
      expect(directives(replica)).toContain(l);
    }
  });

  it('never renames CONFIG (Sentinel needs it), and disables the listed commands', () => {
    expect(master).not.toMatch(/rename-command CONFIG/i);
    expect(directives(master)).toEqual(
      expect.arrayContaining(['rename-command DEBUG ""', 'rename-command FLUSHALL ""', 'rename-command FLUSHDB ""']),
    );
  });

  it('has no ${VAR} placeholders and no password; includes secrets.conf as the last directive', () => {
    for (const t of [master, replica]) {
      expect(t).not.toMatch(/\$\{/);
      expect(t).not.toMatch(/^(requirepass|masterauth) /m);
      expect(directives(t).at(-1)).toBe('include /etc/falkordb/secrets.conf');
    }
  });

  it('secrets.conf: the same password as requirepass AND masterauth on every node, plus ACL users', () => {
    const expected = [
      `requirepass ${SECRETS.password}`,
      `masterauth ${SECRETS.password}`,
      `user app reset on >${SECRETS.users.app} ~* &* +@all -@dangerous`,
    ];
    for (const h of ['db1', 'db2', 'db3'])
      expect(directives(file(h, '/etc/falkordb/secrets.conf').content)).toEqual(expected);
  });

  it('quotes values Redis would otherwise split', () => {
    const odd = renderAll(
      smallInventory((i) => void (i.auth.users = [{ name: 'u', password: 'env:U' }])),
      { password: 'p"w d\\1', users: { u: 'a b' } },
      { hosts: ['m1'] },
    );
    const s = odd.find((f) => f.path.endsWith('/secrets.conf'))?.content ?? '';
    expect(s).toMatch(/^requirepass "p\\"w d\\\\1"$/m);
    expect(s).toMatch(/^user u reset on ">a b" /m);
  });

  it('TLS: a TLS port and no plaintext port, replication and Sentinel over TLS', () => {
    const tls = {
      enabled: true,
      port: 6390,
      certFile: '/etc/falkordb/tls/node.crt',
      keyFile: '/etc/falkordb/tls/node.key',
      caFile: '/etc/falkordb/tls/ca.crt',
    };
    const files = renderAll(
      smallInventory((i) => void (i.tls = tls)),
      { password: 'x', users: {} },
      { hosts: ['r1', 's1'] },
    );
    const conf = directives(files.find((f) => f.host === 'r1' && f.path.endsWith('falkordb.conf'))?.content ?? '');
    expect(conf).toEqual(
      expect.arrayContaining([
        'port 0',
        'tls-port 6390',
        'tls-cert-file /etc/falkordb/tls/node.crt',
        'tls-ca-cert-file /etc/falkordb/tls/ca.crt',
        'tls-replication yes',
        'replicaof 192.0.2.1 6390',
      ]),
    );
    const sent = directives(files.find((f) => f.host === 's1' && f.path.endsWith('sentinel.conf'))?.content ?? '');
    expect(sent).toEqual(
      expect.arrayContaining(['tls-replication yes', 'sentinel monitor falkordb-master 192.0.2.1 6390 2']),
    );
  });

  it('TLS in containers: files from a mounted /tls, probes over TLS', () => {
    const tls = {
      enabled: true,
      port: 6390,
      certFile: '/etc/falkordb/tls/node.crt',
      keyFile: '/etc/falkordb/tls/node.key',
      caFile: '/etc/falkordb/tls/ca.crt',
    };
    const files = renderAll(
      smallInventory((i) => void (i.tls = tls)),
      { password: 'x', users: {} },
      { hosts: ['cluster'] },
    );
    const get = (p: string) => files.find((f) => f.path === p)?.content ?? '';
    const node = directives(get('/compose/config/r1.conf'));
    expect(node).toEqual(
      expect.arrayContaining([
        'tls-port 6390',
        'tls-cert-file /tls/tls.crt',
        'tls-key-file /tls/tls.key',
        'tls-ca-cert-file /tls/ca.crt',
        'port 0',
      ]),
    );
    expect(get('/compose/docker-compose.yml')).toContain('- ./tls:/tls:ro');
    expect(get('/compose/docker-compose.yml')).toContain('redis-cli --tls --cacert /tls/ca.crt -p 6390 ping');
    expect(get('/kubernetes/falkordb.yaml')).toContain('redis-cli --tls --cacert /tls/ca.crt -p 6390 ping');
    expect(get('/kubernetes/falkordb.yaml')).toContain('secretName: falkordb-tls');
  });

  it('other persistence modes', () => {
    const conf = (p: 'aof' | 'rdb' | 'none') =>
      directives(
        renderHost(
          smallInventory((i) => void (i.redis = { persistence: p })),
          'm1',
          { password: 'x', users: {} },
        )[0]?.content ?? '',
      );
    expect(conf('aof')).toEqual(expect.arrayContaining(['appendonly yes', 'save ""']));
    expect(conf('rdb')).toEqual(expect.arrayContaining(['appendonly no', 'save 3600 1']));
    expect(conf('none')).toEqual(expect.arrayContaining(['appendonly no', 'save ""']));
  });
});

describe('sentinel.conf', () => {
  const s = file('db2', '/etc/falkordb/sentinel.conf').content;
  it('monitors the master with quorum and a down-after long enough for a graceful restart', () => {
    expect(directives(s)).toEqual(
      expect.arrayContaining([
        'sentinel monitor falkordb-master 10.0.0.11 6379 2',
        'sentinel down-after-milliseconds falkordb-master 30000',
        'sentinel failover-timeout falkordb-master 180000',
        'sentinel parallel-syncs falkordb-master 1',
        'dir /var/lib/falkordb/sentinel',
        'sentinel announce-ip 10.0.0.12',
      ]),
    );
    expect(s).not.toMatch(/down-after-milliseconds \S+ 5000$/m);
  });
  it('keeps auth-pass in the 0600 include, not in the template', () => {
    expect(directives(s).join('\n')).not.toMatch(/auth-pass/);
    expect(directives(s).at(-1)).toBe('include /etc/falkordb/sentinel-secrets.conf');
    expect(directives(file('db2', '/etc/falkordb/sentinel-secrets.conf').content)).toEqual([
      `sentinel auth-pass falkordb-master ${SECRETS.password}`,
      `requirepass ${SECRETS.sentinelPassword}`,
      `sentinel sentinel-pass ${SECRETS.sentinelPassword}`,
    ]);
  });
  it('host names as addresses: Sentinel resolves and announces names; binds come from redis.bind', () => {
    const inv = smallInventory((i) => {
      i.hosts = i.hosts.map((h) => ({ ...h, address: `${h.name}.example.internal` }));
      i.redis = { bind: ['10.1.1.1'] };
    });
    const fs = renderAll(inv, { password: 'x', users: {} }, { hosts: ['r1', 's1'] });
    const sent = directives(fs.find((f) => f.host === 's1' && f.path.endsWith('/sentinel.conf'))?.content ?? '');
    expect(sent).toEqual(
      expect.arrayContaining([
        'bind 127.0.0.1 10.1.1.1',
        'sentinel resolve-hostnames yes',
        'sentinel announce-hostnames yes',
        'sentinel monitor falkordb-master m1.example.internal 6379 2',
      ]),
    );
    const node = directives(fs.find((f) => f.host === 'r1' && f.path.endsWith('/falkordb.conf'))?.content ?? '');
    expect(node).toEqual(
      expect.arrayContaining([
        'bind 127.0.0.1 10.1.1.1',
        'replicaof m1.example.internal 6379',
        'replica-announce-ip r1.example.internal',
      ]),
    );
    const bare = smallInventory(
      (i) => void (i.hosts = i.hosts.map((h) => ({ ...h, address: `${h.name}.example.internal` }))),
    );
    expect(() => renderAll(bare, { password: 'x', users: {} })).toThrow(/Redis can only bind IP addresses/);
  });

  it('runs from a writable copy in sentinel.dataDir, seeded from the template only once', () => {
    const unit = file('db2', '/etc/systemd/system/falkordb-sentinel.service').content;
    expect(unit).toMatch(
      /^ExecStartPre=\/bin\/sh -c 'test -e \/var\/lib\/falkordb\/sentinel\/sentinel\.conf \|\| install -m 0600 \/etc\/falkordb\/sentinel\.conf \/var\/lib\/falkordb\/sentinel\/sentinel\.conf'$/m,
    );
    expect(unit).toMatch(
      /^ExecStart=\/opt\/falkordb\/bin\/redis-server \/var\/lib\/falkordb\/sentinel\/sentinel\.conf --sentinel$/m,
    );
  });
});

describe('systemd and kernel settings', () => {
  const unit = file('db1', '/etc/systemd/system/falkordb.service').content;
  it('falkordb.service: notify, service user, data mount required, limits sized from the inventory', () => {
    for (const l of [
      'Type=notify',
      'User=falkordb',
      'Restart=on-failure',
      'RequiresMountsFor=/var/lib/falkordb/data',
      'Requires=var-lib-falkordb.mount',
      'After=var-lib-falkordb.mount',
      'LimitNOFILE=65536',
      'ExecStart=/opt/falkordb/bin/redis-server /etc/falkordb/falkordb.conf',
    ]) {
      expect(lines(unit)).toContain(l);
    }
    // 48 GiB at 50 MiB/s plus a minute
    expect(lines(unit)).toContain('TimeoutStopSec=1044');
  });
  it('a host without a storage volume only requires the mount of its data directory', () => {
    const u3 = file('db3', '/etc/systemd/system/falkordb.service').content;
    expect(u3).toMatch(/^RequiresMountsFor=\/var\/lib\/falkordb\/data$/m);
    expect(u3).not.toMatch(/\.mount$/m);
  });
  it('LimitNOFILE follows maxclients', () => {
    const big = renderHost(
      smallInventory((i) => void (i.redis = { maxclients: 100000 })),
      'm1',
      { password: 'x', users: {} },
    );
    expect(big.find((f) => f.path.endsWith('falkordb.service'))?.content).toMatch(/^LimitNOFILE=100032$/m);
  });
  it('sysctl and THP', () => {
    expect(directives(file('db1', '/etc/sysctl.d/60-falkordb.conf').content)).toEqual(
      expect.arrayContaining(['vm.overcommit_memory = 1', 'net.core.somaxconn = 4096']),
    );
    expect(directives(file('db1', '/etc/tmpfiles.d/falkordb-thp.conf').content)).toContain(
      'w /sys/kernel/mm/transparent_hugepage/enabled - - - - never',
    );
  });
});

describe('haproxy.cfg', () => {
  const cfg = file('lb1', '/etc/haproxy/haproxy.cfg').content;
  it("tells a master from a replica (INFO replication), unlike the seed's PING check", () => {
    const write = cfg.slice(cfg.indexOf('backend falkordb_write'), cfg.indexOf('frontend falkordb_read'));
    expect(write).toContain('tcp-check send "AUTH ${FALKORDB_PASSWORD}\\r\\n"');
    expect(write).toContain('tcp-check send "INFO replication\\r\\n"');
    expect(write).toContain('tcp-check expect min-recv 200 string role:master');
    expect(write).toContain('on-marked-down shutdown-sessions');
    expect(write).not.toMatch(/PING/);
    for (const s of ['server db1 10.0.0.11:6379', 'server db2 10.0.0.12:6379', 'server db3 10.0.0.13:6379'])
      expect(write).toContain(s);
  });
  it('reads go to replicas, the master only as backup', () => {
    const read = cfg.slice(cfg.indexOf('backend falkordb_read'));
    expect(read).toMatch(/server db2 10\.0\.0\.12:6379 on-marked-up shutdown-backup-sessions/);
    expect(read).toMatch(/server db1 10\.0\.0\.11:6379 backup$/m);
    const noFallback = renderHost(
      smallInventory((i) => void (i.haproxy = { readFallbackToMaster: false })),
      'lb',
      { password: 'x', users: {} },
    );
    expect(noFallback.find((f) => f.path === '/etc/haproxy/haproxy.cfg')?.content).not.toMatch(/backup/);
  });
  it('admin stats socket, long client/server timeouts, password from the 0600 env file', () => {
    expect(cfg).toMatch(/^ {4}stats socket \/run\/haproxy\/admin\.sock mode 660 level admin$/m);
    expect(cfg).toMatch(/^ {4}timeout client 3600000ms$/m);
    expect(file('lb1', '/etc/haproxy/falkordb.env').content).toMatch(
      new RegExp(`^FALKORDB_PASSWORD="${SECRETS.password}"$`, 'm'),
    );
    expect(file('lb1', '/etc/systemd/system/haproxy.service.d/falkordb.conf').content).toMatch(
      /^EnvironmentFile=\/etc\/haproxy\/falkordb\.env$/m,
    );
  });
});

describe('cluster-wide artifacts', () => {
  const compose = file('cluster', '/compose/docker-compose.yml').content;
  const k8s = file('cluster', '/kubernetes/falkordb.yaml').content;
  const alerts = file('cluster', '/prometheus/falkordb-alerts.yml').content;
  it('pins the image and never uses :latest', () => {
    for (const t of [compose, k8s]) {
      expect(t).toMatch(/image: falkordb\/falkordb-server:v\d+\.\d+\.\d+/);
      expect(t).not.toMatch(/:latest/);
    }
  });
  it('probes pass the password through REDISCLI_AUTH, never -a', () => {
    for (const t of [compose, k8s]) expect(t).not.toMatch(/redis-cli[^\n]*\s-a\s/);
    expect(compose).toContain('REDISCLI_AUTH="$$(cat /run/secrets/falkordb-password)"');
    expect(k8s).toMatch(/name: REDISCLI_AUTH\n\s+valueFrom:\n\s+secretKeyRef:/);
  });
  it('Kubernetes: StatefulSets with PVCs, no emptyDir, PDBs, anti-affinity, readiness separate from liveness', () => {
    expect(k8s.match(/^kind: StatefulSet$/gm)).toHaveLength(2);
    expect(k8s).not.toMatch(/kind: Deployment|emptyDir/);
    expect(k8s.match(/^kind: PodDisruptionBudget$/gm)).toHaveLength(2);
    expect(k8s).toContain('requiredDuringSchedulingIgnoredDuringExecution');
    expect(k8s).toContain('volumeClaimTemplates');
    expect(k8s).toMatch(/readinessProbe:\n\s+exec:/);
    expect(k8s).toMatch(/livenessProbe:\n\s+tcpSocket:/);
    // limit = 1.5 × maxmemory (48 GiB) = 72 GiB
    expect(k8s).toContain('memory: 73728Mi');
  });
  it('alert rules use redis_exporter names and guard the memory ratio against maxmemory 0', () => {
    expect(alerts).toContain('redis_memory_used_bytes / (redis_memory_max_bytes > 0) > 0.85');
    for (const m of [
      'redis_up{job="falkordb"} == 0',
      'redis_master_link_up == 0',
      'redis_connected_slave_lag_seconds',
      'redis_rdb_last_bgsave_status == 0',
      'redis_aof_last_bgrewrite_status == 0',
      'redis_sentinel_master_ok_sentinels{master_name="falkordb-master"} < 2',
    ]) {
      expect(alerts).toContain(m);
    }
    expect(alerts).not.toContain('redis_replica_repl_offset');
  });
});

describe('inputs render refuses (exit 2, nothing rendered)', () => {
  const refuses = (fn: () => unknown, msg: RegExp) => {
    try {
      fn();
    } catch (e) {
      expect(isFalkorError(e) && e.exitCode).toBe(2);
      expect((e as Error).message).toMatch(msg);
      return;
    }
    throw new Error('expected a user error');
  };
  const pw = { password: 'x', users: {} };
  it('a ratio maxmemory without the host RAM', () => {
    refuses(
      () =>
        renderAll(
          smallInventory((i) => void (i.hosts[0]!.hardware = undefined)),
          pw,
        ),
      /m1: redis\.maxmemory is a ratio/,
    );
  });
  it('CONFIG among the disabled commands', () => {
    refuses(
      () =>
        renderAll(
          smallInventory((i) => void (i.redis = { disabledCommands: ['FLUSHALL', 'config'] })),
          pw,
        ),
      /CONFIG, which must stay available/,
    );
  });
  it('a path with characters the unit files cannot carry (the schema refuses it first, and so would render)', () => {
    expect(() => smallInventory((i) => void (i.redis = { dataDir: '/var/lib/falkor db' }))).toThrow(
      /must be an absolute path of letters/,
    );
    const inv = smallInventory();
    refuses(() => renderAll({ ...inv, redis: { ...inv.redis, dataDir: '/var/lib/falkor db' } }, pw), /redis\.dataDir/);
  });
  it('a password the HAProxy check cannot send', () => {
    refuses(() => renderAll(smallInventory(), { password: 'has space', users: {} }), /HAProxy health check/);
  });
  it('a host name that collides with the cluster-wide directory', () => {
    refuses(
      () =>
        renderAll(
          smallInventory((i) => void (i.hosts[2]!.name = 'cluster')),
          pw,
        ),
      /may not be named "cluster"/,
    );
  });
  it('an unknown --host', () => {
    refuses(() => renderAll(smallInventory(), pw, { hosts: ['nope'] }), /no host named "nope"/);
  });
});

describe("the seed guide's mistakes are not in any rendered file", () => {
  const text = (pred: (f: RenderedFile) => boolean) =>
    all
      .filter(pred)
      .map((f) => f.content)
      .join('\n');
  const every = text(() => true);
  const cases: [string, string, RegExp][] = [
    ['listens on every interface', every, /^\s*bind (0\.0\.0\.0|\*:)/m],
    ['evicts whole graphs', every, /allkeys-lru/],
    ['renames CONFIG (breaks Sentinel failover)', every, /rename-command CONFIG/],
    ['expects Redis to expand ${VAR}', text((f) => f.kind === 'redis' || f.kind === 'sentinel'), /\$\{/],
    ['fails over during a graceful restart (down-after 5000)', every, /down-after-milliseconds \S+ 5000\b/],
    ['gives a failover only 10 s', every, /failover-timeout \S+ 10000\b/],
    ['health-checks with PING only', text((f) => f.kind === 'haproxy'), /tcp-check send PING/],
    ['uses a floating image tag', every, /image: [^\s]+:latest|image: [^\s:]+$/m],
    ['passes the password in argv', every, /redis-cli[^\n]*\s-a\s/],
    ['keeps replica data on emptyDir', every, /emptyDir/],
    ['runs replicas as a Deployment', every, /kind: Deployment/],
    ['mounts the Sentinel config read-only', text((f) => f.kind === 'compose'), /sentinel\.conf:ro/],
    ['uses a metric redis_exporter does not have', every, /redis_replica_repl_offset/],
  ];
  it("no node lacks masterauth (the seed's master had none, so it could not rejoin after a failover)", () => {
    const secrets = all.filter((f) => f.path === '/etc/falkordb/secrets.conf');
    expect(secrets.length).toBe(3);
    for (const f of secrets) expect(f.content).toMatch(/^masterauth /m);
  });
  for (const [what, t, re] of cases) {
    it(`no file ${what}`, () => {
      expect(t.length).toBeGreaterThan(0);
      expect(t).not.toMatch(re);
    });
  }
});
