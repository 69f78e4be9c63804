// What must hold after each phase, asked of the services themselves (through SSH tunnels), polled
// until a deadline: never a fixed sleep. A timeout names the node, what was awaited and what was seen.
import type { Clock } from '../context.js';
import { FalkorError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { hostByName } from '../inventory/topology.js';
import type { Secrets } from '../inventory/secrets.js';
import { nodePort } from '../facts/nodes.js';
import type { RedisFactory, RedisLike } from '../redis/client.js';
import { field, parseInfo } from '../redis/info.js';
import { falkordbModule, parseModuleList, parseRole } from '../redis/replies.js';
import type { Check } from './types.js';
import { notYet, done, waitFor } from '../core/wait.js';
import { exporterProblem, prometheusProblem, prometheusView } from '../monitoring/observe.js';
import type { HostExec } from '../monitoring/probe.js';

export const DEADLINES_MS: Record<Check['kind'], number> = {
  master: 90_000,
  replica: 180_000,
  sentinel: 60_000,
  haproxy: 30_000,
  exporter: 60_000,
  // a first scrape waits for one scrape interval after the start
  prometheus: 120_000,
};

export interface CheckEnv {
  inv: Inventory;
  factory: RedisFactory;
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>;
  clock: Clock;
  /** One bounded command on a host (the monitoring checks ask the daemons there: no tunnel). */
  exec?: HostExec;
  deadlines?: Partial<typeof DEADLINES_MS>;
}

/** The monitoring checks: `probe` (undefined when satisfied, else what it saw) polled by waitFor to `ms`. */
async function waitMonitoring(
  env: CheckEnv,
  what: string,
  ms: number,
  probe: (x: HostExec) => Promise<string | undefined>,
) {
  const exec = env.exec;
  if (!exec) throw new Error(`${what}: no way to run commands on the host (a bug)`);
  await waitFor(
    async () => {
      const seen = await probe(exec);
      return seen === undefined ? done(undefined) : notYet(seen);
    },
    { what, timeoutMs: ms, intervalMs: 1_000, clock: env.clock },
  );
}

/** Polls `probe` (which returns undefined when satisfied, or what it saw) until the deadline. */
export async function poll(
  clock: Clock,
  what: string,
  timeoutMs: number,
  probe: () => Promise<string | undefined>,
): Promise<void> {
  const end = clock.now() + timeoutMs;
  let last = '(nothing yet)';
  for (;;) {
    try {
      const seen = await probe();
      if (seen === undefined) return;
      last = seen;
    } catch (e) {
      last = (e as Error).message ?? String(e);
    }
    if (clock.now() >= end)
      throw new FalkorError('TIMEOUT', `${what}: not so after ${Math.round(timeoutMs / 1000)}s; last seen: ${last}`);
    await clock.sleep(500);
  }
}

async function withConn<T>(
  env: CheckEnv,
  host: string,
  port: number,
  password: string | undefined,
  fn: (r: RedisLike) => Promise<T>,
): Promise<T> {
  const h = hostByName(env.inv, host);
  if (!h) throw new Error(`no host ${host}`);
  const r = await env.factory.open(h, port, { password, timeoutMs: 5_000 });
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

/** A node's identity. One that cannot be read is an error, never a placeholder two unknown nodes share. */
const runId = async (r: RedisLike): Promise<string> => {
  const id = field(parseInfo(await r.info('server')), 'run_id');
  if (!id) throw new Error(`${r.label}: INFO server has no run_id`);
  return id;
};

/** Runs one check to its deadline; resolves to a one-line summary of what was verified. */
export async function runCheck(env: CheckEnv, c: Check): Promise<string> {
  const ms = env.deadlines?.[c.kind] ?? DEADLINES_MS[c.kind];
  const pw = env.secrets.password;
  const port = nodePort(env.inv);
  switch (c.kind) {
    case 'master':
      await poll(env.clock, `${c.host}: master answering PING, ROLE master, graph module loaded, loading:0`, ms, () =>
        withConn(env, c.host, port, pw, async (r) => {
          if ((await r.call('PING')) !== 'PONG') return 'no PONG';
          const role = parseRole(await r.call('ROLE'));
          if (role.role !== 'master') return `ROLE ${role.role}`;
          if (!falkordbModule(parseModuleList(await r.call('MODULE', 'LIST')))) return 'no graph module in MODULE LIST';
          const loading = field(parseInfo(await r.info('persistence')), 'loading');
          return loading === '0' ? undefined : `loading:${loading}`;
        }),
      );
      return `${c.host}: master, graph module loaded, dataset loaded`;
    case 'replica':
      await poll(env.clock, `${c.host}: replica of ${c.master.host} with the link up and in sync`, ms, () =>
        withConn(env, c.host, port, pw, async (r) => {
          const role = parseRole(await r.call('ROLE'));
          if (role.role !== 'replica') return `ROLE ${role.role}`;
          if (role.masterHost !== c.master.address || role.masterPort !== c.master.port)
            return `replica of ${role.masterHost}:${role.masterPort}`;
          const info = parseInfo(await r.info('replication'));
          if (field(info, 'master_link_status') !== 'up')
            return `master_link_status:${field(info, 'master_link_status')}`;
          return field(info, 'master_sync_in_progress') === '0' ? undefined : 'sync in progress';
        }),
      );
      return `${c.host}: replica of ${c.master.host}, link up, in sync`;
    case 'sentinel': {
      const name = env.inv.sentinel.masterName;
      let quorum = '';
      await poll(
        env.clock,
        `${c.host}: Sentinel monitoring ${c.master.address}:${c.master.port} with CKQUORUM OK`,
        ms,
        () =>
          withConn(env, c.host, env.inv.sentinel.port, env.secrets.sentinelPassword, async (r) => {
            const addr = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[] | null;
            if (!addr || addr[0] !== c.master.address || Number(addr[1]) !== c.master.port)
              return `master ${addr ? addr.join(':') : 'unknown'}`;
            quorum = String(await r.call('SENTINEL', 'CKQUORUM', name));
            return undefined;
          }),
      );
      return `${c.host}: Sentinel follows ${c.master.address}:${c.master.port}; ${quorum}`;
    }
    case 'haproxy': {
      const hp = env.inv.haproxy;
      const masterId = await withConn(env, c.master, port, pw, runId);
      // The read port must reach a replica whenever the cluster has one: a read pool that silently falls back
      // to the master (replicas down, wrong backend) puts the read load on the write path. Only a cluster
      // without replicas may read from the master.
      const replicaIds = new Set<string>();
      if (c.replicas.length)
        await poll(
          env.clock,
          `${c.host}: a replica (${c.replicas.join(', ')}) answering with its run_id`,
          ms,
          async () => {
            for (const rep of c.replicas) {
              const id = await withConn(env, rep, port, pw, runId).catch(() => undefined);
              if (id && id !== masterId) replicaIds.add(id);
            }
            return replicaIds.size ? undefined : 'no replica answered';
          },
        );
      const nameOf = (id: string) =>
        id === masterId
          ? `the master ${c.master}`
          : replicaIds.has(id)
            ? 'a replica'
            : `an unknown node (run_id ${id})`;
      await poll(env.clock, `${c.host}: write port ${hp.writePort} reaching the master ${c.master}`, ms, () =>
        withConn(env, c.host, hp.writePort, pw, async (r) => {
          const id = await runId(r);
          return id === masterId ? undefined : nameOf(id);
        }),
      );
      const want = c.replicas.length ? replicaIds : new Set([masterId]);
      await poll(
        env.clock,
        `${c.host}: read port ${hp.readPort} reaching ${c.replicas.length ? 'a replica' : 'the master (the cluster has no replica)'}`,
        ms,
        () =>
          withConn(env, c.host, hp.readPort, pw, async (r) => {
            const id = await runId(r);
            return want.has(id) ? undefined : nameOf(id);
          }),
      );
      return `${c.host}: write port ${hp.writePort} → ${c.master}; read port ${hp.readPort} → ${c.replicas.length ? 'a replica' : c.master}`;
    }
    case 'exporter':
      await waitMonitoring(env, `${c.host}: redis_exporter answering with redis_up 1`, ms, (x) =>
        exporterProblem(env.inv, x, c),
      );
      return `${c.host}: redis_exporter exports ${[c.node && 'the node', c.sentinel && 'the Sentinel'].filter(Boolean).join(' and ')} (redis_up 1)`;
    case 'prometheus':
      await waitMonitoring(
        env,
        `${c.host}: Prometheus with every target up, rules loaded, Alertmanager ready`,
        ms,
        async (x) => prometheusProblem(env.inv, await prometheusView(env.inv, x, c.host)),
      );
      return `${c.host}: Prometheus scrapes every exporter (all up), alert rules loaded, Alertmanager ready`;
  }
}
