// Taking one backup on one node: snapshot (counts and fork at one replication offset), copy to the backup
// directory, checksum, redis-check-rdb, optionally a load in a throwaway server, then the manifest. Backup
// changes nothing in the cluster's data or configuration, so it runs this fixed sequence through the transport
// (argv from ./commands.ts) rather than as a Plan; every wait polls with a deadline.
import { randomBytes, randomInt } from 'node:crypto';
import type { Clock } from '../context.js';
import { FalkorError } from '../errors.js';
import type { NodeFacts } from '../facts/nodes.js';
import type { Host, Inventory } from '../inventory/schema.js';
import type { RedisFactory, RedisLike } from '../redis/client.js';
import { field, parseInfo } from '../redis/info.js';
import type { Transport } from '../remote/transport.js';
import { done, giveUp, notYet, waitFor } from '../core/wait.js';
import {
  checkRdbArgv,
  copyArgv,
  mkdirArgv,
  parseSum,
  removeScratchArgv,
  scratchArgv,
  scratchDir,
  startVerifyArgv,
  stopUnitArgv,
  sumArgv,
  unitStateArgv,
  verifyConf,
  verifyUnit,
} from './commands.js';
import {
  backupId,
  compareGraphs,
  manifestPath,
  parseCheckRdb,
  rdbPath,
  type GraphCount,
  type Manifest,
} from './manifest.js';

export interface BackupEnv {
  inv: Inventory;
  transport: Transport;
  factory: RedisFactory;
  password: string;
  clock: Clock;
  progress: (host: string, line: string) => void;
  signal?: AbortSignal;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));

/** Node and edge count of every graph (GRAPH.LIST), read-only queries: they run on a replica and in a pause. */
export async function countGraphs(r: RedisLike): Promise<GraphCount[]> {
  const names = ((await r.call('GRAPH.LIST')) as unknown[]).map(String).sort();
  const one = async (g: string, q: string) => {
    const rows = ((await r.call('GRAPH.RO_QUERY', g, q)) as unknown[])[1] as unknown[][];
    return num(rows[0]![0]);
  };
  const out: GraphCount[] = [];
  for (const name of names)
    out.push({
      name,
      nodes: await one(name, 'MATCH (n) RETURN count(n)'),
      edges: await one(name, 'MATCH ()-[e]->() RETURN count(e)'),
    });
  return out;
}

const persistence = async (r: RedisLike) => parseInfo(await r.info('persistence'));

interface Snapshot {
  at: Date;
  offset: number;
  replId: string;
  graphs: GraphCount[];
  saves: number;
}

/**
 * The counts and the fork at one replication offset. CLIENT PAUSE WRITE stops client writes and, on a replica,
 * the processing of the master's stream too (networking.c: PAUSE_ACTION_REPLICA), so the offset stands still
 * while the graphs are counted and BGSAVE forks; the offset read again after counting proves it did. The pause
 * expires by itself (pauseMs) should this process die in it; on a replica it delays only replication.
 */
async function snapshot(env: BackupEnv, host: string, r: RedisLike, pauseMs: number): Promise<Snapshot> {
  const offsetNow = async () => {
    const i = parseInfo(await r.info('replication'));
    return { offset: Number(field(i, 'master_repl_offset')), replId: field(i, 'master_replid') ?? '' };
  };
  return waitFor(
    async () => {
      const p = await persistence(r);
      const busy = ['rdb_bgsave_in_progress', 'aof_rewrite_in_progress', 'module_fork_in_progress'].filter(
        (k) => field(p, k) !== '0',
      );
      if (busy.length) return notYet(`${host}: ${busy.join(', ')}`);
      const saves = Number(field(p, 'rdb_saves'));
      await r.call('CLIENT', 'PAUSE', pauseMs, 'WRITE');
      try {
        const before = await offsetNow();
        const graphs = await countGraphs(r);
        const after = await offsetNow();
        if (after.offset !== before.offset)
          return notYet(`${host}: offset moved from ${before.offset} to ${after.offset} while counting`);
        const at = new Date(env.clock.now());
        try {
          await r.call('BGSAVE');
        } catch (e) {
          return notYet(`${host}: BGSAVE: ${(e as Error).message}`); // a save or rewrite began meanwhile
        }
        return done({ at, offset: after.offset, replId: after.replId, graphs, saves });
      } finally {
        await r.call('CLIENT', 'UNPAUSE');
      }
    },
    {
      what: `${host}: no save or rewrite in progress, then counts and BGSAVE at one offset`,
      timeoutMs: env.inv.backup.timeoutMs,
      intervalMs: 200,
      clock: env.clock,
      signal: env.signal,
    },
  );
}

