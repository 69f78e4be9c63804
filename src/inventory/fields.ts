// The inventory's field types, each bounded at its root (issue 14): every string has a length cap and no
// control, zero-width or bidi characters; every number is an integer in the range its server accepts; sizes
// parse in linear time; addresses are IP addresses or DNS names. One check per field and one message per
// problem: a too-long value is reported as too long, not also as "not matching" (the checks stop early).
import { isIP } from 'node:net';
import { z } from 'zod';

/** Keys and names that would reach Object.prototype through a plain-object lookup. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const INT32_MAX = 2_147_483_647;

/**
 * More hosts than any Sentinel-managed replica set has (Sentinel gossips with every peer, and every replica
 * syncs from one master); refused before the schema runs, so a generated 100,000-host file fails at once.
 */
export const MAX_HOSTS = 1000;

/** The name render gives cluster-wide files (render/index.ts CLUSTER): no host may take it. */
export const CLUSTER_FILES = 'cluster';

/** C0/C1 controls, DEL, zero-width and bidi formatting characters: invisible, or they reorder what is shown. */
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** A value quoted in a message: capped, with its control characters escaped. */
export function echo(v: string, max = 60): string {
  const cut = v.length > max ? `${v.slice(0, max)}…` : v;
  const shown = JSON.stringify(cut).replace(new RegExp(HIDDEN.source, 'g'), (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `${shown}${v.length > max ? ` (${v.length} characters)` : ''}`;
}

function hiddenChar(s: string): string | undefined {
  const m = HIDDEN.exec(s);
  if (!m) return undefined;
  const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `contains the invisible or control character U+${code} at position ${m.index + 1}`;
}

interface Rule {
  re?: RegExp;
  /** What editors get as the JSON Schema pattern when `test` does the real check (default: `re`). */
  pattern?: RegExp;
  message?: string;
  /** A further check on a well-formed value: a message when it fails. */
  test?: (s: string) => string | undefined;
}

export interface FieldMeta {
  maxLength: number;
  pattern?: RegExp;
}

/**
 * What json-schema.ts shows editors for a checked string. Keyed by the refinement object, which zod shares
 * between a schema and its .describe() copies.
 */
export const fieldMeta = new WeakMap<object, FieldMeta>();

export const metaOf = (s: z.ZodTypeAny): FieldMeta | undefined =>
  s instanceof z.ZodEffects ? fieldMeta.get(s._def.effect as object) : undefined;

/** A string of at most `max` characters, without hidden characters, matching `rule` — checked in that order. */
export function checked(max: number, rule: Rule = {}) {
  const pattern = rule.pattern ?? rule.re;
  const schema = z.string().superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, message });
    if (s.length > max) return fail(`must be at most ${max} characters (got ${s.length})`);
    const hidden = hiddenChar(s);
    if (hidden) return fail(hidden);
    if (rule.re && !rule.re.test(s)) return fail(`${rule.message ?? `must match ${String(rule.re)}`} (got ${echo(s)})`);
    const bad = rule.test?.(s);
    if (bad) fail(bad);
  });
  fieldMeta.set(schema._def.effect, { maxLength: max, ...(pattern ? { pattern } : {}) });
  return schema;
}

export const text = (max: number) => checked(max);
export const matching = (max: number, re: RegExp, message: string) => checked(max, { re, message });

/** An integer in [min, max]: never 1e+308, never a fraction. */
export const int = (min: number, max: number) => z.number().int().min(min).max(max);
export const port = () => int(1, 65_535);
/** Milliseconds: Node's timers and HAProxy's both stop at 2^31-1 ms (24.8 days). */
export const millis = () => int(1, INT32_MAX);
/** A count or a value Redis parses as a C int. */
export const int32 = (min = 0) => int(min, INT32_MAX);
/** A value Redis parses as long long: capped where JavaScript still renders it digit for digit. */
export const int53 = (min = 0) => int(min, Number.MAX_SAFE_INTEGER);

const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** An IP address (no zone id) or an RFC 1123 DNS name whose last label is not all digits. */
export function addressProblem(s: string): string | undefined {
  if (s.includes('%')) return 'an IPv6 zone id (%...) is not supported';
  if (isIP(s)) return undefined;
  const labels = s.replace(/\.$/, '').split('.');
  if (s.length <= 253 && labels.every((l) => DNS_LABEL.test(l)) && !/^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  return `${echo(s)} is not an IP address or a DNS name (no port, scheme, spaces or shell characters)`;
}

export const address = () => checked(253, { test: addressProblem });
export const ipAddress = () =>
  checked(45, { test: (s) => (isIP(s) && !s.includes('%') ? undefined : `${echo(s)} is not an IP address`) });

/** A user name on the hosts (useradd's portable set). */
export const unixUser = () =>
  matching(32, /^[a-z_][a-z0-9_-]*\$?$/, 'must be a user name: lowercase letters, digits, _ and -');

export const dotSegments = (s: string): string | undefined =>
  s.split('/').some((seg) => seg === '.' || seg === '..') ? `${echo(s)}: "." and ".." are not allowed` : undefined;

/**
 * An absolute path on the hosts, in the character set render's safePath (templates/quote.ts) allows in unit
 * files, shell snippets and config lines: no spaces, quotes or shell characters, no "." or ".." segments.
 */
export function pathProblem(s: string): string | undefined {
  if (!/^(\/[A-Za-z0-9._+@-]+)+\/?$/.test(s) && s !== '/')
    return `${echo(s)} must be an absolute path of letters, digits and . _ + @ - (no spaces, quotes, ;, $)`;
  return dotSegments(s);
}
export const hostPath = () => checked(4096, { test: pathProblem });

/** Where a data volume may never be mounted: over the system, or inside a tree the system owns. */
const SYSTEM_TREES = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/run',
];
const SYSTEM_DIRS = ['/var', '/var/lib', '/tmp', '/home', '/root', '/opt', '/srv', '/mnt'];

