// The failover test's timeline: acknowledged writes per 100 ms, with each step of the test marked — as a
// terminal sparkline and as a self-contained HTML page (inline SVG) a person can attach to a go-live record.
export interface Attempt {
  start: number;
  end: number;
  ok: boolean;
}
export interface Mark {
  at: number;
  label: string;
}
export interface Timeline {
  startedAt: number;
  bucketMs: number;
  /** Acknowledged writes per bucket (by the time the acknowledgement arrived). */
  acked: number[];
  marks: Mark[];
}

export function timeline(attempts: readonly Attempt[], marks: readonly Mark[], bucketMs = 100): Timeline {
  const t0 = Math.min(...attempts.map((a) => a.start), ...marks.map((m) => m.at));
  const t1 = Math.max(...attempts.map((a) => a.end), ...marks.map((m) => m.at));
  const acked = Array<number>(Math.max(1, Math.ceil((t1 - t0) / bucketMs) + 1)).fill(0);
  for (const a of attempts) if (a.ok) acked[Math.floor((a.end - t0) / bucketMs)]!++;
  return { startedAt: t0, bucketMs, acked, marks: [...marks].sort((a, b) => a.at - b.at) };
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per bucket (wrapped at `width`), a blank for a bucket with no acknowledged write; marks below. */
export function sparkline(t: Timeline, width = 100): string {
  const max = Math.max(1, ...t.acked);
  const chars = t.acked.map((n) => (n === 0 ? ' ' : BARS[Math.min(7, Math.floor((n / max) * 7.999))]!));
  const lines: string[] = [];
  for (let i = 0; i < chars.length; i += width) {
    lines.push(`${fmt(i * t.bucketMs).padStart(7)} |${chars.slice(i, i + width).join('')}|`);
    for (const m of t.marks) {
      const b = Math.floor((m.at - t.startedAt) / t.bucketMs);
      if (b >= i && b < i + width) lines.push(`${' '.repeat(9 + b - i)}^ ${fmt(m.at - t.startedAt)} ${m.label}`);
    }
  }
  return lines.join('\n');
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A self-contained HTML page: the numbers, then the timeline as SVG bars with the marks as vertical lines. */
export function htmlReport(title: string, facts: readonly [string, string][], t: Timeline): string {
  const w = Math.max(600, t.acked.length * 3);
  const h = 160;
  const max = Math.max(1, ...t.acked);
  const bars = t.acked
    .map((n, i) => {
      const bh = Math.round((n / max) * (h - 30));
      return `<rect x="${i * 3}" y="${h - 20 - bh}" width="2" height="${bh}" fill="${n ? '#2a7' : '#d33'}"/>`;
    })
    .join('');
  const marks = t.marks
    .map((m, i) => {
      const x = ((m.at - t.startedAt) / t.bucketMs) * 3;
      return `<line x1="${x}" y1="0" x2="${x}" y2="${h - 20}" stroke="#333" stroke-dasharray="3"/><text x="${x + 2}" y="${12 + (i % 4) * 12}" font-size="10">${esc(m.label)}</text>`;
    })
    .join('');
  const rows = facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}svg{border:1px solid #ccc}</style></head>
<body><h1>${esc(title)}</h1><table>${rows}</table>
<h2>Acknowledged writes per ${t.bucketMs} ms</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${bars}${marks}<text x="0" y="${h - 5}" font-size="10">0 s</text><text x="${t.acked.length * 3 - 30}" y="${h - 5}" font-size="10">${fmt(t.acked.length * t.bucketMs)}</text></svg>
</body></html>
`;
}
