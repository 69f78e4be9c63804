// Issue 2, "proven against the real thing": each rendered falkordb.conf (+ secrets.conf include) is run by
// the real redis-server 8 with the real FalkorDB module, started from the rendered unit's ExecStart, and
// the running servers report the rendered settings and replicate with the rendered credentials.
// Hosts: 127.0.2.10-13.
import { existsSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import {
  parseInfo,
  redisClient,
  redisDirective,
  useCleanup,
  waitFor,
  type RunningServer,
} from '../../helpers/index.js';
import { fileOf, layout, PARAMS, type Layout } from './fixture.js';
import { startDb } from './nodes.js';

useCleanup();

const DB = ['db-1', 'db-2', 'db-3'] as const;
let l: Layout;
const servers = new Map<string, RunningServer>();
const clients = new Map<string, Redis>();
const client = (h: string): Redis => clients.get(h)!;

beforeAll(async () => {
  l = await layout({ first: 10, ports: [16380, 16381], label: 'render-falkordb' });
  for (const h of DB) servers.set(h, await startDb(l, h));
  for (const h of DB) clients.set(h, await redisClient(l.addr(h), l.inv.redis.port, { password: l.secrets.password }));
});

describe.each(DB)('rendered falkordb.conf of %s on redis-server 8 + FalkorDB', (h) => {
  it('binds the host address and loopback, as rendered', () => {
    const conf = fileOf(l, h, { kind: 'redis' }).content;
    expect(redisDirective(conf, 'bind')).toEqual([[l.addr(h), '127.0.0.1']]);
  });

  it('loads the graph module with the rendered arguments', async () => {
    const mods = (await client(h).call('MODULE', 'LIST')) as unknown[][];
    const graph = mods.map((m) => Object.fromEntries(pairs(m))).find((m) => m.name === 'graph');
    expect(graph, JSON.stringify(mods)).toBeDefined();
    expect(graph!.path).toBe(l.inv.falkordb.modulePath);
    expect(graph!.args).toEqual(Object.entries(PARAMS).flatMap(([k, v]) => [k, String(v)]));
  });

  it('GRAPH.CONFIG GET returns every rendered module parameter', async () => {
    for (const [k, v] of Object.entries(PARAMS)) {
      const expected = v === 'no' ? 0 : v; // GRAPH.CONFIG reports the yes/no CMD_INFO as 1/0
      expect(await client(h).call('GRAPH.CONFIG', 'GET', k), k).toEqual([k, expected]);
    }
  });

  it('CONFIG GET returns the rendered memory and persistence settings', async () => {
    const get = async (k: string) => ((await client(h).call('CONFIG', 'GET', k)) as string[])[1];
    expect(await get('maxmemory')).toBe(String(0.25 * 1024 ** 3));
    expect(await get('maxmemory-policy')).toBe('noeviction');
    expect(await get('appendonly')).toBe('yes');
    expect(await get('appendfsync')).toBe('everysec');
    expect(await get('aof-use-rdb-preamble')).toBe('yes');
    expect(await get('save')).toBe('900 1 120 500');
    expect(await get('dir')).toBe(l.inv.redis.dataDir);
    // The AOF landed in this host's own data directory (the bind mount), not a shared one.
    expect(readdirSync(l.onHost(h, l.inv.redis.dataDir))).toContain('appendonlydir');
  });

  it('requires the rendered password (from the secrets include) and has the disabled commands removed', async () => {
    const anon = await redisClient(l.addr(h), l.inv.redis.port);
    await expect(anon.call('GET', 'x')).rejects.toThrow(/NOAUTH/);
    await expect(anon.call('AUTH', 'not-the-password')).rejects.toThrow(/WRONGPASS/);
    expect(await anon.call('AUTH', l.secrets.password)).toBe('OK');
    await expect(client(h).call('FLUSHALL')).rejects.toThrow(/unknown command/i);
    expect(await client(h).call('CONFIG', 'GET', 'requirepass')).toEqual(['requirepass', l.secrets.password]);
  });
});

describe('replication from the rendered configs', () => {
  it('replicas reach master_link_status:up against the rendered master', async () => {
    for (const h of ['db-2', 'db-3']) {
      // repl-diskless-sync-delay 5 (rendered) holds the first full sync for 5 s
      const info = await waitFor(
        async () => parseInfo(await client(h).info('replication')),
        (i) => i.master_link_status === 'up',
        { what: `master_link_status:up on ${h}`, timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(info.role).toBe('slave');
      expect(info.master_host).toBe(l.addr('db-1'));
      expect(info.slave_announce_ip ?? l.addr(h)).toBe(l.addr(h));
    }
    const master = parseInfo(await client('db-1').info('replication'));
    expect(master.role).toBe('master');
    expect(master.connected_slaves).toBe('2');
    // replica-announce-ip: the master knows each replica by its rendered address
    expect([master.slave0, master.slave1].map((s) => /ip=([^,]+)/.exec(s ?? '')?.[1]).sort()).toEqual(
      [l.addr('db-2'), l.addr('db-3')].sort(),
    );
  });

  it('a graph written on the master is read back on each replica; replicas refuse writes', async () => {
    await client('db-1').call(
      'GRAPH.QUERY',
      'social',
      "CREATE (:Person {name:'ada'})-[:KNOWS]->(:Person {name:'alan'})",
    );
    const offset = Number(parseInfo(await client('db-1').info('replication')).master_repl_offset);
    for (const h of ['db-2', 'db-3']) {
      await waitFor(
        async () => Number(parseInfo(await client(h).info('replication')).slave_repl_offset),
        (o) => o >= offset,
        { what: `${h} to reach replication offset ${offset}`, timeoutMs: 10_000 },
      );
      const res = (await client(h).call(
        'GRAPH.RO_QUERY',
        'social',
        'MATCH (a:Person)-[:KNOWS]->(b) RETURN a.name, b.name',
      )) as unknown[][];
      expect(res[1]).toEqual([['ada', 'alan']]);
      await expect(client(h).call('GRAPH.QUERY', 'social', "CREATE (:Person {name:'x'})")).rejects.toThrow(/READONLY/);
    }
    expect(existsSync(l.onHost('db-2', l.inv.redis.dataDir))).toBe(true);
  });
});

function pairs(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}
