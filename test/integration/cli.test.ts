import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../bin/falkorctl.js', import.meta.url).pathname;

describe('falkorctl entry point (built binary)', () => {
  it('prints help with the exit-code table and exits 0', async () => {
    const r = await execa('node', [bin, '--help'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Exit codes:');
  });
  it('exits 2 on an unknown command or option, without a stack trace', async () => {
    for (const args of [['bogus'], ['render', '--no-such-flag']]) {
      const r = await execa('node', [bin, ...args], { reject: false });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
