// Human output: grouped by file, ordered by line, each finding with its why and fix.
import { Chalk } from 'chalk';
import type { Finding, Severity } from './types.js';
import { SEVERITY_RANK } from './rule.js';

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.rule.localeCompare(b.rule),
  );
}

export function formatFindings(findings: Finding[], color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const paint: Record<Severity, (s: string) => string> = { error: c.red.bold, warning: c.yellow, info: c.cyan };
  const lines: string[] = [];
  let file: string | undefined;
  for (const f of sortFindings(findings)) {
    if (f.file !== file) {
      if (file !== undefined) lines.push('');
      lines.push(c.bold.underline(f.file));
      file = f.file;
    }
    lines.push(
      `  ${c.dim(`${f.file}:${f.line}`)}  ${paint[f.severity](f.severity.padEnd(7))} ${f.message}  ${c.dim(`[${f.rule}]`)}`,
    );
    if (f.why) lines.push(`      ${c.dim('why:')} ${f.why}`);
    if (f.fix) lines.push(`      ${c.dim('fix:')} ${f.fix}`);
  }
  const n = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const files = new Set(findings.map((f) => f.file)).size;
  if (findings.length) lines.push('');
  lines.push(
    findings.length
      ? `${paint.error(`${n('error')} error(s)`)}, ${paint.warning(`${n('warning')} warning(s)`)}, ${paint.info(`${n('info')} info`)} in ${files} file(s)`
      : c.green('no findings'),
  );
  return lines.join('\n');
}
