// --only / --skip: a pattern names a check id exactly ("kernel.vm.overcommit_memory:db1") or any prefix of it
// that ends at a separator ("kernel", "storage.mount", "services.falkordb.service"). Areas none of whose checks
// can match --only are not run at all, so `--only storage` never waits on the cluster.
import { userError } from '../errors.js';
import type { Area, CheckResult } from './types.js';

export interface Selection {
  only: readonly string[];
  skip: readonly string[];
}

const PATTERN = /^[a-z0-9][a-z0-9._:/-]{0,199}$/i;

export function parseSelection(only: readonly string[] = [], skip: readonly string[] = []): Selection {
  for (const [flag, list] of [
    ['--only', only],
    ['--skip', skip],
  ] as const)
    for (const p of list)
      if (!PATTERN.test(p))
        throw userError(
          `${flag} ${JSON.stringify(p).slice(0, 80)}: a check id or id prefix, e.g. kernel or storage.mount:db1`,
        );
  return { only, skip };
}

/** id === p, or id continues p at a separator (., :, /). */
export function idMatches(id: string, p: string): boolean {
  return id === p || (id.startsWith(p) && '.:/'.includes(id[p.length]!));
}

/** The id prefixes an area's checks use (its name, plus any it declares). */
const prefixesOf = (a: Area) => [a.name, ...(a.prefixes ?? [])];

export function areaWanted(a: Area, s: Selection): boolean {
  if (!s.only.length) return true;
  // a pattern reaches an area when one of them is a prefix of the other at a separator
  return s.only.some((p) => prefixesOf(a).some((x) => idMatches(p, x) || idMatches(x, p)));
}

export function selected(r: Pick<CheckResult, 'id'>, s: Selection): boolean {
  if (s.only.length && !s.only.some((p) => idMatches(r.id, p))) return false;
  return !s.skip.some((p) => idMatches(r.id, p));
}
