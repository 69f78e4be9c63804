// The QEMU lab guest, end to end: boot it with scripts/lab-vm, log in with real ssh and strict host-key
// checking, and run `falkorctl provision`'s LVM layout (pvcreate → vgcreate → lvcreate → mkfs.xfs → mount →
// fstab by UUID, then growth) against real device-mapper, which this machine's kernel lacks.
// Slow (a TCG boot is about a minute): LAB_VM=0 skips it for quick local runs; CI runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { validateInventory } from '../../src/inventory/load.js';
import { quoteArgv } from '../../src/remote/quote.js';

const enabled = process.env.LAB_VM !== '0';
const script = new URL('../../scripts/lab-vm', import.meta.url).pathname;
// Its own state dir, so the test neither disturbs nor depends on a lab someone has up.
const labDir = process.env.LAB_VM_TEST_DIR ?? '/var/tmp/falkorctl-lab-vmtest';
const addr = '127.0.5.1';
const vmDir = `${labDir}/vm/vm1`;
let port = 0;

if (!enabled) console.warn('LAB_VM=0: skipping the QEMU guest test (LVM + XFS over SSH); CI runs it');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, addr, () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const labVm = (cmd: string) =>
  execa(script, [cmd], { env: { LAB_DIR: labDir, LAB_VM_PORT: String(port) }, reject: false, all: true });

let controlPath = 'none';
const tempDirs: string[] = [];
const tempDir = async (prefix: string) => {
  const d = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
};

/** Options for real ssh to the guest: lab key and known_hosts only, strict. Commands go through one
 *  master connection (a TCG guest spends seconds on each key exchange; falkorctl's ssh2 reuses its own). */
function sshArgs(knownHosts = `${labDir}/known_hosts`, control: 'master' | 'client' | 'none' = 'client'): string[] {
  const mux = {
    master: ['ControlMaster=yes', `ControlPath=${controlPath}`],
    client: ['ControlMaster=no', `ControlPath=${controlPath}`],
    none: ['ControlMaster=no', 'ControlPath=none'],
  }[control];
  return [
    '-i',
    `${labDir}/id_ed25519`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=30',
    ...mux.flatMap((o) => ['-o', o]),
    '-p',
    String(port),
    `root@${addr}`,
  ];
}

const bin = new URL('../../bin/falkorctl.js', import.meta.url).pathname;
/** The CLI against an inventory for the guest (its known_hosts, strict), never throwing. */
const provision = (inv: string, ...args: string[]) =>
  execa('node', [bin, '-i', inv, 'provision', ...args], { reject: false, env: { NO_COLOR: '1' }, stdin: 'ignore' });

/** Runs one argv on the guest (quoted in the one place that quotes), never throwing. */
const onGuest = (argv: readonly [string, ...string[]]) =>
  execa('ssh', [...sshArgs(), quoteArgv(argv)], { reject: false, timeout: 60_000, stdin: 'ignore' });

