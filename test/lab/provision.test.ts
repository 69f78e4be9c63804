// provision on a real block device: db3's loop disk as the lab inventory declares it (plain-device layout,
// mounted on redis.dataDir), end to end with the data directory owned by the service user; a second run plans
// nothing; a disk carrying a filesystem is refused and its first MiB is byte-for-byte unchanged.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { LAB_DATA_MOUNT as MNT, labClusterClaim, labUp, releaseDisk, type Lab } from '../helpers/lab.js';

let lab: Lab;
let inv: string;
let dev: string;
const bin = fileURLToPath(new URL('../../bin/falkorctl.js', import.meta.url));
const cli = (...args: string[]) =>
  execa('node', [bin, '-i', inv, ...args], { reject: false, env: { NO_COLOR: '1' }, stdin: 'ignore' });

/** Leaves db3's disk blank, unmounted and out of fstab, and db3 without the service user. */
async function reset(): Promise<void> {
  await releaseDisk(lab, 'db3');
  await lab.exec('db3', [
    'sh',
    '-c',
    'systemctl stop falkordb-sentinel.service falkordb-exporter.service 2>/dev/null; userdel falkordb; true',
  ]);
}
const firstMiB = async () =>
  (await lab.exec('db3', ['sh', '-c', `head -c 1048576 ${dev} | sha256sum`])).stdout.split(' ')[0];
const ownerOf = async (path: string) => (await lab.exec('db3', ['stat', '-c', '%U %G %a', path])).stdout.trim();

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000); // the lab is one cluster: one test file at a time
  lab = await labUp();
  dev = lab.host('db3').disk!.device;
  inv = lab.inventoryPath;
  await reset();
});
afterAll(async () => {
  // the lab as its inventory says (the deploy fixture would provision it too)
  if (lab) await cli('provision', '--limit', 'db3', '--yes');
  await cleanupAll();
});

describe('provision (plain device on the lab loop disk)', () => {
  it('formats, mounts and writes fstab by UUID; a second run has an empty plan', async () => {
    const r = await cli('provision', '--limit', 'db3', '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mkfs\.xfs -L falkordata/);
    expect(r.stderr).toMatch(/useradd --system --user-group .* falkordb/);
    expect(await ownerOf(MNT)).toBe('falkordb falkordb 750');
    const fm = JSON.parse((await lab.exec('db3', ['findmnt', '-J', '-o', 'SOURCE,FSTYPE,OPTIONS', MNT])).stdout);
    expect(fm.filesystems[0]).toMatchObject({ source: dev, fstype: 'xfs' });
    expect(fm.filesystems[0].options.split(',')).toContain('noatime');
    const uuid = (await lab.exec('db3', ['blkid', '-p', '-s', 'UUID', '-o', 'value', dev])).stdout.trim();
    const fstab = (await lab.exec('db3', ['cat', '/etc/fstab'])).stdout.split('\n');
    expect(fstab.filter((l) => l.includes(MNT))).toEqual([`UUID=${uuid} ${MNT} xfs noatime 0 2`]);

    const again = await cli('provision', '--limit', 'db3', '--yes', '--json');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).hosts).toEqual([{ host: 'db3', steps: [], changed: false, notes: [] }]);
  });

  it("the data directory's owner or mode changed behind its back: planned from discovery, put back, then nothing", async () => {
    for (const [breakIt, seen] of [
      ['chown root:root', 'root:root 750'],
      ['chmod 0777', 'falkordb:falkordb 777'],
    ] as const) {
      expect((await lab.exec('db3', ['sh', '-c', `${breakIt} ${MNT}`])).exitCode).toBe(0);
      const d = await cli('provision', '--limit', 'db3', '--diff', '--json');
      expect(d.exitCode, d.stderr).toBe(1); // --diff: something would change
      const steps = JSON.parse(d.stdout).hosts[0].steps as { id: string; describe: string; argv: string[] }[];
      expect(steps).toEqual([
        {
          id: 'db3:owner',
          describe: `${MNT} owned by falkordb:falkordb, mode 750 (now ${seen})`,
          argv: ['install', '-d', '-m', '750', '-o', 'falkordb', '-g', 'falkordb', MNT],
          destructive: false,
        },
      ]);
      const r = await cli('provision', '--limit', 'db3');
      expect(r.exitCode, r.stderr).toBe(0); // not destructive: no confirmation needed
      expect(await ownerOf(MNT)).toBe('falkordb falkordb 750');
    }
    const again = await cli('provision', '--limit', 'db3', '--json');
    expect(JSON.parse(again.stdout).hosts[0]).toMatchObject({ steps: [], changed: false });
  });

  it('a disk with an ext4 filesystem is refused (exit 3) and its first MiB is unchanged', async () => {
    await reset();
    expect((await lab.exec('db3', ['mkfs.ext4', '-q', '-F', dev])).exitCode).toBe(0);
    const before = await firstMiB();
    const r = await cli('provision', '--limit', 'db3', '--yes');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/REFUSED: .* carries data/);
    expect(r.stderr).toMatch(/blkid -p: TYPE=ext4/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    // --yes with --wipe still never wipes without the host name typed at a terminal
    const w = await cli('provision', '--limit', 'db3', '--yes', '--wipe', 'db3');
    expect(w.exitCode).toBe(3);
    expect(w.stderr).toMatch(/host name typed/);
    expect(await firstMiB()).toBe(before);
  });
});

