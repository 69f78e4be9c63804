// A rule case: `bad` must produce the rule (at `line`, with `severity` when given), `good` must not.
import type { FileKind, Severity } from '../../../src/lint/types.js';

export interface Case {
  rule: string;
  kind: FileKind;
  name: string;
  bad: string;
  good: string;
  line?: number;
  severity?: Severity;
  /** Sibling files by basename (includes, mounted configs, scripts). */
  files?: Record<string, string>;
  file?: string;
  /** Text the message must contain. */
  message?: string;
}

/** Replace directives by name (null removes them) and append `extra` lines. */
export function edit(base: string[], changes: Record<string, string | null> = {}, ...extra: string[]): string {
  const out: string[] = [];
  const done = new Set<string>();
  for (const l of base) {
    const name = l.split(/\s+/)[0]!.toLowerCase();
    if (name in changes) {
      if (!done.has(name) && changes[name] !== null) out.push(`${name} ${changes[name]}`);
      done.add(name);
    } else out.push(l);
  }
  for (const [k, v] of Object.entries(changes)) if (!done.has(k) && v !== null) out.push(`${k} ${v}`);
  return `${[...out, ...extra].join('\n')}\n`;
}

/** 1-based line of the first line starting with `prefix`. */
export const lineOf = (text: string, prefix: string): number =>
  text.split('\n').findIndex((l) => l.trimStart().startsWith(prefix)) + 1;
