// Pure bookkeeping of attempt outcomes: unavailability windows and latency percentiles.
import type { Window } from './types.js';

export interface Outcome {
  /** When the attempt was sent (epoch ms). */
  start: number;
  /** When its last reply (or error) arrived. */
  end: number;
  ok: boolean;
  error?: string;
}

interface Open {
  start: number;
  lastEnd: number;
  errors: number;
  firstError: string;
}

/** Feed outcomes in the order they happened; a window runs from the first failure to the next success. */
export class WindowTracker {
  readonly windows: Window[] = [];
  private open: Open | undefined;

  /** Returns the window this outcome opened or closed, if any, for progress logs. */
  record(o: Outcome): { opened?: Open; closed?: Window } {
    if (!o.ok) {
      if (this.open) {
        this.open.errors++;
        this.open.lastEnd = o.end;
        return {};
      }
      this.open = { start: o.start, lastEnd: o.end, errors: 1, firstError: o.error ?? 'unknown error' };
      return { opened: this.open };
    }
    if (!this.open) return {};
    const closed = toWindow(this.open, o.end, false);
    this.windows.push(closed);
    this.open = undefined;
    return { closed };
  }

  /** Closes a window still open at the end of the run (marked ongoing) and returns all windows. */
  finish(): Window[] {
    if (this.open) this.windows.push(toWindow(this.open, this.open.lastEnd, true));
    this.open = undefined;
    return this.windows;
  }
}

function toWindow(o: Open, end: number, ongoing: boolean): Window {
  const w: Window = {
    start: round(o.start),
    end: round(end),
    ms: round(end - o.start),
    errors: o.errors,
    firstError: o.firstError,
  };
  if (ongoing) w.ongoing = true;
  return w;
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return round(sorted[rank - 1]!);
}

/** Tenth of a millisecond: finer than the tool can measure, coarse enough to read. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function summarize(windows: readonly Window[]): { longestWindowMs: number; totalUnavailableMs: number } {
  return {
    longestWindowMs: round(Math.max(0, ...windows.map((w) => w.ms))),
    totalUnavailableMs: round(windows.reduce((s, w) => s + w.ms, 0)),
  };
}