describe('checklist storage items on the provisioned volume', () => {
  type R = { id: string; outcome: string; found?: string; reason?: string };
  const storageChecks = async () => {
    const r = await cli('--json', 'checklist', '--only', 'storage', '--limit', 'db3');
    const doc = JSON.parse(r.stdout) as { results: R[] };
    expect(
      doc.results.every((x) => x.id.startsWith('storage.')),
      r.stdout,
    ).toBe(true);
    const by = (kind: string) => doc.results.find((x) => x.id === `storage.${kind}:db3:${MNT}`)!;
    return { mount: by('mount'), fstab: by('fstab'), xfs: doc.results.find((x) => x.id === 'storage.xfs:db3')! };
  };
  const sh = (script: string) => lab.exec('db3', ['sh', '-c', script]);

  it('passes as provisioned; a lost mount option, nofail in fstab and an unmounted volume each fail, then pass', async () => {
    await reset();
    expect((await cli('provision', '--limit', 'db3', '--yes')).exitCode).toBe(0);
    let c = await storageChecks();
    expect(c.mount).toMatchObject({ outcome: 'pass', found: expect.stringMatching(/ xfs \(.*noatime/) });
    expect(c.fstab.outcome, c.fstab.reason).toBe('pass');
    expect(c.xfs).toMatchObject({
      outcome: 'pass',
      found: expect.stringMatching(/^xfs at \/var\/lib\/falkordb\/data /),
    });

    // without --options-mode ignore, mount(8) merges in fstab's noatime again and the remount changes nothing
    expect((await sh(`mount --options-mode ignore -o remount,relatime ${MNT}`)).exitCode).toBe(0);
    c = await storageChecks();
    expect(c.mount).toMatchObject({ outcome: 'fail', reason: 'mounted without noatime' });
    expect((await sh(`mount -o remount,noatime ${MNT}`)).exitCode).toBe(0);
    expect((await storageChecks()).mount.outcome).toBe('pass');

    expect((await sh(`sed -i 's#${MNT} xfs noatime #${MNT} xfs noatime,nofail #' /etc/fstab`)).exitCode).toBe(0);
    c = await storageChecks();
    expect(c.fstab).toMatchObject({ outcome: 'fail', reason: expect.stringMatching(/^nofail/) });
    expect((await sh(`sed -i 's#noatime,nofail #noatime #' /etc/fstab`)).exitCode).toBe(0);
    expect((await storageChecks()).fstab.outcome).toBe('pass');

    expect((await sh(`umount ${MNT}`)).exitCode).toBe(0);
    c = await storageChecks();
    expect(c.mount).toMatchObject({ outcome: 'fail', found: 'not mounted' });
    expect(c.xfs).toMatchObject({ outcome: 'fail', expected: 'xfs, a data volume of its own' });
    expect((await sh(`mount ${MNT}`)).exitCode).toBe(0);
    expect((await storageChecks()).mount.outcome).toBe('pass');
  });
});
