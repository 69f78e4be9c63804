// Maps a key path (as zod and the semantic checks report it) back to where it is written in the YAML
// file, so every finding can say "file:line:col". A path that does not exist in the file (a defaulted
// or missing key) points at the deepest ancestor that does.
import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type LineCounter, type Node } from 'yaml';

export type KeyPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** "hosts[2].storage.volumes[0].mount" — the form every message uses. */
export function formatPath(path: KeyPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lc: LineCounter,
  ) {}

  /** Position of the value at `path` (or of its key, with `key`), else of the nearest existing ancestor. */
  find(path: KeyPath, opts: { key?: boolean } = {}): Position {
    let node: unknown = this.doc.contents;
    let best = this.pos(node) ?? { line: 1, column: 1 };
    for (const [i, seg] of path.entries()) {
      node = this.deref(node);
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return best;
        const keyPos = this.pos(pair.key);
        if (last && opts.key && keyPos) return keyPos;
        // A key with an empty value ("hosts:") has no value node: point at the key.
        node = pair.value;
        // A finding about a whole block (hosts, a host's storage) reads best at its key's line.
        const collection = isMap(this.deref(node)) || isSeq(this.deref(node));
        best = (last && collection ? keyPos : undefined) ?? this.pos(this.deref(node)) ?? keyPos ?? best;
        if (node === null || node === undefined) return best;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        const p = this.pos(this.deref(node));
        if (!p) return best;
        best = p;
      } else {
        return best;
      }
    }
    return best;
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private pos(node: unknown): Position | undefined {
    const range = (node as Node | null | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = this.lc.linePos(range[0]);
    return { line, column: col };
  }
}

/** The key path of the mapping key that starts at `offset` (for YAML's own errors, e.g. duplicate keys). */
export function pathOfKeyAt(doc: Document, offset: number): KeyPath | undefined {
  let found: KeyPath | undefined;
  visit(doc, {
    Pair(_, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      const path: (string | number)[] = [];
      const chain = [...ancestors, pair];
      chain.forEach((a, i) => {
        if (isPair(a) && isScalar(a.key)) path.push(String(a.key.value));
        if (isSeq(a)) path.push(a.items.indexOf(chain[i + 1]));
      });
      found = path;
      return visit.BREAK;
    },
  });
  return found;
}
