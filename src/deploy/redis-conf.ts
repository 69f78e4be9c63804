// After a failover Redis rewrites falkordb.conf itself (CONFIG REWRITE, sent by Sentinel): it reorders
// save lines, writes sizes as "256mb", appends the included passwords, moves replicaof. Byte equality
// with the render is then lost for good, so compare what the files *mean*.

/**
 * Directives CONFIG REWRITE adds on its own: the include file's passwords, users, aclfile and masteruser, and Redis 8's
 * latency-tracking-info-percentiles, which it writes even at its default.
 */
const IGNORED = new Set([
  'requirepass',
  'masterauth',
  'user',
  'latency-tracking-info-percentiles',
  // ACL mode: included from secrets.conf, written back into falkordb.conf by CONFIG REWRITE
  'aclfile',
  'masteruser',
]);

const SIZE = /^(\d+)(k|kb|m|mb|g|gb)$/i;
const MULT: Record<string, number> = { k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };

function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

function norm(v: string): string {
  const m = SIZE.exec(v);
  if (m) return String(Number(m[1]) * (MULT[m[2]!.toLowerCase()] ?? 1));
  return /^(yes|no)$/i.test(v) ? v.toLowerCase() : v;
}

export interface ConfMeaning {
  /** Sorted "key value…" entries, without the ignored directives and replicaof. */
  settings: string[];
  /** "host port", or undefined for a master. */
  replicaof?: string;
}

export function confMeaning(text: string): ConfMeaning {
  const settings: string[] = [];
  const save: string[] = [];
  let replicaof: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [k0, ...rest] = tokens(line);
    const key = (k0 ?? '').toLowerCase() === 'slaveof' ? 'replicaof' : (k0 ?? '').toLowerCase();
    const vals = rest.map(norm);
    if (IGNORED.has(key)) continue;
    if (key === 'replicaof') replicaof = vals.join(' ');
    else if (key === 'save') save.push(...vals.filter((v) => v !== ''));
    else settings.push([key, ...vals].join(' '));
  }
  if (save.length) settings.push(`save ${save.join(' ')}`);
  return { settings: settings.sort(), replicaof };
}

/** Same settings and the same master to follow (the differences are only how Redis writes them). */
export function sameMeaning(rendered: string, live: string): boolean {
  const a = confMeaning(rendered);
  const b = confMeaning(live);
  return (
    a.replicaof === b.replicaof &&
    a.settings.length === b.settings.length &&
    a.settings.every((s, i) => s === b.settings[i])
  );
}
