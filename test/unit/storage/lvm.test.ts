// The LVM planner on discovery outputs recorded from the QEMU lab guest (blank disks, then provisioned).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LvmStorage } from '../../../src/inventory/schema.js';
import { parseDiscovery, type StorageFacts } from '../../../src/storage/discover.js';
import { lvBytes } from '../../../src/storage/lvm.js';
import { planHostStorage } from '../../../src/storage/plan.js';

const DEVICES = ['/dev/vdb', '/dev/vdc', '/dev/falkordb-vg/data', '/dev/falkordb-vg/backup'];
const fixture = (name: string): StorageFacts =>
  parseDiscovery(readFileSync(new URL(`../../fixtures/storage/${name}.txt`, import.meta.url), 'utf8'), DEVICES);
const vol = (name: string, size: string) => ({
  name,
  size,
  mount: `/var/lib/falkordb/${name}`,
  filesystem: 'xfs' as const,
  options: ['noatime'],
});
const S: LvmStorage = {
  devices: ['/dev/vdb', '/dev/vdc'],
  volumeGroup: 'falkordb-vg',
  volumes: [vol('data', '1G'), vol('backup', '1G')],
};
const opts = { wipe: false, stamp: '20261207T000000Z' };
const plan = (f: StorageFacts, s: LvmStorage = S, o = opts) => planHostStorage('vm1', s, f, o);
const ids = (p: ReturnType<typeof plan>) => p.steps.map((x) => x.id.replace('vm1:', ''));

describe('LVM planner', () => {
  it('blank disks: pvcreate each, one vgcreate, then per volume lvcreate, mkfs, mount, fstab', () => {
    const p = plan(fixture('vm-blank'));
    expect(p.refusals).toEqual([]);
    expect(ids(p)).toEqual([
      'pvcreate:/dev/vdb',
      'pvcreate:/dev/vdc',
      'vgcreate:falkordb-vg',
      'lvcreate:data',
      'mkfs:data',
      'mkdir/var/lib/falkordb/data',
      'mount/var/lib/falkordb/data',
      'fstab/var/lib/falkordb/data',
      'lvcreate:backup',
      'mkfs:backup',
      'mkdir/var/lib/falkordb/backup',
      'mount/var/lib/falkordb/backup',
      'fstab/var/lib/falkordb/backup',
    ]);
    const lv = p.steps.find((x) => x.id === 'vm1:lvcreate:data')?.action;
    expect(lv).toEqual({
      kind: 'exec',
      argv: ['lvcreate', '-q', '-y', '-W', 'y', '-L', '1G', '-n', 'data', 'falkordb-vg'],
    });
    expect(p.steps.filter((x) => x.destructive).map((x) => x.id)).toEqual([
      'vm1:pvcreate:/dev/vdb',
      'vm1:pvcreate:/dev/vdc',
    ]);
  });

  it('provisioned as declared: an empty plan', () => {
    expect(plan(fixture('vm-provisioned'))).toMatchObject({ steps: [], refusals: [] });
  });

  it('a larger size grows the volume and its mounted filesystem; a smaller one is refused (XFS cannot shrink)', () => {
    const grow = plan(fixture('vm-provisioned'), { ...S, volumes: [vol('data', '1.5G'), vol('backup', '1G')] });
    expect(ids(grow)).toEqual(['lvextend:data', 'xfs_growfs:data']);
    const shrink = plan(fixture('vm-provisioned'), { ...S, volumes: [vol('data', '512M'), vol('backup', '1G')] });
    expect(shrink.steps).toEqual([]);
    expect(shrink.refusals[0]?.reason).toMatch(/is 1\.00 GiB, the inventory says 512M: XFS cannot shrink/);
  });

  it('more than the group holds is refused before anything is created', () => {
    const p = plan(fixture('vm-blank'), { ...S, volumes: [vol('data', '100G')] });
    expect(p.steps).toEqual([]);
    expect(p.refusals[0]?.reason).toMatch(/need .* GiB more than the volume group falkordb-vg has free/);
  });

  it('a disk in another volume group, or carrying a filesystem, is refused (the latter wipeable)', () => {
    const other = fixture('vm-blank');
    other.pvs.push({ pv_name: '/dev/vdb', vg_name: 'othervg' });
    expect(plan(other).refusals[0]).toMatchObject({
      reason: expect.stringMatching(/belongs to the volume group othervg/),
      wipeable: false,
    });
    const ext4 = fixture('vm-blank');
    ext4.devices[0]!.blkid = { TYPE: 'ext4', UUID: 'x' };
    const r = plan(ext4);
    expect(r.steps).toEqual([]);
    expect(r.refusals[0]).toMatchObject({ wipeable: true, evidence: ['blkid -p: TYPE=ext4', 'blkid -p: UUID=x'] });
    expect(ids(plan(ext4, S, { ...opts, wipe: true })).slice(0, 2)).toEqual(['wipefs:/dev/vdb', 'pvcreate:/dev/vdb']);
  });

  it('reads lvcreate sizes in powers of 1024, and extent shares as no fixed size', () => {
    expect(lvBytes('1G')).toBe(2 ** 30);
    expect(lvBytes('1.5g')).toBe(1.5 * 2 ** 30);
    expect(lvBytes('512')).toBe(512 * 2 ** 20);
    expect(lvBytes('100%FREE')).toBeUndefined();
  });
});

