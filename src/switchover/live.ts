// The switchover's run-time side: the probes its `wait` steps name, the HAProxy runtime operations its
// `custom` steps name, and the one Redis connection per service kept open for the whole run (the critical
// path — pause, offsets, fence, failover, flip — must not pay a connection setup per command).
import { FalkorError } from '../errors.js';
import { haproxyCommands, showStat } from '../haproxy/socket.js';
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import { sentinelHosts } from '../inventory/topology.js';
import type { RedisFactory, RedisLike } from '../redis/client.js';
import { field, parseInfo } from '../redis/info.js';
import { pairs, parseMasterAddr } from '../redis/replies.js';
import type { CustomFn, ProbeFn } from '../core/execute.js';
import { done, giveUp, notYet, waitFor, type Probe } from '../core/wait.js';
import type { Transport } from '../remote/transport.js';

export interface Conns {
  /** A connection to the node or Sentinel on `host`, opened once and reused. */
  get(host: string, service: 'node' | 'sentinel'): Promise<RedisLike>;
  /** Drops a connection that failed (the next get opens a new one). */
  drop(host: string, service: 'node' | 'sentinel'): void;
  close(): Promise<void>;
}

export function createConns(
  inv: Inventory,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>,
): Conns {
  const open = new Map<string, Promise<RedisLike>>();
  const hostOf = (name: string): Host => {
    const h = inv.hosts.find((x) => x.name === name);
    if (!h) throw new FalkorError('USER', `no host ${name} in the inventory`);
    return h;
  };
  return {
    get(host, service) {
      const key = `${host}\u0000${service}`;
      let c = open.get(key);
      if (!c) {
        const sentinel = service === 'sentinel';
        c = factory.open(hostOf(host), sentinel ? inv.sentinel.port : inv.redis.port, {
          password: sentinel ? secrets.sentinelPassword : secrets.password,
          timeoutMs: 3_000,
        });
        c.catch(() => open.delete(key));
        open.set(key, c);
      }
      return c;
    },
    drop(host, service) {
      const key = `${host}\u0000${service}`;
      const c = open.get(key);
      open.delete(key);
      c?.then((r) => r.close()).catch(() => {});
    },
    async close() {
      const all = [...open.values()];
      open.clear();
      await Promise.all(all.map((c) => c.then((r) => r.close()).catch(() => {})));
    },
  };
}

/**
 * One command. A connection that broke (not a Redis error reply) is dropped and the command sent once more on a
 * fresh one: Sentinel's failover ends with CLIENT KILL TYPE normal on the promoted and the reconfigured
 * replicas, which closes our connections to them too. Every command the switchover sends to a node is
 * idempotent (CONFIG SET/REWRITE, INFO, CLIENT UNPAUSE), so sending it twice is safe.
 */
export async function call(conns: Conns, host: string, service: 'node' | 'sentinel', args: string[]) {
  for (let attempt = 1; ; attempt++) {
    const c = await conns.get(host, service);
    try {
      return await c.call(args[0]!, ...args.slice(1));
    } catch (e) {
      const reply = e instanceof Error && /^[A-Z]+ /.test(e.message) && !/connection|closed/i.test(e.message);
      if (reply) throw e;
      conns.drop(host, service);
      if (attempt >= 2 || (service === 'sentinel' && args[1]?.toUpperCase() === 'FAILOVER')) throw e;
    }
  }
}

const infoOf = async (conns: Conns, host: string) =>
  parseInfo(String(await call(conns, host, 'node', ['INFO', 'replication'])));

interface ReplicaRow {
  addr: string;
  flags: string[];
  priority: number;
  offset: number;
  runId: string;
  linkDownMs: number;
  /** Since Sentinel's last INFO of the replica. */
  infoRefreshMs: number;
  /** Since the replica last answered Sentinel's PING. */
  lastOkPingMs: number;
}

/**
 * The replica Sentinel's failover would promote (sentinel.c sentinelSelectSlave): not s_down / o_down /
 * disconnected, a PING answered within 5 ping periods (5 s), priority not 0, INFO not older than 3 info periods
 * (30 s), link not down longer than 10× down-after; then lowest priority, highest offset, lowest run id.
 */