/** LASTSAVE has only second resolution, so a save within the same second as an earlier one is told by rdb_saves. */
async function awaitSave(env: BackupEnv, host: string, r: RedisLike, s: Snapshot): Promise<void> {
  const startSec = Math.floor(s.at.getTime() / 1000) - 1;
  await waitFor(
    async () => {
      const p = await persistence(r);
      const f = (k: string) => field(p, k);
      const last = num(await r.call('LASTSAVE'));
      const seen = `rdb_bgsave_in_progress:${f('rdb_bgsave_in_progress')} rdb_saves:${f('rdb_saves')} LASTSAVE:${last} rdb_last_bgsave_status:${f('rdb_last_bgsave_status')}`;
      if (f('rdb_bgsave_in_progress') !== '0') return notYet(seen);
      if (f('rdb_last_bgsave_status') !== 'ok')
        throw giveUp(new FalkorError('FAILED', `${host}: BGSAVE failed: ${seen}`));
      return Number(f('rdb_saves')) > s.saves && last >= startSec ? done(seen) : notYet(seen);
    },
    {
      what: `${host}: BGSAVE finished (LASTSAVE changed, rdb_last_bgsave_status:ok)`,
      timeoutMs: env.inv.backup.timeoutMs,
      intervalMs: 200,
      clock: env.clock,
      signal: env.signal,
    },
  );
}

const configGet = async (r: RedisLike, k: string) => String(((await r.call('CONFIG', 'GET', k)) as unknown[])[1]);

/** Load the copy in a throwaway server on a free loopback port; GRAPH.LIST and counts against the manifest. */
export async function verifyRestore(
  env: BackupEnv,
  host: Host,
  m: Pick<Manifest, 'id' | 'rdb' | 'graphs'>,
): Promise<string[]> {
  const { inv, transport: t } = env;
  const scratch = scratchDir(inv.backup.dir, m.id);
  const unit = verifyUnit(m.id);
  const user = inv.redis.user;
  const password = randomBytes(24).toString('hex');
  await t.exec(host.name, scratchArgv(scratch, m.rdb, user));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = randomInt(20_000, 30_000);
      const conf = `${scratch}/verify.conf`;
      await t.upload(host.name, conf, verifyConf({ port, scratch, modulePath: inv.falkordb.modulePath, password }), {
        mode: 0o600,
        owner: user,
        group: user,
        backup: false,
      });
      env.progress(host.name, `loading ${m.id} in a throwaway server on 127.0.0.1:${port}`);
      await t.exec(host.name, startVerifyArgv(unit, user, inv.falkordb.redisServer, conf));
      let r: RedisLike | undefined;
      try {
        r = await waitFor(
          async () => {
            const st = (await t.exec(host.name, unitStateArgv(unit), { check: false })).stdout;
            if (!/ActiveState=(active|activating)/.test(st)) {
              const log = await t.exec(host.name, ['tail', '-n', '5', `${scratch}/redis.log`], { check: false });
              throw giveUp(
                new FalkorError('FAILED', `${host.name}: the throwaway server stopped: ${log.stdout.trim()}`),
              );
            }
            const c = await env.factory.open(host, port, { password, timeoutMs: 5_000 });
            try {
              const loading = field(parseInfo(await c.info('persistence')), 'loading');
              if (loading === '0') return done(c);
              await c.close();
              return notYet(`loading:${loading}`);
            } catch (e) {
              await c.close();
              throw e;
            }
          },
          {
            what: `${host.name}: the throwaway server on port ${port} up and done loading ${m.id}`,
            timeoutMs: inv.backup.timeoutMs,
            intervalMs: 250,
            clock: env.clock,
            signal: env.signal,
          },
        );
      } catch (e) {
        await t.exec(host.name, stopUnitArgv(unit), { check: false });
        // another process took the port between our pick and the bind: pick again
        if (attempt < 3 && /Address already in use/i.test((e as Error).message)) continue;
        throw e;
      }
      try {
        return compareGraphs(m.graphs, await countGraphs(r));
      } finally {
        await r.close();
        await t.exec(host.name, stopUnitArgv(unit), { check: false });
      }
    }
  } finally {
    await t.exec(host.name, removeScratchArgv(scratch), { check: false });
  }
}

