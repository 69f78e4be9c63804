import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFalkorError } from '../../../src/errors.js';
import { loadInventory, parseInventory, validateInventory } from '../../../src/inventory/index.js';
import { BASE, brief, check, fixture, fixturePath, only } from './helpers.js';

describe('valid inventory', () => {
  it('parses with defaults filled in and no findings', () => {
    const r = check(BASE);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.inventory?.hosts.map((h) => h.name)).toEqual(['db1', 'db2', 'db3', 'lb1']);
    expect(r.inventory?.redis.port).toBe(6379);
    expect(r.inventory?.redis.maxmemoryPolicy).toBe('noeviction');
    expect(r.inventory?.sentinel.quorum).toBe(2);
  });
  it('accepts the shipped example inventory without findings', () => {
    const text = fixture('../../../examples/falkorctl.yaml');
    const r = validateInventory(text, 'examples/falkorctl.yaml');
    expect(brief([...r.errors, ...r.warnings])).toEqual([]);
    expect(r.inventory?.hosts.filter((h) => h.storage).length).toBe(3);
  });
});

describe('every error names file, line and key path', () => {
  const text = fixture('many-errors.yaml');
  const r = validateInventory(text, 'many-errors.yaml');

  it('reports all of them in one run, in line order', () => {
    expect(r.inventory).toBeUndefined();
    expect(r.errors.map((e) => `${e.line}:${e.column} ${e.path}`)).toEqual([
      '1:10 cluster',
      '6:37 hosts[0].hardware.cpus',
      '7:5 hosts[1].address',
      '8:5 hosts[1].adress',
      '9:11 hosts[1].role',
      '11:9 redis.port',
      '12:14 redis.maxmemory',
      '13:3 redis.persistance',
      '16:3 sentinel.quorum',
      '17:7 auth.password',
    ]);
    expect(r.errors.every((e) => e.file === 'many-errors.yaml' && e.severity === 'error')).toBe(true);
  });
  it('points an unknown key at its own line, with a suggestion', () => {
    expect(only(r.errors, 'hosts[1].adress')).toMatchObject({
      line: 8,
      message: 'unknown key (did you mean "address"?)',
    });
    expect(only(r.errors, 'redis.persistance').message).toContain('did you mean "persistence"');
  });
  it('lists what is allowed when an unknown key resembles nothing', () => {
    const e = only(check(BASE.replace('role: haproxy', 'role: haproxy\n    zzz: 1')).errors, 'hosts[3].zzz');
    expect(e.line).toBe(19);
    expect(e.message).toMatch(
      /^unknown key \(allowed here: name, address, role, ssh, hardware, storage, replicaPriority\)$/,
    );
  });
  it('says what type was expected and what it got', () => {
    expect(only(r.errors, 'redis.port').message).toBe('expected a number, got the string "6379"');
    expect(only(r.errors, 'hosts[0].hardware.cpus').message).toBe('expected a number, got the string "eight"');
    expect(only(r.errors, 'hosts[1].role').message).toBe(
      'must be one of master, replica, sentinel, haproxy, monitoring (got the string "primary")',
    );
  });
  it('explains a failed union by the branch that fits the value (not "Invalid input")', () => {
    expect(only(r.errors, 'redis.maxmemory').message).toBe('must be a size like 512mb or 48gb (got "lots")');
    const e = only(check(`${BASE}redis:\n  maxmemory: [1]\n`).errors, 'redis.maxmemory');
    expect(e).toMatchObject({ line: 22, message: 'expected a number or a string, got a list' });
  });
  it('points a missing key at the mapping that lacks it', () => {
    expect(only(r.errors, 'hosts[1].address')).toMatchObject({ line: 7, message: 'required key is missing' });
    expect(only(r.errors, 'auth.password').line).toBe(17);
  });
  it('flags duplicate YAML keys at the second occurrence, with their path', () => {
    expect(only(r.errors, 'sentinel.quorum')).toMatchObject({ line: 16, column: 3 });
    expect(only(r.errors, 'sentinel.quorum').message).toMatch(/^duplicate key/);
  });
  it('points at an empty value ("hosts:") by its key', () => {
    const e = only(check(BASE.replace(/^hosts:[\s\S]*?(?=^auth:)/m, 'hosts:\n')).errors, 'hosts');
    expect(e).toMatchObject({ line: 3, message: 'expected an array, got nothing' });
  });
  it('follows aliases to where the value is written', () => {
    const t = BASE.replace('hardware: { memory: 64gb, cpus: 8 }', 'hardware: &hw { memory: 64gb, cpus: x }').replace(
      /hardware: \{ memory: 64gb, cpus: 8 \}/g,
      'hardware: *hw',
    );
    const errs = check(t).errors;
    expect(errs.map((e) => [e.path, e.line])).toEqual([
      ['hosts[0].hardware.cpus', 7],
      ['hosts[1].hardware.cpus', 7],
      ['hosts[2].hardware.cpus', 7],
    ]);
  });
});

