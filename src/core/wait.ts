// Waiting, the one way: poll a probe with an interval until a deadline. Never a fixed sleep. A timeout
// names what was awaited and the last value seen, so the operator knows *why* it gave up.
import type { Clock } from '../context.js';
import { realClock } from '../context.js';
import { FalkorError } from '../errors.js';

export interface WaitOptions {
  /** What is awaited, for the timeout message: "db2: master_link_status:up". */
  what: string;
  timeoutMs: number;
  /** Default 250 ms. */
  intervalMs?: number;
  clock?: Clock;
  /** Stops waiting (Ctrl-C, the subject is gone): rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long past the deadline a probe still running is waited for; default OVERRUN_GRACE_MS. */
  overrunGraceMs?: number;
}

/**
 * Calls `probe` until it returns `{ ok: true, value }` or the deadline passes. `seen` is what a person
 * reads in the timeout ("master_link_status:down"). A probe that throws counts as not yet; its message
 * becomes the last value seen — unless it throws `giveUp(e)`: then waiting stops at once with `e` (the
 * probe knows no later poll can succeed, or it did its own waiting). At least one probe always runs, even
 * with a zero timeout.
 */
export async function waitFor<T>(probe: () => Promise<Probe<T>> | Probe<T>, o: WaitOptions): Promise<T> {
  const clock = o.clock ?? realClock;
  const end = clock.now() + o.timeoutMs;
  let last = '(nothing yet)';
  for (;;) {
    o.signal?.throwIfAborted();
    try {
      const r = await beforeDeadline(probe(), end - clock.now() + (o.overrunGraceMs ?? OVERRUN_GRACE_MS));
      if (r.ok) return r.value;
      last = r.seen;
    } catch (e) {
      if (e instanceof GiveUp) throw e.reason;
      if (e instanceof Overran)
        throw new WaitTimeoutError(o.what, `${last}; the last probe never answered`, o.timeoutMs);
      last = e instanceof Error ? e.message : String(e);
    }
    const left = end - clock.now();
    if (left <= 0) throw new WaitTimeoutError(o.what, last, o.timeoutMs);
    await clock.sleep(Math.min(o.intervalMs ?? 250, left));
  }
}

/** How long past the deadline a probe that is still running gets before the wait gives up on it anyway. */
export const OVERRUN_GRACE_MS = 30_000;
class Overran extends Error {}

/**
 * The probe's answer, or Overran when it is still running after `ms` (the deadline plus a grace): a probe stuck
 * on a dead socket or SSH channel must not hold the wait (and the command) forever. Real time on purpose: the
 * guard holds whatever clock the caller passed.
 */
function beforeDeadline<T>(p: Promise<T> | T, ms: number): Promise<T> {
  if (!(p instanceof Promise)) return Promise.resolve(p);
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Overran()), Math.max(ms, 0));
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

export type Probe<T> = { ok: true; value: T } | { ok: false; seen: string };
export const done = <T>(value: T): Probe<T> => ({ ok: true, value });
export const notYet = (seen: string): Probe<never> => ({ ok: false, seen });

/** Thrown by a probe to stop waiting with `reason` (see waitFor). */
export class GiveUp extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'GiveUp';
  }
}
export const giveUp = (reason: unknown) => new GiveUp(reason);

export class WaitTimeoutError extends FalkorError {
  constructor(
    readonly what: string,
    readonly lastSeen: string,
    readonly timeoutMs: number,
  ) {
    super('TIMEOUT', `timed out after ${fmtMs(timeoutMs)} waiting for ${what}; last seen: ${lastSeen}`);
    this.name = 'WaitTimeoutError';
  }
}

const fmtMs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