export async function takeBackup(env: BackupEnv, node: NodeFacts, o: { verifyRestore: boolean }): Promise<Manifest> {
  const { inv, transport: t } = env;
  const host = inv.hosts.find((h) => h.name === node.host)!;
  const r = await env.factory.open(host, node.port, { password: env.password, timeoutMs: 10_000 });
  let s: Snapshot;
  let source: string;
  try {
    source = `${await configGet(r, 'dir')}/${await configGet(r, 'dbfilename')}`;
    env.progress(host.name, 'counting graphs and forking BGSAVE at one offset');
    s = await snapshot(env, host.name, r, 10_000);
    env.progress(host.name, `BGSAVE at offset ${s.offset}: waiting for it to finish`);
    await awaitSave(env, host.name, r, s);
  } finally {
    await r.close();
  }
  const id = backupId(inv.cluster, host.name, s.at, s.offset);
  const dir = inv.backup.dir;
  const rdb = rdbPath(dir, id);
  env.progress(host.name, `copying ${source} to ${rdb}`);
  await t.exec(host.name, mkdirArgv(dir, inv.redis.user));
  await t.exec(host.name, copyArgv(source, rdb, inv.redis.user), { timeoutMs: inv.backup.timeoutMs });
  const sum = parseSum((await t.exec(host.name, sumArgv(rdb), { timeoutMs: inv.backup.timeoutMs })).stdout);
  if (!sum) throw new FalkorError('REMOTE', `${host.name}: could not read the size and sha256 of ${rdb}`);
  env.progress(host.name, `redis-check-rdb ${rdb}`);
  const chk = await t.exec(host.name, checkRdbArgv(inv.falkordb.redisServer, rdb), {
    check: false,
    timeoutMs: inv.backup.timeoutMs,
  });
  const c = parseCheckRdb(chk.stdout + chk.stderr, chk.code);
  const problems: string[] = [];
  if (!c.ok) problems.push(`redis-check-rdb: ${c.error}`);
  // another save (a save point) could have replaced dump.rdb between ours and the copy: the offset tells
  else if (c.replOffset !== s.offset)
    problems.push(
      `the copied RDB has repl-offset ${c.replOffset}, the snapshot was at ${s.offset}: another save replaced it`,
    );
  const m: Manifest = {
    format: 1,
    id,
    cluster: inv.cluster,
    host: host.name,
    role: node.replication?.role === 'master' ? 'master' : 'replica',
    createdAt: s.at.toISOString(),
    redisVersion: node.redisVersion ?? 'unknown',
    falkordbVersion: node.falkordbVersion ?? 'unknown',
    masterReplOffset: s.offset,
    replId: s.replId,
    graphs: s.graphs,
    rdb,
    size: sum.size,
    sha256: sum.sha256,
    verified: { checkRdb: problems.length === 0, restore: null, problems },
  };
  if (o.verifyRestore && !problems.length) {
    const diff = await verifyRestore(env, host, m);
    m.verified = { ...m.verified, restore: diff.length === 0, problems: diff };
  }
  await t.upload(host.name, manifestPath(dir, id), JSON.stringify(m) + '\n', {
    mode: 0o640,
    owner: 'root',
    group: inv.redis.user,
    backup: false,
  });
  return m;
}
