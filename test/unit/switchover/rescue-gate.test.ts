// When a failed run needs the rescue: only once a switchover step ran (nested under rolling-restart's or
// config update's prefix too); a failure among the replica restarts before it changed nothing the rescue repairs.
import { describe, expect, it } from 'vitest';
import type { ExecuteReport, Outcome } from '../../../src/core/types.js';
import { switchoverRan } from '../../../src/switchover/session.js';

const rep = (...r: [phase: string, outcome: Outcome][]): ExecuteReport => ({
  results: r.map(([phase, outcome], i) => ({
    step: { id: `s${i}`, host: 'db1', phase, describe: 'x', action: { kind: 'exec', argv: ['true'] } },
    outcome,
    durationMs: 1,
  })),
  verified: [],
  warnings: [],
});

describe('switchoverRan', () => {
  it('no for a failure among the replicas, the switchover steps not done', () => {
    expect(switchoverRan(rep(['restart:replicas', 'undone'], ['restart:switchover:prepare', 'not-done']))).toBe(false);
    expect(switchoverRan(rep(['replicas', 'changed'], ['replicas', 'failed']))).toBe(false);
  });
  it('yes once a switchover step ran, at any nesting', () => {
    expect(switchoverRan(rep(['prepare', 'failed']))).toBe(true);
    expect(switchoverRan(rep(['replicas', 'changed'], ['switchover:fence', 'changed']))).toBe(true);
    expect(switchoverRan(rep(['restart:switchover:promote', 'undone']))).toBe(true);
  });
});
