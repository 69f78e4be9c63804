import { describe, expect, test } from 'vitest';
import { buildCommand, displayCommand } from '../../../src/remote/command.js';
import { quote, quoteArgv } from '../../../src/remote/quote.js';

describe('quote', () => {
  test('safe words stay bare; everything else is single-quoted', () => {
    expect(quote('redis-server')).toBe('redis-server');
    expect(quote('/etc/falkordb/x.conf')).toBe('/etc/falkordb/x.conf');
    expect(quote('')).toBe("''");
    expect(quote('a b')).toBe("'a b'");
    expect(quote('$HOME')).toBe("'$HOME'");
    expect(quote("it's")).toBe("'it'\\''s'");
    expect(quote('a\nb')).toBe("'a\nb'");
    expect(quote('*')).toBe("'*'");
    expect(quoteArgv(['echo', 'a;b', '&'])).toBe("echo 'a;b' '&'");
  });
});

describe('buildCommand', () => {
  test('wraps the step in timeout (whole seconds, at least 1), after sudo', () => {
    expect(buildCommand(['id', '-u'], { sudo: false, timeoutMs: 120_000 }).command).toBe(
      'exec timeout -k 5s 120s id -u',
    );
    expect(buildCommand(['id'], { sudo: false, timeoutMs: 1 }).command).toBe('exec timeout -k 5s 1s id');
    expect(buildCommand(['id'], { sudo: false, timeoutMs: 1500 }).command).toBe('exec timeout -k 5s 2s id');
    expect(buildCommand(['cat', 'a b'], { sudo: true, timeoutMs: 10_000 }).command).toBe(
      "exec sudo -n -- timeout -k 5s 10s cat 'a b'",
    );
  });

  test('env values go into the stdin header, base64, never into the command', () => {
    const secret = "p@ss 'w\"rd'\n$(rm -rf /)";
    const b = buildCommand(['redis-cli', 'ping'], {
      sudo: true,
      timeoutMs: 5000,
      env: { REDISCLI_AUTH: secret, B: '' },
    });
    expect(b.command).not.toContain('p@ss');
    expect(b.command).toMatch(/^exec sudo -n -- timeout -k 5s 5s sh -c '.*' sh redis-cli ping$/s);
    const header = b.stdinPrefix!.toString();
    expect(header.endsWith('\n\n')).toBe(true);
    const pairs = header
      .trimEnd()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), Buffer.from(l.slice(l.indexOf('=') + 1), 'base64').toString()]);
    expect(pairs).toEqual([
      ['REDISCLI_AUTH', secret],
      ['B', ''],
    ]);
    expect(buildCommand(['true'], { sudo: false, timeoutMs: 1000, env: {} }).stdinPrefix).toBeUndefined();
  });

  test('bad env names and NUL bytes are usage errors', () => {
    expect(() => buildCommand(['true'], { sudo: false, timeoutMs: 1000, env: { 'A-B': 'x' } })).toThrow(
      /invalid environment variable name/,
    );
    expect(() => buildCommand(['true'], { sudo: false, timeoutMs: 1000, env: { A: 'x\0y' } })).toThrow(/NUL/);
  });

  test('display shows sudo and env names, never values', () => {
    expect(displayCommand(['redis-cli', 'ping'], { sudo: true, env: { REDISCLI_AUTH: 'secret' } })).toBe(
      'sudo REDISCLI_AUTH=*** redis-cli ping',
    );
    expect(displayCommand(['echo', 'a b'])).toBe("echo 'a b'");
  });
});
