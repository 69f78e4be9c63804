// Redis settings, storage, TLS, SSH and ACL checks: each failing at the right line, and passing.
import { describe, expect, it } from 'vitest';
import { REQUIRED_COMMANDS } from '../../../src/inventory/index.js';
import { BASE, check, lineOf, withBase } from './helpers.js';
import { expectClean, expectFinding } from './semantic-helpers.js';

describe('redis settings', () => {
  it('disabling a command Sentinel or replication needs → error with the reason', () => {
    for (const cmd of [
      'CONFIG',
      'replicaof',
      'SLAVEOF',
      'INFO',
      'ROLE',
      'PING',
      'CLIENT',
      'SHUTDOWN',
      'MULTI',
      'PUBLISH',
      'PSYNC',
    ]) {
      const t = withBase(`redis:\n  disabledCommands:\n    - FLUSHALL\n    - ${cmd}\n`);
      const why = REQUIRED_COMMANDS[cmd.toUpperCase()];
      expect(why).toBeTruthy();
      expectFinding(
        t,
        'redis.disabledCommands[1]',
        'error',
        lineOf(t, `- ${cmd}`),
        new RegExp(`^${cmd.toUpperCase()} must stay enabled: `),
      );
    }
    expect(REQUIRED_COMMANDS.CONFIG).toMatch(/Sentinel/);
    expectClean(withBase('redis:\n  disabledCommands: [FLUSHALL, FLUSHDB, DEBUG, KEYS]\n'));
  });
  it('a non-command entry → error; a FalkorDB command → warning; a repeat → warning', () => {
    const t = withBase('redis:\n  disabledCommands: ["FLUSH ALL", GRAPH.DELETE, DEBUG, debug]\n');
    const line = lineOf(t, 'disabledCommands');
    expectFinding(t, 'redis.disabledCommands[0]', 'error', line, /"FLUSH ALL" is not a single command name/);
    expectFinding(t, 'redis.disabledCommands[1]', 'warning', line, /GRAPH.DELETE is a FalkorDB command/);
    expectFinding(t, 'redis.disabledCommands[3]', 'warning', line, /DEBUG is listed twice/);
  });
  it('an eviction policy other than noeviction → error', () => {
    const t = withBase('redis:\n  maxmemoryPolicy: allkeys-lru\n');
    expectFinding(t, 'redis.maxmemoryPolicy', 'error', lineOf(t, 'allkeys-lru'), /evicts whole graph keys/);
    expectClean(withBase('redis:\n  maxmemoryPolicy: noeviction\n'));
  });
  it('persistence none → warning; rdb without save points → warning; aof passes', () => {
    const none = withBase('redis:\n  persistence: none\n');
    expectFinding(
      none,
      'redis.persistence',
      'warning',
      lineOf(none, 'persistence'),
      /a restart of every node loses every graph/,
    );
    const rdb = withBase('redis:\n  persistence: rdb\n  save: []\n');
    expectFinding(rdb, 'redis.save', 'warning', lineOf(rdb, 'save: []'), /snapshot only at shutdown/);
    expectClean(withBase('redis:\n  persistence: aof\n'));
  });
  it('Redis as root, or bound to every interface → warning', () => {
    const t = withBase('redis:\n  user: root\n  bind: [10.0.0.100, 0.0.0.0]\n');
    expectFinding(t, 'redis.user', 'warning', lineOf(t, 'user: root'), /as root/);
    expectFinding(t, 'redis.bind[1]', 'warning', lineOf(t, 'bind:'), /every interface/);
    expectClean(withBase('redis:\n  bind: [10.0.0.100]\n'));
  });
  it('relative directories → error', () => {
    const t = withBase('redis:\n  dataDir: data\nsentinel:\n  dataDir: ./sentinel\n');
    expectFinding(t, 'redis.dataDir', 'error', lineOf(t, 'dataDir: data'), /"data" must be an absolute path/);
    expectFinding(t, 'sentinel.dataDir', 'error', lineOf(t, 'dataDir: ./sentinel'), /must be an absolute path/);
  });
  it('a short down-after → warning (a save during a graceful restart outlasts it)', () => {
    const t = withBase('sentinel:\n  downAfterMs: 5000\n');
    expectFinding(t, 'sentinel.downAfterMs', 'warning', lineOf(t, 'downAfterMs'), /needless failover/);
    expectClean(withBase('sentinel:\n  downAfterMs: 30000\n'));
  });
});

