import { readFileSync } from 'node:fs';
import { validateInventory, type Diagnostic } from '../../../src/inventory/index.js';

export const fixturePath = (name: string) => new URL(`../../fixtures/inventory/${name}`, import.meta.url).pathname;
export const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');

/** The valid base every semantic test starts from (no errors, no warnings). */
export const BASE = fixture('valid.yaml');

/** 1-based line of the first line containing `needle` (after `from`, if given): where a finding must point. */
export function lineOf(text: string, needle: string, from?: string): number {
  const lines = text.split('\n');
  const start = from === undefined ? 0 : lines.findIndex((l) => l.includes(from));
  const i = lines.findIndex((l, j) => j >= start && l.includes(needle));
  if (start < 0 || i < 0) throw new Error(`fixture has no line with ${needle}`);
  return i + 1;
}

export const check = (text: string) => validateInventory(text, 'inv.yaml');

/** "line path message" triples, compact enough for toContainEqual. */
export const brief = (ds: Diagnostic[]) => ds.map((d) => ({ line: d.line, path: d.path, message: d.message }));

/** The single finding at `path` (fails when there is none or several). */
export function only(ds: Diagnostic[], path: string): Diagnostic {
  const hits = ds.filter((d) => d.path === path);
  if (hits.length !== 1) throw new Error(`expected one finding at ${path}, got ${JSON.stringify(ds, null, 1)}`);
  return hits[0] as Diagnostic;
}

/** Append sections to the base inventory (top-level keys it does not have). */
export const withBase = (extra: string) => `${BASE}${extra.replace(/^\n/, '')}`;
