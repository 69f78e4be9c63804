import { describe, expect, it } from 'vitest';
import { fstabCheck, pairs } from '../../../src/checks/storage.js';
import { parseFstab } from '../../../src/storage/discover.js';

const U = '0b1f6c3e-1111-2222-3333-444455556666';
const opts = ['noatime', 'nodiratime', 'logbufs=8'];
const check = (fstab: string, uuid: string | undefined = U) =>
  fstabCheck('db1', '/var/lib/falkordb', opts, parseFstab(fstab), uuid);

describe('storage checks', () => {
  it('reads findmnt -P pairs, empty values included', () => {
    expect(pairs('SOURCE="/dev/mapper/vg-data" FSTYPE="xfs" OPTIONS="rw,noatime" UUID=""')).toEqual({
      SOURCE: '/dev/mapper/vg-data',
      FSTYPE: 'xfs',
      OPTIONS: 'rw,noatime',
      UUID: '',
    });
    expect(pairs('')).toEqual({});
  });

  it('passes one fstab line by the mounted UUID, trailing slash or not', () => {
    expect(check(`# x\nUUID=${U} /var/lib/falkordb/ xfs noatime,nodiratime,logbufs=8 0 0\n`).outcome).toBe('pass');
  });

  it('fails each way fstab can be wrong, with the line number and why', () => {
    const missing = check('UUID=abc / ext4 defaults 0 1\n');
    expect(missing).toMatchObject({ outcome: 'fail', found: 'no line' });
    expect(missing.reason).toMatch(/not be mounted at boot/);
    const byDev = check('/dev/loop3 /var/lib/falkordb xfs noatime 0 0\n');
    expect(byDev).toMatchObject({ outcome: 'fail', found: 'line 1: /dev/loop3 /var/lib/falkordb xfs noatime 0 0' });
    expect(byDev.reason).toMatch(/not by UUID/);
    expect(check(`UUID=${U} /var/lib/falkordb xfs noatime,nofail 0 0\n`).reason).toMatch(/nofail/);
    expect(check(`UUID=other /var/lib/falkordb xfs noatime 0 0\n`).reason).toMatch(/not the mounted filesystem/);
    const twice = check(`UUID=${U} /var/lib/falkordb xfs noatime 0 0\n\nUUID=${U} /var/lib/falkordb xfs noatime 0 0\n`);
    expect(twice.reason).toBe('2 lines for one mount point');
    expect(twice.found).toMatch(/^line 1: .* \| line 3: /);
  });
});