describe('100%FREE is resolved once, at creation', () => {
  const last = { ...S, volumes: [vol('data', '1G'), vol('backup', '100%FREE')] };
  it('creates the last volume with lvcreate -l 100%FREE', () => {
    const lv = plan(fixture('vm-blank'), last).steps.find((x) => x.id === 'vm1:lvcreate:backup')?.action;
    expect(lv).toMatchObject({
      argv: ['lvcreate', '-q', '-y', '-W', 'y', '-l', '100%FREE', '-n', 'backup', 'falkordb-vg'],
    });
  });
  it('never re-applies it: the group has 2 GiB free, the plan is empty and a note says they stay free', () => {
    const p = plan(fixture('vm-provisioned'), last);
    expect(p).toMatchObject({ steps: [], refusals: [] });
    expect(p.notes).toEqual([
      'vm1: falkordb-vg/backup was sized 100%FREE when it was created; the 1.99 GiB free in falkordb-vg stay free ' +
        '(give it a fixed size to grow it)',
    ]);
  });
  it('a disk added to the inventory joins the group (pvcreate, vgextend), the 100%FREE volume does not grow', () => {
    const f = fixture('vm-provisioned');
    // the group on /dev/vdb alone, /dev/vdc blank: as before the disk was added
    f.pvs = f.pvs.filter((x) => x.pv_name !== '/dev/vdc');
    f.vgs[0]!.vg_free = '0';
    const blank = fixture('vm-blank').devices.find((d) => d.given === '/dev/vdc')!;
    f.devices = f.devices.map((d) => (d.given === '/dev/vdc' ? blank : d));
    for (const b of f.blockdevices) if (b.path === '/dev/vdc') b.children = [];
    const p = plan(f, last);
    expect(p.refusals).toEqual([]);
    expect(ids(p)).toEqual(['pvcreate:/dev/vdc', 'vgextend:falkordb-vg']);
    expect(p.notes[0]).toMatch(/backup was sized 100%FREE when it was created; the 2\.00 GiB free/);
  });
  it('a fixed size given later grows it like any volume', () => {
    const p = plan(fixture('vm-provisioned'), { ...S, volumes: [vol('data', '1G'), vol('backup', '2G')] });
    expect(ids(p)).toEqual(['lvextend:backup', 'xfs_growfs:backup']);
    expect(p.notes).toEqual([]);
  });
});
