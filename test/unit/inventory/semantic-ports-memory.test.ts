// Port collisions and memory/thread/timeout checks: each failing at the right line, and passing.
import { describe, expect, it } from 'vitest';
import { listeners } from '../../../src/inventory/semantic-ports.js';
import { BASE, check, lineOf, withBase } from './helpers.js';
import { expectClean, expectFinding } from './semantic-helpers.js';

const lbOnDb1 = BASE.replace('address: 10.0.0.9', 'address: 10.0.0.1');

describe('address:port collisions', () => {
  it('lists every listener each host opens', () => {
    const inv = check(BASE).inventory;
    expect(inv).toBeDefined();
    const ls = listeners(inv!).map((l) => `${l.host} ${l.address}:${l.port} ${l.what}`);
    expect(ls).toEqual([
      'db1 10.0.0.1:6379 Redis',
      'db1 10.0.0.1:26379 Sentinel',
      'db1 10.0.0.1:9121 redis_exporter',
      'db2 10.0.0.2:6379 Redis',
      'db2 10.0.0.2:26379 Sentinel',
      'db2 10.0.0.2:9121 redis_exporter',
      'db3 10.0.0.3:6379 Redis',
      'db3 10.0.0.3:26379 Sentinel',
      'db3 10.0.0.3:9121 redis_exporter',
      'lb1 10.0.0.9:6380 HAProxy write',
      'lb1 10.0.0.9:6381 HAProxy read',
    ]);
  });
  it('HAProxy on a database address with distinct ports passes', () => {
    expectClean(lbOnDb1);
  });
  it('HAProxy write port = Redis port on a shared address → error at haproxy.writePort', () => {
    const t = `${lbOnDb1}haproxy:\n  writePort: 6379\n`;
    expectFinding(
      t,
      'haproxy.writePort',
      'error',
      lineOf(t, 'writePort: 6379'),
      /port 6379 for HAProxy write is also used by Redis \(redis.port\) on 10.0.0.1 \(db1 and lb1\)/,
    );
  });
  it('write port = read port → error at haproxy.readPort', () => {
    const t = withBase('haproxy:\n  writePort: 7000\n  readPort: 7000\n');
    expectFinding(
      t,
      'haproxy.readPort',
      'error',
      lineOf(t, 'readPort: 7000'),
      /also used by HAProxy write \(haproxy.writePort\) on lb1/,
    );
  });
  it('Sentinel port = Redis port → one error naming every host', () => {
    const t = withBase('sentinel:\n  port: 6379\n');
    expectFinding(
      t,
      'sentinel.port',
      'error',
      lineOf(t, 'port: 6379'),
      /on db1 \(10.0.0.1\), db2 \(10.0.0.2\), db3 \(10.0.0.3\)/,
    );
  });
  it('two database hosts on one address → error at the second address', () => {
    const t = BASE.replace('address: 10.0.0.3', 'address: 10.0.0.2');
    expectFinding(
      t,
      'hosts[2].address',
      'error',
      lineOf(t, 'address: 10.0.0.2', 'name: db3'),
      /"db3" has the same address as "db2" and both would run Redis on port 6379/,
    );
  });
  it('TLS next to a plaintext port on the same number → error at tls.port', () => {
    const tls =
      'tls:\n  enabled: true\n  port: PORT\n  allowPlaintext: true\n  certFile: /etc/falkordb/tls/node.crt\n  keyFile: /etc/falkordb/tls/node.key\n  caFile: /etc/falkordb/tls/ca.crt\n';
    const t = withBase(tls.replace('PORT', '6379'));
    expectFinding(t, 'tls.port', 'error', lineOf(t, 'port: 6379'), /Redis TLS is also used by Redis/);
    expectClean(withBase(tls.replace('PORT', '6390')));
  });
});

