// `falkorctl lint` through the built binary (bin/falkorctl.js → dist/) against the seed fixtures.
// dist/ is built by `npm test`; a stale build is rebuilt here first.
import { execa, execaSync } from 'execa';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { GOOD, SEED } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/falkorctl.js');

beforeAll(() => {
  const built = join(ROOT, 'dist/commands/lint.js');
  const sources = ['src/commands/lint.ts', ...walk(join(ROOT, 'src/lint'))];
  const newest = Math.max(...sources.map((p) => statSync(p.startsWith('/') ? p : join(ROOT, p)).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest)
    execaSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, reject: false });
}, 120_000);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const cli = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  execa('node', [BIN, ...args], {
    cwd,
    reject: false,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    extendEnv: false,
  });

const SEED_FILES = [
  'redis-master.conf',
  'redis-replica.conf',
  'sentinel.conf',
  'haproxy.cfg',
  'docker-compose.prod.yml',
  'falkordb-production.yaml',
  'tls.conf',
  'acl.conf',
  'monitoring-stack.yml',
  'production-alerts.yml',
];

describe('falkorctl lint (built binary)', () => {
  it('--json prints exactly an array of findings for the seed, and exits 1', async () => {
    const r = await cli(SEED, ['--json', 'lint', ...SEED_FILES]);
    expect(r.exitCode).toBe(1);
    const arr = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(arr)).toBe(true);
    expect(arr.length).toBeGreaterThan(50);
    for (const f of arr) {
      expect(Object.keys(f).slice(0, 5)).toEqual(['file', 'line', 'rule', 'severity', 'message']);
      expect(SEED_FILES).toContain(f.file);
    }
    expect(arr).toContainEqual(
      expect.objectContaining({
        file: 'redis-master.conf',
        line: 21,
        rule: 'redis/eviction-deletes-graphs',
        severity: 'error',
      }),
    );
    expect(arr).toContainEqual(
      expect.objectContaining({ file: 'docker-compose.prod.yml', line: 64, rule: 'compose/sentinel-config-readonly' }),
    );
    expect(arr).toContainEqual(
      expect.objectContaining({ file: 'haproxy.cfg', line: 23, rule: 'haproxy/write-check-no-role' }),
    );
    expect(r.stderr).toBe('');
  });

  it('human output: grouped by file, with why and fix, and a summary', async () => {
    const r = await cli(SEED, ['lint', 'sentinel.conf']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('sentinel.conf');
    expect(r.stdout).toContain('sentinel.conf:12  error   down-after-milliseconds 5000');
    expect(r.stdout).toMatch(/\n {6}why: .+\n {6}fix: .+/);
    expect(r.stdout).toMatch(/\d+ error\(s\), \d+ warning\(s\), \d+ info in 1 file\(s\)$/m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--min-severity hides lower findings; only info left means exit 0', async () => {
    const errorsOnly = await cli(SEED, ['--json', 'lint', '--min-severity', 'error', 'redis-master.conf']);
    const arr = JSON.parse(errorsOnly.stdout) as { severity: string }[];
    expect(arr.length).toBeGreaterThan(0);
    expect(arr.every((f) => f.severity === 'error')).toBe(true);
    // monitoring-stack.yml has warnings; at min-severity error nothing is shown → exit 0.
    const none = await cli(SEED, ['lint', '--min-severity', 'error', 'monitoring-stack.yml']);
    expect([none.exitCode, none.stdout]).toEqual([0, 'no findings']);
  });

  it('a clean setup: "no findings", exit 0', async () => {
    const r = await cli(GOOD, [
      'lint',
      'falkordb.conf',
      'falkordb-replica.conf',
      'sentinel-1.conf',
      'sentinel-2.conf',
      'sentinel-3.conf',
      'haproxy.cfg',
      'alerts.yml',
      'compose.yml',
      'k8s.yaml',
    ]);
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, 'no findings', '']);
    const j = await cli(GOOD, ['--json', 'lint', 'falkordb.conf', 'haproxy.cfg']);
    expect([j.exitCode, JSON.parse(j.stdout)]).toEqual([0, []]);
  });

  it('--kind overrides detection', async () => {
    const r = await cli(SEED, ['--json', 'lint', '--kind', 'redis', 'sentinel.conf']);
    const rules = (JSON.parse(r.stdout) as { rule: string }[]).map((f) => f.rule);
    expect(rules.some((x) => x.startsWith('redis/'))).toBe(true);
    expect(rules.some((x) => x.startsWith('sentinel/'))).toBe(false);
  });

  it('bad input: one clear message, exit 2, no stack, nothing on stdout', async () => {
    for (const [args, msg] of [
      [['lint', 'redis-master.conf', 'missing.conf'], 'error: cannot read missing.conf: no such file'],
      [['lint', 'sentinel-notify.sh'], 'error: cannot tell what kind of file sentinel-notify.sh is'],
      [['lint', '--kind', 'nginx', 'x.conf'], "error: option '--kind <kind>' argument 'nginx' is invalid"],
    ] as const) {
      const r = await cli(SEED, [...args]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr.split('\n')[0]).toContain(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  });
});
