import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintText } from '../../../src/lint/index.js';
import type { FileKind, Finding, Reader } from '../../../src/lint/types.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
export const SEED = path.join(FIXTURES, 'seed');
export const GOOD = path.join(FIXTURES, 'lint/good');

/** Lint text as if it were `file`, with sibling files served from `files` (no disk access). */
export function lint(
  kind: FileKind,
  text: string,
  files: Record<string, string> = {},
  file = `/etc/falkordb/test.${kind === 'haproxy' ? 'cfg' : /compose|kubernetes|prometheus/.test(kind) ? 'yaml' : 'conf'}`,
): Finding[] {
  const read: Reader = (p) => files[path.basename(p)];
  return lintText(file, text, kind, read);
}

export const rules = (fs: Finding[]): string[] => fs.map((f) => f.rule);
export const withRule = (fs: Finding[], rule: string): Finding[] => fs.filter((f) => f.rule === rule);

/** The config lines as one text (tests read better with one directive per array entry). */
export const conf = (...lines: string[]): string => `${lines.join('\n')}\n`;