describe('memory, threads and timeouts', () => {
  it('maxmemory as a share of RAM needs hardware.memory on every database host', () => {
    const t = BASE.replace(/(name: db2\n.*\n.*\n)\s+hardware: .*\n/, '$1');
    expectFinding(
      t,
      'hosts[1]',
      'error',
      lineOf(t, 'name: db2'),
      /"db2" needs hardware.memory: redis.maxmemory is a share of RAM \(0.75\)/,
    );
    // A byte value needs no RAM size.
    expect(check(`${t}redis:\n  maxmemory: 8gb\n`).errors).toEqual([]);
  });
  it('a share above 0.8 → error; 0.8 passes', () => {
    const t = withBase('redis:\n  maxmemory: 0.85\n');
    expectFinding(t, 'redis.maxmemory', 'error', lineOf(t, 'maxmemory: 0.85'), /0.85 of RAM is above 0.8/);
    expectClean(withBase('redis:\n  maxmemory: 0.8\n'));
  });
  it('a byte value above 80 % of a host RAM → error naming the host; below passes', () => {
    const t =
      BASE.replace('memory: 64gb, cpus: 8 }\n  - name: db3', 'memory: 32gb, cpus: 8 }\n  - name: db3') +
      'redis:\n  maxmemory: 48gb\n';
    expectFinding(
      t,
      'redis.maxmemory',
      'error',
      lineOf(t, 'maxmemory: 48gb'),
      /^48.0 GiB is more than 80% of the RAM of "db2" \(32.0 GiB\)$/,
    );
    expectClean(withBase('redis:\n  maxmemory: 48gb\n'));
  });
  it('maxmemory 0 (no limit) → error', () => {
    const t = withBase('redis:\n  maxmemory: "0"\n');
    expectFinding(t, 'redis.maxmemory', 'error', lineOf(t, 'maxmemory'), /means "no limit"/);
  });
  it('THREAD_COUNT above the CPUs → warning; equal passes', () => {
    const t = withBase('falkordb:\n  params:\n    THREAD_COUNT: 16\n');
    expectFinding(
      t,
      'falkordb.params.THREAD_COUNT',
      'warning',
      lineOf(t, 'THREAD_COUNT'),
      /16 query threads but fewer CPUs on "db1" \(8\), "db2" \(8\), "db3" \(8\)/,
    );
    expectClean(withBase('falkordb:\n  params:\n    THREAD_COUNT: 8\n'));
  });
  it('QUERY_MEM_CAPACITY not below maxmemory → warning; below passes', () => {
    const t = withBase('redis:\n  maxmemory: 8gb\nfalkordb:\n  params:\n    QUERY_MEM_CAPACITY: 8589934592\n');
    expectFinding(
      t,
      'falkordb.params.QUERY_MEM_CAPACITY',
      'warning',
      lineOf(t, 'QUERY_MEM_CAPACITY'),
      /a single query may use 8.0 GiB, not less than maxmemory of "db1" \(8.0 GiB\), "db2"/,
    );
    expectClean(withBase('redis:\n  maxmemory: 8gb\nfalkordb:\n  params:\n    QUERY_MEM_CAPACITY: 1073741824\n'));
  });
  it('TIMEOUT_DEFAULT above TIMEOUT_MAX → error; equal, or no maximum (0), passes', () => {
    const t = withBase('falkordb:\n  params:\n    TIMEOUT_DEFAULT: 5000\n    TIMEOUT_MAX: 1000\n');
    expectFinding(
      t,
      'falkordb.params.TIMEOUT_DEFAULT',
      'error',
      lineOf(t, 'TIMEOUT_DEFAULT'),
      /TIMEOUT_DEFAULT 5000 ms exceeds TIMEOUT_MAX 1000 ms/,
    );
    expectClean(withBase('falkordb:\n  params:\n    TIMEOUT_DEFAULT: 1000\n    TIMEOUT_MAX: 1000\n'));
    expectClean(withBase('falkordb:\n  params:\n    TIMEOUT_DEFAULT: 5000\n    TIMEOUT_MAX: 0\n'));
  });
  it('queries allowed to run longer than HAProxy waits → warning', () => {
    const t = withBase('falkordb:\n  params:\n    TIMEOUT_MAX: 600000\nhaproxy:\n  timeoutServerMs: 60000\n');
    expectFinding(t, 'haproxy.timeoutServerMs', 'warning', lineOf(t, 'timeoutServerMs'), /queries may run 600000 ms/);
  });
  it('minReplicasToWrite above the replica count → error; equal → warning; below passes', () => {
    const t = withBase('redis:\n  minReplicasToWrite: 3\n');
    expectFinding(
      t,
      'redis.minReplicasToWrite',
      'error',
      lineOf(t, 'minReplicasToWrite'),
      /3 but there are 2 replicas: the master would refuse every write/,
    );
    const eq = withBase('redis:\n  minReplicasToWrite: 2\n');
    expectFinding(
      eq,
      'redis.minReplicasToWrite',
      'warning',
      lineOf(eq, 'minReplicasToWrite'),
      /losing any one replica stops all writes/,
    );
    expectClean(withBase('redis:\n  minReplicasToWrite: 1\n'));
  });
});

describe('sizes without units', () => {
  it('a quoted ratio or a unit-less tiny size → error; a plain ratio or a size with a unit passes', () => {
    const quoted = withBase('redis:\n  maxmemory: "0.75"\n');
    expectFinding(
      quoted,
      'redis.maxmemory',
      'error',
      lineOf(quoted, 'maxmemory'),
      /in quotes is read as a byte count; write a share of RAM as a plain number \(0.75\)/,
    );
    const tiny = withBase('redis:\n  maxmemory: 48\n');
    expectFinding(tiny, 'redis.maxmemory', 'error', lineOf(tiny, 'maxmemory'), /^48 bytes: a size needs a unit/);
    const ram = BASE.replace('memory: 64gb, cpus: 8 }\n  - name: db3', 'memory: 64, cpus: 8 }\n  - name: db3');
    expectFinding(
      ram,
      'hosts[1].hardware.memory',
      'error',
      lineOf(ram, 'memory: 64,'),
      /^64 bytes of RAM: a size needs a unit/,
    );
    expectClean(withBase('redis:\n  maxmemory: 48gb\n'));
    expectClean(withBase('redis:\n  maxmemory: 0.5\n'));
  });
});
