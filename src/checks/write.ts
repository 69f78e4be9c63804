// Report files (--junit, --markdown): the directory is checked before any host is asked, so a typo in the path
// fails in a second, not after the whole run; the file is written whole (temp file, then rename) or not at all.
import { access, constants, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { userError } from '../errors.js';

export async function checkWritable(cwd: string, file: string, flag: string): Promise<void> {
  const p = resolve(cwd, file);
  const dir = dirname(p);
  const d = await stat(dir).catch(() => undefined);
  if (!d?.isDirectory()) throw userError(`${flag} ${file}: the directory ${dir} does not exist`);
  const f = await stat(p).catch(() => undefined);
  if (f?.isDirectory()) throw userError(`${flag} ${file}: is a directory`);
  await access(dir, constants.W_OK).catch(() => {
    throw userError(`${flag} ${file}: the directory ${dir} is not writable`);
  });
}

export async function writeReport(cwd: string, file: string, text: string): Promise<void> {
  const p = resolve(cwd, file);
  const tmp = `${p}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, p);
  } catch (e) {
    await rm(tmp, { force: true });
    throw userError(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
