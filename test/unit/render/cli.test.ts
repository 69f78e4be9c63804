// `falkorctl render` through the built binary (bin/falkorctl.js → dist/), with real files.
// dist/ is built by `npm test` (npm run build); a stale build is rebuilt here first.
import { execa, execaSync } from 'execa';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { INVENTORY_FILE, SECRETS, SECRET_ENV } from './fixture.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/falkorctl.js');

beforeAll(() => {
  const built = join(ROOT, 'dist/commands/render.js');
  const sources = [
    'src/commands/render.ts',
    ...['src/render', 'src/templates'].flatMap((d) => readdirSync(join(ROOT, d)).map((f) => `${d}/${f}`)),
  ];
  const newest = Math.max(...sources.map((p) => statSync(join(ROOT, p)).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest)
    execaSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, reject: false });
}, 120_000);

function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'falkorctl-render-cli-'));
  copyFileSync(INVENTORY_FILE, join(d, 'falkorctl.yaml'));
  return d;
}

const cli = (cwd: string, args: string[], env: Record<string, string> = SECRET_ENV) =>
  execa('node', [BIN, ...args], { cwd, reject: false, env: { ...env, NO_COLOR: '1' }, extendEnv: false });

function tree(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? tree(dir, r) : [r];
  });
}

// Each test runs the binary a few times; a loaded machine makes that slow, never wrong.
describe('falkorctl render -o DIR', { timeout: 60_000 }, () => {
  it("writes every host's files, secrets 0600 and git-ignored, and exits 0", async () => {
    const d = workdir();
    const r = await cli(d, ['render', '-o', 'out']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote 50 file\(s\) to .*\/out$/m);
    const files = tree(join(d, 'out'));
    expect(files).toContain('db1/etc/falkordb/falkordb.conf');
    expect(files).toContain('lb1/etc/haproxy/haproxy.cfg');
    expect(files).toContain('cluster/prometheus/falkordb-alerts.yml');
    expect(files).toContain('cluster/grafana/falkordb-dashboard.json');
    const ignore = readFileSync(join(d, 'out/.gitignore'), 'utf8').split('\n');
    for (const f of files) {
      const mode = statSync(join(d, 'out', f)).mode & 0o777;
      const secret = ignore.includes(`/${f}`);
      const text = readFileSync(join(d, 'out', f), 'utf8');
      expect(text.includes(SECRETS.password), f).toBe(secret && !f.includes('sentinel-password'));
      if (f !== '.gitignore') expect(mode, f).toBe(secret ? 0o600 : 0o644);
    }
    // the rendered files lint clean: no errors, no warnings (info advice is counted, not shown)
    expect(r.stderr).not.toMatch(/\b(error|warning)\b/);
    expect(r.stderr).toMatch(/^lint: \d+ info finding\(s\) not shown \(--verbose shows them\)$/m);
    // the password is nowhere in what the command printed
    expect(r.stdout + r.stderr).not.toContain(SECRETS.password);
    // no staging directories left behind
    expect(readdirSync(d).sort()).toEqual(['falkorctl.yaml', 'out']);
  });

  it('is deterministic: a second run writes byte-identical files, and --diff then reports no change (exit 0)', async () => {
    const d = workdir();
    await cli(d, ['render', '-o', 'out']);
    const first = new Map(tree(join(d, 'out')).map((f) => [f, readFileSync(join(d, 'out', f), 'utf8')]));
    expect((await cli(d, ['render', '-o', 'out'])).exitCode).toBe(0);
    for (const [f, t] of first) expect(readFileSync(join(d, 'out', f), 'utf8'), f).toBe(t);
    const diff = await cli(d, ['render', '-o', 'out', '--diff']);
    expect(diff.exitCode, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/no changes in/);
  });

  it('--diff shows a unified diff, masks secrets, writes nothing and exits 1 when files would change', async () => {
    const d = workdir();
    await cli(d, ['render', '-o', 'out']);
    const conf = join(d, 'out/db2/etc/falkordb/falkordb.conf');
    const edited = readFileSync(conf, 'utf8').replace('maxmemory-policy noeviction', 'maxmemory-policy allkeys-lru');
    writeFileSync(conf, edited);
    writeFileSync(join(d, 'out/db2/etc/falkordb/secrets.conf'), 'requirepass hand-edited\n');
    const r = await cli(d, ['render', '-o', 'out', '--diff']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('--- a/db2/etc/falkordb/falkordb.conf\n+++ b/db2/etc/falkordb/falkordb.conf');
    expect(r.stdout).toMatch(/^-maxmemory-policy allkeys-lru\n\+maxmemory-policy noeviction$/m);
    expect(r.stdout).toContain('db2/etc/falkordb/secrets.conf: modified (contents not shown)');
    expect(r.stdout + r.stderr).not.toContain('hand-edited');
    expect(r.stdout + r.stderr).not.toContain(SECRETS.password);
    expect(readFileSync(conf, 'utf8')).toBe(edited);
  });

  it('--diff against a missing directory lists every file as added', async () => {
    const d = workdir();
    const r = await cli(d, ['--json', 'render', '-o', 'nothing-here', '--diff']);
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.changed).toBe(true);
    expect(doc.changes).toHaveLength(50);
    expect(existsSync(join(d, 'nothing-here'))).toBe(false);
  });

  it('--host re-renders only those hosts and keeps the others (and unrelated files) in DIR', async () => {
    const d = workdir();
    await cli(d, ['render', '-o', 'out']);
    writeFileSync(join(d, 'out/db1/etc/falkordb/falkordb.conf'), 'stale\n');
    writeFileSync(join(d, 'out/db2/etc/falkordb/falkordb.conf'), 'stale\n');
    writeFileSync(join(d, 'out/README.md'), 'mine\n');
    const r = await cli(d, ['render', '-o', 'out', '--host', 'db2']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'out/db1/etc/falkordb/falkordb.conf'), 'utf8')).toBe('stale\n');
    expect(readFileSync(join(d, 'out/db2/etc/falkordb/falkordb.conf'), 'utf8')).toMatch(/^replicaof /m);
    expect(readFileSync(join(d, 'out/README.md'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(d, 'out/.gitignore'), 'utf8')).toContain('/db1/etc/falkordb/secrets.conf');
  });

  it('a directory of a host no longer in the inventory is kept, with a warning', async () => {
    const d = workdir();
    await cli(d, ['render', '-o', 'out']);
    writeFileSync(
      join(d, 'falkorctl.yaml'),
      readFileSync(join(d, 'falkorctl.yaml'), 'utf8').replace(/ {2}- name: db3\n[\s\S]*?(?= {2}- name: lb1)/, ''),
    );
    const r = await cli(d, ['render', '-o', 'out']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*\/out\/db3: not a host of this inventory; left as it is$/m);
    expect(existsSync(join(d, 'out/db3/etc/falkordb/falkordb.conf'))).toBe(true);
  });

  it('--json lists each file with its sha256', async () => {
    const d = workdir();
    const r = await cli(d, ['--json', 'render', '-o', 'out']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toHaveLength(50);
    for (const f of doc.files) {
      const sha = createHash('sha256')
        .update(readFileSync(join(d, 'out', f.output)))
        .digest('hex');
      expect(f.sha256, f.output).toBe(sha);
    }
    expect(doc.files.find((f: { output: string }) => f.output === 'lb1/etc/haproxy/falkordb.env')).toMatchObject({
      secret: true,
      mode: '0600',
    });
  });
});

