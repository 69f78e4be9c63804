import type { Finding, Rule, Severity } from './types.js';

export const rule = (id: string, severity: Severity, why: string, fix: string): Rule => ({ id, severity, why, fix });

export function report(r: Rule, file: string, line: number, message: string, severity: Severity = r.severity): Finding {
  return { file, line, rule: r.id, severity, message, why: r.why, fix: r.fix };
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Messages may name a placeholder ("${REDIS_PASSWORD}") but never a real secret value. */
export const secretShown = (v: string | undefined): string => (v !== undefined && placeholderIn([v]) ? ` (${v})` : '');

/**
 * Shell syntax that Redis and Sentinel take literally: `${VAR}` or `$(cmd` anywhere, or an argument that is
 * just `$NAME`. A `$` inside a real password ("pa$sword") is not a placeholder.
 */
export function placeholderIn(args: readonly string[], expandedBy?: 'compose' | 'kubernetes'): string | undefined {
  if (expandedBy === 'compose') return undefined; // compose substitutes these before the container starts
  for (const a of args) {
    const m = /\$\{[^}]*\}?/.exec(a) ?? (expandedBy ? null : /\$\([^)]*\)?/.exec(a)) ?? /^\$[A-Z_][A-Z0-9_]*$/.exec(a);
    if (m) return m[0];
  }
  return undefined;
}
