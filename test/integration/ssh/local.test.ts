// The local transport runs the same command strings as SSH: same quoting, env, timeouts, errors.
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { createLocalTransport } from '../../../src/remote/local.js';

const t = createLocalTransport();

describe('local transport', () => {
  test('stdout, stderr, exit status; a failure is a RemoteError naming the host', async () => {
    expect(await t.exec('here', ['sh', '-c', 'echo o; echo e >&2; exit 2'], { check: false })).toMatchObject({
      stdout: 'o\n',
      stderr: 'e\n',
      code: 2,
    });
    const err = await t.exec('here', ['sh', '-c', 'echo nope >&2; exit 2']).catch((e) => e);
    expect(err.code).toBe('REMOTE');
    expect(err.message).toBe("here: `sh -c 'echo nope >&2; exit 2'` failed (exit 2)\n    nope");
  });

  test('a signal is reported like the SSH transport does', async () => {
    const r = await t.exec('here', ['sh', '-c', 'kill -TERM $$'], { check: false });
    expect([r.code, r.signal]).toEqual([null, 'SIGTERM']);
  });

  test('nasty arguments and env values arrive exactly', async () => {
    const args = ['a b', "it's", '$(id)', 'l1\nl2', '', '; ls', 'é'];
    expect((await t.exec('here', ['printf', '%s\\0', ...args])).stdout.split('\0').slice(0, -1)).toEqual(args);
    const v = 'x\'"$\n\n';
    expect((await t.exec('here', ['sh', '-c', 'printf %s "$V"'], { env: { V: v } })).stdout).toBe(v);
  });

  test('timeout kills the step', async () => {
    const marker = `41.${process.pid % 1000}`;
    const err = await t.exec('here', ['sh', '-c', `sleep ${marker}`], { timeoutMs: 1000 }).catch((e) => e);
    expect(err.code).toBe('TIMEOUT');
    let alive = '';
    try {
      alive = execFileSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' });
    } catch {
      /* none */
    }
    expect(alive).toBe('');
  });

  test("a missing program is exit 127 with the shell's message", async () => {
    const err = await t.exec('here', ['no-such-program-x']).catch((e) => e);
    expect(err.exitStatus).toBe(127);
    expect(err.message).toContain('no-such-program-x');
  });
});

describe('local transport uploads: bad requests are refused before anything runs', () => {
  test('relative path, directory path, bad mode → USER errors', async () => {
    for (const [path, mode] of [
      ['etc/x', 0o644],
      ['/etc/', 0o644],
      ['/tmp/x', 0o10000],
      ['/tmp/x', 1.5],
    ] as const) {
      const err = await t.upload('here', path, 'x', { mode }).catch((e) => e);
      expect(err.code).toBe('USER');
    }
  });
});