export function mountProblem(s: string): string | undefined {
  const p = pathProblem(s);
  if (p) return p;
  const n = s.replace(/\/+$/, '');
  if (SYSTEM_DIRS.includes(n) || SYSTEM_TREES.some((t) => n === t || n.startsWith(`${t}/`)))
    return `${n} is a system directory: mounting a data volume there hides what the system needs`;
  return undefined;
}

/** Redis's size units (redis.conf header): 1k = 1000, 1kb = 1024; ki/mi/gi/ti are 1024-based too. */
const UNITS: Readonly<Record<string, number>> = Object.assign(Object.create(null) as Record<string, number>, {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
  t: 1000 ** 4,
  tb: 1024 ** 4,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
});

/**
 * Linear: no two adjacent repeats can match the same characters (the old `\s*\d+(\.\d+)?\s*(unit)?\s*$` could,
 * and "1" and 200,000 spaces took over 20 s). One optional space around the number and unit.
 */
export const SIZE = /^ ?(\d{1,16})(?:\.(\d{1,6}))? ?(b|k|kb|m|mb|g|gb|t|tb|ki|kib|mi|mib|gi|gib|ti|tib)? ?$/i;
export const MAX_BYTES = 1024 ** 5;

/** A size string → bytes, or undefined when it is not one. */
export function sizeBytes(s: string): number | undefined {
  const m = SIZE.exec(s);
  if (!m) return undefined;
  const mult = UNITS[(m[3] ?? '').toLowerCase()];
  if (mult === undefined) return undefined;
  return Math.round(Number(`${m[1]}.${m[2] ?? '0'}`) * mult);
}

/** "48gb", "512mb", "1073741824", 1073741824 → bytes, 1 byte to 1 PiB. */
export const byteSize = z.union([
  int(1, MAX_BYTES),
  checked(32, {
    pattern: SIZE,
    test: (s) => {
      const b = sizeBytes(s);
      if (b === undefined) return `must be a size like 512mb or 48gb (got ${echo(s)})`;
      if (b === 0) return '0 means "no limit" to Redis: give a size above 0';
      if (b < 1 || b > MAX_BYTES) return `must be between 1 byte and 1 PiB (got ${echo(s)})`;
      return undefined;
    },
  }),
]);

/** An address or network as nftables takes it, parsed: family, the network's bits and the prefix length. */
export interface Cidr {
  family: 4 | 6;
  /** The network address (host bits zero) as a number of 32 or 128 bits. */
  bits: bigint;
  prefix: number;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IP address → its bits; undefined when it is not one (net.isIP decides, so zero ids etc. are refused). */
export function ipBits(s: string): { family: 4 | 6; bits: bigint } | undefined {
  const fam = isIP(s);
  if (fam === 4) {
    const m = V4.exec(s);
    if (!m) return undefined;
    return { family: 4, bits: m.slice(1).reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n) };
  }
  if (fam !== 6 || s.includes('%')) return undefined;
  let text = s.toLowerCase();
  // an IPv4 tail (::ffff:10.0.0.1) → two hex groups
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v = ipBits(tail[1]!)!.bits;
    text = `${text.slice(0, tail.index)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  return { family: 6, bits: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** "10.0.0.0/8", "10.0.0.5" (one address), "2001:db8::/32" → parsed; a message when it is not a network. */
export function parseCidr(s: string): Cidr | string {
  const [addr, len, extra] = s.split('/');
  const ip = addr === undefined ? undefined : ipBits(addr);
  if (!ip || extra !== undefined)
    return `${echo(s)} is not an address or network (10.0.0.0/8, 192.0.2.7, 2001:db8::/32)`;
  const width = ip.family === 4 ? 32 : 128;
  let prefix = width;
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len) || Number(len) > width)
      return `${echo(s)}: the prefix length must be 0-${width} for an IPv${ip.family} network`;
    prefix = Number(len);
  }
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((ip.bits & hostMask) !== 0n) {
    const net = formatIp({ family: ip.family, bits: ip.bits & ~hostMask });
    return `${echo(s)} has host bits set: the network is ${net}/${prefix} (or give the address alone for one host)`;
  }
  return { family: ip.family, bits: ip.bits, prefix };
}

/** Bits → the address as nftables prints it: dotted quad, or RFC 5952 IPv6 (longest zero run as ::). */
export function formatIp(a: { family: 4 | 6; bits: bigint }): string {
  if (a.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.bits >> s) & 0xffn)).join('.');
  const g = Array.from({ length: 8 }, (_, i) => Number((a.bits >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  // inet_ntop (what nft prints with) writes an embedded IPv4 tail for ::a.b.c.d and ::ffff:a.b.c.d
  if (best.at === 0 && (best.len === 6 || (best.len === 5 && g[5] === 0xffff)))
    return `::${best.len === 5 ? 'ffff:' : ''}${formatIp({ family: 4, bits: a.bits & 0xffffffffn })}`;
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

export const cidr = () =>
  checked(49, {
    test: (s) => {
      const c = parseCidr(s);
      return typeof c === 'string' ? c : undefined;
    },
  });
