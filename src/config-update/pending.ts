// Pending restarts: a node whose file asks for a restart-only value it does not run (config update without
// --restart wrote it, or someone edited the file). Compared like config update compares: the file's
// settings by desiredOf, their class by classify, values by sameValue; only the restart-only ones, since a
// runtime value that differs is drift CONFIG SET can fix, not a restart waiting. Pure: no I/O.
import { classify, sameValue, type SettingKind } from './classify.js';
import { desiredOf } from './desired.js';

export interface PendingRestart {
  kind: SettingKind;
  name: string;
  /** What the node runs (CONFIG GET / GRAPH.CONFIG GET). */
  live: string;
  /** What its falkordb.conf says: the value the next restart brings. */
  file: string;
}

/** The restart-only settings a file names: what status asks the node for (one CONFIG GET, one GRAPH.CONFIG GET). */
export function restartOnlyNames(file: string, modulePath: string): { redis: string[]; module: string[] } {
  const d = desiredOf(file, modulePath);
  return {
    redis: [...d.redis.keys()].filter((n) => classify('redis', n) === 'restart'),
    module: [...d.module.keys()].filter((n) => classify('module', n) === 'restart'),
  };
}

/**
 * The restart-only settings whose file value differs from the live one. A name the node does not report is
 * left out: nothing to compare it with (config update's trial start is where an unknown name fails).
 */
export function pendingRestarts(
  file: string,
  modulePath: string,
  live: { redis: Readonly<Record<string, string>>; module: Readonly<Record<string, string>> },
): PendingRestart[] {
  const d = desiredOf(file, modulePath);
  const out: PendingRestart[] = [];
  const names = restartOnlyNames(file, modulePath);
  for (const name of names.redis) {
    const want = d.redis.get(name)!.join(' ');
    const got = live.redis[name];
    if (got !== undefined && !sameValue('redis', got, want)) out.push({ kind: 'redis', name, live: got, file: want });
  }
  for (const name of names.module) {
    const want = d.module.get(name)!;
    const got = live.module[name];
    if (got !== undefined && !sameValue('module', got, want)) out.push({ kind: 'module', name, live: got, file: want });
  }
  return out;
}

const shown = (v: string) => (v === '' ? '""' : v);

/** "THREAD_COUNT (live 2, file 3)". */
export const pendingText = (p: PendingRestart): string => `${p.name} (live ${shown(p.live)}, file ${shown(p.file)})`;
