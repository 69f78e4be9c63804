import { describe, expect, it } from 'vitest';
import { softNofile } from '../../../src/checks/process.js';

describe('open-files limit of the running server', () => {
  it('reads the soft limit from /proc/PID/limits', () => {
    const limits =
      'Max cpu time   unlimited  unlimited  seconds\nMax open files            65568                65568                files     \n';
    expect(softNofile(limits)).toBe(65568);
    expect(softNofile('Max open files  1024  524288  files')).toBe(1024);
    expect(softNofile('Max open files  unlimited  unlimited  files')).toBe('unlimited');
    expect(softNofile('grep: /proc/1/limits: No such file or directory')).toBeUndefined();
  });
});
