import type { Finding, Rule, Severity } from './types.js';

export const rule = (id: string, severity: Severity, why: string, fix: string): Rule => ({ id, severity, why, fix });

export function report(r: Rule, file: string, line: number, message: string, severity: Severity = r.severity): Finding {
  return { file, line, rule: r.id, severity, message, why: r.why, fix: r.fix };
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** `${VAR}`, `$VAR` and `$(cmd)`: shell syntax that Redis, Sentinel and unquoted HAProxy take literally. */
export const PLACEHOLDER = /\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*/;
