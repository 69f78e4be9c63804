// restore's run-time side: what is read before the plan (the backup, its checksum now, versions, where each
// node keeps its data, the master Sentinel names), and the probes and operations its steps name.
import { createHash } from 'node:crypto';
import { FalkorError } from '../errors.js';
import type { NodeFacts } from '../facts/nodes.js';
import type { Topology } from '../facts/topology.js';
import { showStat } from '../haproxy/socket.js';
import { serverUp } from '../haproxy/stats.js';
import type { Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, sentinelHosts } from '../inventory/topology.js';
import type { RedisFactory } from '../redis/client.js';
import { field, parseInfo } from '../redis/info.js';
import { pairs } from '../redis/replies.js';
import type { Transport } from '../remote/transport.js';
import type { CustomFn, ProbeFn } from '../core/execute.js';
import { done, giveUp, notYet, type Probe } from '../core/wait.js';
import { call, type Conns } from '../switchover/live.js';
import { WRITE_BACKEND } from '../switchover/facts.js';
import { checkRdbArgv, mkdirArgv, parseSum, sumArgv } from './commands.js';
import type { Listed } from './list.js';
import { compareGraphs, compareVersions, parseCheckRdb, type GraphCount } from './manifest.js';
import { restoringMarker, type RestoreInput, type RestoreNode } from './restore-plan.js';
import { countGraphs } from './take.js';

const configGet = async (conns: Conns, host: string, k: string) =>
  String(((await call(conns, host, 'node', ['CONFIG', 'GET', k])) as unknown[])[1]);

/**
 * The plan's input, or the reasons to refuse — all found before anything is stopped: a copy whose sha256 is
 * not the manifest's, a failed check, a FalkorDB or Redis newer than the cluster's (an older module cannot load
 * a newer one's graphs: FalkorDB #2152), no master that a majority of Sentinels name.
 */
export async function restorePreflight(
  inv: Inventory,
  t: Transport,
  conns: Conns,
  topo: Topology,
  b: Listed,
): Promise<{ ok: true; input: RestoreInput; notes: string[] } | { ok: false; reasons: string[] }> {
  const m = b.manifest;
  const reasons: string[] = [];
  const notes: string[] = [];
  if (m.cluster !== inv.cluster) reasons.push(`backup ${m.id} is of cluster ${m.cluster}, not ${inv.cluster}`);
  if (!b.rdbPresent) reasons.push(`${b.on}: ${m.rdb} is missing`);
  else {
    const sum = parseSum((await t.exec(b.on, sumArgv(m.rdb), { timeoutMs: inv.backup.timeoutMs })).stdout);
    if (sum?.sha256 !== m.sha256)
      reasons.push(
        `${b.on}:${m.rdb} has sha256 ${sum?.sha256 ?? '(unreadable)'} and ${sum?.size ?? '?'} bytes; ` +
          `its manifest says ${m.sha256} and ${m.size}: the copy is corrupted`,
      );
  }
  if (!m.verified.checkRdb) reasons.push(`backup ${m.id} failed redis-check-rdb when it was taken`);
  if (m.verified.restore === false) reasons.push(`backup ${m.id} failed its verify-restore when it was taken`);
  if (m.verified.restore === null)
    notes.push(`backup ${m.id} was never loaded in a throwaway server (--verify-restore)`);

  // the master: the address a majority of Sentinels name (with failover paused, that stays true mid-restore)
  const named = topo.sentinels
    .map((s) => (s.masterAddr ? `${s.masterAddr.address}:${s.masterAddr.port}` : ''))
    .filter(Boolean);
  const top = [...new Set(named)]
    .map((a) => ({ a, n: named.filter((x) => x === a).length }))
    .sort((x, y) => y.n - x.n)[0];
  const majority = Math.floor(sentinelHosts(inv).length / 2) + 1;
  const nodeAt = (a: string) => topo.nodes.find((n) => `${n.address}:${n.port}` === a);
  const master = top && top.n >= majority ? nodeAt(top.a) : undefined;
  if (!master) reasons.push(`no master named by a majority of Sentinels (they name: ${named.join(', ') || 'none'})`);

  const up = topo.nodes.filter((n) => n.up);
  const marker = master
    ? (
        await t.exec(master.host, ['test', '-e', restoringMarker({ backupDir: inv.backup.dir, id: m.id })], {
          check: false,
        })
      ).code === 0
    : false;
  const oldest = (k: 'falkordbVersion' | 'redisVersion') =>
    up
      .map((n) => n[k])
      .filter((v): v is string => Boolean(v))
      .sort(compareVersions)[0];
  for (const [k, what] of [
    ['falkordbVersion', 'FalkorDB'],
    ['redisVersion', 'Redis'],
  ] as const) {
    const have = oldest(k);
    if (!have) {
      if (marker) notes.push(`no node answers: ${what} versions were checked by the interrupted run of this restore`);
      else reasons.push(`no node answers: the cluster's ${what} version cannot be compared with the backup's`);
    } else if (compareVersions(m[k], have) > 0)
      reasons.push(
        `backup ${m.id} was taken with ${what} ${m[k]}, newer than the cluster's ${have}: it cannot load it`,
      );
  }
  if (reasons.length || !master) return { ok: false, reasons };

  const nodeOf = async (n: NodeFacts): Promise<RestoreNode> => {
    const base = { host: n.host, address: n.address, port: n.port, up: n.up };
    if (!n.up) return { ...base, dir: inv.redis.dataDir, dbfilename: 'dump.rdb' };
    return {
      ...base,
      dir: await configGet(conns, n.host, 'dir'),
      dbfilename: await configGet(conns, n.host, 'dbfilename'),
    };
  };
  const dbs = dbHosts(inv).map((h) => topo.nodes.find((n) => n.host === h.name)!);
  return {
    ok: true,
    notes,
    input: {
      id: m.id,
      graphs: m.graphs,
      sha256: m.sha256,
      source: { host: b.on, rdb: m.rdb },
      master: { ...(await nodeOf(master)), aof: inv.redis.persistence === 'hybrid' || inv.redis.persistence === 'aof' },
      conf: `${inv.redis.configDir}/falkordb.conf`,
      replicas: await Promise.all(dbs.filter((n) => n.host !== master.host).map(nodeOf)),
      sentinels: sentinelHosts(inv).map((h) => h.name),
      haproxy: haproxyHosts(inv).map((h) => h.name),
      masterName: inv.sentinel.masterName,
      sentinelPort: inv.sentinel.port,
      quorum: inv.sentinel.quorum,
      backupDir: inv.backup.dir,
      redisUser: inv.redis.user,
      writeBackend: WRITE_BACKEND,
      maxLagBytes: inv.monitoring.replicationLagBytes,
      timeoutMs: inv.backup.timeoutMs,
    },
  };
}

