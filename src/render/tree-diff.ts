// --diff: what render would change in DIR, as unified diffs. Secret files only say that they changed.
import { unifiedDiff } from './diff.js';

export interface Change {
  path: string;
  status: 'added' | 'removed' | 'modified';
  secret: boolean;
}

export function diffTrees(
  before: Map<string, string>,
  after: Map<string, string>,
  secret: Set<string>,
  root: string,
): { changes: Change[]; text: string } {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: Change[] = [];
  const text: string[] = [];
  for (const p of paths) {
    const a = before.get(p);
    const b = after.get(p);
    if (a === b) continue;
    const status = a === undefined ? 'added' : b === undefined ? 'removed' : 'modified';
    const isSecret = secret.has(p);
    changes.push({ path: p, status, secret: isSecret });
    if (isSecret) {
      text.push(`secret file ${root}/${p}: ${status} (contents not shown)`);
      continue;
    }
    const oldName = a === undefined ? '/dev/null' : `a/${p}`;
    const newName = b === undefined ? '/dev/null' : `b/${p}`;
    text.push(unifiedDiff(a ?? '', b ?? '', oldName, newName).trimEnd());
  }
  return { changes, text: text.join('\n') };
}
