// `falkorctl render [-o DIR] [--host NAME…] [--diff]`: inventory → secrets → files → lint → DIR.
// Exit: 0 written (or, with --diff, nothing would change); 1 lint errors (nothing written), an
// unwritable DIR, or (with --diff) changes found or lint errors; 2 bad inventory, secrets or flags.
import { secretValues as secretValuesOf } from '../inventory/secrets.js';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Handler } from '../context.js';
import { EXIT } from '../errors.js';
import { openInventory, secretsFor } from '../inventory/open.js';
import { formatFindings } from '../lint/index.js';
import { applyRendered } from '../render/apply.js';
import { CLUSTER, outputPath, renderAll, type RenderedFile } from '../render/index.js';

export const run: Handler = async ({ opts }, ctx) => {
  const outDir = resolve(ctx.cwd, typeof opts.output === 'string' ? opts.output : 'rendered');
  const hosts = Array.isArray(opts.host)
    ? (opts.host as string[]).flatMap((h) => h.split(',')).filter(Boolean)
    : undefined;
  const loaded = await openInventory(ctx);
  const secrets = await secretsFor(ctx, loaded);
  const files = renderAll(loaded.inventory, secrets, { hosts });
  const secretValues = secretValuesOf(secrets);

  const r = await applyRendered(files, outDir, secretValues, { diff: Boolean(opts.diff) });
  // info findings are advice about deliberate defaults: shown with --verbose only
  const shown = ctx.opts.verbose ? r.findings : r.findings.filter((f) => f.severity !== 'info');
  if (shown.length && !ctx.opts.json) ctx.out.info(formatFindings(shown, ctx.out.color.level > 0));
  const hidden = r.findings.length - shown.length;
  if (hidden > 0) ctx.out.info(`lint: ${hidden} info finding(s) not shown (--verbose shows them)`);
  if (opts.diff) {
    const changed = (r.changes?.length ?? 0) > 0;
    ctx.out.result(
      { dir: outDir, changed, changes: r.changes, diff: r.diffText ?? '', findings: r.findings },
      () => r.diffText || `no changes in ${outDir}`,
    );
    return changed || r.errors > 0 ? EXIT.FAILED : EXIT.OK;
  }
  if (!r.written) {
    ctx.out.error(`lint found ${r.errors} error(s) in the rendered files; nothing was written to ${outDir}`);
    if (ctx.opts.json) ctx.out.result({ dir: outDir, written: false, findings: r.findings });
    return EXIT.FAILED;
  }
  if (!hosts?.length) {
    // render owns only DIR/<host>/ of current hosts; a removed host's directory stays until deleted by hand
    const current = new Set(files.map((f) => f.host));
    const stale = (await readdir(outDir, { withFileTypes: true })).filter(
      (e) => e.isDirectory() && !e.name.startsWith('.') && !current.has(e.name),
    );
    for (const e of stale) ctx.out.warn(`${join(outDir, e.name)}: not a host of this inventory; left as it is`);
  }
  ctx.out.result({ dir: outDir, written: true, files: files.map(summary), findings: r.findings }, () =>
    humanSummary(outDir, files),
  );
  return EXIT.OK;
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

function humanSummary(dir: string, files: RenderedFile[]): string {
  const hosts = [...new Set(files.map((f) => f.host))];
  const lines = hosts.map((h) => {
    const fs = files.filter((f) => f.host === h);
    const secret = fs.filter((f) => f.secret).length;
    return `  ${h === CLUSTER ? `${h} (cluster-wide)` : h}: ${fs.length} file(s)${secret ? `, ${secret} secret (mode 0600, git-ignored)` : ''}`;
  });
  return [`wrote ${files.length} file(s) to ${dir}`, ...lines].join('\n');
}
