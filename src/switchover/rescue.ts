// After a switchover failed or was interrupted: put the cluster back into a state that serves writes, from what
// is true now (never from what the plan assumed). Writes are never left paused; the old master's fence is lifted
// only when it cannot take writes behind Sentinel's back (it is still the master the Sentinels name, or it has
// been demoted); HAProxy's write backend is pointed at the master the Sentinels name. Each action is best
// effort and reported: a rescue that stops at its first error would leave the rest undone.
import type { Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, sentinelHosts } from '../inventory/topology.js';
import type { RedisFactory } from '../redis/client.js';
import { field, parseInfo } from '../redis/info.js';
import { parseMasterAddr } from '../redis/replies.js';
import type { Clock } from '../context.js';
import { waitFor, done, notYet } from '../core/wait.js';
import { call, haproxy, type Conns } from './live.js';
import type { Preflight } from './preflight.js';

export interface RescueInput {
  inv: Inventory;
  conns: Conns;
  factory: RedisFactory;
  pre: Preflight;
  minReplicas: number;
  writeBackend: string;
  clock: Clock;
  /** How long to wait for Sentinel to demote the old master once it promoted the candidate. */
  demoteMs: number;
}

export interface RescueReport {
  /** What the rescue did, or tried and could not, one line each. */
  actions: string[];
  /** The master a majority of Sentinels names now (host), if any. */
  master?: string;
  /** Per node: role and link as INFO says now. */
  nodes: { host: string; state: string }[];
  /** Set when the cluster is not serving writes through HAProxy as far as the rescue can tell. */
  unresolved: string[];
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function rescue(r: RescueInput): Promise<RescueReport> {
  const { inv, conns, pre } = r;
  const rep: RescueReport = { actions: [], nodes: [], unresolved: [] };
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      rep.actions.push(`ok      ${what}`);
      return true;
    } catch (e) {
      rep.actions.push(`FAILED  ${what}: ${errText(e)}`);
      return false;
    }
  };
  // 1. Writes flow again wherever they were paused (UNPAUSE is harmless where nothing is paused).
  for (const h of dbHosts(inv))
    await attempt(`CLIENT UNPAUSE on ${h.name}`, () => call(conns, h.name, 'node', ['CLIENT', 'UNPAUSE']));

  // 2. Who is master now, according to a majority of the Sentinels.
  const named = await Promise.all(
    sentinelHosts(inv).map(async (h) => {
      try {
        const a = parseMasterAddr(
          await call(conns, h.name, 'sentinel', ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', inv.sentinel.masterName]),
        );
        return a ? `${a.host}:${a.port}` : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const counts = new Map<string, number>();
  for (const a of named) if (a) counts.set(a, (counts.get(a) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  const majority = top && top[1] >= pre.majority ? top[0] : undefined;
  const masterHost = majority ? dbHosts(inv).find((h) => `${h.address}:${inv.redis.port}` === majority) : undefined;
  rep.master = masterHost?.name;

  // 3. The old master's fence: lift it once it cannot take writes the new master will not have.
  const old = pre.master.host;
  const lift = () =>
    attempt(`min-replicas-to-write back to ${r.minReplicas} on ${old}`, async () => {
      await call(conns, old, 'node', ['CONFIG', 'SET', 'min-replicas-to-write', String(r.minReplicas)]);
      await call(conns, old, 'node', ['CONFIG', 'REWRITE']);
    });
  if (masterHost?.name === old) await lift();
  else if (masterHost) {
    const demoted = await waitFor(
      async () => {
        const info = parseInfo(String(await call(conns, old, 'node', ['INFO', 'replication'])));
        return field(info, 'role') === 'slave' ? done(true) : notYet(`role:${field(info, 'role')}`);
      },
      { what: `${old} demoted by Sentinel`, timeoutMs: r.demoteMs, intervalMs: 250, clock: r.clock },
    ).catch((e: unknown) => {
      rep.unresolved.push(`${old} keeps its write fence (min-replicas-to-write): ${errText(e)}`);
      return false;
    });
    if (demoted) await lift();
  } else
    rep.unresolved.push(
      `no majority of Sentinels names a master (${named.map((a, i) => `${sentinelHosts(inv)[i]!.name}→${a ?? '?'}`).join(', ')}); ` +
        `${old} keeps its write fence until they agree`,
    );

  // 4. Replica priorities back to what they were.
  for (const x of pre.replicas)
    await attempt(`replica-priority back to ${x.priority} on ${x.host}`, async () => {
      await call(conns, x.host, 'node', ['CONFIG', 'SET', 'replica-priority', String(x.priority)]);
      await call(conns, x.host, 'node', ['CONFIG', 'REWRITE']);
    });

  // The leader's INFO period, lowered while the switchover aimed (SENTINEL DEBUG; setting it again is harmless).
  const leader = pre.sentinelHosts[0];
  if (leader && pre.leaderInfoPeriodMs !== undefined)
    await attempt(`Sentinel ${leader}: INFO period back to ${pre.leaderInfoPeriodMs} ms`, () =>
      call(conns, leader, 'sentinel', ['SENTINEL', 'DEBUG', 'INFO-PERIOD', String(pre.leaderInfoPeriodMs)]),
    );

  // 5. HAProxy's write backend follows the master the Sentinels name: it up, the others to their checks.
  if (masterHost)
    for (const lb of haproxyHosts(inv)) {
      const cmds = dbHosts(inv).flatMap((h) =>
        h.name === masterHost.name
          ? [`set server ${r.writeBackend}/${h.name} state ready`, `set server ${r.writeBackend}/${h.name} health up`]
          : [
              `set server ${r.writeBackend}/${h.name} state ready`,
              `set server ${r.writeBackend}/${h.name} health down`,
            ],
      );
      const ok = await attempt(`${lb.name}: ${r.writeBackend} → ${masterHost.name}`, () =>
        haproxy(r.factory, inv, lb.name, cmds),
      );
      if (!ok) rep.unresolved.push(`${lb.name}: the write backend could not be pointed at ${masterHost.name}`);
    }

  // 6. What every node says now.
  for (const h of dbHosts(inv)) {
    try {
      const info = parseInfo(String(await call(conns, h.name, 'node', ['INFO', 'replication'])));
      const role = field(info, 'role');
      rep.nodes.push({
        host: h.name,
        state:
          role === 'slave'
            ? `replica of ${field(info, 'master_host')}:${field(info, 'master_port')}, link ${field(info, 'master_link_status')}`
            : `${role}`,
      });
    } catch (e) {
      rep.nodes.push({ host: h.name, state: `not answering: ${errText(e)}` });
    }
  }
  return rep;
}
