// The checklist's per-host SSH work, in parallel: at most env.forks hosts are worked on at once (--forks), counted
// across every area of one run (the areas run concurrently, each calling eachHost; a bound per call would let
// areas × forks commands run together). Results come back in the order of `hosts`, whatever finishes first, so
// the report reads the same on every run.
import { createLimiter } from '../remote/parallel.js';
import type { CheckEnv } from './types.js';

type Limiter = ReturnType<typeof createLimiter>;

// One limiter per env object: runChecklist hands every area the same env, so this is one bound per run without
// a field on CheckEnv that areas could misuse.
const limiters = new WeakMap<Pick<CheckEnv, 'forks'>, Limiter>();

function limiterOf(env: Pick<CheckEnv, 'forks'>): Limiter {
  let l = limiters.get(env);
  if (!l) {
    if (!Number.isInteger(env.forks) || env.forks < 1)
      throw new RangeError(`forks must be a positive integer, got ${env.forks}`);
    limiters.set(env, (l = createLimiter(env.forks)));
  }
  return l;
}

/**
 * `fn` for every host, at most env.forks at once; the results in `hosts` order. Every host is tried even when one
 * throws (no host's SSH is left running behind the area's error); then the first error in `hosts` order is thrown,
 * as the serial loop did, and runChecklist reports the area as failed with it.
 */
export async function eachHost<R>(
  env: Pick<CheckEnv, 'forks'>,
  hosts: readonly string[],
  fn: (host: string) => Promise<R>,
): Promise<R[]> {
  const slot = limiterOf(env);
  const settled = await Promise.allSettled(hosts.map((h) => slot(() => fn(h))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
