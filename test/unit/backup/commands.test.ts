import { describe, expect, it } from 'vitest';
import {
  checkRdbArgv,
  copyArgv,
  parseListLine,
  parseSum,
  startVerifyArgv,
  verifyConf,
  verifyUnit,
} from '../../../src/backup/commands.js';

describe('backup commands', () => {
  it('redis-check-rdb is redis-server under that argv0', () => {
    expect(checkRdbArgv('/opt/falkordb/bin/redis-server', '/b/x.rdb')).toEqual([
      'bash',
      '-c',
      'exec -a redis-check-rdb "$0" "$1"',
      '/opt/falkordb/bin/redis-server',
      '/b/x.rdb',
    ]);
  });

  it('copies through a hidden partial file and a rename; paths are arguments, never script text', () => {
    const a = copyArgv('/data/dump.rdb', "/b/it's.rdb", 'falkordb');
    expect(a.slice(3)).toEqual(['sh', '/data/dump.rdb', "/b/it's.rdb", 'falkordb']);
    expect(a[2]).toMatch(/\.partial.*mv -f -- "\$t" "\$2"$/);
  });

  it('the throwaway server: loopback, password, no persistence of its own, the module', () => {
    const c = verifyConf({ port: 23456, scratch: '/b/.verify-x', modulePath: '/m.so', password: 'p'.repeat(48) });
    for (const l of [
      'bind 127.0.0.1',
      'port 23456',
      'appendonly no',
      'save ""',
      'loadmodule /m.so',
      'dir /b/.verify-x',
    ])
      expect(c.split('\n')).toContain(l);
    expect(c).toContain(`requirepass ${'p'.repeat(48)}`);
    // the password is in the 0600 file only: the unit's argv names the file
    const argv = startVerifyArgv(verifyUnit('lab-db2-1'), 'falkordb', '/rs', '/b/.verify-x/verify.conf');
    expect(argv.join(' ')).not.toContain('p'.repeat(48));
    expect(argv).toContain('--unit=falkorctl-verify-lab-db2-1.service');
    expect(verifyUnit('a b/c')).toBe('falkorctl-verify-a_b_c.service');
  });

  it('parses sums and listing lines', () => {
    expect(parseSum(`12 ${'a'.repeat(64)}\n`)).toEqual({ size: 12, sha256: 'a'.repeat(64) });
    expect(parseSum('x')).toBeUndefined();
    expect(parseListLine('rdb\t{"a":1}')).toEqual({ rdbPresent: true, json: '{"a":1}' });
    expect(parseListLine('no-rdb\t{}')).toEqual({ rdbPresent: false, json: '{}' });
    expect(parseListLine('junk')).toBeUndefined();
  });
});
