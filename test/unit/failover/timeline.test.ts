import { describe, expect, it } from 'vitest';
import { htmlReport, sparkline, timeline } from '../../../src/failover/timeline.js';

// 0–1 s: a write every 10 ms acknowledged; 1–1.5 s: every attempt fails; 1.5–2 s: acknowledged again
const attempts = Array.from({ length: 200 }, (_, i) => {
  const start = 1_000_000 + i * 10;
  return { start, end: start + 2, ok: i < 100 || i >= 150 };
});
const marks = [{ at: 1_001_000, label: 'switchover db1 → db2' }];

describe('failover timeline', () => {
  it('counts acknowledged writes per 100 ms bucket, by acknowledgement time; the outage is zeros', () => {
    const t = timeline(attempts, marks);
    expect(t.acked.slice(0, 10)).toEqual(Array(10).fill(10));
    expect(t.acked.slice(10, 15)).toEqual([0, 0, 0, 0, 0]);
    expect(t.acked.slice(15, 20)).toEqual(Array(5).fill(10));
    expect(t.acked.reduce((a, b) => a + b, 0)).toBe(150);
  });

  it('draws a sparkline with a gap for the outage and the mark under its bucket', () => {
    const s = sparkline(timeline(attempts, marks)).split('\n');
    expect(s[0]).toBe(`   0.0s |${'█'.repeat(10)}     ${'█'.repeat(5)} |`); // the last bucket is still open
    expect(s[1]).toBe(`${' '.repeat(19)}^ 1.0s switchover db1 → db2`);
  });

  it('writes a self-contained HTML page with the facts, the bars and the marks, escaped', () => {
    const h = htmlReport('test <1>', [['lost', '0']], timeline(attempts, marks));
    expect(h).toContain('<title>test &lt;1&gt;</title>');
    expect(h).toContain('<th>lost</th><td>0</td>');
    expect(h.match(/<rect /g)).toHaveLength(21);
    expect(h).toContain('switchover db1 → db2</text>');
  });
});
