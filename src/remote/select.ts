// --limit: host names, globs (db-*, web-?) and role:NAME, repeatable and comma-separated. A pattern
// that matches nothing is a typo until proven otherwise, so it is an error rather than a no-op.
import { userError } from '../errors.js';
import { ROLES, type Host, type Inventory } from '../inventory/schema.js';

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matcher(pattern: string): (h: Host) => boolean {
  if (pattern.startsWith('role:')) {
    const role = pattern.slice(5);
    if (!(ROLES as readonly string[]).includes(role))
      throw userError(`--limit ${pattern}: unknown role "${role}"`, `roles are ${ROLES.join(', ')}`);
    return (h) => h.role === role;
  }
  if (/[*?]/.test(pattern)) {
    const re = globToRegExp(pattern);
    return (h) => re.test(h.name);
  }
  return (h) => h.name === pattern;
}

/** Hosts in inventory order; all of them when no pattern is given. */
export function selectHosts(inv: Inventory, patterns: readonly string[] | undefined): Host[] {
  const list = (patterns ?? [])
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  if (list.length === 0) return [...inv.hosts];
  const chosen = new Set<Host>();
  for (const p of list) {
    const match = matcher(p);
    const hits = inv.hosts.filter(match);
    if (hits.length === 0)
      throw userError(
        `--limit ${p} matches no host`,
        `hosts in the inventory: ${inv.hosts.map((h) => h.name).join(', ')}`,
      );
    hits.forEach((h) => chosen.add(h));
  }
  return inv.hosts.filter((h) => chosen.has(h));
}
