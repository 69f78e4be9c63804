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
import { waitFor } from '../helpers/wait.js';

const enabled = process.env.LAB_VM !== '0';
const script = new URL('../../scripts/lab-vm', import.meta.url).pathname;
// Its own state dir, so the test neither disturbs nor depends on a lab someone has up (one per LAB_ID).
const labId = Number(process.env.LAB_ID ?? '0') || 0;
const labDir = process.env.LAB_VM_TEST_DIR ?? `/var/tmp/falkorctl-lab-vmtest${labId ? labId : ''}`;
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

const MOUNTS = ['/var/lib/falkordb/data', '/var/lib/falkordb/backup'];

/** The guest's disks blank again: volumes unmounted, out of fstab, LVs, VG and PVs removed, no service user. */
async function blankGuest(): Promise<void> {
  await must([
    'sh',
    '-c',
    [
      ...MOUNTS.map((m) => `umount ${m} 2>/dev/null`),
      "sed -i '\\# /var/lib/falkordb/#d' /etc/fstab",
      'lvremove -q -y falkordb-vg 2>/dev/null',
      'vgremove -q -y falkordb-vg 2>/dev/null',
      'pvremove -q -y /dev/vdb /dev/vdc 2>/dev/null',
      'wipefs -a -q /dev/vdb /dev/vdc',
      'userdel falkordb 2>/dev/null',
      'true',
    ].join('\n'),
  ]);
  expect(await must(['lsblk', '-n', '-o', 'NAME,FSTYPE', '/dev/vdb', '/dev/vdc'])).toMatch(/^vdb\s*\nvdc\s*$/);
}

/**
 * What provision leaves, UUIDs checked and then written as <uuid>: volumes and their sizes, which disks are
 * PVs, each mount as findmnt shows it after mounting it again from fstab alone, fstab's line for it, the data
 * directory's owner.
 */