async function must(argv: readonly [string, ...string[]]): Promise<string> {
  const r = await onGuest(argv);
  expect(r.exitCode, `${quoteArgv(argv)} → ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe.skipIf(!enabled)('QEMU lab guest (LVM on XFS over SSH)', () => {
  let bootMs = 0;

  beforeAll(async () => {
    port = await freePort();
    await labVm('down'); // a crashed earlier run
    const up = await labVm('up');
    if (up.exitCode !== 0) throw new Error(`scripts/lab-vm up failed (${up.exitCode}):\n${up.all}`);
    bootMs = Number(await readFile(`${vmDir}/boot_ms`, 'utf8'));
    console.log(`lab-vm: boot to SSH ${(bootMs / 1000).toFixed(1)} s`);
    controlPath = `${await tempDir('lab-vm-ssh-')}/master`;
    // The master authenticates the guest once, strictly; -f backgrounds it after login, stdio detached.
    const master = await execa('ssh', ['-N', '-f', ...sshArgs(undefined, 'master')], {
      reject: false,
      stdio: 'ignore',
      timeout: 90_000,
    });
    if (master.exitCode !== 0) throw new Error(`ssh master connection to the guest failed (${master.exitCode})`);
  }, 900_000); // a cold cache first builds the lab's root tree (minutes, once) and the guest image (~15 s)

  afterAll(async () => {
    await execa('ssh', [...sshArgs(), '-O', 'exit'], { reject: false, stdio: 'ignore' });
    await labVm('down'); // also after a failed test; idempotent
    for (const d of tempDirs) await rm(d, { recursive: true, force: true });
    await rm(labDir, { recursive: true, force: true });
  }, 60_000);

  it('boots to a strict-host-key SSH login (the boot time is logged, not bounded)', async () => {
    expect(bootMs).toBeGreaterThan(0);
    expect((await must(['hostname'])).trim()).toBe('vm1');
    expect((await labVm('status')).stdout).toMatch(new RegExp(`^vm1 running pid=\\d+ ssh=${addr}:${port} `));
  });

  it('up again is a no-op on a healthy guest', async () => {
    const pid = await readFile(`${vmDir}/qemu.pid`, 'utf8');
    const again = await labVm('up');
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stderr).toMatch(/already up/);
    expect(await readFile(`${vmDir}/qemu.pid`, 'utf8')).toBe(pid);
  });

  it('known_hosts holds the key the guest really serves, and a wrong key is refused', async () => {
    const known = await readFile(`${labDir}/known_hosts`, 'utf8');
    const served = (await must(['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).trim().split(' ');
    expect(known).toContain(`[${addr}]:${port} ${served[0]} ${served[1]}`);

    const other = `${await tempDir('lab-vm-test-')}/other_key`;
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other], { stdin: 'ignore' });
    const otherPub = (await readFile(`${other}.pub`, 'utf8')).split(' ');
    await writeFile(`${other}_known_hosts`, `[${addr}]:${port} ${otherPub[0]} ${otherPub[1]}\n`);
    // A fresh connection (not the master), so the key exchange really happens against the wrong key.
    const r = await execa('ssh', [...sshArgs(`${other}_known_hosts`, 'none'), 'true'], {
      reject: false,
      stdin: 'ignore',
    });
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('the guest reaches nothing: user networking is restricted (no path even to this machine)', async () => {
    // Without restrict=on, 10.0.2.2 inside the guest is this machine's loopback: the connect would succeed.
    let connections = 0;
    const srv = createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const hostPort = (srv.address() as { port: number }).port;
    try {
      const r = await onGuest(['timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/10.0.2.2/${hostPort}`]);
      expect(r.exitCode).not.toBe(0);
      expect(connections).toBe(0);
    } finally {
      srv.close();
    }
  });

  it("writes a vm.yaml inventory that falkorctl's loader accepts (schema and semantic checks)", async () => {
    const r = validateInventory(await readFile(`${labDir}/vm.yaml`, 'utf8'), 'vm.yaml');
    expect(r.errors).toEqual([]);
    const vm1 = r.inventory?.hosts.find((h) => h.name === 'vm1');
    expect(vm1?.address).toBe(addr);
    expect(vm1?.ssh?.port).toBe(port);
    expect(vm1?.storage?.devices).toEqual(['/dev/vdb', '/dev/vdc']);
    expect(vm1?.storage?.volumeGroup).toBe('falkordb-vg');
    expect(vm1?.storage?.volumes.map((v) => [v.name, v.size, v.mount, v.options])).toEqual([
      ['data', '1G', '/var/lib/falkordb/data', ['noatime']],
      ['backup', '1G', '/var/lib/falkordb/backup', ['noatime']],
    ]);
    expect(r.inventory?.auth.password).toBe(`file:${labDir}/password`);
  });

  it('falkorctl provision: pvcreate → vgcreate → lvcreate → mkfs.xfs → mount → fstab by UUID; again: nothing', async () => {
    const mnt = '/var/lib/falkordb/data';
    const t0 = Date.now();
    const r = await provision(`${labDir}/vm.yaml`, '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    console.log(`lab-vm: falkorctl provision (LVM, 2 volumes) over SSH ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Mount again from fstab alone, so the entry itself is what is proven.
    await must(['umount', mnt]);
    await must(['mount', mnt]);
    const fs = JSON.parse(await must(['findmnt', '-J', '-o', 'SOURCE,FSTYPE,OPTIONS', mnt])).filesystems[0];
    expect(fs.source).toBe('/dev/mapper/falkordb--vg-data');
    expect(fs.fstype).toBe('xfs');
    expect(fs.options.split(',')).toContain('noatime');
    const uuid = (await must(['blkid', '-s', 'UUID', '-o', 'value', '/dev/falkordb-vg/data'])).trim();
    const fstab = (await must(['cat', '/etc/fstab'])).split('\n').filter((l) => l.includes(mnt));
    expect(fstab).toEqual([`UUID=${uuid} ${mnt} xfs noatime 0 2`]);
    const lvs = await must(['lvs', '--noheadings', '-o', 'lv_name,lv_size', '--units', 'm', 'falkordb-vg']);
    expect(
      lvs
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
    ).toEqual([
      ['backup', '1024.00m'],
      ['data', '1024.00m'],
    ]);
    const again = await provision(`${labDir}/vm.yaml`, '--yes', '--json');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).hosts[0]).toMatchObject({ host: 'vm1', steps: [], changed: false });
  });

  it('a larger volume in the inventory grows online (lvextend, xfs_growfs); a smaller one is refused', async () => {
    const inv = await readFile(`${labDir}/vm.yaml`, 'utf8');
    const dir = await tempDir('lab-vm-inv-');
    const grow = join(dir, 'grow.yaml');
    await writeFile(grow, inv.replace('{ name: data, size: 1G', '{ name: data, size: 1.5G'));
    const r = await provision(grow, '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lvextend -q -L 1\.5G \/dev\/falkordb-vg\/data/);
    const size = Number((await must(['findmnt', '-n', '-b', '-o', 'SIZE', '/var/lib/falkordb/data'])).trim());
    expect(size).toBeGreaterThan(1.4 * 2 ** 30);
    const shrink = join(dir, 'shrink.yaml');
    await writeFile(shrink, inv.replace('{ name: data, size: 1G', '{ name: data, size: 512M'));
    const s = await provision(shrink, '--yes');
    expect(s.exitCode).toBe(3);
    expect(s.stderr).toMatch(/XFS cannot shrink; nothing was changed/);
    expect((await must(['lvs', '--noheadings', '-o', 'lv_size', '--units', 'm', 'falkordb-vg/data'])).trim()).toBe(
      '1536.00m',
    );
  });

  it('refuses what cannot work: nobarrier on XFS (exit 32), an LV larger than the VG', async () => {
    const nobarrier = await onGuest(['mount', '-o', 'remount,nobarrier', '/var/lib/falkordb/data']);
    expect(nobarrier.exitCode).toBe(32);
    const huge = await onGuest(['lvcreate', '-q', '-y', '-L', '10G', '-n', 'huge', 'falkordb-vg']);
    expect(huge.exitCode).not.toBe(0);
    expect(huge.stderr).toMatch(/insufficient free space/i);
    expect(await must(['lvs', '--noheadings', '-o', 'lv_name', 'falkordb-vg'])).not.toMatch(/huge/);
  });

  it('down stops QEMU, even with its pidfile lost, and removes the overlay, the disks and the inventory', async () => {
    const pid = (await readFile(`${vmDir}/qemu.pid`, 'utf8')).trim();
    await rm(`${vmDir}/qemu.pid`); // as after a crash: only the sweep by command line can find it now
    const down = await labVm('down');
    expect(down.exitCode, down.all).toBe(0);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(existsSync(`${labDir}/vm`)).toBe(false);
    expect(existsSync(`${labDir}/vm.yaml`)).toBe(false);
    expect(await readFile(`${labDir}/known_hosts`, 'utf8')).not.toContain(`[${addr}]:${port}`);
    expect((await labVm('status')).exitCode).toBe(1);
  });
});
