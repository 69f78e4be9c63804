// Remove one run's nodes and keys, so repeated benchmark runs do not grow the graph every read-back scans.
// `dropGraph`: the graph is the run's own scratch graph (the checklist's load test): delete it whole.
import { FalkorError } from '../errors.js';
import { close, errorText } from './conn.js';
import type { WriteLoadRun } from './types.js';
import { reach, type VerifyOptions } from './verify.js';

export async function cleanup(o: VerifyOptions, run: WriteLoadRun, opt: { dropGraph?: boolean } = {}): Promise<void> {
  const { acked, stats } = run;
  if (stats.attempted === 0) return;
  const c = await reach(o);
  try {
    // Failed attempts may have landed too: delete by run tag and by every attempted seq, not only acked ones.
    if (opt.dropGraph)
      // no graph at all (no CREATE landed) is already clean
      await c.call('GRAPH.DELETE', acked.graph).catch((e: unknown) => {
        if (!/empty key|does not exist/i.test(errorText(e))) throw e;
      });
    else await c.call('GRAPH.QUERY', acked.graph, `CYPHER run='${acked.runId}' MATCH (n:W {run: $run}) DELETE n`);
    for (let from = 1; from <= stats.attempted; from += 1000) {
      const n = Math.min(1000, stats.attempted - from + 1);
      await c.unlink(...Array.from({ length: n }, (_, i) => `${acked.keyPrefix}:${from + i}`));
    }
  } catch (e) {
    throw new FalkorError('FAILED', `cleanup of run ${acked.runId} failed: ${errorText(e)}`, { cause: e });
  } finally {
    close(c);
  }
}
