// YAML with line numbers: every rule reports the line of the node it talks about.
import { LineCounter, parseAllDocuments, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

export interface YamlFile {
  docs: Document.Parsed[];
  lineOf: (node: unknown, fallback?: number) => number;
  errors: { line: number; message: string }[];
}

export function parseYaml(text: string): YamlFile {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  const list = Array.isArray(docs) ? docs : [];
  const lineOf = (node: unknown, fallback = 1) => {
    const r = (node as { range?: [number, number, number] } | undefined)?.range;
    return r ? lc.linePos(r[0]).line : fallback;
  };
  const errors = list.flatMap((d) =>
    d.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? 1, message: e.message.split('\n')[0] ?? e.message })),
  );
  return { docs: list, lineOf, errors };
}

/** The node at a path of map keys / sequence indexes, or undefined. */
export function at(node: unknown, ...path: (string | number)[]): Node | undefined {
  let cur: unknown = node;
  for (const k of path) {
    if (isMap(cur)) cur = cur.get(k, true);
    else if (isSeq(cur) && typeof k === 'number') cur = cur.get(k, true);
    else return undefined;
  }
  return cur as Node | undefined;
}

// A parsed scalar holds a string, number or boolean (the core schema), so String() is its text.
export const str = (node: unknown): string | undefined =>
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
export const items = (node: unknown): Node[] => (isSeq(node) ? (node.items as Node[]) : []);
export const entries = (node: unknown): [string, Node][] =>
  isMap(node) ? node.items.map((p) => [String(isScalar(p.key) ? p.key.value : p.key), p.value as Node]) : [];

/** Strings of a list or of a plain string split on whitespace (compose `command:` accepts both). */
export function argvOf(node: unknown): string[] {
  if (isSeq(node)) return node.items.map((n) => str(n) ?? '');
  const s = str(node);
  return s ? s.trim().split(/\s+/) : [];
}

/** For a `|` block scalar, line i of its value sits on the header's line + 1 + i. */
export function blockLineMapper(node: Node, lineOf: YamlFile['lineOf']): (i: number) => number {
  const start = lineOf(node);
  const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
  return block ? (i) => start + 1 + i : () => start;
}

export { isMap, isSeq, isScalar };
