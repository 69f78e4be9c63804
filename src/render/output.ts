// Writing the rendered tree: DIR/<host>/<path>. Render owns DIR/<host>/ for each host it renders and
// DIR/.gitignore; everything else in DIR is kept. The new tree is built in a sibling temporary
// directory and swapped in by rename, so a failure never leaves a half-written DIR.
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { FalkorError } from '../errors.js';
import { outputPath, type RenderedFile } from './index.js';

export const GITIGNORE = '.gitignore';
const GITIGNORE_HEADER = '# Written by falkorctl render: these files hold secrets. Never commit them.';

/** Relative path → content of every regular file under dir/<top> for the given top-level names. */
export async function readTree(dir: string, tops: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw ioError(`cannot read ${join(dir, rel)}`, e);
    }
    for (const ent of entries) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) await walk(r);
      else if (ent.isFile()) out.set(r, await readFile(join(dir, r), 'utf8'));
    }
  };
  for (const t of tops) await walk(t);
  return out;
}

/** The .gitignore after this render: old entries outside the rendered hosts, plus the new secret files. */
export function mergedGitignore(old: string | undefined, files: RenderedFile[], renderedTops: string[]): string {
  const scope = new Set(renderedTops);
  const kept = (old ?? '').split('\n').filter((l) => l.startsWith('/') && !scope.has(l.slice(1).split('/')[0] ?? ''));
  const fresh = files.filter((f) => f.secret).map((f) => `/${outputPath(f)}`);
  return `${[GITIGNORE_HEADER, ...[...new Set([...kept, ...fresh])].sort()].join('\n')}\n`;
}

/** Writes files (plus .gitignore) into a fresh directory; returns the absolute paths written. */
export async function stage(into: string, files: RenderedFile[], gitignore: string): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  for (const f of files) {
    const p = join(into, ...outputPath(f).split('/'));
    await mkdir(dirname(p), { recursive: true, mode: 0o755 });
    await writeFile(p, f.content, { mode: f.secret ? 0o600 : 0o644 });
    await chmod(p, f.secret ? 0o600 : 0o644);
    written.set(outputPath(f), p);
  }
  await writeFile(join(into, GITIGNORE), gitignore, { mode: 0o644 });
  return written;
}

/** A temporary directory next to `dir` (same filesystem, so rename is atomic). */
export async function stagingDirFor(dir: string): Promise<string> {
  const parent = dirname(dir);
  try {
    await mkdir(parent, { recursive: true });
    return await mkdtemp(join(parent, `.${basename(dir)}.falkorctl-`));
  } catch (e) {
    // mkdir -p over a regular file fails with EEXIST: say what is actually wrong
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new FalkorError('FAILED', `cannot write the output directory ${dir}: a parent is not a directory`, {
        cause: e,
      });
    throw ioError(`cannot write the output directory ${dir}`, e);
  }
}

/**
 * Makes `staged` (holding the new host directories and .gitignore) the new `dir`: everything in the
 * old dir outside the rendered hosts is copied over first, then the directories are swapped.
 */
export async function swapIn(dir: string, staged: string, renderedTops: string[]): Promise<void> {
  const existing = await stat(dir).catch(() => undefined);
  if (existing && !existing.isDirectory())
    throw new FalkorError('FAILED', `cannot write the output directory ${dir}: it exists and is not a directory`);
  const scope = new Set([...renderedTops, GITIGNORE]);
  if (existing) {
    for (const ent of await readdir(dir)) {
      if (!scope.has(ent))
        await cp(join(dir, ent), join(staged, ent), {
          recursive: true,
          preserveTimestamps: true,
          verbatimSymlinks: true,
        });
    }
    await chmod(staged, existing.mode & 0o7777);
  } else {
    await chmod(staged, 0o755);
  }
  const old = existing ? `${staged}.old` : undefined;
  try {
    if (old) await rename(dir, old);
  } catch (e) {
    throw ioError(`cannot replace the output directory ${dir}`, e);
  }
  try {
    await rename(staged, dir);
  } catch (e) {
    if (old) await rename(old, dir).catch(() => undefined);
    throw ioError(`cannot replace the output directory ${dir}`, e);
  }
  if (old) await rm(old, { recursive: true, force: true });
}

export const relativeTo = (root: string, p: string) => relative(root, p).split(sep).join('/');

export function ioError(what: string, e: unknown): FalkorError {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    ENOTDIR: 'a parent is not a directory',
    EEXIST: 'already exists',
  };
  return new FalkorError('FAILED', `${what}: ${(code && why[code]) ?? (e as Error).message}`, { cause: e });
}
