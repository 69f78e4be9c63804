// The rendered Prometheus alert rules (kind "prometheus") pass `promtool check rules`, the check
// Prometheus itself would apply on load. No processes beyond promtool.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPromRules, tempDir, useCleanup } from '../../helpers/index.js';
import { layout } from './fixture.js';

useCleanup();

describe('rendered alert rules', () => {
  it('are rendered and pass promtool check rules', async () => {
    const l = await layout({ first: 50, ports: [16420, 16421], label: 'render-rules' });
    const rules = l.files.filter((f) => f.kind === 'prometheus');
    expect(
      rules.map((f) => `${f.host}:${f.path}`),
      'render produced no alert rules (RenderedFile.kind "prometheus")',
    ).not.toEqual([]);
    for (const f of rules) {
      const r = await checkPromRules(l.onHost(f.host, f.path));
      expect(r.ok, `${f.path}:\n${r.output}`).toBe(true);
      expect(r.output).toMatch(/SUCCESS: [1-9]\d* rules found/);
    }
  });
});

describe('promtool as a checker', () => {
  it('accepts a valid rule and rejects a broken expression (negative control)', async () => {
    const dir = tempDir('render-rules-control');
    const rule = (expr: string) =>
      `groups:\n  - name: control\n    rules:\n      - alert: Control\n        expr: ${expr}\n        for: 1m\n`;
    writeFileSync(join(dir, 'good.yml'), rule('redis_up == 0'));
    writeFileSync(join(dir, 'bad.yml'), rule('redis_up == == 0'));
    const good = await checkPromRules(join(dir, 'good.yml'));
    const bad = await checkPromRules(join(dir, 'bad.yml'));
    expect(good.ok, good.output).toBe(true);
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/parse error/);
  });
});
