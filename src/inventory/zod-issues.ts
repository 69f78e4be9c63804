// Turns zod's issues into findings an operator can act on: one per problem, each with the exact key
// path (an unknown key's own path, not its parent's) and a message in plain words.
import { z, type ZodIssue, type ZodTypeAny } from 'zod';
import { echo } from './fields.js';
import type { KeyPath } from './locate.js';

export interface SchemaFinding {
  path: KeyPath;
  message: string;
  /** Point at the key itself rather than its value (unknown keys). */
  atKey?: boolean;
}

export function schemaFindings(issues: readonly ZodIssue[], root: ZodTypeAny, data: unknown): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeys(schemaAt(root, issue.path));
      for (const key of issue.keys)
        out.push({ path: [...issue.path, key], atKey: true, message: unknownKey(key, known) });
    } else if (issue.code === 'invalid_union' && objectBranch(issue)) {
      // A union of mappings (storage: LVM or plain device): report the branch the keys point to, at its
      // own paths, rather than "invalid input" at the parent.
      out.push(...schemaFindings(objectBranch(issue) ?? [], root, data));
    } else if (issue.code === 'invalid_union') {
      out.push({ path: issue.path, message: unionMessage(issue, valueAt(data, issue.path)) });
    } else {
      out.push({ path: issue.path, message: plain(issue, valueAt(data, issue.path)) });
    }
  }
  return out;
}

/** The issues of the union branch with the fewest unknown keys, when every branch is an object. */
function objectBranch(issue: Extract<ZodIssue, { code: 'invalid_union' }>): ZodIssue[] | undefined {
  const branches = issue.unionErrors.map((e) => e.issues);
  const isObjectBranch = (b: ZodIssue[]) =>
    b.length > 0 && b.every((i) => i.path.length > issue.path.length || i.code === 'unrecognized_keys');
  if (!branches.every(isObjectBranch)) return undefined;
  const unknown = (b: ZodIssue[]) =>
    b.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 0) * 100, 0) + b.length;
  return [...branches].sort((a, b) => unknown(a) - unknown(b))[0];
}

function plain(issue: ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return 'required key is missing';
      return `expected ${article(issue.expected)}, got ${describe(value)}`;
    case 'invalid_enum_value':
      return `must be one of ${issue.options.map(String).join(', ')} (got ${describe(value)})`;
    case 'invalid_literal':
      return `must be ${JSON.stringify(issue.expected)} (got ${describe(value)})`;
    case 'too_small':
      if (issue.type === 'array') return `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.type === 'string')
        return Number(issue.minimum) === 1 ? 'must not be empty' : `needs at least ${issue.minimum} characters`;
      if (issue.type === 'number')
        return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum} (got ${describe(value)})`;
      return issue.message;
    case 'too_big':
      if (issue.type === 'number')
        return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum} (got ${describe(value)})`;
      return issue.message;
    default:
      return issue.message;
  }
}

/** A union ("512mb" or 0.75) failed: report the branch that matched the value's type, not "Invalid input". */
function unionMessage(issue: Extract<ZodIssue, { code: 'invalid_union' }>, value: unknown): string {
  const flatten = (i: ZodIssue): ZodIssue[] =>
    i.code === 'invalid_union' ? i.unionErrors.flatMap((e) => e.issues.flatMap(flatten)) : [i];
  const inner = flatten(issue);
  const relevant = inner.filter((i) => i.code !== 'invalid_type');
  if (relevant.length > 0) return [...new Set(relevant.map((i) => plain(i, value)))].join('; or ');
  const expected = [...new Set(inner.map((i) => (i.code === 'invalid_type' ? i.expected : '?')))];
  return `expected ${expected.map(article).join(' or ')}, got ${describe(value)}`;
}

function unknownKey(key: string, known: string[]): string {
  // a key longer than any known one by far is no typo (and the distance is O(n × m))
  const near = known.filter(
    (k) => key.length <= 64 && distance(k.toLowerCase(), key.toLowerCase()) <= Math.max(1, Math.floor(k.length / 4)),
  );
  if (near.length > 0) return `unknown key (did you mean ${near.map((k) => `"${k}"`).join(' or ')}?)`;
  return known.length > 0 ? `unknown key (allowed here: ${known.join(', ')})` : 'unknown key';
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${echo(v, 40)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let v = data;
  for (const seg of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

/** The sub-schema at a data path, seen through optional/default/effects wrappers. */
export function schemaAt(root: ZodTypeAny, path: KeyPath): ZodTypeAny | undefined {
  let s: ZodTypeAny | undefined = unwrap(root);
  for (const seg of path) {
    if (!s) return undefined;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, ZodTypeAny>)[String(seg)];
    else if (s instanceof z.ZodArray) s = s.element as ZodTypeAny;
    else if (s instanceof z.ZodTuple && typeof seg === 'number') s = (s.items as ZodTypeAny[])[seg];
    else if (s instanceof z.ZodUnion) {
      const options = (s.options as ZodTypeAny[]).map(unwrap);
      const owner = options.find((o) => o instanceof z.ZodObject && String(seg) in (o.shape as object));
      s = owner instanceof z.ZodObject ? (owner.shape as Record<string, ZodTypeAny>)[String(seg)] : undefined;
    } else return undefined;
    s = s && unwrap(s);
  }
  return s;
}

export function unwrap(s: ZodTypeAny): ZodTypeAny {
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as ZodTypeAny;
    else if (s instanceof z.ZodDefault) s = s.removeDefault() as ZodTypeAny;
    else if (s instanceof z.ZodEffects) s = s.innerType() as ZodTypeAny;
    else return s;
  }
}

const objectKeys = (s: ZodTypeAny | undefined): string[] =>
  s instanceof z.ZodObject ? Object.keys(s.shape as object) : [];

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * An empty section ("redis:" with every line commented out) is null in YAML; where the key is optional
 * or has a default, treat it as absent so it means "all defaults" rather than "expected an object".
 */
export function dropEmptySections(data: unknown, schema: ZodTypeAny): unknown {
  const s = unwrap(schema);
  if (!(s instanceof z.ZodObject) || data === null || typeof data !== 'object' || Array.isArray(data)) {
    if (s instanceof z.ZodArray && Array.isArray(data))
      return data.map((x) => dropEmptySections(x, s.element as ZodTypeAny));
    return data;
  }
  const shape = s.shape as Record<string, ZodTypeAny>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const field = shape[k];
    if (v === null && field?.isOptional()) continue;
    out[k] = field ? dropEmptySections(v, field) : v;
  }
  return out;
}