const storage = (volumes: string, devices = '[/dev/vdb]') =>
  BASE.replace(
    'role: master\n    hardware: { memory: 64gb, cpus: 8 }\n',
    `role: master\n    hardware: { memory: 64gb, cpus: 8 }\n    storage:\n      devices: ${devices}\n      volumes:\n${volumes}`,
  );
const vol = (name: string, size: string, mount: string, extra = '') =>
  `        - { name: ${name}, size: ${size}, mount: ${mount}${extra} }\n`;

describe('storage', () => {
  it('data volume holding redis.dataDir passes', () => {
    expectClean(storage(vol('data', '500G', '/var/lib/falkordb') + vol('backup', '100%FREE', '/backup')));
    expectClean(storage(vol('data', '100%FREE', '/var/lib/falkordb/data')));
  });
  it('redis.dataDir on none of the volumes → warning at the host volumes', () => {
    const t = storage(vol('data', '100%FREE', '/srv/falkordb'));
    expectFinding(
      t,
      'hosts[0].storage.volumes',
      'warning',
      lineOf(t, 'volumes:'),
      /redis.dataDir \/var\/lib\/falkordb\/data is on none of the volumes of "db1"/,
    );
    // A mount that only shares a prefix does not hold the directory.
    const p = storage(vol('data', '100%FREE', '/var/lib/falk'));
    expectFinding(p, 'hosts[0].storage.volumes', 'warning', lineOf(p, 'volumes:'), /on none of the volumes/);
  });
  it('duplicate volume names, mount points and devices → errors', () => {
    const t = storage(
      vol('data', '100G', '/var/lib/falkordb') + vol('data', '100G', '/var/lib/falkordb/'),
      '[/dev/vdb, /dev/vdb]',
    );
    expectFinding(
      t,
      'hosts[0].storage.volumes[1].name',
      'error',
      lineOf(t, '/var/lib/falkordb/'),
      /volume name "data" is used twice on "db1"/,
    );
    expectFinding(
      t,
      'hosts[0].storage.volumes[1].mount',
      'error',
      lineOf(t, '/var/lib/falkordb/'),
      /mount point \/var\/lib\/falkordb\/ is used twice/,
    );
    expectFinding(t, 'hosts[0].storage.devices[1]', 'error', lineOf(t, 'devices:'), /\/dev\/vdb is listed twice/);
  });
  it('100%FREE before another volume, a root mount, nobarrier → errors', () => {
    const t = storage(
      vol('data', '100%FREE', '/var/lib/falkordb', ', options: [noatime, nobarrier]') + vol('root', '10G', '/'),
    );
    expectFinding(t, 'hosts[0].storage.volumes[0].size', 'error', lineOf(t, 'name: data'), /takes all remaining space/);
    expectFinding(
      t,
      'hosts[0].storage.volumes[0].options[1]',
      'error',
      lineOf(t, 'nobarrier'),
      /XFS removed this option/,
    );
    expectFinding(t, 'hosts[0].storage.volumes[1].mount', 'error', lineOf(t, 'name: root'), /cannot be mounted on \//);
  });
});

describe('TLS, SSH and ACL users', () => {
  const tls = (cert: string, extra = '') =>
    withBase(
      `tls:\n  enabled: true\n  port: 6390\n  certFile: ${cert}\n  keyFile: /etc/falkordb/k.pem\n  caFile: /etc/falkordb/ca.pem\n${extra}`,
    );
  it('TLS file paths must be absolute; empty ones fail the schema', () => {
    const t = tls('certs/node.pem');
    expectFinding(t, 'tls.certFile', 'error', lineOf(t, 'certFile'), /must be an absolute path on the hosts/);
    expectClean(tls('/etc/falkordb/node.pem'));
    const empty = tls('""');
    expect(check(empty).errors.map((e) => [e.path, e.line])).toEqual([['tls.certFile', lineOf(empty, 'certFile')]]);
  });
  it('allowPlaintext while TLS is off → warning', () => {
    const t = withBase('tls:\n  enabled: false\n  allowPlaintext: true\n  certFile: /a\n  keyFile: /b\n  caFile: /c\n');
    expectFinding(t, 'tls.allowPlaintext', 'warning', lineOf(t, 'allowPlaintext'), /no effect/);
  });
  it('sudo as root → warning (globally and per host); sudo as another user passes', () => {
    const t = withBase('ssh:\n  user: root\n  sudo: true\n');
    expectFinding(t, 'ssh.sudo', 'warning', lineOf(t, 'sudo: true'), /sudo with user root changes nothing/);
    const h = withBase('ssh:\n  user: deploy\n  sudo: true\n').replace(
      'role: haproxy',
      'role: haproxy\n    ssh: { user: root }',
    );
    expectFinding(h, 'hosts[3].ssh.user', 'warning', lineOf(h, 'user: root'), /root on "lb1" with ssh.sudo/);
    expectClean(withBase('ssh:\n  user: deploy\n  sudo: true\n'));
  });
  it('an ACL user named default, or defined twice → error', () => {
    const t = withBase(
      '  users:\n    - { name: default, password: env:A }\n    - { name: app, password: env:B }\n    - { name: app, password: env:C }\n',
    );
    expectFinding(t, 'auth.users[0].name', 'error', lineOf(t, 'name: default'), /configured by auth.password/);
    expectFinding(t, 'auth.users[2].name', 'error', lineOf(t, 'env:C'), /user "app" is defined twice/);
    expectClean(withBase('  users:\n    - { name: app, password: env:B }\n'));
  });
});

describe('storage: plain device and hostile strings', () => {
  const plain = (body: string) =>
    BASE.replace(
      'role: master\n    hardware: { memory: 64gb, cpus: 8 }\n',
      `role: master\n    hardware: { memory: 64gb, cpus: 8 }\n    storage:\n${body}`,
    );
  it('a plain device with a by-id path, label and options passes', () => {
    expectClean(
      plain(
        '      device: /dev/disk/by-id/nvme-Samsung_SSD_980_1TB_S64ANS0T-part1\n' +
          '      mount: /var/lib/falkordb\n      label: falkordata\n      options: [noatime, logbsize=256k]\n',
      ),
    );
  });
  it('a plain device missing its mount point → error at the storage block', () => {
    const t = plain('      device: /dev/vdb\n');
    expect(check(t).errors.map((e) => e.path)).toEqual(['hosts[0].storage.mount']);
  });
  for (const bad of ['"/dev/vdb; rm -rf /"', '"/dev/$(reboot)"', '"/dev/vd b"', '"/dev/vdb\\nx"', '"/dev/`id`"']) {
    it(`hostile device ${bad} → schema error at its line`, () => {
      const t = plain(`      device: ${bad}\n      mount: /var/lib/falkordb\n`);
      expect(check(t).errors.map((e) => [e.path, e.line])).toEqual([['hosts[0].storage.device', lineOf(t, 'device:')]]);
      expect(check(t).errors[0]?.message).toMatch(/must be a \/dev path|control character U\+000A/);
    });
  }
  it('hostile LVM device and mount point → schema errors at their lines', () => {
    const t = storage(vol('data', '500G', '"/var/lib/$(id)"'), '["/dev/vdb;reboot"]');
    expect(check(t).errors.map((e) => [e.path, e.line])).toEqual([
      ['hosts[0].storage.devices[0]', lineOf(t, 'devices:')],
      ['hosts[0].storage.volumes[0].mount', lineOf(t, 'name: data')],
    ]);
  });
  it('a mount option with a comma (smuggling nobarrier) → schema error', () => {
    const t = plain('      device: /dev/vdb\n      mount: /var/lib/falkordb\n      options: ["noatime,nobarrier"]\n');
    expect(check(t).errors.map((e) => e.path)).toEqual(['hosts[0].storage.options[0]']);
    expect(check(t).errors[0]?.message).toMatch(/no commas/);
  });
  it('".." in a mount point → error', () => {
    const t = plain('      device: /dev/vdb\n      mount: /var/lib/../falkordb\n');
    expectFinding(t, 'hosts[0].storage.mount', 'error', lineOf(t, 'mount:'), /"\." and "\.\." are not allowed/);
  });
  it('barrier on a plain device → error with the reason; nodiratime with noatime → warning', () => {
    const t = plain(
      '      device: /dev/vdb\n      mount: /var/lib/falkordb\n      options: [noatime, nodiratime, barrier]\n',
    );
    expectFinding(
      t,
      'hosts[0].storage.options[2]',
      'error',
      lineOf(t, 'options:'),
      /kernel 4\.19\+.*Unknown parameter/,
    );
    expectFinding(t, 'hosts[0].storage.options[1]', 'warning', lineOf(t, 'options:'), /implied by noatime/);
  });
  it('an XFS label longer than 12 characters → schema error', () => {
    const t = plain('      device: /dev/vdb\n      mount: /var/lib/falkordb\n      label: falkordb-data-1\n');
    expect(check(t).errors.map((e) => e.path)).toEqual(['hosts[0].storage.label']);
  });
});
