// The I/O half of `falkorctl render`: stage the files, lint them, then either diff them against DIR
// or swap them into DIR. Lint errors leave DIR untouched.
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../lint/index.js';
import { outputPath, type RenderedFile } from './index.js';
import { lintRendered, maskText } from './lint-output.js';
import { GITIGNORE, mergedGitignore, readTree, stage, stagingDirFor, swapIn } from './output.js';
import { diffTrees, type Change } from './tree-diff.js';

export interface ApplyResult {
  findings: Finding[];
  errors: number;
  written: boolean;
  /** With `diff`: what would change, and the (secret-masked) unified diff. */
  changes?: Change[];
  diffText?: string;
}

export async function applyRendered(
  files: RenderedFile[],
  dir: string,
  secretValues: string[],
  opts: { diff?: boolean } = {},
): Promise<ApplyResult> {
  // a symlinked DIR is replaced where it points, and stays a symlink
  const outDir = await realpath(dir).catch(() => dir);
  const tops = [...new Set(files.map((f) => f.host))];
  const oldIgnore = await readFile(join(outDir, GITIGNORE), 'utf8').catch(() => undefined);
  // Stage next to DIR when writing (so the swap is a rename), in the temp dir for --diff.
  const staged = opts.diff ? await mkdtemp(join(tmpdir(), 'falkorctl-render-')) : await stagingDirFor(outDir);
  try {
    const written = await stage(staged, files, mergedGitignore(oldIgnore, files, tops));
    const findings = await lintRendered(files, written, outDir, secretValues);
    const errors = findings.filter((f) => f.severity === 'error').length;
    if (opts.diff) {
      const before = await readTree(outDir, tops);
      const after = new Map(files.map((f) => [outputPath(f), f.content]));
      const d = diffTrees(before, after, new Set(files.filter((f) => f.secret).map(outputPath)), outDir);
      return { findings, errors, written: false, changes: d.changes, diffText: maskText(d.text, secretValues) };
    }
    if (errors > 0) return { findings, errors, written: false };
    await swapIn(outDir, staged, tops);
    return { findings, errors, written: true };
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}
