import { expect } from 'vitest';
import { check } from './helpers.js';

/** Exactly one finding at `path`, with this severity, line and message. */
export function expectFinding(
  text: string,
  path: string,
  severity: 'error' | 'warning',
  line: number,
  message: RegExp,
): void {
  const r = check(text);
  const all = [...r.errors, ...r.warnings];
  const hits = all.filter((d) => d.path === path && message.test(d.message));
  expect(
    hits,
    `findings were:\n${all.map((d) => `${d.line} ${d.severity} ${d.path}: ${d.message}`).join('\n')}`,
  ).toHaveLength(1);
  expect(hits[0]).toMatchObject({ severity, line, file: 'inv.yaml' });
  if (severity === 'error') expect(r.inventory).toBeUndefined();
}

/** Valid, and no warnings either. */
export function expectClean(text: string): void {
  const r = check(text);
  expect([...r.errors, ...r.warnings].map((d) => `${d.line} ${d.path}: ${d.message}`)).toEqual([]);
  expect(r.inventory).toBeDefined();
}
