// INFO parsing against replies captured from a real redis-server 8.2 + FalkorDB (master with AOF,
// a replica, a replica whose master was shut down, a Sentinel).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  field,
  lagAgainst,
  memory,
  parseInfo,
  parseReplicaLine,
  persistence,
  replication,
} from '../../../src/redis/info.js';

const fx = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const master = parseInfo(fx('info-master.txt'));
const replica = parseInfo(fx('info-replica.txt'));
const down = parseInfo(fx('info-replica-link-down.txt'));
const sentinel = parseInfo(fx('info-sentinel.txt'));

describe('parseInfo', () => {
  it('splits sections (lowercased) and keeps values with colons intact', () => {
    expect(Object.keys(master)).toEqual(
      expect.arrayContaining(['server', 'memory', 'persistence', 'replication', 'modules']),
    );
    expect(master.server?.redis_version).toBe('8.2.3');
    expect(master.server?.listener0).toBe('name=tcp,bind=127.0.9.1,port=6379');
    expect(field(master, 'executable')).toMatch(/^\/.*redis-server$/);
  });
  it('accepts LF-only text and ignores junk lines', () => {
    expect(parseInfo('# Replication\nrole:master\nnot a field\n\n')).toEqual({ replication: { role: 'master' } });
  });
});

describe('replication()', () => {
  it('master: role, offset and the replicas it sees', () => {
    const r = replication(master);
    expect(r.role).toBe('master');
    expect(r.offset).toBe(631);
    expect(r.replicas).toEqual([{ ip: '127.0.0.1', port: 6379, state: 'online', offset: 498, lag: 0 }]);
    expect(r.linkUp).toBeUndefined();
    expect(r.loading).toBe(false);
  });
  it('replica with a live link', () => {
    const r = replication(replica);
    expect(r).toMatchObject({
      role: 'replica',
      masterHost: '127.0.9.1',
      masterPort: 6379,
      linkUp: true,
      syncInProgress: false,
      loading: false,
    });
    expect(r.linkDownSeconds).toBeUndefined();
    expect(typeof r.offset).toBe('number');
  });
  it('replica whose master is gone: link down, and for how long', () => {
    const r = replication(down);
    expect(r).toMatchObject({ role: 'replica', linkUp: false, linkDownSeconds: 7, lastIoSeconds: -1 });
    expect(r.lagBytes).toBeUndefined();
  });
  it('no lag is computed for a replica whose link is down, even given a master', () => {
    expect(replication(down, { replication: replication(master) }).lagBytes).toBeUndefined();
  });
  it("lag: bytes from the offsets, seconds from the master's view when the address matches", () => {
    const m = replication(master);
    const rep = { ...replication(replica), offset: 500, lastIoSeconds: 4 };
    expect(lagAgainst(rep, m, { address: '127.0.0.1', port: 6379 })).toEqual({ lagBytes: 131, lagSeconds: 0 });
    // the master lists it under another address: the replica's own last-I/O age is the best left
    expect(lagAgainst(rep, m, { address: '10.0.0.9', port: 6379 })).toEqual({ lagBytes: 131, lagSeconds: 4 });
    expect(lagAgainst({ ...rep, offset: 900 }, m).lagBytes).toBe(0);
  });
  it('a Sentinel is recognised by redis_mode', () => {
    expect(replication(sentinel).role).toBe('sentinel');
  });
  it('loading:1 is reported', () => {
    expect(replication(parseInfo('# Persistence\r\nloading:1\r\n# Replication\r\nrole:master\r\n')).loading).toBe(true);
  });
});

describe('parseReplicaLine', () => {
  it('reads a slaveN value and refuses one without ip/port', () => {
    expect(parseReplicaLine('ip=10.0.0.2,port=6380,state=wait_bgsave,offset=0,lag=1')).toEqual({
      ip: '10.0.0.2',
      port: 6380,
      state: 'wait_bgsave',
      offset: 0,
      lag: 1,
    });
    expect(parseReplicaLine('state=online')).toBeUndefined();
  });
});

describe('memory() and persistence()', () => {
  it('reads used/max memory and the policy', () => {
    expect(memory(master)).toEqual({ used: 3338296, max: 268435456, policy: 'noeviction' });
  });
  it('reads RDB and AOF state', () => {
    expect(persistence(master)).toEqual({
      rdbLastSaveTime: 1795792989,
      rdbLastBgsaveStatus: 'ok',
      rdbChangesSinceLastSave: 1,
      rdbBgsaveInProgress: false,
      aofEnabled: true,
      aofLastWriteStatus: 'ok',
      aofLastBgrewriteStatus: 'ok',
      aofRewriteInProgress: false,
    });
  });
  it('fields a server does not report stay undefined', () => {
    expect(persistence(sentinel).aofEnabled).toBeUndefined();
    expect(memory(parseInfo('')).max).toBeUndefined();
  });
});
