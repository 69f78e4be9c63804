// A short, bounded load test (checklist --load-test): one connection writing back to back (a graph CREATE and a
// SET per attempt, the write-load tool's own loop with no pacing) for a fixed time, then every acknowledged write
// read back and the run's scratch graph and keys deleted. The graph and key names carry a fresh run id under
// falkorctl's own prefix, so the test can neither touch nor collide with user data or another run.
import { randomBytes } from 'node:crypto';
import { cleanup } from './cleanup.js';
import { runWriteLoad } from './run.js';
import type { Target, WriteLoadReport } from './types.js';
import { verify } from './verify.js';

export interface LoadTestRun {
  report: WriteLoadReport;
  graph: string;
  keyPrefix: string;
  /** Why the scratch graph or keys could not be removed, if they could not. */
  cleanupError?: string;
}

export const scratchNames = (runId: string) => ({
  graph: `falkorctl_load_test_${runId}`,
  keyPrefix: `falkorctl:load-test:${runId}`,
});

export async function runLoadTest(t: Target, o: { durationMs: number; runId?: string }): Promise<LoadTestRun> {
  const runId = o.runId ?? randomBytes(4).toString('hex');
  const names = scratchNames(runId);
  const ran = await runWriteLoad({ ...t, ...names, runId, intervalMs: 0, durationMs: o.durationMs });
  const report = await verify({ ...t, waitMs: 10_000 }, ran).catch(async (e: unknown) => {
    // the scratch data goes whatever the read-back found
    await cleanup(t, ran, { dropGraph: true }).catch(() => {});
    throw e;
  });
  // a failure to remove it is reported with the result, not thrown: the measurement stands
  const cleanupError = await cleanup(t, ran, { dropGraph: true }).then(
    () => undefined,
    (e: Error) => e.message,
  );
  return { report, ...names, ...(cleanupError ? { cleanupError } : {}) };
}
