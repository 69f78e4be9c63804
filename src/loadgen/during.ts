// The shape rolling-restart tests and benchmarks want: keep writing while an action runs, stop a little
// after it, read everything back.
import { setTimeout as sleep } from 'node:timers/promises';
import { runWriteLoad } from './run.js';
import type { WriteLoadOptions, WriteLoadReport } from './types.js';
import { verify, type VerifyOptions } from './verify.js';

export interface DuringOptions extends WriteLoadOptions {
  /** Writing before the action starts, so the first window has successes before it. Default 500. */
  leadInMs?: number;
  /** Writing after the action ends, so a window it caused can close. Default 1000. */
  settleMs?: number;
  /** Read-back options (wait, batch); the target is the load's. */
  verify?: Pick<VerifyOptions, 'waitMs' | 'opTimeoutMs' | 'batch'>;
}

/**
 * Runs `action` under write load and returns its result with the verified report. The load stops by
 * itself at durationMs (default 1 h) even if the action never returns. An action that throws still stops
 * the load; its error is rethrown.
 */
export async function underWriteLoad<T>(
  o: DuringOptions,
  action: () => Promise<T>,
): Promise<{ result: T; report: WriteLoadReport }> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  o.signal?.addEventListener('abort', stop, { once: true });
  const running = runWriteLoad({ ...o, signal: ac.signal, durationMs: o.durationMs ?? 3_600_000 });
  // Bad options reject at once: fail before the action rather than run it without load.
  let refused: { e: unknown } | undefined;
  running.catch((e: unknown) => {
    refused = { e };
    ac.abort();
  });
  let result: T;
  try {
    await sleep(o.leadInMs ?? 500, undefined, { signal: ac.signal }).catch(() => {});
    if (refused) throw refused.e;
    result = await action();
    await sleep(o.settleMs ?? 1000, undefined, { signal: ac.signal }).catch(() => {});
  } catch (e) {
    ac.abort();
    await running.catch(() => {});
    throw e;
  } finally {
    ac.abort();
    o.signal?.removeEventListener('abort', stop);
  }
  const run = await running;
  const report = await verify(
    { host: o.host, port: o.port, password: o.password, username: o.username, ...o.verify },
    run,
  );
  return { result, report };
}
