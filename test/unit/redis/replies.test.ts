// ROLE, MODULE LIST and SENTINEL replies captured from a real redis-server 8.2 + FalkorDB and Sentinel.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dottedVersion,
  falkordbModule,
  pairs,
  parseMasterAddr,
  parseModuleList,
  parseRole,
  parseSentinelMaster,
  ReplyError,
} from '../../../src/redis/replies.js';

const fx = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));

describe('parseRole', () => {
  it('master with one replica', () => {
    expect(parseRole(fx('role-master'))).toEqual({
      role: 'master',
      offset: 631,
      replicas: [{ ip: '127.0.0.1', port: 6379, offset: 498 }],
    });
  });
  it('replica ("slave" on the wire)', () => {
    expect(parseRole(fx('role-replica'))).toEqual({
      role: 'replica',
      masterHost: '127.0.9.1',
      masterPort: 6379,
      state: 'connected',
      offset: 631,
    });
  });
  it('sentinel and its masters', () => {
    expect(parseRole(fx('role-sentinel'))).toEqual({ role: 'sentinel', masters: ['mymaster'] });
  });
  it('refuses what is not a ROLE reply', () => {
    expect(() => parseRole('OK')).toThrow(ReplyError);
    expect(() => parseRole(['leader'])).toThrow(/unexpected ROLE reply/);
  });
});

describe('MODULE LIST', () => {
  it('finds FalkorDB (module "graph") and its dotted version', () => {
    const mods = parseModuleList(fx('module-list'));
    expect(mods.map((m) => m.name)).toEqual(['graph', 'vectorset']);
    expect(falkordbModule(mods)).toEqual({ name: 'graph', ver: 41603, version: '4.16.3' });
    expect(falkordbModule(mods.filter((m) => m.name !== 'graph'))).toBeUndefined();
  });
  it('dottedVersion', () => {
    expect(dottedVersion(20412)).toBe('2.4.12');
    expect(dottedVersion(41603)).toBe('4.16.3');
  });
});

describe('SENTINEL replies', () => {
  it('GET-MASTER-ADDR-BY-NAME: an address, or undefined for an unknown name (nil)', () => {
    expect(parseMasterAddr(fx('sentinel-get-master-addr'))).toEqual({ host: '127.0.9.1', port: 6379 });
    expect(fx('sentinel-get-master-addr-unknown')).toBeNull();
    expect(parseMasterAddr(fx('sentinel-get-master-addr-unknown'))).toBeUndefined();
    expect(() => parseMasterAddr(['1.2.3.4'])).toThrow(ReplyError);
  });
  it('SENTINEL MASTER: flags, replicas, other Sentinels, quorum', () => {
    expect(parseSentinelMaster(fx('sentinel-master-with-replica'))).toMatchObject({
      name: 'mymaster',
      ip: '127.0.9.1',
      port: 6379,
      flags: ['master'],
      numSlaves: 1,
      numOtherSentinels: 0,
      quorum: 2,
    });
  });
  it('SENTINEL MASTER of a master that went away: s_down and disconnected', () => {
    expect(parseSentinelMaster(fx('sentinel-master-sdown')).flags).toEqual(['s_down', 'master', 'disconnected']);
  });
  it('pairs refuses an odd-length array', () => {
    expect(() => pairs(['a', 'b', 'c'])).toThrow(/flat key\/value/);
  });
});
