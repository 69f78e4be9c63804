// The one override the other render tests need (each node binds only its own address, because all of
// them share this machine's 127.0.0.1) is not hiding anything: here each host runs in its own private
// network namespace, and its rendered falkordb.conf and sentinel.conf run exactly as the units say,
// with no extra arguments, serving on every rendered bind address. Hosts: 127.0.2.100-103.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  pingIn,
  redisDirective,
  startNetns,
  tcpOpen,
  useCleanup,
  type Netns,
  type RunningServer,
} from '../../helpers/index.js';
import { fileOf, layout, unitArgv, type Layout } from './fixture.js';
import { startDb, startSentinelOf } from './nodes.js';

useCleanup();

let l: Layout;
const ns = new Map<string, Netns>();
const db = new Map<string, RunningServer>();
const sentinels = new Map<string, RunningServer>();

beforeAll(async () => {
  l = await layout({ first: 100, ports: [16520, 16521], label: 'render-unmodified' });
  for (const h of ['db-1', 'db-2']) {
    ns.set(h, await startNetns(h));
    db.set(h, await startDb(l, h, { netns: ns.get(h)!.path }));
    sentinels.set(h, await startSentinelOf(l, h, { netns: ns.get(h)!.path }));
  }
});

describe.each(['db-1', 'db-2'])('%s in its own network namespace, unmodified', (h) => {
  it('runs falkordb.service ExecStart exactly, and answers on every rendered bind address', async () => {
    const [exec] = unitArgv(fileOf(l, h, { suffix: '/falkordb.service' }).content, 'ExecStart');
    expect(db.get(h)!.proc.argv).toEqual(exec);
    const binds = redisDirective(fileOf(l, h, { kind: 'redis' }).content, 'bind')[0]!;
    expect(binds).toContain('127.0.0.1');
    for (const a of binds)
      expect(await pingIn(ns.get(h)!.path, a, l.inv.redis.port, l.secrets.password), a).toEqual(['+OK', '+PONG']);
  });

  it('runs falkordb-sentinel.service ExecStart exactly, and answers on every rendered bind address', async () => {
    const [exec] = unitArgv(fileOf(l, h, { suffix: '/falkordb-sentinel.service' }).content, 'ExecStart');
    expect(sentinels.get(h)!.proc.argv).toEqual(exec);
    const binds = redisDirective(fileOf(l, h, { kind: 'sentinel' }).content, 'bind')[0]!;
    expect(binds).toContain('127.0.0.1');
    for (const a of binds)
      expect(await pingIn(ns.get(h)!.path, a, l.inv.sentinel.port, l.secrets.sentinelPassword), a).toEqual([
        '+OK',
        '+PONG',
      ]);
  });

  it('is really private: the machine itself cannot reach it', async () => {
    await expect(tcpOpen(l.addr(h), l.inv.redis.port, 500)).rejects.toThrow();
    // and the probe can fail: a wrong password is refused inside the namespace
    const reply = await pingIn(ns.get(h)!.path, l.addr(h), l.inv.redis.port, 'wrong');
    expect(reply[0]).toMatch(/^-WRONGPASS/);
  });
});
