// A small unified diff (LCS over lines, 3 lines of context). Rendered files are a few hundred lines,
// so the quadratic table is cheap and the output is stable.

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ops = diffOps(a, b);
  if (ops.every((o) => o.t === ' ')) return '';
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  // Group changes into hunks with `context` unchanged lines around them.
  let i = 0;
  while (i < ops.length) {
    if (ops[i]?.t === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    while (end < ops.length) {
      if (ops[end]?.t !== ' ') {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < ops.length && ops[end + run]?.t === ' ') run++;
      if (end + run >= ops.length || run > context * 2) {
        end = Math.min(ops.length, end + context);
        break;
      }
      end += run;
    }
    const hunk = ops.slice(start, end);
    const first = ops[start] ?? { ai: 0, bi: 0 };
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aLen ? first.ai + 1 : first.ai},${aLen} +${bLen ? first.bi + 1 : first.bi},${bLen} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    i = end;
    start = end;
  }
  return `${out.join('\n')}\n`;
}

interface Op {
  t: ' ' | '-' | '+';
  line: string;
  ai: number; // index in a of this line (or of the next a line, for '+')
  bi: number;
}

function splitLines(t: string): string[] {
  if (t === '') return [];
  const ls = t.split('\n');
  if (ls.at(-1) === '') ls.pop();
  return ls;
}

function diffOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const next = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--)
      row[j] = a[i] === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ t: ' ', line: a[i] as string, ai: i, bi: j });
      i++;
      j++;
    } else if (i < n && (j >= m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ t: '-', line: a[i] as string, ai: i, bi: j });
      i++;
    } else {
      ops.push({ t: '+', line: b[j] as string, ai: i, bi: j });
      j++;
    }
  }
  return ops;
}
