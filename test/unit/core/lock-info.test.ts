// The lock file is read back from a host: anything that is not what acquireLock wrote is "unreadable",
// never a crash or a string where a number belongs (ttlSeconds decides whether the lock is stale).
import { describe, expect, it } from 'vitest';
import { lockInfo } from '../../../src/core/lock.js';

const good = {
  cluster: 'prod',
  owner: 'alice@laptop',
  command: 'falkorctl deploy',
  pid: 42,
  started: '2026-12-06T12:00:00Z',
  ttlSeconds: 120,
  token: 'abc',
};

describe('lockInfo', () => {
  it('keeps a lock file acquireLock wrote, and only its fields', () => {
    expect(lockInfo({ ...good, extra: 1 })).toEqual(good);
  });
  it('refuses wrong types, missing fields, huge strings, arrays and __proto__ tricks', () => {
    for (const bad of [
      null,
      [good],
      'x',
      { ...good, ttlSeconds: '120' },
      { ...good, ttlSeconds: 0 },
      { ...good, pid: 1e308 },
      { ...good, owner: 'x'.repeat(5000) },
      JSON.parse('{"__proto__": {"owner": "mallory"}}'),
    ])
      expect(lockInfo(bad), JSON.stringify(bad)?.slice(0, 60)).toBeUndefined();
  });
});
