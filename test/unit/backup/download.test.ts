// backup --to: read through a real transport (onto this machine), the sha256 of what arrived checked against the
// manifest; a copy that does not match is never written under the backup's name.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { download, prepareTarget } from '../../../src/backup/download.js';
import type { Manifest } from '../../../src/backup/manifest.js';
import { createLocalTransport } from '../../../src/remote/local.js';

const t = createLocalTransport();
function backupDir(bytes: Buffer): { dir: string; m: Manifest } {
  const dir = mkdtempSync(join(tmpdir(), 'falkorctl-dl-src-'));
  const id = 'lab-db2-20261207T093000Z-5';
  writeFileSync(join(dir, `${id}.rdb`), bytes);
  const m = {
    format: 1,
    id,
    cluster: 'lab',
    host: 'local',
    role: 'replica',
    createdAt: '2026-12-07T09:30:00.000Z',
    redisVersion: '8.2.3',
    falkordbVersion: '4.16.3',
    masterReplOffset: 5,
    replId: 'r',
    graphs: [],
    rdb: join(dir, `${id}.rdb`),
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    verified: { checkRdb: true, restore: true, problems: [] },
  } satisfies Manifest;
  writeFileSync(join(dir, `${id}.json`), JSON.stringify(m) + '\n');
  return { dir, m };
}

describe('backup --to', () => {
  it('writes the RDB and the manifest as on the host', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const { dir, m } = backupDir(bytes);
    const to = await prepareTarget(mkdtempSync(join(tmpdir(), 'falkorctl-dl-to-')) + '/new/sub', '/');
    const d = await download(t, m, to, dir);
    expect(readdirSync(to).sort()).toEqual([`${m.id}.json`, `${m.id}.rdb`]);
    expect(readFileSync(d.rdb).equals(bytes)).toBe(true);
    expect(readFileSync(d.manifest, 'utf8')).toBe(readFileSync(join(dir, `${m.id}.json`), 'utf8'));
  });

  it("a copy whose sha256 is not the manifest's is refused and nothing is written", async () => {
    const { dir, m } = backupDir(Buffer.from('REDIS0012 the real bytes'));
    writeFileSync(m.rdb, 'REDIS0012 the real byteZ'); // changed after the manifest was written
    const to = mkdtempSync(join(tmpdir(), 'falkorctl-dl-to-'));
    await expect(download(t, m, to, dir)).rejects.toThrow(/arrived with sha256 [a-f0-9]{64} .*the manifest says/);
    expect(readdirSync(to)).toEqual([]);
  });

  it('a target that is a file is refused before anything is taken', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'falkorctl-dl-to-')), 'file');
    writeFileSync(f, 'x');
    await expect(prepareTarget(f, '/')).rejects.toThrow(/cannot write there .*nothing was taken/);
  });
});