export function restoreProbes(inv: Inventory, conns: Conns, factory: RedisFactory): Record<string, ProbeFn> {
  return {
    'graphs-match': async (spec): Promise<Probe<string>> => {
      const info = parseInfo(String(await call(conns, spec.host, 'node', ['INFO'])));
      const role = field(info, 'role') === 'master' ? 'master' : 'replica';
      if (field(info, 'loading') !== '0') return notYet(`loading:${field(info, 'loading')}`);
      if (role !== spec.params!.role) return notYet(`role:${role}`);
      const diff = compareGraphs(
        spec.params!.graphs as GraphCount[],
        await countGraphs(await conns.get(spec.host, 'node')),
      );
      if (!diff.length) return done('graphs and counts equal the manifest');
      // a loaded master will not change by waiting: fail at once, before any replica copies it
      if (role === 'master') throw giveUp(new FalkorError('FAILED', `${spec.host}: ${diff.join('; ')}`));
      return notYet(diff.join('; '));
    },
    'sentinel-quorum': async (spec): Promise<Probe<string>> => {
      const kv = pairs(await call(conns, spec.host, 'sentinel', ['SENTINEL', 'MASTER', inv.sentinel.masterName]));
      const q = Number(kv.quorum);
      if (q !== Number(spec.params!.quorum)) return notYet(`quorum ${q}`);
      if (!spec.params!.ckquorum) return done(`quorum ${q}`);
      const ck = String(await call(conns, spec.host, 'sentinel', ['SENTINEL', 'CKQUORUM', inv.sentinel.masterName]));
      return ck.startsWith('OK') ? done(`quorum ${q}; ${ck}`) : notYet(`quorum ${q}; ${ck}`);
    },
    'haproxy-routes': async (spec): Promise<Probe<string>> => {
      if (!factory.tunnels) throw giveUp(new FalkorError('USER', 'checking HAProxy needs the SSH connection'));
      const b = (await showStat(factory.tunnels, spec.host, inv.haproxy.statsSocket)).find(
        (x) => x.name === spec.params!.backend,
      );
      if (!b) return notYet(`no backend ${String(spec.params!.backend)}`);
      const upNow = b.servers.filter(serverUp).map((s) => s.server);
      const seen = `UP: ${upNow.join(', ') || 'none'}`;
      return upNow.length === 1 && upNow[0] === spec.params!.server ? done(seen) : notYet(seen);
    },
  };
}

const param = (s: Parameters<CustomFn>[0], k: string) => String(s.action.kind === 'custom' ? s.action.params?.[k] : '');

export function restoreCustoms(inv: Inventory, t: Transport): Record<string, CustomFn> {
  return {
    // hosts need not reach each other: the bytes pass through this machine, checked on both ends
    'relay-rdb': async (s) => {
      const data = await t.read(param(s, 'from'), param(s, 'path'));
      if (!data) throw new FalkorError('REMOTE', `${param(s, 'from')}: ${param(s, 'path')} is gone`);
      const got = createHash('sha256').update(data).digest('hex');
      if (got !== param(s, 'sha256'))
        throw new FalkorError('FAILED', `${param(s, 'from')}:${param(s, 'path')} arrived with sha256 ${got}`);
      await t.exec(s.host, mkdirArgv(inv.backup.dir, inv.redis.user));
      await t.upload(s.host, param(s, 'to'), data, {
        mode: 0o640,
        owner: 'root',
        group: inv.redis.user,
        backup: false,
        timeoutMs: inv.backup.timeoutMs,
      });
      return `${data.length} bytes, sha256 ${got}`;
    },
    'check-staged': async (s) => {
      const path = param(s, 'path');
      const sum = parseSum((await t.exec(s.host, sumArgv(path), { timeoutMs: inv.backup.timeoutMs })).stdout);
      if (sum?.sha256 !== param(s, 'sha256'))
        throw new FalkorError(
          'FAILED',
          `${s.host}:${path} has sha256 ${sum?.sha256 ?? '(unreadable)'}, not the manifest's`,
        );
      const r = await t.exec(s.host, checkRdbArgv(inv.falkordb.redisServer, path), {
        check: false,
        timeoutMs: inv.backup.timeoutMs,
      });
      const c = parseCheckRdb(r.stdout + r.stderr, r.code);
      if (!c.ok) throw new FalkorError('FAILED', `${s.host}: redis-check-rdb ${path}: ${c.error}`);
      return { changed: false, detail: `sha256 ok, redis-check-rdb ok (${c.keys ?? '?'} keys)` };
    },
  };
}