export function sentinelPick(rows: readonly ReplicaRow[], downAfterMs: number): ReplicaRow | undefined {
  const maxLinkDown = downAfterMs * 10;
  return rows
    .filter((r) => !r.flags.some((f) => f === 's_down' || f === 'o_down' || f === 'disconnected'))
    .filter((r) => r.priority !== 0 && r.linkDownMs <= maxLinkDown && r.infoRefreshMs <= 30_000)
    .filter((r) => r.lastOkPingMs <= 5_000)
    .sort((a, b) => a.priority - b.priority || b.offset - a.offset || a.runId.localeCompare(b.runId))[0];
}

/**
 * Whether Sentinel's pick is settled by priority alone. Offsets in SENTINEL REPLICAS come from INFO replies
 * sampled at different moments (up to 10 s apart), so a pick won on offset can flip by the time the failover
 * selects: seen in the lab, the way back promoted the other replica because Sentinel had not yet read the
 * candidate's new replica-priority and the candidate happened to lead on a stale offset.
 */
export function pickedByPriority(rows: readonly ReplicaRow[], downAfterMs: number): boolean {
  const pick = sentinelPick(rows, downAfterMs);
  return Boolean(pick) && rows.every((r) => r === pick || r.priority === 0 || r.priority > pick!.priority);
}

export function replicaRows(reply: unknown): ReplicaRow[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((r) => {
    const kv = pairs(r);
    const s = (k: string) => {
      const v = kv[k];
      return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
    };
    return {
      addr: `${s('ip')}:${s('port')}`,
      flags: s('flags').split(','),
      priority: Number(s('slave-priority') || s('replica-priority') || 100),
      offset: Number(s('slave-repl-offset') || s('replica-repl-offset') || 0),
      runId: s('run-id'),
      linkDownMs: Number(s('master-link-down-time') || 0),
      infoRefreshMs: Number(s('info-refresh') || 0),
      lastOkPingMs: Number(s('last-ok-ping-reply') || 0),
    };
  });
}

/**
 * When a restarted node does not answer: is systemd restarting it after a crash (or has it given up)? Then
 * waiting on is pointless — the unit is broken, and the operator needs its journal, not a timeout.
 */
async function unitBroken(transport: Transport, host: string): Promise<string | undefined> {
  const r = await transport.exec(
    host,
    ['systemctl', 'show', '-p', 'ActiveState,SubState,Result,NRestarts', 'falkordb.service'],
    { check: false },
  );
  const kv = Object.fromEntries(r.stdout.split('\n').map((l) => l.split('=', 2) as [string, string]));
  if (kv.ActiveState !== 'failed' && kv.SubState !== 'auto-restart') return undefined;
  const j = await transport.exec(host, ['journalctl', '-u', 'falkordb.service', '-n', '5', '--no-pager', '-o', 'cat'], {
    check: false,
  });
  return (
    `${host}: falkordb.service is ${kv.ActiveState}/${kv.SubState} (result ${kv.Result}, ${kv.NRestarts} automatic ` +
    `restarts); last log lines:\n${j.stdout.trim() || '(none)'}`
  );
}

