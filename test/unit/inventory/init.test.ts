import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { collect } from '../../../src/commands/init.js';
import { parseInventory, type Prompter } from '../../../src/inventory/index.js';
import { parseHostFlag, renderInitInventory } from '../../../src/inventory/init-template.js';

const FLAGS = [
  '--cluster',
  'prod',
  '--host',
  'db1=10.0.0.11:master',
  '--host',
  'db2=10.0.0.12:replica',
  '--host',
  'db3=10.0.0.13:replica',
  '--host',
  'lb1=10.0.0.20:haproxy',
  '--password',
  'env:FALKORDB_PASSWORD',
  '--memory',
  '64gb',
];

/** Runs the CLI in-process with real files and captured output (no terminal: non-interactive). */
async function cli(args: string[], cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (d) => (chunks.out += String(d)));
  stderr.on('data', (d) => (chunks.err += String(d)));
  const code = await main(['node', 'falkorctl', ...args], { stdout, stderr, stdin: new PassThrough(), env: {}, cwd });
  return { code, ...chunks };
}

function scripted(answers: string[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = async (m: string, def?: string, validate?: (v: string) => true | string) => {
    asked.push(m);
    const a = answers.shift();
    if (a === undefined) throw new Error(`unexpected prompt: ${m}`);
    const v = a === '' && def !== undefined ? def : a;
    const ok = validate ? validate(v) : true;
    if (ok !== true) throw new Error(`answer ${v} to ${m} rejected: ${ok}`);
    return v;
  };
  return {
    interactive: true,
    asked,
    confirm: async () => true,
    input: next,
    password: next,
    select: async (m, _c, d) => (await next(m, d)) as never,
  };
}

describe('init: the inventory it writes', () => {
  it('is valid, quiet, and sized for the hosts given', () => {
    const text = renderInitInventory({
      cluster: 'prod',
      hosts: [
        { name: 'db1', address: '10.0.0.11', role: 'master' },
        { name: 'db2', address: '10.0.0.12', role: 'replica' },
        { name: 'db3', address: '10.0.0.13', role: 'replica' },
        { name: 'lb1', address: '10.0.0.20', role: 'haproxy' },
      ],
      password: 'env:FALKORDB_PASSWORD',
      memory: '64gb',
    });
    const r = parseInventory(text, 'falkorctl.yaml');
    expect(r.warnings).toEqual([]);
    expect(r.inventory.hosts.map((h) => h.hardware?.memory)).toEqual(['64gb', '64gb', '64gb', undefined]);
    expect(r.inventory.sentinel.quorum).toBe(2);
    expect(text).toMatch(/^# falkorctl inventory for cluster prod/);
  });
  it('sets a majority quorum for 5 Sentinels', () => {
    const hosts = ['master', 'replica', 'replica', 'sentinel', 'sentinel'].map((role, i) => ({
      name: `h${i}`,
      address: `10.0.0.${i + 1}`,
      role: role as never,
    }));
    expect(
      parseInventory(renderInitInventory({ cluster: 'c', hosts, password: 'prompt', memory: '8gb' }), 'x').inventory
        .sentinel.quorum,
    ).toBe(3);
  });
  it('parses --host name=address:role, IPv6 included', () => {
    expect(parseHostFlag('db1=10.0.0.1:master')).toEqual({ name: 'db1', address: '10.0.0.1', role: 'master' });
    expect(parseHostFlag('db2=[fe80::2]:replica')).toEqual({ name: 'db2', address: 'fe80::2', role: 'replica' });
    expect(parseHostFlag('db2=fe80::2:replica')).toEqual({ name: 'db2', address: 'fe80::2', role: 'replica' });
    expect(parseHostFlag('db1:master')).toMatch(/expected name=address:role/);
    expect(parseHostFlag('db1=10.0.0.1:primary')).toMatch(/role must be master, replica, sentinel or haproxy/);
  });
});

describe('init: collecting answers', () => {
  it('without a terminal, names every missing flag in one usage error', async () => {
    await expect(collect({ cluster: 'prod' }, { ...scripted([]), interactive: false })).rejects.toMatchObject({
      code: 'USAGE',
      exitCode: 2,
      message: 'init without a terminal needs --host, --password, --memory',
    });
  });
  it('rejects a literal password and malformed flags before anything else', async () => {
    const p = scripted([]);
    await expect(collect({ password: 'hunter2' }, p)).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/never the password itself/),
    });
    await expect(collect({ host: ['DB1=10.0.0.1:master'] }, p)).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/lowercase DNS label/),
    });
    await expect(collect({ memory: 'lots' }, p)).rejects.toMatchObject({ code: 'USAGE' });
    expect(p.asked).toEqual([]);
  });
  it('asks only for what the flags left out, in a wizard', async () => {
    const p = scripted(['', '10.0.0.1', '', 'add another host', '', '10.0.0.2', '', 'done', '32gb']);
    const a = await collect({ cluster: 'lab', password: 'env:PW' }, p);
    expect(a).toEqual({
      cluster: 'lab',
      hosts: [
        { name: 'db1', address: '10.0.0.1', role: 'master' },
        { name: 'db2', address: '10.0.0.2', role: 'replica' },
      ],
      password: 'env:PW',
      memory: '32gb',
    });
    expect(p.asked).toEqual([
      'Host 1: name',
      'Host 1: address',
      'Host 1: role',
      'Another host?',
      'Host 2: name',
      'Host 2: address',
      'Host 2: role',
      'Another host?',
      'RAM of each database host',
    ]);
  });
});

describe('init: writing the file (in-process CLI)', () => {
  it('writes a valid inventory atomically and refuses to overwrite it without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-init-'));
    const first = await cli(['init', ...FLAGS], dir);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toContain('wrote falkorctl.yaml (cluster prod, 4 hosts)');
    const text = readFileSync(join(dir, 'falkorctl.yaml'), 'utf8');
    expect(parseInventory(text, 'falkorctl.yaml').inventory.cluster).toBe('prod');
    expect(statSync(join(dir, 'falkorctl.yaml')).mode & 0o777).toBe(0o644);

    const again = await cli(['init', ...FLAGS.map((f) => (f === 'prod' ? 'other' : f))], dir);
    expect(again.code).toBe(3);
    expect(again.err).toContain('error: falkorctl.yaml already exists');
    expect(again.err).toContain('hint: pass --force to overwrite it');
    expect(readFileSync(join(dir, 'falkorctl.yaml'), 'utf8')).toBe(text);

    const forced = await cli(['init', '--force', ...FLAGS.map((f) => (f === 'prod' ? 'other' : f))], dir);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'falkorctl.yaml'), 'utf8')).toMatch(/^cluster: other$/m);
    expect(readdirSync(dir)).toEqual(['falkorctl.yaml']); // no temp files left behind
  });
  it('honours -o and the global -i, and writes nothing when a flag is bad', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-init-'));
    expect((await cli(['init', '-o', 'a.yaml', ...FLAGS], dir)).code).toBe(0);
    expect((await cli(['-i', 'b.yaml', 'init', ...FLAGS], dir)).code).toBe(0);
    const bad = await cli(['init', '-o', 'c.yaml', ...FLAGS, '--host', 'db1=10.0.0.99:replica'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/c.yaml:\d+:\d+: hosts\[4\].name: duplicate host name "db1"/);
    expect(existsSync(join(dir, 'c.yaml'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml']);
  });
  it('reports an unwritable destination as a user error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-init-'));
    writeFileSync(join(dir, 'file'), 'x');
    const r = await cli(['init', '-o', 'file/sub.yaml', ...FLAGS], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write file\/sub.yaml: ENOTDIR/);
  });
});
