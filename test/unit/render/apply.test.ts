// applyRendered: the staged write, the lint gate and the swap, on real directories.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRendered } from '../../../src/render/apply.js';
import { renderAll, type RenderedFile } from '../../../src/render/index.js';
import { SECRETS, fixtureInventory, smallInventory } from './fixture.js';

const base = () => mkdtempSync(join(tmpdir(), 'falkorctl-apply-'));
const secrets = [SECRETS.password, SECRETS.sentinelPassword as string, SECRETS.users.app as string];
const good = renderAll(fixtureInventory(), SECRETS, { hosts: ['db1', 'db2'] });

describe('applyRendered', () => {
  it('writes the files and a .gitignore of the secret ones; leaves no staging directory', async () => {
    const root = base();
    const r = await applyRendered(good, join(root, 'out'), secrets);
    expect(r).toMatchObject({ written: true, errors: 0 });
    expect(readFileSync(join(root, 'out/db1/etc/falkordb/falkordb.conf'), 'utf8')).toBe(good[0]?.content);
    expect(readFileSync(join(root, 'out/.gitignore'), 'utf8')).toContain('/db2/etc/falkordb/secrets.conf\n');
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('everything rendered from the test inventory lints without errors or warnings', async () => {
    const all = renderAll(fixtureInventory(), SECRETS);
    const r = await applyRendered(all, join(base(), 'out'), secrets);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.written).toBe(true);
  });

  it('the TLS variant lints without errors or warnings too', async () => {
    const inv = smallInventory((i) => {
      i.hosts = i.hosts.map((h) => ({ ...h, hardware: { memory: '8gb' } }));
      i.tls = {
        enabled: true,
        port: 6390,
        certFile: '/etc/falkordb/tls/node.crt',
        keyFile: '/etc/falkordb/tls/node.key',
        caFile: '/etc/falkordb/tls/ca.crt',
      };
    });
    const pw = 'a-long-enough-cluster-password-0123456789';
    const r = await applyRendered(renderAll(inv, { password: pw, users: {} }), join(base(), 'out'), [pw]);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('a lint error leaves the existing DIR exactly as it was and writes nothing', async () => {
    const root = base();
    const out = join(root, 'out');
    mkdirSync(join(out, 'db1'), { recursive: true });
    writeFileSync(join(out, 'db1/old'), 'old\n');
    const bad: RenderedFile[] = good.map((f) =>
      f.host === 'db1' && f.kind === 'redis'
        ? { ...f, content: f.content.replace('maxmemory-policy noeviction', 'maxmemory-policy allkeys-lru') }
        : f,
    );
    const r = await applyRendered(bad, out, secrets);
    expect(r.written).toBe(false);
    expect(r.errors).toBeGreaterThan(0);
    expect(r.findings.find((f) => f.severity === 'error')).toMatchObject({
      file: join(out, 'db1/etc/falkordb/falkordb.conf'),
      rule: expect.stringMatching(/^redis\//),
    });
    expect(readdirSync(out)).toEqual(['db1']);
    expect(readdirSync(join(out, 'db1'))).toEqual(['old']);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('masks secret values in findings that quote the line holding them', async () => {
    const root = base();
    // a line lint quotes back ("… is not a size Redis accepts"), carrying a secret value
    const leaky = good.map((f) =>
      f.host === 'db1' && f.kind === 'redis'
        ? { ...f, content: f.content.replace(/^maxmemory .*$/m, 'maxmemory hunter2-secret') }
        : f,
    );
    const r = await applyRendered(leaky, join(root, 'out'), ['hunter2-secret']);
    const quoted = r.findings.filter((f) => f.message.includes('********'));
    expect(quoted.length).toBeGreaterThan(0);
    expect(JSON.stringify(r.findings)).not.toContain('hunter2-secret');
  });

  it('a symlinked DIR stays a symlink; the files land where it points', async () => {
    const root = base();
    mkdirSync(join(root, 'real'));
    symlinkSync('real', join(root, 'out'));
    const r = await applyRendered(good, join(root, 'out'), secrets);
    expect(r.written).toBe(true);
    expect(lstatSync(join(root, 'out')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(root, 'real/db1/etc/falkordb/falkordb.conf'))).toBe(true);
    expect(readdirSync(root).sort()).toEqual(['out', 'real']);
  });

  it('diff mode writes nothing, not even a missing DIR', async () => {
    const root = base();
    const r = await applyRendered(good, join(root, 'out'), secrets, { diff: true });
    expect(r.written).toBe(false);
    expect(r.changes?.length).toBe(good.length);
    expect(existsSync(join(root, 'out'))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });
});
