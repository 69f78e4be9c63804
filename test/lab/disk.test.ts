// A database host's spare disk is a real block device inside it: XFS can be made and mounted there,
// and the mount stays inside the host (this machine does not see it).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, releaseDisk, type Lab } from '../helpers/lab.js';

let lab: Lab;
const MNT = '/mnt/labtest';

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000); // db3's disk holds the cluster's data volume otherwise
  lab = await labUp();
  await releaseDisk(lab, 'db3'); // the deploy fixture provisions it again
});
afterAll(async () => {
  if (lab) {
    await lab.exec('db3', ['umount', MNT]);
    await lab.exec('db3', ['wipefs', '-a', lab.host('db3').disk!.device]);
  }
  await cleanupAll();
});

describe('lab disk', () => {
  it('every database host has a disk, the load balancer none', () => {
    for (const h of lab.state.hosts) {
      if (h.name.startsWith('db')) expect(h.disk?.device).toMatch(/^\/dev\/loop\d+$/);
      else expect(h.disk).toBeUndefined();
    }
  });

  it('formats the disk as XFS inside db3, mounts it, and the mount is private to db3', async () => {
    const dev = lab.host('db3').disk!.device;
    const lsblk = JSON.parse((await lab.exec('db3', ['lsblk', '-J', '-b', '-o', 'NAME,SIZE,TYPE', dev])).stdout);
    expect(lsblk.blockdevices[0].size).toBe(2 * 1024 ** 3);

    const mkfs = await lab.exec('db3', ['mkfs.xfs', '-f', '-L', 'labtest', dev]);
    expect(mkfs.exitCode, mkfs.stderr).toBe(0);
    expect((await lab.exec('db3', ['blkid', '-o', 'value', '-s', 'TYPE', dev])).stdout.trim()).toBe('xfs');

    await lab.exec('db3', ['mkdir', '-p', MNT]);
    const mount = await lab.exec('db3', ['mount', '-o', 'noatime', dev, MNT]);
    expect(mount.exitCode, mount.stderr).toBe(0);
    const fm = JSON.parse((await lab.exec('db3', ['findmnt', '-J', '-o', 'SOURCE,FSTYPE,OPTIONS', MNT])).stdout);
    expect(fm.filesystems[0].fstype).toBe('xfs');
    expect(fm.filesystems[0].options).toContain('noatime');

    const write = await lab.exec('db3', ['sh', '-c', `echo hello > ${MNT}/f && sync && cat ${MNT}/f`]);
    expect(write.stdout.trim()).toBe('hello');

    // Neither by device nor by path does the mount show on this machine.
    const here = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(here).not.toContain(` ${MNT} `);
    expect(here).not.toMatch(new RegExp(` ${dev} `));
    // Nor on another host.
    expect((await lab.exec('db2', ['findmnt', MNT])).exitCode).not.toBe(0);
  });
});