describe('YAML that does not parse', () => {
  it('reports the syntax error with its line and stops there', () => {
    const r = validateInventory(fixture('syntax-error.yaml'), 'syntax-error.yaml');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 5, path: '', severity: 'error' });
    expect(r.errors[0]?.message).toMatch(/^YAML syntax: /);
  });
  it('reports an unclosed flow sequence', () => {
    const r = check('cluster: prod\nhosts: [\n  {name: db1}\nauth: {password: prompt}\n');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]?.message).toMatch(/^YAML syntax: /);
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(2);
  });
  it('rejects tabs used as indentation at their line', () => {
    const r = check('cluster: prod\nhosts:\n\t- name: db1\n');
    expect(r.errors[0]?.line).toBe(3);
  });
  it('rejects several documents in one file', () => {
    const r = check(`${BASE}---\ncluster: other\n`);
    expect(r.errors[0]).toMatchObject({ line: 21, message: expect.stringMatching(/more than one YAML document/) });
  });
  it('rejects an empty file and a file that is not a mapping', () => {
    expect(brief(check('').errors)).toEqual([{ line: 1, path: '', message: 'the inventory is empty' }]);
    expect(brief(check('# only a comment\n').errors)).toEqual([
      { line: 1, path: '', message: 'the inventory is empty' },
    ]);
    expect(check('- a\n- b\n').errors[0]?.message).toBe('expected an object, got a list');
  });
});

describe('parseInventory / loadInventory', () => {
  it('throws one USER error (exit 2) listing every error as file:line:col: path: message', () => {
    let err: unknown;
    try {
      parseInventory(fixture('many-errors.yaml'), 'inv/many.yaml');
    } catch (e) {
      err = e;
    }
    expect(isFalkorError(err) && err.code === 'USER' && err.exitCode === 2).toBe(true);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('invalid inventory inv/many.yaml (10 errors):');
    expect(lines.slice(1)).toHaveLength(10);
    expect(lines[1]).toBe('inv/many.yaml:1:10: cluster: must be a lowercase DNS label (a-z, 0-9, -)');
    expect(lines[4]).toBe('inv/many.yaml:8:5: hosts[1].adress: unknown key (did you mean "address"?)');
  });
  it('returns semantic warnings instead of throwing', () => {
    const r = parseInventory(`${BASE}redis:\n  persistence: none\n`, 'x.yaml');
    expect(brief(r.warnings)).toEqual([
      { line: 22, path: 'redis.persistence', message: 'none: a restart of every node loses every graph' },
    ]);
  });
  it('reads relative to cwd, and a missing file says to run init', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-inv-'));
    writeFileSync(join(dir, 'f.yaml'), BASE);
    expect((await loadInventory('f.yaml', dir)).inventory.cluster).toBe('prod');
    const e = await loadInventory('nope.yaml', dir).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'USER', exitCode: 2, message: 'inventory nope.yaml not found' });
    expect((e as { hint?: string }).hint).toContain('falkorctl init');
    await expect(loadInventory(fixturePath('syntax-error.yaml'))).rejects.toMatchObject({ code: 'USER' });
  });
});

describe('hostile YAML', () => {
  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');
    const r = check(`${bomb}\n`);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^YAML: .*alias/i) });
  });
});

describe('empty sections', () => {
  it('a section with every line commented out means "all defaults"', () => {
    const r = check(`${BASE}redis:\n  # maxmemory: 0.5\nsentinel:\nfalkordb:\n  params:\n`);
    expect(r.errors).toEqual([]);
    expect(r.inventory?.redis.maxmemory).toBe(0.75);
    expect(r.inventory?.falkordb.params).toEqual({});
  });
  it('a required key left empty is still an error at its line', () => {
    const t = BASE.replace('password: env:FALKORDB_PASSWORD', 'password:');
    expect(brief(check(t).errors)).toEqual([
      { line: 20, path: 'auth.password', message: 'expected a string, got nothing' },
    ]);
  });
});

describe('range messages', () => {
  it('say the bound and the value', () => {
    const t = `${BASE}redis:\n  port: 70000\nsentinel:\n  quorum: 0\n`.replace(
      /^hosts:[\s\S]*?(?=^auth:)/m,
      'hosts: []\n',
    );
    expect(brief(check(t).errors)).toEqual([
      { line: 3, path: 'hosts', message: 'needs at least 1 item' },
      { line: 7, path: 'redis.port', message: 'must be at most 65535 (got 70000)' },
      { line: 9, path: 'sentinel.quorum', message: 'must be at least 1 (got 0)' },
    ]);
  });
});
