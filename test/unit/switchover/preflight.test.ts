import { describe, expect, it } from 'vitest';
import { affectedBy2359, preflight, type SwitchoverFacts } from '../../../src/switchover/preflight.js';
import { healthy, settings } from './fixture.js';

const refused = (f: SwitchoverFacts, to?: string) => {
  const r = preflight(f, { ...settings, to });
  if (r.ok) throw new Error(`expected a refusal, got candidate ${r.value.candidate.host}`);
  return r.reasons.join('\n');
};
const rep = (f: SwitchoverFacts, host: string) => f.nodes.find((n) => n.host === host)!.replication!;
const setPriority = (f: SwitchoverFacts, host: string, p: number) =>
  (f.nodes.find((n) => n.host === host)!.info!.replication!.slave_priority = String(p));

describe('switchover pre-flight', () => {
  it('passes on a healthy cluster and picks by priority, then offset, then name', () => {
    const r = preflight(healthy(), settings);
    expect(r.ok && r.value.candidate.host).toBe('db2');
    const f = healthy();
    rep(f, 'db3').offset = 1001;
    const r2 = preflight(f, settings);
    expect(r2.ok && r2.value.candidate.host).toBe('db3');
    setPriority(f, 'db2', 10);
    const r3 = preflight(f, settings);
    expect(r3.ok && r3.value.candidate.host).toBe('db2');
    expect(r3.ok && r3.value.majority).toBe(2);
  });

  it('never picks a priority-0 replica, and refuses --to one', () => {
    const f = healthy();
    setPriority(f, 'db2', 0);
    const r = preflight(f, settings);
    expect(r.ok && r.value.candidate.host).toBe('db3');
    expect(refused(f, 'db2')).toMatch(/--to db2: replica-priority is 0/);
    setPriority(f, 'db3', 0);
    expect(refused(f)).toMatch(/every replica has replica-priority 0/);
  });

  it('refuses --to a host that is not a replica', () => {
    expect(refused(healthy(), 'db1')).toMatch(/--to db1: not a replica/);
    expect(refused(healthy(), 'nope')).toMatch(/--to nope: not a replica/);
  });

  it('refuses a node down, loading, unlinked or syncing, and lists every reason', () => {
    const f = healthy();
    Object.assign(f.nodes[2]!, { up: false, error: 'connection refused' });
    rep(f, 'db2').loading = true;
    expect(refused(f)).toMatch(/db2: still loading[\s\S]*db3: not reachable \(connection refused\)/);
    const g = healthy();
    rep(g, 'db2').linkUp = false;
    rep(g, 'db3').syncInProgress = true;
    const why = refused(g);
    expect(why).toMatch(/db2: master_link_status is not up/);
    expect(why).toMatch(/db3: a sync is in progress/);
  });

  it('refuses two masters, and a replica following someone else', () => {
    const f = healthy();
    Object.assign(rep(f, 'db3'), { role: 'master' });
    expect(refused(f)).toMatch(/exactly one node with role master, found 2 \(db1, db3\)/);
    const g = healthy();
    rep(g, 'db3').masterHost = '10.0.0.9';
    expect(refused(g)).toMatch(/db3: replicates 10.0.0.9:6379, not the master db1/);
  });

  it('refuses Sentinels that disagree, are down, see the master down, or fail CKQUORUM', () => {
    const f = healthy();
    f.sentinels[1]!.masterAddr = { address: '10.0.0.2', port: 6379 };
    f.sentinels[2]!.master!.flags = ['s_down', 'master'];
    expect(refused(f)).toMatch(
      /sentinel db2: names 10.0.0.2:6379 as master, not db1[\s\S]*sentinel db3: master flags s_down/,
    );
    const g = healthy();
    Object.assign(g.sentinels[0]!, { up: false, error: 'timeout' });
    g.ckquorum.db2 = { ok: false, text: 'NOQUORUM 1 usable Sentinels' };
    expect(refused(g)).toMatch(/sentinel db1: not reachable[\s\S]*sentinel db2: CKQUORUM: NOQUORUM/);
    const h = healthy();
    h.sentinels[0]!.master!.failoverState = 'wait_start';
    expect(refused(h)).toMatch(/a failover is under way \(wait_start\)/);
  });

  it('refuses unless HAProxy has exactly the master UP in the write backend', () => {
    const f = healthy();
    f.haproxy[0]!.backends![0]!.servers[1]!.status = 'UP';
    expect(refused(f)).toMatch(/haproxy lb1: falkordb_write has db1, db2 UP, expected exactly db1/);
    const g = healthy();
    g.haproxy[0]!.backends![0]!.servers[0]!.status = 'MAINT';
    expect(refused(g)).toMatch(/has nothing UP/);
    const h = healthy();
    Object.assign(h.haproxy[0]!, { up: false, error: 'no socket' });
    expect(refused(h)).toMatch(/haproxy lb1: stats socket not reachable \(no socket\)/);
  });

  it('refuses an unknown FalkorDB version and flags #2359 before 4.20.2', () => {
    const f = healthy();
    delete f.nodes[1]!.falkordbVersion;
    expect(refused(f)).toMatch(/FalkorDB version unknown on db2/);
    const ok = preflight(healthy(), settings);
    expect(ok.ok && ok.value.hazard2359).toBe(true);
    expect(ok.ok && ok.value.notes.join()).toMatch(/#2359/);
    const g = healthy();
    for (const n of g.nodes) n.falkordbVersion = '4.20.2';
    const r = preflight(g, settings);
    expect(r.ok && r.value.hazard2359).toBe(false);
    expect([
      affectedBy2359('4.16.3'),
      affectedBy2359('4.20.1'),
      affectedBy2359('4.20.2'),
      affectedBy2359('5.0.0'),
    ]).toEqual([true, true, false, false]);
  });
});
