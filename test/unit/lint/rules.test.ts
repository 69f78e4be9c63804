// Each rule fires on bad input and stays silent on good input; every rule in the catalog has a case.
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../../src/lint/catalog.js';
import type { Case } from './cases.js';
import { lint } from './helpers.js';
import { REDIS } from './redis.cases.js';
import { SENTINEL } from './sentinel.cases.js';
import { HAPROXY } from './haproxy.cases.js';
import { COMPOSE } from './compose.cases.js';
import { KUBERNETES } from './kubernetes.cases.js';
import { PROMETHEUS } from './prometheus.cases.js';
import { CROSS } from './cross.cases.js';
import { NFTABLES } from './nftables.cases.js';

const CASES: Case[] = [
  ...REDIS,
  ...SENTINEL,
  ...HAPROXY,
  ...COMPOSE,
  ...KUBERNETES,
  ...PROMETHEUS,
  ...NFTABLES,
  ...CROSS,
];

describe.each(CASES)('$rule: $name', (c) => {
  const run = (text: string) => lint(c.kind, text, c.files, c.file);
  it('fires on the bad input', () => {
    const hits = run(c.bad).filter((f) => f.rule === c.rule);
    const all = run(c.bad).map((f) => `${f.line} ${f.rule} ${f.message}`);
    expect(hits.length, all.join('\n')).toBeGreaterThan(0);
    const match = hits.filter(
      (f) =>
        (c.line === undefined || f.line === c.line) &&
        (c.severity === undefined || f.severity === c.severity) &&
        (c.message === undefined || f.message.includes(c.message)),
    );
    expect(match.length, hits.map((f) => `${f.line} ${f.severity} ${f.message}`).join('\n')).toBeGreaterThan(0);
  });
  it('is silent on the good input', () => {
    expect(run(c.good).filter((f) => f.rule === c.rule)).toEqual([]);
  });
});

describe('the rule catalog', () => {
  it('has unique ids, each prefixed by its file kind, each with why and fix', () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of ALL_RULES) {
      expect(r.id).toMatch(/^(redis|sentinel|haproxy|compose|kubernetes|prometheus|nftables|cross)\/[a-z0-9-]+$/);
      expect(r.why.length).toBeGreaterThan(20);
      expect(r.fix.length).toBeGreaterThan(5);
    }
  });
  it('every rule is exercised by at least one case', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(ALL_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
