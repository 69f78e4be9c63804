// The facts the Sentinel layout rests on, checked against the real redis-server 8 in Sentinel mode:
// Sentinel reads `include` (so auth-pass can live in a 0600 file), and it rewrites its own config,
// copying auth-pass into it (so it must run from a private 0600 copy, never the shared template).
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../../src/render/index.js';
import { findFalkorBinaries } from '../../helpers/bins.js';
import { smallInventory } from './fixture.js';

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

const bins = findFalkorBinaries();
const procs: { kill: () => void }[] = [];
afterAll(() => procs.forEach((p) => p.kill()));

describe.skipIf(!bins)('Sentinel and the rendered include', { timeout: 30_000 }, () => {
  it('reads auth-pass from the include and rewrites its running copy (which then holds the password)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'falkorctl-sentinel-include-'));
    const port = await freePort();
    const inv = smallInventory((i) => {
      i.hosts = [
        { name: 'm1', address: '127.0.0.1', role: 'master', hardware: { memory: '1gb' } },
        { name: 's1', address: '127.0.0.1', role: 'sentinel' },
      ];
      i.sentinel = { port, quorum: 1, dataDir: join(root, 'sentinel'), hosts: ['s1'] };
      i.redis = { configDir: join(root, 'etc'), logDir: join(root, 'log') };
    });
    const files = renderAll(inv, { password: 'include-test-password', users: {} }, { hosts: ['s1'] });
    for (const d of ['etc', 'log', 'sentinel']) mkdirSync(join(root, d));
    for (const f of files.filter((x) => x.path.startsWith(join(root, 'etc'))))
      writeFileSync(f.path, f.content, { mode: f.mode });
    const template = readFileSync(join(root, 'etc/sentinel.conf'), 'utf8');
    expect(template).not.toContain('include-test-password');
    // as the unit does: a private 0600 copy of the template
    const copy = join(root, 'sentinel/sentinel.conf');
    writeFileSync(copy, template, { mode: 0o600 });

    const p = execa(bins!.redisServer, [copy, '--sentinel'], { reject: false });
    procs.push(p);
    const deadline = Date.now() + 8000;
    let text = '';
    while (Date.now() < deadline) {
      text = readFileSync(copy, 'utf8');
      if (text.includes('sentinel myid')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    p.kill();
    expect(text).toMatch(/^sentinel myid /m);
    expect(text).toMatch(/^sentinel auth-pass falkordb-master include-test-password$/m);
    expect(readFileSync(join(root, 'etc/sentinel.conf'), 'utf8')).toBe(template);
  });
});
