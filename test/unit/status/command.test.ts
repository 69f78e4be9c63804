// `falkorctl status` bad input: one clear line, exit 2, no stack trace — and nothing contacted (every
// case fails before a connection: the inventory's 10.0.0.x hosts are never dialled).
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';

const valid = fileURLToPath(new URL('../../fixtures/inventory/valid.yaml', import.meta.url));

async function cli(...args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const got = { out: '', err: '' };
  stdout.on('data', (d) => (got.out += String(d)));
  stderr.on('data', (d) => (got.err += String(d)));
  const code = await main(['node', 'falkorctl', '-i', valid, 'status', ...args], {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: '/',
  });
  return { code, ...got };
}

describe('status: bad input', () => {
  it.each([
    [['--watch', 'soon'], /--watch soon: not a positive number of seconds/],
    [['--watch', '0'], /--watch 0: not a positive number/],
    [['--count', '2'], /--count only makes sense with --watch/],
    [['--watch', '--json'], /--watch redraws a screen for a person/],
    [['--limit', 'db9'], /--limit db9 matches no host/],
    [['--limit', 'role:primary'], /unknown role "primary"/],
    [[], /auth\.password: environment variable FALKORDB_PASSWORD is not set/],
  ])('%j → exit 2 with one message', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    expect(r.out).toBe('');
  });
  it('a missing inventory is a usage error too', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += String(d)));
    const code = await main(['node', 'falkorctl', '-i', '/nonexistent/falkorctl.yaml', 'status'], {
      stdout,
      stderr,
      stdin: new PassThrough(),
      env: {},
      cwd: '/',
    });
    expect(code).toBe(2);
    expect(err).toMatch(/not found/);
  });
});
