// The built binary (npm run build first) on inventories: init → validate → schema, and a bad file's
// exit code and message, as an operator's shell sees them.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../bin/falkorctl.js', import.meta.url).pathname;
const fixture = (f: string) => new URL(`../fixtures/inventory/${f}`, import.meta.url).pathname;
const run = (args: string[], cwd: string) =>
  execa('node', [bin, ...args], { cwd, reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } });

describe('falkorctl inventory (built binary)', () => {
  it('a bad inventory: exit 2, file:line:col messages, no stack trace; --verbose shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-invcli-'));
    copyFileSync(fixture('many-errors.yaml'), join(dir, 'falkorctl.yaml'));
    const r = await run(['inventory', 'validate'], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('falkorctl.yaml:8:5: hosts[1].adress: unknown key (did you mean "address"?)');
    expect(r.stderr).toContain('falkorctl.yaml:16:3: sentinel.quorum: duplicate key');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const v = await run(['inventory', 'validate', '--verbose'], dir);
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toMatch(/\n\s+at .*inventory/);
  });
  it('init (non-interactive) → validate → schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-invcli-'));
    const missing = await run(['init', '--cluster', 'prod'], dir);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('init without a terminal needs --host, --password, --memory');
    const hosts = [
      'db1=127.0.3.1:master',
      'db2=127.0.3.2:replica',
      'db3=127.0.3.3:replica',
      'lb=127.0.3.9:haproxy',
    ].flatMap((h) => ['--host', h]);
    const init = await run(
      ['init', '--cluster', 'prod', ...hosts, '--password', 'env:FALKORDB_PASSWORD', '--memory', '2gb'],
      dir,
    );
    expect(init.exitCode).toBe(0);
    const v = await run(['inventory', 'validate', '--json'], dir);
    expect(v.exitCode).toBe(0);
    expect(JSON.parse(v.stdout)).toEqual({ ok: true, errors: [], warnings: [] });
    const s = await run(['inventory', 'schema', '-o', 'schema.json'], dir);
    expect(s.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')).$schema).toMatch(/2020-12/);
    const again = await run(['init', '--cluster', 'x', ...hosts, '--password', 'prompt', '--memory', '2gb'], dir);
    expect(again.exitCode).toBe(3);
  });
});
