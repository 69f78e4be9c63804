// The checklist as files for other tools: JUnit XML for CI (the shape Jenkins' and GitLab's JUnit readers take:
// one <testsuite> per seed list, a <testcase> per check, <failure>/<skipped> children, a warning kept as a pass
// with its text in <system-out>), and Markdown for a runbook or a go-live record.
import type { CheckResult, Phase } from './types.js';
import { ITEMS } from './types.js';

export const HEADINGS: Record<Phase, string> = {
  pre: 'Pre-Deployment Checklist',
  deploy: 'Deployment Steps',
  post: 'Post-Deployment Checklist',
};
const PHASES: Phase[] = ['pre', 'deploy', 'post'];

// XML 1.0 allows neither these control characters nor lone surrogates, escaped or not: drop them.
const NOT_XML = new RegExp(
  [
    '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]',
    '[\\ud800-\\udbff](?![\\udc00-\\udfff])',
    '(?<![\\ud800-\\udbff])[\\udc00-\\udfff]',
  ].join('|'),
  'g',
);
export const xml = (s: string) =>
  s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** found / expected / reason / evidence as one line of text. */
export function detail(r: CheckResult): string {
  return [
    r.found !== undefined ? `found ${r.found}` : '',
    r.expected !== undefined ? `expected ${r.expected}` : '',
    r.reason ?? '',
    r.evidence ? `(${r.evidence})` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export function junit(cluster: string, rs: readonly CheckResult[], at: Date): string {
  const count = (xs: readonly CheckResult[], o: CheckResult['outcome']) => xs.filter((r) => r.outcome === o).length;
  const suites = PHASES.map((p) => ({ p, xs: rs.filter((r) => r.phase === p) })).filter((s) => s.xs.length);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(`falkorctl checklist ${cluster}`)}" tests="${rs.length}" failures="${count(rs, 'fail')}" errors="0" skipped="${count(rs, 'skip')}">`,
  ];
  for (const { p, xs } of suites) {
    out.push(
      `  <testsuite name="${xml(HEADINGS[p])}" tests="${xs.length}" failures="${count(xs, 'fail')}" errors="0" skipped="${count(xs, 'skip')}" timestamp="${at.toISOString().slice(0, 19)}">`,
    );
    for (const r of xs) {
      const head = `    <testcase classname="${xml(r.item)}" name="${xml(`${r.title} [${r.id}]`)}" time="0"`;
      const text = xml(detail(r));
      if (r.outcome === 'fail')
        out.push(`${head}>`, `      <failure message="${text}" type="fail">${text}</failure>`, '    </testcase>');
      else if (r.outcome === 'skip')
        out.push(`${head}>`, `      <skipped message="${xml(r.reason ?? 'skipped')}"/>`, '    </testcase>');
      else if (r.outcome === 'warn')
        out.push(`${head}>`, `      <system-out>WARN: ${text}</system-out>`, '    </testcase>');
      else out.push(`${head}/>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

const MARK = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '⏭️ skip' } as const;
// a table cell: no pipe or newline may break the row
const cell = (s: string | undefined) => (s ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function markdown(cluster: string, rs: readonly CheckResult[], at: Date): string {
  const c = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of rs) c[r.outcome]++;
  const out = [
    `# Checklist: cluster ${cell(cluster)}`,
    '',
    `Checked ${at.toISOString()} by falkorctl: ${c.pass} passed, ${c.warn} warnings, ${c.fail} failed, ${c.skip} skipped.`,
  ];
  const order = Object.values(ITEMS) as string[];
  for (const p of PHASES) {
    const mine = rs.filter((r) => r.phase === p);
    if (!mine.length) continue;
    out.push(
      '',
      `## ${HEADINGS[p]}`,
      '',
      '| Result | Item | Check | Found | Expected | Evidence / reason |',
      '|---|---|---|---|---|---|',
    );
    const items = [...new Set(mine.map((r) => r.item))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    for (const item of items)
      for (const r of mine.filter((x) => x.item === item))
        out.push(
          `| ${MARK[r.outcome]} | ${cell(item)} | ${cell(r.title)} | ${cell(r.found)} | ${cell(r.expected)} | ${cell([r.reason, r.evidence && `\`${r.evidence.replace(/`/g, "'")}\``].filter(Boolean).join(' '))} |`,
        );
  }
  out.push('');
  return out.join('\n');
}
