// Semantic checks on roles, names, Sentinels and HAProxy: each one failing (at the right line) and passing.
import { describe, expect, it } from 'vitest';
import { BASE, check, lineOf, withBase } from './helpers.js';
import { expectClean, expectFinding } from './semantic-helpers.js';

describe('hosts', () => {
  it('duplicate host names → error at the second name', () => {
    const t = BASE.replace('name: db3', 'name: db2');
    expectFinding(
      t,
      'hosts[2].name',
      'error',
      lineOf(t, 'name: db2', 'address: 10.0.0.2'),
      /duplicate host name "db2" \(first used by hosts\[1\]\)/,
    );
  });
  it('an address with a port or scheme → error; IPv4, IPv6 and DNS names pass', () => {
    for (const bad of ['10.0.0.3:6379', 'redis://10.0.0.3', '10.0.0.3 ']) {
      const t = BASE.replace('address: 10.0.0.3', `address: "${bad}"`);
      expectFinding(t, 'hosts[2].address', 'error', lineOf(t, bad), /is not an IP address or a DNS name/);
    }
    for (const good of ['fe80::3', '2001:db8:0:0:0:0:0:3'])
      expectClean(BASE.replace('address: 10.0.0.3', `address: ${good}`));
    for (const bad of [
      'a:b:c',
      '-oProxyCommand=id',
      '*',
      'a"b',
      '10.0.10.11#',
      '999.1.1.1',
      'fe80::1%eth0',
      'x'.repeat(64),
    ]) {
      const t = BASE.replace('address: 10.0.0.3', `address: ${JSON.stringify(bad)}`);
      const e = check(t).errors;
      expect(
        e.map((x) => [x.path, x.line]),
        bad,
      ).toEqual([['hosts[2].address', lineOf(t, 'address: "')]]);
    }
  });
  it('a database host named by DNS: an error unless redis.bind gives Redis an IP to bind', () => {
    const t = BASE.replace('address: 10.0.0.3', 'address: db3.internal.example');
    expectFinding(t, 'hosts[2].address', 'error', lineOf(t, 'db3.internal'), /bind IP addresses only/);
    expectClean(`${t}redis:\n  bind: [10.0.0.3]\n`);
  });
  it('a host named "cluster" (render\'s name for cluster-wide files) → error at its name', () => {
    const t = BASE.replace('name: db3', 'name: cluster');
    expectFinding(t, 'hosts[2].name', 'error', lineOf(t, 'name: cluster'), /may not be named "cluster"/);
  });
  it('no master → error at hosts', () => {
    const t = BASE.replace('role: master', 'role: replica');
    expectFinding(t, 'hosts', 'error', lineOf(t, 'hosts:'), /no host has role master/);
  });
  it('two masters → error at the second master role', () => {
    const t = BASE.replace('role: replica', 'role: master');
    expectFinding(t, 'hosts[1].role', 'error', lineOf(t, 'role: master', 'name: db2'), /a second master \("db2"\)/);
  });
  it('no replica → warning (no failover possible)', () => {
    const t = BASE.replace(/role: replica/g, 'role: sentinel');
    expectFinding(t, 'hosts', 'warning', lineOf(t, 'hosts:'), /no replica: Sentinel has nothing to fail over to/);
  });
  it('every replica with replicaPriority 0 → error; one promotable replica passes', () => {
    const t = BASE.replace(/role: replica/g, 'role: replica\n    replicaPriority: 0');
    expectFinding(t, 'hosts[1].replicaPriority', 'error', lineOf(t, 'replicaPriority: 0'), /failover is impossible/);
    expectClean(BASE.replace('role: replica', 'role: replica\n    replicaPriority: 0'));
  });
  it('replicaPriority on a host without a database → warning', () => {
    const t = BASE.replace('role: haproxy', 'role: haproxy\n    replicaPriority: 10');
    expectFinding(
      t,
      'hosts[3].replicaPriority',
      'warning',
      lineOf(t, 'replicaPriority: 10'),
      /ignored: "lb1" has role haproxy/,
    );
  });
});

describe('Sentinels', () => {
  it('sentinel.hosts naming an unknown host or one twice → error at that entry', () => {
    const t = withBase('sentinel:\n  hosts:\n    - db1\n    - db9\n    - db1\n    - db2\n');
    expectFinding(
      t,
      'sentinel.hosts[1]',
      'error',
      lineOf(t, '- db9'),
      /"db9" is not a host in hosts: \(known: db1, db2, db3, lb1\)/,
    );
    expectFinding(t, 'sentinel.hosts[2]', 'error', lineOf(t, '- db1', '- db9'), /"db1" is listed twice/);
    expectClean(withBase('sentinel:\n  hosts: [db1, db2, lb1]\n'));
  });
  it('fewer than 3 Sentinels → warning; a quorum they can reach still passes', () => {
    const t = withBase('sentinel:\n  hosts: [db1, db2]\n');
    expectFinding(t, 'sentinel.hosts', 'warning', lineOf(t, 'hosts: [db1, db2]'), /only 2 Sentinels/);
    expect(check(t).errors).toEqual([]);
  });
  it('3 Sentinels on fewer than 3 machines → warning', () => {
    // The Sentinel port is cluster-wide, so two Sentinels on one address also clash on it.
    const t = withBase('sentinel:\n  hosts: [db1, db2, s1]\n').replace(
      'role: haproxy',
      'role: haproxy\n  - name: s1\n    address: 10.0.0.2\n    role: sentinel',
    );
    expectFinding(
      t,
      'sentinel.hosts',
      'warning',
      lineOf(t, 'hosts: [db1, db2, s1]'),
      /3 Sentinels run on only 2 distinct address/,
    );
    expectFinding(
      t,
      'hosts[4].address',
      'error',
      lineOf(t, 'address: 10.0.0.2', 'name: s1'),
      /"s1" has the same address as "db2" and both would run Sentinel on port 26379/,
    );
  });
  it('no Sentinel at all → error', () => {
    const t = withBase('sentinel:\n  hosts: []\n');
    expectFinding(t, 'sentinel.hosts', 'error', lineOf(t, 'hosts: []'), /no Sentinel host/);
  });
  it('quorum above the Sentinel count or not a majority → error; a majority passes', () => {
    const high = withBase('sentinel:\n  quorum: 4\n');
    expectFinding(high, 'sentinel.quorum', 'error', lineOf(high, 'quorum: 4'), /quorum 4 is more than the 3 Sentinels/);
    const low = withBase('sentinel:\n  quorum: 1\n');
    expectFinding(
      low,
      'sentinel.quorum',
      'error',
      lineOf(low, 'quorum: 1'),
      /not a majority of the 3 Sentinels \(need at least 2\)/,
    );
    expectClean(withBase('sentinel:\n  quorum: 3\n'));
  });
});

describe('HAProxy hosts', () => {
  it('haproxy.hosts naming an unknown host → error', () => {
    const t = withBase('haproxy:\n  hosts: [lb2]\n');
    expectFinding(t, 'haproxy.hosts[0]', 'error', lineOf(t, 'hosts: [lb2]'), /"lb2" is not a host/);
  });
  it('no HAProxy host → warning; HAProxy on a database host passes', () => {
    const t = BASE.replace(/ {2}- name: lb1\n.*\n.*\n/, '');
    expectFinding(t, 'hosts', 'warning', lineOf(t, 'hosts:'), /no HAProxy host/);
    expectClean(withBase('haproxy:\n  hosts: [db1, lb1]\n'));
  });
});