export function probes(inv: Inventory, conns: Conns, transport?: Transport): Record<string, ProbeFn> {
  const str = (v: unknown) => String(v);
  return {
    'sentinel-pick': async (spec): Promise<Probe<string>> => {
      const want = str(spec.params!.candidate);
      const rows = replicaRows(
        await call(conns, spec.host, 'sentinel', ['SENTINEL', 'REPLICAS', str(spec.params!.masterName)]),
      );
      const pick = sentinelPick(rows, inv.sentinel.downAfterMs);
      const settled = pickedByPriority(rows, inv.sentinel.downAfterMs);
      const seen = pick
        ? `would pick ${pick.addr} (priority ${pick.priority}, offset ${pick.offset}` +
          `${settled ? '' : '; not by priority alone: ' + rows.map((r) => `${r.addr} ${r.priority}`).join(', ')})`
        : 'no eligible replica';
      return pick?.addr === want && settled ? done(seen) : notYet(seen);
    },
    'sentinel-info-age': async (spec): Promise<Probe<string>> => {
      const want = str(spec.params!.candidate);
      const rows = replicaRows(
        await call(conns, spec.host, 'sentinel', ['SENTINEL', 'REPLICAS', str(spec.params!.masterName)]),
      );
      const row = rows.find((r) => r.addr === want);
      if (!row) return notYet(`${want} not among Sentinel ${spec.host}'s replicas`);
      const seen = `info-refresh ${row.infoRefreshMs} ms`;
      const ok = row.infoRefreshMs >= Number(spec.params!.from) && row.infoRefreshMs <= Number(spec.params!.to);
      return ok ? done(seen) : notYet(seen);
    },
    'no-blocked-clients': async (spec): Promise<Probe<string>> => {
      const info = parseInfo(String(await call(conns, spec.host, 'node', ['INFO', 'clients'])));
      const n = Number(field(info, 'blocked_clients'));
      return n === 0 ? done('blocked_clients:0') : notYet(`blocked_clients:${field(info, 'blocked_clients')}`);
    },
    'offsets-equal': async (spec): Promise<Probe<string>> => {
      const m = Number(field(await infoOf(conns, spec.host), 'master_repl_offset'));
      const hosts = spec.params!.replicas as string[];
      const offs = await Promise.all(
        hosts.map(async (h) => Number(field(await infoOf(conns, h), 'slave_repl_offset'))),
      );
      const seen = `${spec.host} at ${m}; ${hosts.map((h, i) => `${h} at ${offs[i]}`).join(', ')}`;
      return offs.every((o) => o === m) ? done(seen) : notYet(seen);
    },
    'sentinels-name': async (spec): Promise<Probe<string>> => {
      const want = str(spec.params!.address);
      const atLeast = Number(spec.params!.atLeast);
      const views = await Promise.all(
        sentinelHosts(inv).map(async (h) => {
          try {
            const a = parseMasterAddr(
              await call(conns, h.name, 'sentinel', ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', inv.sentinel.masterName]),
            );
            return `${h.name}→${a ? `${a.host}:${a.port}` : 'none'}`;
          } catch (e) {
            return `${h.name}→${(e as Error).message}`;
          }
        }),
      );
      const n = views.filter((v) => v.endsWith(`→${want}`)).length;
      const seen = `${n} name ${want} (${views.join(', ')})`;
      return n >= atLeast ? done(seen) : notYet(seen);
    },
    'node-ready': async (spec): Promise<Probe<string>> => {
      let text: string;
      try {
        text = String(await call(conns, spec.host, 'node', ['INFO']));
      } catch (e) {
        const broken = transport && (await unitBroken(transport, spec.host));
        if (broken) throw giveUp(new FalkorError('FAILED', broken));
        throw e;
      }
      const info = parseInfo(text);
      const f = (k: string) => field(info, k);
      if (f('loading') !== '0') return notYet(`loading:${f('loading')}`);
      if (f('role') !== 'slave') return notYet(`role:${f('role')}`);
      const at = `${f('master_host')}:${f('master_port')}`;
      if (at !== str(spec.params!.masterAddr)) return notYet(`replica of ${at}`);
      if (f('master_link_status') !== 'up') return notYet(`master_link_status:${f('master_link_status')}`);
      if (f('master_sync_in_progress') !== '0') return notYet('master_sync_in_progress:1');
      const m = Number(field(await infoOf(conns, str(spec.params!.master)), 'master_repl_offset'));
      const behind = m - Number(f('slave_repl_offset'));
      const seen = `in sync, ${behind} bytes behind`;
      return behind <= Number(spec.params!.maxLagBytes) ? done(seen) : notYet(seen);
    },
    'sentinels-settled': async (spec): Promise<Probe<string>> => {
      const want = str(spec.params!.address);
      const views = await Promise.all(
        sentinelHosts(inv).map(async (h) => {
          try {
            const kv = pairs(await call(conns, h.name, 'sentinel', ['SENTINEL', 'MASTER', inv.sentinel.masterName]));
            const at = `${String(kv.ip)}:${String(kv.port)}`;
            const fs = kv['failover-state'];
            const state = typeof fs === 'string' ? fs : 'none';
            const busy = String(kv.flags).includes('failover_in_progress') || (state !== 'none' && state !== '');
            return { ok: at === want && !busy, seen: `${h.name}→${at}${busy ? ` (${state})` : ''}` };
          } catch (e) {
            return { ok: false, seen: `${h.name}→${(e as Error).message}` };
          }
        }),
      );
      const seen = views.map((v) => v.seen).join(', ');
      return views.every((v) => v.ok) ? done(seen) : notYet(seen);
    },
    'aof-rewritten': async (spec): Promise<Probe<string>> => {
      const info = parseInfo(String(await call(conns, spec.host, 'node', ['INFO', 'persistence'])));
      const f = (k: string) => field(info, k);
      const seen =
        `aof_enabled:${f('aof_enabled')} aof_rewrite_in_progress:${f('aof_rewrite_in_progress')} ` +
        `aof_rewrite_scheduled:${f('aof_rewrite_scheduled')} aof_last_bgrewrite_status:${f('aof_last_bgrewrite_status')}`;
      if (f('aof_last_bgrewrite_status') === 'err') throw giveUp(new FalkorError('FAILED', `${spec.host}: ${seen}`));
      const ok = f('aof_enabled') === '1' && f('aof_rewrite_in_progress') === '0' && f('aof_rewrite_scheduled') === '0';
      return ok ? done(seen) : notYet(seen);
    },
    'replica-of': async (spec): Promise<Probe<string>> => {
      const info = await infoOf(conns, spec.host);
      const role = field(info, 'role');
      const at = `${field(info, 'master_host')}:${field(info, 'master_port')}`;
      const link = field(info, 'master_link_status');
      const seen = role === 'slave' ? `role:slave of ${at}, link ${link}` : `role:${role}`;
      return role === 'slave' && at === str(spec.params!.master) && link === 'up' ? done(seen) : notYet(seen);
    },
  };
}

/**
 * HAProxy runtime API commands in one socket line (they take effect together, in order); any answer is an error.
 * HAProxy runs the rest of the line after a failed command too: the caller's rescue puts the write backend back
 * from the live roles either way.
 */
export async function haproxy(factory: RedisFactory, inv: Inventory, host: string, commands: string[]): Promise<void> {
  const t = factory.tunnels;
  if (!t) throw new FalkorError('USER', 'switching HAProxy needs the SSH connection to reach its stats socket');
  const out = (await haproxyCommands(t, host, inv.haproxy.statsSocket, commands)).trim();
  if (out) throw new FalkorError('REMOTE', `${host}: HAProxy refused part of "${commands.join('; ')}": ${out}`);
}

export function customs(inv: Inventory, factory: RedisFactory): Record<string, CustomFn> {
  const p = (v: unknown) => String(v);
  return {
    'haproxy-fence': async (s) => {
      const b = `${p(s.action.kind === 'custom' && s.action.params?.backend)}/${p(s.action.kind === 'custom' && s.action.params?.server)}`;
      await haproxy(factory, inv, s.host, [`set server ${b} state maint`, `shutdown sessions server ${b}`]);
      return `${b} in maintenance, sessions shut down`;
    },
    'haproxy-flip': async (s) => {
      const a = s.action.kind === 'custom' ? (s.action.params ?? {}) : {};
      const up = `${p(a.backend)}/${p(a.up)}`;
      const down = `${p(a.backend)}/${p(a.down)}`;
      await haproxy(factory, inv, s.host, [
        `set server ${up} state ready`,
        `set server ${up} health up`,
        `set server ${down} state maint`,
        `shutdown sessions server ${down}`,
      ]);
      return `${up} up, ${down} in maintenance`;
    },
    'haproxy-ready': async (s, signal) => {
      const a = s.action.kind === 'custom' ? (s.action.params ?? {}) : {};
      const b = `${p(a.backend)}/${p(a.server)}`;
      // health down first: out of maintenance the server would keep its last state (UP, from when it was the
      // master) until checks fail, and HAProxy would send writes to a replica meanwhile. Then wait until HAProxy
      // itself reports it not UP: the runtime state and the health checks agree before the switchover ends.
      await haproxy(factory, inv, s.host, [`set server ${b} health down`, `set server ${b} state ready`]);
      const t = factory.tunnels!;
      const seen = await waitFor(
        async () => {
          const st = (await showStat(t, s.host, inv.haproxy.statsSocket))
            .find((x) => x.name === p(a.backend))
            ?.servers.find((x) => x.server === p(a.server))?.status;
          return st && !/^UP/.test(st) && st !== 'MAINT' ? done(st) : notYet(`${b} ${st ?? 'not listed'}`);
        },
        {
          what: `HAProxy ${s.host}: ${b} out of the write pool by its own checks`,
          timeoutMs: 30_000,
          intervalMs: 100,
          signal,
        },
      );
      return `${b} ready, ${seen} by its checks (a replica)`;
    },
  };
}
