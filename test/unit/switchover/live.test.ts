// Sentinel's replica selection as sentinel.c's sentinelSelectSlave does it, from SENTINEL REPLICAS replies.
import { describe, expect, it } from 'vitest';
import { pickedByPriority, replicaRows, sentinelPick } from '../../../src/switchover/live.js';

const row = (ip: string, o: Record<string, string> = {}) =>
  Object.entries({
    name: `${ip}:6379`,
    ip,
    port: '6379',
    'run-id': `run-${ip}`,
    flags: 'slave',
    'master-link-down-time': '0',
    'info-refresh': '700',
    'slave-priority': '100',
    'slave-repl-offset': '1000',
    ...o,
  }).flat();

describe('sentinelPick', () => {
  it('lowest priority first, then highest offset, then run id', () => {
    const rows = replicaRows([
      row('10.0.0.2'),
      row('10.0.0.3', { 'slave-priority': '1' }),
      row('10.0.0.4', { 'slave-priority': '1', 'slave-repl-offset': '2000' }),
    ]);
    expect(sentinelPick(rows, 10_000)?.addr).toBe('10.0.0.4:6379');
    const tie = replicaRows([row('10.0.0.9', { 'run-id': 'b' }), row('10.0.0.8', { 'run-id': 'a' })]);
    expect(sentinelPick(tie, 10_000)?.addr).toBe('10.0.0.8:6379');
  });

  it('never a replica with priority 0, down, disconnected, stale INFO or a link down too long', () => {
    const rows = replicaRows([
      row('10.0.0.1', { 'slave-priority': '0' }),
      row('10.0.0.2', { flags: 'slave,s_down' }),
      row('10.0.0.3', { flags: 'slave,disconnected' }),
      row('10.0.0.4', { 'info-refresh': '31000' }),
      row('10.0.0.5', { 'master-link-down-time': '100001' }),
      row('10.0.0.7', { 'last-ok-ping-reply': '5001' }),
    ]);
    expect(sentinelPick(rows, 10_000)).toBeUndefined();
    expect(sentinelPick([...rows, ...replicaRows([row('10.0.0.6', { 'slave-priority': '200' })])], 10_000)?.addr).toBe(
      '10.0.0.6:6379',
    );
  });

  it('a pick is settled only when priority alone decides it, not a stale offset', () => {
    const byOffset = replicaRows([row('10.0.0.2', { 'slave-repl-offset': '2000' }), row('10.0.0.3')]);
    expect(sentinelPick(byOffset, 10_000)?.addr).toBe('10.0.0.2:6379');
    expect(pickedByPriority(byOffset, 10_000)).toBe(false);
    const byPriority = replicaRows([
      row('10.0.0.2', { 'slave-priority': '1' }),
      row('10.0.0.3', { 'slave-repl-offset': '9' }),
    ]);
    expect(pickedByPriority(byPriority, 10_000)).toBe(true);
    const withZero = replicaRows([
      row('10.0.0.2', { 'slave-priority': '1' }),
      row('10.0.0.3', { 'slave-priority': '0' }),
    ]);
    expect(pickedByPriority(withZero, 10_000)).toBe(true);
    expect(pickedByPriority(replicaRows([row('10.0.0.2', { 'slave-priority': '0' })]), 10_000)).toBe(false);
  });

  it('an unexpected reply is no rows, not a crash', () => {
    expect(replicaRows('ERR no such master')).toEqual([]);
  });
});