describe('falkorctl render failures', { timeout: 60_000 }, () => {
  it('an output directory that cannot be created: one clear line, exit 1, nothing written', async () => {
    const d = workdir();
    writeFileSync(join(d, 'afile'), 'x');
    const r = await cli(d, ['render', '-o', 'afile/out']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write the output directory .*afile\/out: a parent is not a directory$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(d).sort()).toEqual(['afile', 'falkorctl.yaml']);
  });

  it('an output path that is a file: exit 1, the file untouched', async () => {
    const d = workdir();
    writeFileSync(join(d, 'out'), 'precious');
    const r = await cli(d, ['render', '-o', 'out']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/exists and is not a directory/);
    expect(readFileSync(join(d, 'out'), 'utf8')).toBe('precious');
    expect(readdirSync(d).sort()).toEqual(['falkorctl.yaml', 'out']);
  });

  it('a secret that cannot be resolved: exit 2 before anything is written', async () => {
    const d = workdir();
    const r = await cli(d, ['render', '-o', 'out'], {
      FALKORDB_SENTINEL_PASSWORD: 'x'.repeat(40),
      FALKORDB_APP_PASSWORD: 'y'.repeat(40),
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/auth\.password: environment variable FALKORDB_PASSWORD is not set/);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('an unknown --host: exit 2', async () => {
    const d = workdir();
    const r = await cli(d, ['render', '--host', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no host named "nope"/);
  });
});
