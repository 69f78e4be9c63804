// The rendered kernel tuning of a database host, checked with the real tools without changing this
// machine: sysctl keys must exist in /proc/sys (net.* ones are applied for real inside a private network
// namespace, where they are per-namespace); the THP tmpfiles.d file is run by the real
// systemd-tmpfiles against a scratch root that mimics /sys.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTool, runOnce, tempDir, useCleanup } from '../../helpers/index.js';
import { fileOf, layout } from './fixture.js';

useCleanup();

const l = await layout({ first: 90, ports: [16510, 16511], label: 'render-tuning' });

describe('rendered sysctl.d file', () => {
  const file = fileOf(l, 'db-1', { suffix: '-falkordb.conf' });
  const settings = file.content
    .split('\n')
    .filter((x) => x.trim() && !x.trim().startsWith('#'))
    .map((x) => x.split('=').map((p) => p.trim()) as [string, string]);

  it('names only real kernel parameters, with numeric values', () => {
    expect(file.path).toMatch(/^\/etc\/sysctl\.d\/[^/]+\.conf$/);
    expect(settings.length).toBeGreaterThan(0);
    for (const [key, value] of settings) {
      expect(existsSync(`/proc/sys/${key.replace(/\./g, '/')}`), key).toBe(true);
      expect(value, key).toMatch(/^\d+$/);
    }
  });

  it('net.* settings are accepted by the kernel (applied in a private network namespace)', async () => {
    const net = settings.filter(([k]) => k.startsWith('net.'));
    expect(net.length).toBeGreaterThan(0);
    const dir = tempDir('render-sysctl');
    const only = join(dir, 'net.conf');
    writeFileSync(only, net.map(([k, v]) => `${k} = ${v}\n`).join(''));
    const script = `sysctl -q -p "$1" && for k in ${net.map(([k]) => k).join(' ')}; do printf '%s=%s\\n' "$k" "$(sysctl -n "$k")"; done`;
    const r = await runOnce({ argv: ['unshare', '--net', 'sh', '-c', script, 'sh', only] });
    expect(r.ok, r.output).toBe(true);
    expect(r.output.trim().split('\n')).toEqual(net.map(([k, v]) => `${k}=${v}`));
  });
});

describe('rendered transparent-huge-pages tmpfiles.d file', () => {
  it('is applied by the real systemd-tmpfiles to the THP switches, which exist on this kernel', async () => {
    const tmpfiles = findTool('systemd-tmpfiles');
    expect(tmpfiles, 'systemd-tmpfiles (package systemd) is needed').not.toBeNull();
    const file = fileOf(l, 'db-1', { suffix: '-thp.conf' });
    const targets = file.content
      .split('\n')
      .filter((x) => x.startsWith('w '))
      .map((x) => x.split(/\s+/)[1]!);
    expect(targets.sort()).toEqual([
      '/sys/kernel/mm/transparent_hugepage/defrag',
      '/sys/kernel/mm/transparent_hugepage/enabled',
    ]);
    for (const t of targets) expect(existsSync(t), t).toBe(true);

    const root = tempDir('render-thp');
    for (const t of targets) {
      mkdirSync(join(root, t, '..'), { recursive: true });
      writeFileSync(join(root, t), '');
    }
    const conf = join(root, 'falkordb-thp.conf');
    writeFileSync(conf, file.content);
    const r = await runOnce({ argv: [tmpfiles!, '--create', `--root=${root}`, conf] });
    expect(r.ok, r.output).toBe(true);
    for (const t of targets) expect(readFileSync(join(root, t), 'utf8')).toBe('never');

    // Negative control: the same tool rejects a malformed line.
    writeFileSync(conf, `${file.content}bogus line\n`);
    expect((await runOnce({ argv: [tmpfiles!, '--create', `--root=${root}`, conf] })).ok).toBe(false);
  });
});
