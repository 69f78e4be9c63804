// A plain aligned text table. Cells are padded on their plain text and coloured afterwards, so escape
// codes never skew the columns.
export interface Cell {
  text: string;
  paint?: (s: string) => string;
}

export type Row = (Cell | string)[];

const cell = (c: Cell | string): Cell => (typeof c === 'string' ? { text: c } : c);

export function table(
  header: string[],
  rows: Row[],
  o: { indent?: string; paintHeader?: (s: string) => string } = {},
): string {
  const all = [header.map((h) => ({ text: h, paint: o.paintHeader })), ...rows.map((r) => r.map(cell))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.text.length ?? 0)));
  return all
    .map(
      (r) =>
        (o.indent ?? '  ') +
        r
          .map((c, i) => {
            const padded = i === r.length - 1 ? c.text : c.text.padEnd(widths[i]!);
            return c.paint ? c.paint(padded) : padded;
          })
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

/** 3338296 → "3.2M"; Redis-style binary units. */
export function bytes(n: number | undefined): string {
  if (n === undefined) return '?';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)}${units[u]}`;
}

/** Seconds → "42s", "5m", "3h", "2d". */
export function ago(seconds: number): string {
  if (seconds < 0) return 'in the future';
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}
