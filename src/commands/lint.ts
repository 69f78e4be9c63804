// falkorctl lint FILE...: review configs and print findings. Exit 1 when an error or warning is shown,
// 0 when only info (or nothing) is; unreadable files and unknown kinds are usage errors (exit 2).
import type { Handler } from '../context.js';
import { EXIT, userError } from '../errors.js';
import { formatFindings, lintFiles, type FileKind, type Severity } from '../lint/index.js';
import { SEVERITY_RANK } from '../lint/rule.js';

export const run: Handler = async ({ operands, opts }, ctx) => {
  if (operands.length === 0) throw userError('no files to lint', 'falkorctl lint FILE...');
  const kind = opts.kind as FileKind | undefined;
  const min = (opts.minSeverity as Severity | undefined) ?? 'info';
  const shown = (await lintFiles(operands, kind, { cwd: ctx.cwd })).filter(
    (f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min],
  );
  ctx.out.result(shown, () => formatFindings(shown, ctx.opts.color));
  return shown.some((f) => f.severity !== 'info') ? EXIT.FAILED : EXIT.OK;
};
