// The discovery parser on real outputs recorded from a lab host (nspawn, loop disk /dev/loop6).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Transport } from '../../../src/remote/transport.js';
import { discover, discoveryScript, parseDiscovery, parseFstab, sections } from '../../../src/storage/discover.js';

const fixture = (name: string) =>
  parseDiscovery(readFileSync(new URL(`../../fixtures/storage/${name}.txt`, import.meta.url), 'utf8'), ['/dev/loop6']);
const loop6 = (f: ReturnType<typeof fixture>) => f.blockdevices.find((b) => b.path === '/dev/loop6');

describe('storage discovery parser (recorded lab outputs)', () => {
  it('empty disk: kernel, tools, the device with no signature, no holders', () => {
    const f = fixture('nspawn-empty');
    expect(f.kernel).toMatch(/^\d+\.\d+/);
    expect(f.tools).toEqual({ lvm: true, xfsprogs: true });
    expect(loop6(f)).toMatchObject({ size: 2 * 1024 ** 3, fstype: null, pttype: null, mountpoints: [] });
    expect(f.devices).toEqual([
      { given: '/dev/loop6', canonical: '/dev/loop6', exists: true, blkid: {}, signatures: [], holders: [] },
    ]);
    expect(f.mounts.some((m) => m.target === '/')).toBe(true);
  });
  it('ext4: blkid and wipefs both name the filesystem', () => {
    const d = fixture('nspawn-ext4').devices[0];
    expect(d?.blkid).toMatchObject({ TYPE: 'ext4', USAGE: 'filesystem' });
    expect(d?.signatures.map((s) => s.type)).toEqual(['ext4']);
  });
  it('partition table only: blkid PTTYPE and the wipefs signature', () => {
    const d = fixture('nspawn-dos-pt').devices[0];
    expect(d?.blkid).toMatchObject({ PTTYPE: 'dos' });
    expect(d?.signatures).toEqual([{ type: 'dos', offset: '0x1fe' }]);
  });
  it('XFS mounted: the mount, its options and the label', () => {
    const f = fixture('nspawn-xfs-mounted');
    expect(f.devices[0]?.blkid).toMatchObject({ TYPE: 'xfs', LABEL: 'falkordata' });
    const m = f.mounts.find((x) => x.target === '/var/lib/falkordb');
    expect(m).toMatchObject({ source: '/dev/loop6', fstype: 'xfs' });
    expect(m?.options).toContain('noatime');
    expect(loop6(f)?.mountpoints).toEqual(['/var/lib/falkordb']);
  });
  it('fstab: comments skipped, 1-based lines kept', () => {
    expect(parseFstab('# c\n\nUUID=x /data xfs noatime 0 2\n')).toEqual([
      {
        line: 3,
        spec: 'UUID=x',
        file: '/data',
        vfstype: 'xfs',
        options: ['noatime'],
        raw: 'UUID=x /data xfs noatime 0 2',
      },
    ]);
  });
  it('the script quotes device paths and marks every section', () => {
    const s = discoveryScript(["/dev/x'y"]);
    expect(s).toContain(`'/dev/x'\\''y'`);
    expect(sections(`${'@@falkorctl-storage@@'} kernel\n6.1\n`).get('kernel')).toBe('6.1\n');
  });
});

describe('hostile or truncated discovery output (issue 14)', () => {
  const real = readFileSync(new URL('../../fixtures/storage/nspawn-empty.txt', import.meta.url), 'utf8');
  const withSection = (name: string, body: string) =>
    `@@falkorctl-storage@@ kernel\n6.1\n@@falkorctl-storage@@ ${name}\n${body}\n`;

  it('truncated JSON is a clear error naming the section, not a TypeError', () => {
    const cut = real.slice(0, real.indexOf('"blockdevices"') + 200);
    expect(() => parseDiscovery(cut, ['/dev/loop6'])).toThrow(/^unparsable JSON section: "/);
  });
  it('wrong types, nulls and __proto__ keys are skipped; what is well-formed is kept', () => {
    const f = parseDiscovery(
      withSection(
        'lsblk',
        '{"blockdevices":[null,1,"x",{"name":"vdb","size":"big","children":[null]},{"__proto__":{"name":"evil"}}]}',
      ) + withSection('findmnt', '{"filesystems":[null,{"target":5,"options":7}]}'),
      [],
    );
    expect(f.blockdevices.map((b) => b.name)).toEqual(['vdb', '']);
    expect(f.blockdevices[0]).toMatchObject({ size: 0, children: [] });
    expect(f.mounts).toEqual([{ target: '5', source: '', fstype: '', options: ['7'] }]);
    const lvm = parseDiscovery(withSection('pvs', '{"report":[null,{"pv":[null,{"pv_name":"/dev/vdb"}]}]}'), []);
    expect(lvm.pvs).toEqual([{ pv_name: '/dev/vdb' }]);
  });
  it('children nested beyond any real tree are refused, not a stack overflow', () => {
    const deep = `${'{"children":['.repeat(5000)}${']}'.repeat(5000)}`;
    expect(() => parseDiscovery(withSection('lsblk', `{"blockdevices":[${deep}]}`), [])).toThrow(/nested deeper/);
  });
  it('discover() turns an unreadable output into a REMOTE error naming the host', async () => {
    const t = { exec: async () => ({ stdout: withSection('lsblk', '{"blockdevices": [{"na'), stderr: '', code: 0 }) };
    await expect(discover(t as unknown as Transport, 'db1', [])).rejects.toMatchObject({
      code: 'REMOTE',
      message: expect.stringMatching(/^db1: storage discovery output cannot be read: unparsable JSON section/),
    });
  });
});
