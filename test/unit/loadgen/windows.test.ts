import { describe, expect, it } from 'vitest';
import { percentile, summarize, WindowTracker } from '../../../src/loadgen/windows.js';

const ok = (start: number, end = start + 1) => ({ start, end, ok: true });
const bad = (start: number, end = start + 1, error = 'boom') => ({ start, end, ok: false, error });

describe('WindowTracker', () => {
  it('no failures, no windows', () => {
    const t = new WindowTracker();
    [ok(0), ok(10), ok(20)].forEach((o) => t.record(o));
    expect(t.finish()).toEqual([]);
  });

  it('a window runs from the first failure sent to the next acknowledgement received', () => {
    const t = new WindowTracker();
    t.record(ok(0, 1));
    expect(t.record(bad(10, 310, 'Command timed out')).opened).toBeDefined();
    t.record(bad(320, 620, 'later error'));
    const { closed } = t.record(ok(630, 640.04));
    expect(closed).toEqual({ start: 10, end: 640, ms: 630, errors: 2, firstError: 'Command timed out' });
    t.record(ok(650));
    expect(t.finish()).toEqual([closed]);
  });

  it('separate outages are separate windows; a run ending in failure leaves an ongoing one', () => {
    const t = new WindowTracker();
    [bad(0, 5), ok(10, 12), ok(20), bad(30, 31), bad(40, 45)].forEach((o) => t.record(o));
    expect(t.finish()).toEqual([
      { start: 0, end: 12, ms: 12, errors: 1, firstError: 'boom' },
      { start: 30, end: 45, ms: 15, errors: 2, firstError: 'boom', ongoing: true },
    ]);
    expect(summarize(t.windows)).toEqual({ longestWindowMs: 15, totalUnavailableMs: 27 });
  });
});

describe('percentile', () => {
  it('nearest rank, tolerant of empty input', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});
