// The Grafana dashboard: every panel's expression names only metrics the exporter really exports (the list
// measured on the lab's exporter) and PromQL that promtool parses; the JSON is what Grafana imports.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../../src/render/index.js';
import { DASHBOARD_PATH, dashboardPanels } from '../../../src/templates/grafana.js';
import { findTool } from '../../helpers/bins.js';
import { SECRETS, smallInventory } from '../render/fixture.js';

const EXPORTED = new Set(
  readFileSync(new URL('../../fixtures/monitoring/redis-exporter-1.45-metrics.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#')),
);
const KEYWORDS = new Set(['by', 'on', 'and', 'or', 'unless', 'without', 'ignoring', 'group_left', 'group_right']);

/** The metric names in a PromQL expression: label matchers, ranges, groupings and functions removed. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)]
    .filter((m) => !m[2] && !KEYWORDS.has(m[1]!))
    .map((m) => m[1]!);
}

/** Lines the lab's exporter served after GRAPH.QUERY traffic (the failover test's writer), verbatim. */
const MEASURED = [
  'redis_commands_duration_seconds_total{cmd="graph.QUERY"} 0.375165',
  'redis_commands_total{cmd="graph.QUERY"} 1713',
  'redis_latency_percentiles_usec{cmd="graph.QUERY",quantile="99"} 2260.991',
];

describe('Grafana dashboard', () => {
  it('graph command panels use the label values the exporter really serves (cmd="graph.QUERY")', () => {
    const exprs = dashboardPanels().flatMap((p) => p.targets.map((t) => t.expr));
    for (const line of MEASURED) {
      const name = line.split('{')[0]!;
      const cmd = /cmd="([^"]+)"/.exec(line)![1]!;
      const matchers = exprs.flatMap((e) =>
        [...e.matchAll(new RegExp(`${name}\\{[^}]*cmd(=~?)"([^"]+)"`, 'g'))].map((m) => ({ op: m[1], v: m[2]! })),
      );
      expect(matchers.length, name).toBeGreaterThan(0);
      // PromQL unescapes the string literal ("\\." is the regex \.), and anchors a regex match
      const hit = matchers.some((m) =>
        m.op === '=' ? m.v === cmd : new RegExp(`^(?:${m.v.replace(/\\\\/g, '\\')})$`).test(cmd),
      );
      expect(hit, `${name}: no matcher selects cmd="${cmd}" (${JSON.stringify(matchers)})`).toBe(true);
    }
  });

  const panels = dashboardPanels();

  it('covers memory, ops/s, replication offsets and lag, connected replicas and graph query latency', () => {
    const titles = panels.map((p) => p.title).join(' | ');
    for (const want of [
      'Memory',
      'Commands per second',
      'Replication offsets',
      'Replication lag',
      'Connected replicas',
    ])
      expect(titles).toContain(want);
    expect(titles).toContain('Graph query latency');
  });

  it('every expression names only metrics redis_exporter exports (measured list)', () => {
    for (const p of panels)
      for (const t of p.targets) {
        const names = metricNames(t.expr);
        expect(names.length, t.expr).toBeGreaterThan(0);
        for (const n of names) expect(EXPORTED.has(n), `${p.title}: ${n} in ${t.expr}`).toBe(true);
      }
  });

  it('the extractor finds names and skips functions, labels and groupings', () => {
    expect(metricNames('rate(a_total{job="x"}[5m]) / on(instance) group_right() b_bytes and c')).toEqual([
      'a_total',
      'b_bytes',
      'c',
    ]);
    expect(metricNames('sum by (instance) (rate(x_total[1m]))')).toEqual(['x_total']);
  });

  it('render writes it as importable JSON with one query per target', () => {
    const f = renderAll(smallInventory(), SECRETS).find((x) => x.host === 'cluster' && x.path === DASHBOARD_PATH)!;
    const doc = JSON.parse(f.content) as { panels: { targets: { expr: string }[] }[]; uid: string };
    expect(doc.panels.length).toBe(panels.length);
    expect(doc.panels.flatMap((p) => p.targets.map((t) => t.expr))).toEqual(
      panels.flatMap((p) => p.targets.map((t) => t.expr)),
    );
    expect(doc.uid.length).toBeLessThanOrEqual(40);
  });

  const promtool = findTool('promtool');
  it.skipIf(!promtool)('promtool parses every expression (as recording rules)', () => {
    const rules = panels.flatMap((p, i) => p.targets.map((t, j) => ({ record: `dashboard:p${i}_${j}`, expr: t.expr })));
    const file = join(mkdtempSync(join(tmpdir(), 'falkorctl-grafana-')), 'exprs.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    expect(execFileSync(promtool!, ['check', 'rules', file], { encoding: 'utf8' })).toMatch(/SUCCESS/);
  });
});
