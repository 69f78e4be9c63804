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
  it('an unknown command exits 2 with a suggestion, also with --help (a typo must fail in a script)', async () => {
    for (const args of [['nosuchcommand', '--help'], ['-i', 'x.yaml', 'statu', '--help'], ['rolling-restar']]) {
      const r = await execa('node', [bin, ...args], { reject: false });
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`error: unknown command '${args.find((a) => /^[a-z]/.test(a) && a !== 'x.yaml')}'`);
    }
    const typo = await execa('node', [bin, 'statu'], { reject: false });
    expect(typo.stderr).toContain('(Did you mean status?)');
    const far = await execa('node', [bin, 'nosuchcommand'], { reject: false });
    expect(far.stderr).not.toContain('Did you mean');
    const help = await execa('node', [bin, 'help', 'switchover'], { reject: false });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--to <host>');
  });
});
