// What `backup prune` keeps: pure, from what the backup directories hold (manifests, their RDBs, RDBs without a
// manifest, restore markers) and the inventory's retention. Only verified backups (redis-check-rdb passed and the
// copy was loaded and matched its manifest) fill the retention slots, as in restic/borg: for each class the
// newest verified backup of each of the N most recent UTC hours / UTC days / ISO weeks that have one. So when
// backups stop, prune never empties the directory: old slots stay filled until newer backups take them.
//
// The rest, decided here and documented in the README:
// - the newest verified backup is always kept, whatever the counts (also all zero);
// - an unverified copy (a check failed, or it was never loaded) is kept while it is newer than the newest
//   verified backup (it may be the only copy of the latest data, and a failed one is evidence to look at), and
//   pruned once a verified backup is newer; with no verified backup at all, every unverified copy is kept;
// - a manifest whose RDB is gone is pruned (nothing to restore from it);
// - an RDB without a manifest may be a backup still being written (the manifest is written last): kept while
//   younger than the grace period (by its mtime), and always while a restore marker names it (an interrupted
//   restore needs its staged copy to be re-run); pruned after that;
// - a manifest that cannot be read is left alone and reported (prune does not guess what it is).
import type { Manifest } from './manifest.js';
import { isVerified } from './manifest.js';

export interface Retention {
  hourly: number;
  daily: number;
  weekly: number;
}

/** One manifest found in a backup directory, with its file's base name (the RDB is `<base>.rdb`). */
export interface FoundManifest {
  on: string;
  base: string;
  manifest: Manifest;
  rdbPresent: boolean;
}

/** An RDB in a backup directory without a manifest beside it. */
export interface FoundOrphan {
  on: string;
  base: string;
  mtimeMs: number;
}

export interface RetentionInput {
  manifests: readonly FoundManifest[];
  orphans: readonly FoundOrphan[];
  /** Ids named by `.restoring-<id>` markers, per host. */
  restoring: ReadonlyMap<string, ReadonlySet<string>>;
  retention: Retention;
  nowMs: number;
  orphanGraceMs: number;
}

export type Kind = 'backup' | 'orphan' | 'no-rdb';

export interface Decision {
  on: string;
  base: string;
  /** The backup id (a manifest's), or the base name of an orphan RDB. */
  id: string;
  kind: Kind;
  /** ISO time: the manifest's createdAt, or an orphan's mtime. */
  at: string;
  verified: boolean;
  keep: boolean;
  /** Why, one short phrase each ("hourly 2026-12-07T09", "newest verified", "unverified, older than …"). */
  why: string[];
  /** What `rm` removes when pruned: the base names with their extensions. */
  files: string[];
}

export interface RetentionPlan {
  decisions: Decision[];
  keep: Decision[];
  prune: Decision[];
  notes: string[];
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The UTC hour: "2026-12-07T09". */
export const hourKey = (ms: number): string => new Date(ms).toISOString().slice(0, 13);

/** The UTC day: "2026-12-07". */
export const dayKey = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The ISO 8601 week of the UTC date: "2026-W50". Weeks start on Monday; week 1 holds the year's first Thursday,
 * so 2027-01-01 (a Friday) is in 2026-W53 and 2024-12-30 (a Monday) is in 2025-W01.
 */
export function isoWeekKey(ms: number): string {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // the Thursday of this week decides the year
  const thu = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thu).getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.floor((thu - jan1) / 86_400_000 / 7) + 1;
  return `${year}-W${pad(week)}`;
}

const CLASSES: [keyof Retention, (ms: number) => string][] = [
  ['hourly', hourKey],
  ['daily', dayKey],
  ['weekly', isoWeekKey],
];

/** Newest first; equal times by host then id, so the plan is the same on every run. */
const newestFirst = (a: Decision, b: Decision) =>
  b.at.localeCompare(a.at) || a.on.localeCompare(b.on) || a.id.localeCompare(b.id);

export function planRetention(i: RetentionInput): RetentionPlan {
  const notes: string[] = [];
  const ds: Decision[] = [];
  for (const f of i.manifests) {
    const ms = Date.parse(f.manifest.createdAt);
    if (Number.isNaN(ms)) {
      notes.push(`${f.on}: ${f.base}.json has createdAt "${f.manifest.createdAt}", not a time: left alone`);
      continue;
    }
    const verified = f.rdbPresent && isVerified(f.manifest);
    ds.push({
      on: f.on,
      base: f.base,
      id: f.manifest.id,
      kind: f.rdbPresent ? 'backup' : 'no-rdb',
      at: new Date(ms).toISOString(),
      verified,
      keep: false,
      why: [],
      files: f.rdbPresent ? [`${f.base}.rdb`, `${f.base}.json`] : [`${f.base}.json`],
    });
  }
  for (const o of i.orphans)
    ds.push({
      on: o.on,
      base: o.base,
      id: o.base,
      kind: 'orphan',
      at: new Date(o.mtimeMs).toISOString(),
      verified: false,
      keep: false,
      why: [],
      files: [`${o.base}.rdb`],
    });
  ds.sort(newestFirst);

  const verified = ds.filter((d) => d.verified);
  for (const [cls, key] of CLASSES) {
    const n = i.retention[cls];
    let last: string | undefined;
    let kept = 0;
    for (const d of verified) {
      if (kept >= n) break;
      const k = key(Date.parse(d.at));
      if (k === last) continue;
      last = k;
      kept++;
      d.keep = true;
      d.why.push(`${cls} ${k}`);
    }
  }
  const newest = verified[0];
  if (newest) {
    if (!newest.keep) newest.why.push('the newest verified backup (always kept)');
    else newest.why.unshift('the newest verified backup');
    newest.keep = true;
  } else if (ds.some((d) => d.kind === 'backup'))
    notes.push('no verified backup on any host: every unverified copy is kept (run falkorctl backup --verify-restore)');

  for (const d of ds) {
    if (d.verified) {
      if (!d.keep) d.why.push('verified, outside the retention policy');
      continue;
    }
    if (d.kind === 'no-rdb') {
      d.why.push('its RDB is missing: nothing to restore from this manifest');
      continue;
    }
    if (d.kind === 'orphan') {
      if (i.restoring.get(d.on)?.has(d.base)) {
        d.keep = true;
        d.why.push('staged by an unfinished restore (a .restoring marker names it)');
      } else if (i.nowMs - Date.parse(d.at) < i.orphanGraceMs) {
        d.keep = true;
        d.why.push('no manifest yet: may be a backup still being written (within the grace period)');
      } else d.why.push('an RDB without a manifest, older than the grace period');
      continue;
    }
    if (!newest || d.at > newest.at) {
      d.keep = true;
      d.why.push(newest ? 'unverified, newer than the newest verified backup' : 'unverified, and no verified backup');
    } else d.why.push('unverified, older than the newest verified backup');
  }
  return { decisions: ds, keep: ds.filter((d) => d.keep), prune: ds.filter((d) => !d.keep), notes };
}