async function endState(): Promise<Record<string, unknown>> {
  const rows = (t: string) =>
    t
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).join(' '))
      .sort();
  const out: Record<string, unknown> = {
    lvs: rows(await must(['lvs', '--noheadings', '-o', 'lv_name,lv_size', '--units', 'b', 'falkordb-vg'])),
    pvs: rows(await must(['pvs', '--noheadings', '-o', 'pv_name,vg_name'])),
    owner: (await must(['stat', '-c', '%U %G %a', MOUNTS[0]!])).trim(),
  };
  const fstab = (await must(['cat', '/etc/fstab'])).split('\n');
  for (const m of MOUNTS) {
    await must(['umount', m]);
    await must(['mount', m]); // from its fstab line alone
    const lv = `/dev/falkordb-vg/${m.split('/').pop()}`;
    const uuid = (await must(['blkid', '-p', '-s', 'UUID', '-o', 'value', lv])).trim();
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    const lines = fstab.filter((l) => l.split(/\s+/)[1] === m);
    expect(lines, `fstab for ${m}`).toEqual([`UUID=${uuid} ${m} xfs noatime 0 2`]);
    out[m] = {
      mount: (await must(['findmnt', '-n', '-o', 'SOURCE,FSTYPE', m])).trim().split(/\s+/).join(' '),
      noatime: (await must(['findmnt', '-n', '-o', 'OPTIONS', m])).trim().split(',').includes('noatime'),
      fstab: lines.map((l) => l.replace(uuid, '<uuid>')),
    };
  }
  return out;
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

  // One disk first (vdb): data 1G and backup 100%FREE; vdc is added later, for growth.
  const oneDisk = async (edit: (yaml: string) => string = (y) => y) => {
    const yaml = (await readFile(`${labDir}/vm.yaml`, 'utf8'))
      .replace('devices: [/dev/vdb, /dev/vdc]', 'devices: [/dev/vdb]')
      .replace('{ name: backup, size: 1G', '{ name: backup, size: 100%FREE');
    const f = join(await tempDir('lab-vm-inv-'), 'one.yaml');
    await writeFile(f, edit(yaml));
    return f;
  };
  let clean: Record<string, unknown> = {};

  it('one disk, the last volume 100%FREE: provisioned; a re-run is empty (the share is not re-applied)', async () => {
    const inv = await oneDisk();
    const r = await provision(inv, '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lvcreate -q -y -W y -l 100%FREE -n backup falkordb-vg/);
    clean = await endState();
    console.log(`lab-vm: clean run end state ${JSON.stringify(clean)}`);
    const again = await provision(inv, '--yes', '--json');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).hosts[0]).toMatchObject({ steps: [], changed: false });
  });

  it('killed (SIGKILL) right after vgcreate, then re-run: the same end state as the clean run', async () => {
    await blankGuest();
    const inv = await oneDisk();
    const child = provision(inv, '--yes');
    // the VG exists: kill falkorctl there, whatever step it has reached
    await waitFor(
      () => onGuest(['vgs', '--noheadings', '-o', 'vg_name', 'falkordb-vg']).then((r) => r.exitCode),
      (code) => code === 0,
      { what: 'the volume group falkordb-vg on the guest', timeoutMs: 300_000, intervalMs: 200 },
    );
    child.kill('SIGKILL');
    const killed = await child;
    expect(killed.signal, `provision ended before the kill:\n${killed.stderr}`).toBe('SIGKILL');
    const half = await must(['lvs', '--noheadings', '-o', 'lv_name', 'falkordb-vg']);
    const mounted = await onGuest(['findmnt', '-n', MOUNTS[1]!]);
    console.log(
      `lab-vm: killed after vgcreate; LVs then: [${half.trim().split(/\s+/).join(' ')}], backup mounted: ${mounted.exitCode === 0}`,
    );
    expect(mounted.exitCode, 'the kill came after the last volume was mounted: nothing left to converge').not.toBe(0);

    const r = await provision(inv, '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/vgcreate/); // the half-made group is reused, not created again
    expect(await endState()).toEqual(clean);
    const again = await provision(inv, '--yes', '--json');
    expect(JSON.parse(again.stdout).hosts[0]).toMatchObject({ steps: [], changed: false });
  });

  it('growth: the second disk joins the group (vgextend) and the data volume grows while mounted; 100%FREE stays', async () => {
    const lvSize = async (lv: string) =>
      Number((await must(['lvs', '--noheadings', '-o', 'lv_size', '--units', 'b', '--nosuffix', lv])).trim());
    const backup = await lvSize('falkordb-vg/backup');
    await must(['sh', '-c', 'echo kept > /var/lib/falkordb/data/marker && sync']);
    const inv = await oneDisk((y) =>
      y
        .replace('devices: [/dev/vdb]', 'devices: [/dev/vdb, /dev/vdc]')
        .replace('{ name: data, size: 1G', '{ name: data, size: 2G'),
    );
    const plan = JSON.parse((await provision(inv, '--diff', '--json')).stdout).hosts[0];
    expect(plan.steps.map((x: { id: string }) => x.id)).toEqual([
      'vm1:pvcreate:/dev/vdc',
      'vm1:vgextend:falkordb-vg',
      'vm1:lvextend:data',
      'vm1:xfs_growfs:data',
    ]);
    const r = await provision(inv, '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/vgextend -q falkordb-vg \/dev\/vdc/);
    expect(r.stderr).toMatch(/xfs_growfs \/var\/lib\/falkordb\/data/);
    expect(await lvSize('falkordb-vg/data')).toBe(2 * 2 ** 30);
    const fsBytes = Number((await must(['findmnt', '-n', '-b', '-o', 'SIZE', MOUNTS[0]!])).trim());
    expect(fsBytes).toBeGreaterThan(1.9 * 2 ** 30);
    expect((await must(['cat', '/var/lib/falkordb/data/marker'])).trim()).toBe('kept');
    expect(await lvSize('falkordb-vg/backup')).toBe(backup);
    const again = await provision(inv, '--yes', '--json');
    const host = JSON.parse(again.stdout).hosts[0];
    expect(host).toMatchObject({ steps: [], changed: false });
    expect(host.notes.join('\n')).toMatch(
      /falkordb-vg\/backup was sized 100%FREE when it was created; the .* GiB free/,
    );
    await blankGuest(); // the tests below start from blank disks
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
