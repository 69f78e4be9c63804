// The write load the lab's disruptive tests run under: graph CREATEs and SETs through lb1's HAProxy write port
// every 2 ms, each acknowledged write read back afterwards (10 s for the last ones to reach the node read).
// Only the lead-in and settle times differ between tests.
import { underWriteLoad } from '../../src/loadgen/index.js';
import type { Lab } from '../helpers/lab.js';

export function underLabLoad<T>(
  lab: Lab,
  t: { leadInMs: number; settleMs: number },
  action: () => Promise<T>,
): ReturnType<typeof underWriteLoad<T>> {
  return underWriteLoad(
    {
      host: lab.host('lb1').address,
      port: 6380,
      password: lab.password(),
      intervalMs: 2,
      leadInMs: t.leadInMs,
      settleMs: t.settleMs,
      verify: { waitMs: 10_000 },
    },
    action,
  );
}
