// The plain-device planner on real discovery outputs recorded from a lab host.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PlainStorage } from '../../../src/inventory/schema.js';
import { parseDiscovery, type StorageFacts } from '../../../src/storage/discover.js';
import { planHostStorage } from '../../../src/storage/plan.js';

const fixture = (name: string): StorageFacts =>
  parseDiscovery(readFileSync(new URL(`../../fixtures/storage/${name}.txt`, import.meta.url), 'utf8'), ['/dev/loop6']);
const S: PlainStorage = { device: '/dev/loop6', mount: '/var/lib/falkordb', filesystem: 'xfs', options: ['noatime'] };
const opts = { wipe: false, stamp: '20261206T000000Z' };
const plan = (f: StorageFacts, s: PlainStorage = S, o = opts) => planHostStorage('db1', s, f, o);
const ids = (p: ReturnType<typeof plan>) => p.steps.map((s) => s.id);
const argv = (p: ReturnType<typeof plan>, id: string) => {
  const a = p.steps.find((s) => s.id === `db1:${id}`)?.action;
  return a?.kind === 'exec' ? a.argv : undefined;
};

describe('plain-device planner', () => {
  it('empty disk: mkfs (label, no -f), mkdir, test mount, then fstab by UUID with a backup', () => {
    const p = plan(fixture('nspawn-empty'), { ...S, label: 'falkordata' });
    expect(p.refusals).toEqual([]);
    expect(ids(p)).toEqual(['db1:mkfs', 'db1:mkdir', 'db1:mount', 'db1:fstab']);
    expect(argv(p, 'mkfs')).toEqual(['mkfs.xfs', '-L', 'falkordata', '/dev/loop6']);
    expect(argv(p, 'mount')).toEqual(['mount', '-t', 'xfs', '-o', 'noatime', '/dev/loop6', '/var/lib/falkordb']);
    const fstab = argv(p, 'fstab')?.[2] ?? '';
    expect(fstab).toContain('cp -p /etc/fstab /etc/fstab.20261206T000000Z.bak');
    expect(fstab).toContain('UUID=$uuid /var/lib/falkordb xfs noatime 0 2');
    expect(fstab).not.toContain('nofail');
  });
  for (const [name, evidence] of [
    ['nspawn-ext4', /blkid -p: TYPE=ext4/],
    ['nspawn-dos-pt', /wipefs -n: dos at 0x1fe/],
  ] as const) {
    it(`${name}: refused with the evidence, no steps; --wipe adds wipefs before mkfs`, () => {
      const p = plan(fixture(name));
      expect(p.steps).toEqual([]);
      expect(p.refusals).toHaveLength(1);
      expect(p.refusals[0]).toMatchObject({ wipeable: true, reason: expect.stringMatching(/refusing to format/) });
      expect(p.refusals[0]?.evidence.join('\n')).toMatch(evidence);
      const w = plan(fixture(name), S, { ...opts, wipe: true });
      expect(ids(w).slice(0, 2)).toEqual(['db1:wipefs', 'db1:mkfs']);
      expect(w.steps[0]?.destructive).toBe(true);
    });
  }
  it('XFS mounted with the right options but no fstab line: only the fstab step', () => {
    expect(ids(plan(fixture('nspawn-xfs-mounted')))).toEqual(['db1:fstab']);
  });
  it('all correct (fstab by UUID present): empty plan', () => {
    const f = fixture('nspawn-xfs-mounted');
    const uuid = f.devices[0]?.blkid.UUID ?? '';
    f.fstab.push({
      line: 9,
      spec: `UUID=${uuid}`,
      file: '/var/lib/falkordb',
      vfstype: 'xfs',
      options: ['noatime'],
      raw: '',
    });
    expect(plan(f)).toMatchObject({ steps: [], refusals: [] });
  });
  it('duplicate fstab lines → one rewrite; wrong live options → remount', () => {
    const f = fixture('nspawn-xfs-mounted');
    const uuid = f.devices[0]?.blkid.UUID ?? '';
    const line = { spec: `UUID=${uuid}`, file: '/var/lib/falkordb', vfstype: 'xfs', options: ['noatime'], raw: '' };
    f.fstab.push({ line: 9, ...line }, { line: 10, ...line });
    const m = f.mounts.find((x) => x.target === '/var/lib/falkordb');
    if (m) m.options = ['rw', 'relatime'];
    const p = plan(f);
    expect(ids(p)).toEqual(['db1:remount', 'db1:fstab']);
    expect(argv(p, 'remount')).toEqual(['mount', '-o', 'remount,noatime', '/var/lib/falkordb']);
  });
  it('the device mounted elsewhere → refused, not wipeable', () => {
    const p = plan(fixture('nspawn-xfs-mounted'), { ...S, mount: '/srv/other' });
    expect(p.steps).toEqual([]);
    expect(p.refusals[0]).toMatchObject({ wipeable: false, reason: expect.stringMatching(/mounted elsewhere/) });
  });
  it('a by-id path is compared by its canonical device', () => {
    const f = fixture('nspawn-xfs-mounted');
    const byId = '/dev/disk/by-id/virtio-lab-disk';
    f.devices = f.devices.map((d) => ({ ...d, given: byId }));
    expect(ids(plan(f, { ...S, device: byId }))).toEqual(['db1:fstab']);
  });
  it('a missing device → refused', () => {
    const f = fixture('nspawn-empty');
    f.devices = [
      { given: '/dev/loop6', canonical: '/dev/loop6', exists: false, blkid: {}, signatures: [], holders: [] },
    ];
    expect(plan(f).refusals[0]?.reason).toMatch(/does not exist/);
  });
});
