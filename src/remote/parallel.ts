// Bounded parallelism (--forks): results in input order, each item's error kept with it.

export type Settled<R> =
  { status: 'fulfilled'; value: R } | { status: 'rejected'; reason: unknown } | { status: 'skipped' };

/** Runs `fn` on each item with at most `limit` in flight. `failFast` starts nothing new after an error. */
export async function runParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  o: { failFast?: boolean } = {},
): Promise<Settled<R>[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`parallel limit must be a positive integer, got ${limit}`);
  const results: Settled<R>[] = items.map(() => ({ status: 'skipped' }));
  let next = 0;
  let failed = false;
  async function worker(): Promise<void> {
    while (next < items.length && !(o.failFast && failed)) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
        failed = true;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A counting semaphore as a wrapper: at most `n` calls of the wrapped functions run at once. */
export function createLimiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    // A finishing call hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (active < n) active++;
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await fn();
    } finally {
      const w = waiting.shift();
      if (w) w();
      else active--;
    }
  };
}
