// Polling with a deadline, never a bare sleep. A timeout names what was awaited and the last value seen,
// so a failing test says *why* it gave up.

export interface WaitOptions {
  /** What is awaited, for the timeout message: "master_link_status:up on replica-1". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Stop polling early (the probe's subject is gone); waitFor then rejects with the abort reason. */
  signal?: AbortSignal;
}

export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly last: unknown,
    timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}; last observed: ${show(last)}`);
    this.name = 'WaitTimeout';
  }
}

/**
 * Calls `probe` until `accept(value)` holds or the deadline passes. A probe that throws counts as
 * "not yet" and its error becomes the last observed value. Returns the accepted value.
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  accept: (v: T) => boolean,
  opts: WaitOptions,
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = '(never probed)';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const v = await probe();
      if (accept(v)) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new WaitTimeout(opts.what, last, timeoutMs);
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** The same as waitFor, for a probe whose truthiness is the answer. */
export const waitUntil = (probe: () => unknown, opts: WaitOptions): Promise<unknown> => waitFor(probe, Boolean, opts);

/**
 * The opposite question: does `probe` stay unaccepted for the whole window? Used by negative controls
 * ("the replica link stays down"): returns the last value seen, throws if the condition ever held.
 */
export async function holdsFor<T>(
  probe: () => Promise<T> | T,
  reject: (v: T) => boolean,
  opts: WaitOptions & { windowMs: number },
): Promise<T> {
  const end = Date.now() + opts.windowMs;
  let last!: T;
  do {
    last = await probe();
    if (reject(last)) throw new Error(`expected ${opts.what} for ${opts.windowMs} ms, but saw: ${show(last)}`);
    await delay(opts.intervalMs ?? 100);
  } while (Date.now() < end);
  return last;
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function show(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 300 ? `${v.slice(0, 300)}…` : v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch {
    return String(v);
  }
}
