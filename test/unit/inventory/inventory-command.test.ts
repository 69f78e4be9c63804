// `falkorctl inventory validate|schema`, run in-process through main() with real files.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { fixturePath } from './helpers.js';

async function cli(args: string[], cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const got = { out: '', err: '' };
  stdout.on('data', (d) => (got.out += String(d)));
  stderr.on('data', (d) => (got.err += String(d)));
  const code = await main(['node', 'falkorctl', ...args], { stdout, stderr, stdin: new PassThrough(), env: {}, cwd });
  return { code, ...got };
}

function dirWith(...fixtures: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'falkorctl-invcmd-'));
  for (const f of fixtures) copyFileSync(fixturePath(f), join(dir, f));
  return dir;
}

describe('inventory validate', () => {
  it('valid: one ok line with the shape of the cluster, exit 0', async () => {
    const r = await cli(['-i', 'valid.yaml', 'inventory', 'validate'], dirWith('valid.yaml'));
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(
      'ok: 4 hosts (3 databases: 1 master + 2 replicas; 3 Sentinels, quorum 2; 1 HAProxy host) in cluster prod (valid.yaml)',
    );
    expect(r.err).toBe('');
  });
  it('invalid: every error as file:line:col: path: message on stderr, exit 2, no stack', async () => {
    const r = await cli(['-i', 'many-errors.yaml', 'inventory', 'validate'], dirWith('many-errors.yaml'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toBe('error: invalid inventory many-errors.yaml (10 errors):');
    expect(lines).toContain('many-errors.yaml:8:5: hosts[1].adress: unknown key (did you mean "address"?)');
    expect(r.err).not.toMatch(/\n\s+at /);
  });
  it('--verbose adds the stack trace', async () => {
    const r = await cli(['--verbose', '-i', 'many-errors.yaml', 'inventory', 'validate'], dirWith('many-errors.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\n\s+at /);
  });
  it('warnings go to stderr with their line; warnings alone still exit 0', async () => {
    const dir = dirWith('semantic-errors.yaml', 'valid.yaml');
    const r = await cli(['-i', 'semantic-errors.yaml', 'inventory', 'validate'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('warning: semantic-errors.yaml:2:1: hosts: no replica');
    expect(r.err).toContain('semantic-errors.yaml:15:11: sentinel.quorum: quorum 3 is more than the 1 Sentinel');
    writeFileSync(
      join(dir, 'warn.yaml'),
      `${readFileSync(join(dir, 'valid.yaml'), 'utf8')}redis:\n  persistence: none\n`,
    );
    const w = await cli(['-i', 'warn.yaml', 'inventory', 'validate'], dir);
    expect(w.code).toBe(0);
    expect(w.err.trim()).toBe(
      'warning: warn.yaml:22:16: redis.persistence: none: a restart of every node loses every graph',
    );
    expect(w.out).toMatch(/^ok: 4 hosts .* \(warn.yaml\), 1 warning\n$/);
  });
  it('--json: one document {ok, errors, warnings}, exit 0 or 2', async () => {
    const good = await cli(['--json', '-i', 'valid.yaml', 'inventory', 'validate'], dirWith('valid.yaml'));
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toEqual({ ok: true, errors: [], warnings: [] });
    const bad = await cli(
      ['--json', '-i', 'semantic-errors.yaml', 'inventory', 'validate'],
      dirWith('semantic-errors.yaml'),
    );
    expect(bad.code).toBe(2);
    const doc = JSON.parse(bad.out);
    expect(doc.ok).toBe(false);
    expect(doc.errors).toContainEqual({
      file: 'semantic-errors.yaml',
      line: 12,
      column: 20,
      path: 'redis.maxmemoryPolicy',
      severity: 'error',
      message: expect.stringMatching(/evicts whole graph keys/),
    });
    expect(doc.warnings.length).toBeGreaterThan(0);
  });
  it('a missing file: exit 2 with the init hint (and a JSON error under --json)', async () => {
    const dir = dirWith();
    const r = await cli(['inventory', 'validate'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: inventory falkorctl.yaml not found');
    expect(r.err).toContain('falkorctl init');
    const j = await cli(['--json', 'inventory', 'validate'], dir);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.out)).toMatchObject({
      ok: false,
      errors: [{ file: 'falkorctl.yaml', line: 0, message: 'inventory falkorctl.yaml not found' }],
    });
  });
  it('an unknown action is a usage error listing the actions', async () => {
    const r = await cli(['inventory', 'lint'], dirWith());
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown inventory action "lint"');
    expect(r.err).toContain('validate, schema');
  });
});

describe('inventory schema', () => {
  it('prints the JSON Schema, or writes it with -o', async () => {
    const dir = dirWith();
    const r = await cli(['inventory', 'schema'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).title).toBe('falkorctl inventory');
    const w = await cli(['inventory', 'schema', '-o', 'schema.json'], dir);
    expect(w.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'))).toEqual(JSON.parse(r.out));
  });
});
