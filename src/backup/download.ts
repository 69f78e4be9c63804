// `backup --to DIR`: the off-site copy. The RDB and its manifest are read from the host over SSH (whole, in
// memory: fine for lab-sized data sets, a limit for large ones — see README), the sha256 of what arrived is
// checked against the manifest, and both are written through hidden partial files and renames, so DIR never
// holds a half-written or corrupted copy under a backup's name.
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FalkorError, userError } from '../errors.js';
import type { Transport } from '../remote/transport.js';
import { manifestPath, type Manifest } from './manifest.js';

/** Checked before the backup is taken: DIR is a directory (created when missing) this process can write. */
export async function prepareTarget(dir: string, cwd: string): Promise<string> {
  const abs = resolve(cwd, dir);
  try {
    await mkdir(abs, { recursive: true, mode: 0o700 });
    if (!(await stat(abs)).isDirectory()) throw new Error('not a directory');
    const probe = `${abs}/.falkorctl-write-test-${process.pid}`;
    await writeFile(probe, '', { mode: 0o600 });
    await rm(probe);
  } catch (e) {
    throw userError(`--to ${dir}: cannot write there (${(e as Error).message}); nothing was taken`);
  }
  return abs;
}

export interface Downloaded {
  rdb: string;
  manifest: string;
  sha256: string;
}

export async function download(t: Transport, m: Manifest, dir: string, backupDir: string): Promise<Downloaded> {
  const data = await t.read(m.host, m.rdb);
  if (!data) throw new FalkorError('FAILED', `${m.host}: ${m.rdb} is gone; nothing was downloaded`);
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (sha256 !== m.sha256 || data.length !== m.size)
    throw new FalkorError(
      'FAILED',
      `--to: ${m.id}.rdb arrived with sha256 ${sha256} (${data.length} bytes); the manifest says ${m.sha256} ` +
        `(${m.size} bytes): not written`,
      { hint: 'run the backup with --to again' },
    );
  const json = (await t.read(m.host, manifestPath(backupDir, m.id))) ?? Buffer.from(JSON.stringify(m) + '\n');
  const out: Downloaded = { rdb: `${dir}/${m.id}.rdb`, manifest: `${dir}/${m.id}.json`, sha256 };
  for (const [path, bytes] of [
    [out.rdb, data],
    [out.manifest, json],
  ] as const) {
    const tmp = `${dir}/.${m.id}${path.endsWith('.rdb') ? '.rdb' : '.json'}.partial`;
    try {
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new FalkorError('FAILED', `--to: writing ${path}: ${(e as Error).message}`);
    }
  }
  return out;
}
