// `falkorctl render [-o DIR] [--host NAME…] [--diff]`: inventory → secrets → files → lint → DIR.
// Exit: 0 written (or, with --diff, nothing would change); 1 lint errors (nothing written), an
// unwritable DIR, or (with --diff) changes found; 2 bad inventory or flags.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Handler } from '../cli.js';
import type { Ctx } from '../context.js';
import { EXIT } from '../errors.js';
import { formatDiagnostic, loadInventory, resolveSecrets, type Diagnostic } from '../inventory/index.js';
import { formatFindings } from '../lint/index.js';
import { CLUSTER, outputPath, renderAll, type RenderedFile } from '../render/index.js';
import { lintRendered, maskText } from '../render/lint-output.js';
import { GITIGNORE, mergedGitignore, readTree, stage, stagingDirFor, swapIn } from '../render/output.js';
import { diffTrees } from '../render/tree-diff.js';

export const run: Handler = async ({ opts }, ctx) => {
  const outDir = resolve(ctx.cwd, typeof opts.output === 'string' ? opts.output : 'rendered');
  const hosts = Array.isArray(opts.host) ? (opts.host as string[]).flatMap((h) => h.split(',')).filter(Boolean) : undefined;
  const loaded = await loadInventory(ctx.opts.inventory, ctx.cwd);
  warn(ctx, loaded.warnings);
  const secrets = await resolveSecrets(loaded, { env: ctx.env, prompt: ctx.prompt, cwd: ctx.cwd });
  const files = renderAll(loaded.inventory, secrets, { hosts });
  const tops = [...new Set(files.map((f) => f.host))];
  const secretValues = [secrets.password, secrets.sentinelPassword ?? '', ...Object.values(secrets.users)].filter(Boolean);
  const oldIgnore = await readFile(join(outDir, GITIGNORE), 'utf8').catch(() => undefined);
  const gitignore = mergedGitignore(oldIgnore, files, tops);

  // Stage next to DIR when writing (so the swap is a rename), in the temp dir for --diff.
  const staged = opts.diff ? await mkdtemp(join(tmpdir(), 'falkorctl-render-')) : await stagingDirFor(outDir);
  try {
    const written = await stage(staged, files, gitignore);
    const findings = await lintRendered(files, written, outDir, secretValues);
    const errors = findings.filter((f) => f.severity === 'error').length;
    if (findings.length && !ctx.opts.json) ctx.out.info(formatFindings(findings, ctx.out.color.level > 0));

    if (opts.diff) {
      const before = await readTree(outDir, tops);
      const after = new Map(files.map((f) => [outputPath(f), f.content]));
      const d = diffTrees(before, after, new Set(files.filter((f) => f.secret).map(outputPath)), outDir);
      const text = maskText(d.text, secretValues);
      ctx.out.result({ dir: outDir, changed: d.changes.length > 0, changes: d.changes, findings }, () => text || `no changes in ${outDir}`);
      return d.changes.length > 0 || errors > 0 ? EXIT.FAILED : EXIT.OK;
    }
    if (errors > 0) {
      ctx.out.error(`lint found ${errors} error(s) in the rendered files; nothing was written to ${outDir}`);
      if (ctx.opts.json) ctx.out.result({ dir: outDir, written: false, findings });
      return EXIT.FAILED;
    }
    await swapIn(outDir, staged, tops);
    ctx.out.result({ dir: outDir, written: true, files: files.map(summary), findings }, () => humanSummary(outDir, files, tops));
    return EXIT.OK;
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
};

function summary(f: RenderedFile) {
  return {
    host: f.host,
    path: f.path,
    output: outputPath(f),
    mode: `0${f.mode.toString(8)}`,
    owner: f.owner ?? 'root',
    secret: f.secret,
    kind: f.kind ?? null,
    bytes: Buffer.byteLength(f.content),
    sha256: createHash('sha256').update(f.content).digest('hex'),
  };
}

function humanSummary(dir: string, files: RenderedFile[], tops: string[]): string {
  const lines = tops.map((h) => {
    const fs = files.filter((f) => f.host === h);
    const secret = fs.filter((f) => f.secret).length;
    return `  ${h === CLUSTER ? `${h} (cluster-wide)` : h}: ${fs.length} file(s)${secret ? `, ${secret} secret (mode 0600, git-ignored)` : ''}`;
  });
  return [`wrote ${files.length} file(s) to ${dir}`, ...lines].join('\n');
}

function warn(ctx: Ctx, ws: Diagnostic[]) {
  for (const w of ws) ctx.out.warn(formatDiagnostic(w));
}
