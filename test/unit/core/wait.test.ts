// waitFor: a probe that never answers cannot hold the wait past its deadline (plus the grace); one that answers
// late but within the grace still counts.
import { describe, expect, it } from 'vitest';
import { done, notYet, waitFor, WaitTimeoutError } from '../../../src/core/wait.js';

describe('waitFor and a probe that hangs', () => {
  it('times out naming what it waited for and the last value seen before the hung probe', async () => {
    let calls = 0;
    const never = new Promise<never>(() => {});
    const e = await waitFor(() => (++calls === 1 ? notYet('master_link_status:down') : never), {
      what: 'db2: master_link_status:up',
      timeoutMs: 2000,
      intervalMs: 1,
      overrunGraceMs: 10,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WaitTimeoutError);
    expect((e as WaitTimeoutError).message).toBe(
      'timed out after 2 s waiting for db2: master_link_status:up; last seen: master_link_status:down; ' +
        'the last probe never answered',
    );
    expect(calls).toBe(2);
  });

  it('a probe answering within the grace is still its answer', async () => {
    const v = await waitFor(() => new Promise((r) => setImmediate(() => r(done('up')))), {
      what: 'x',
      timeoutMs: 0,
      overrunGraceMs: 60_000,
    });
    expect(v).toBe('up');
  });
});
