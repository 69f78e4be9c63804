// What DIR already holds: every file `tls issue` would write, read when it exists (certificates, and keys so
// the planner can check that they match; neither is ever printed).
import { lstat, readFile, stat } from 'node:fs/promises';
import type { FileFact } from './plan.js';
import { caFiles, hostFiles } from './layout.js';

export function issuePaths(dir: string, hosts: readonly string[]): string[] {
  const ca = caFiles(dir);
  return [
    ca.cert,
    ca.key,
    ...hosts.flatMap((h) => {
      const f = hostFiles(dir, h);
      return [f.cert, f.key, f.ca];
    }),
  ];
}

/** lstat, so a dangling symlink counts as present (link() would not replace it either). */
export async function gatherFiles(paths: readonly string[]): Promise<Map<string, FileFact>> {
  const out = new Map<string, FileFact>();
  for (const p of paths) {
    let mode: number;
    try {
      const l = await lstat(p);
      mode = l.isSymbolicLink() ? (await stat(p).catch(() => l)).mode : l.mode;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    // unreadable, a directory or a dangling link: the planner reports it as "not a certificate"
    const text = await readFile(p, 'utf8').catch(() => '');
    out.set(p, { mode, text });
  }
  return out;
}
