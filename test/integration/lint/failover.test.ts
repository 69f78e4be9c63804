// "Does every node keep working after a failover?" — the premises of three lint rules, shown with a real
// master, replica and Sentinel on loopback: each mistake against the same setup without it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../../src/lint/index.js';
import {
  holdsFor,
  parseInfo,
  redisClient,
  requireFalkorBinaries,
  startProcess,
  startRedis,
  startSentinel,
  tempDir,
  useCleanup,
  waitFor,
} from '../../helpers/index.js';

useCleanup();
const bins = requireFalkorBinaries();
const PW = 'k7Qw9vXz2LmN4pR8sT1uY6bC3dF5gH0a';
let net = 10;

interface Setup {
  master: { host: string; port: number };
  replica: { host: string; port: number };
  sentinel: Redis;
  masterConf: string;
  replicaConf: string;
  stop: () => Promise<void>;
}

/**
 * A master, one replica and one Sentinel (quorum 1) on their own loopback address. Connections to
 * 127.0.44.x leave from 127.0.0.1, so nodes announce their address explicitly.
 */
async function cluster(o: {
  masterExtra?: string[];
  replicaExtra?: string[];
  masterauthOnMaster?: boolean;
}): Promise<Setup> {
  const host = `127.0.44.${net++}`;
  const dir = tempDir('lint-failover');
  const node = (port: number, extra: string[]) =>
    [
      `bind ${host}`,
      `port ${port}`,
      `dir ${dir}`,
      `dbfilename dump-${port}.rdb`,
      'save ""',
      `loadmodule ${bins.module}`,
      `requirepass ${PW}`,
      `replica-announce-ip ${host}`,
      ...extra,
    ].join('\n') + '\n';
  const masterConf = node(17301, [
    ...(o.masterauthOnMaster === false ? [] : [`masterauth ${PW}`]),
    ...(o.masterExtra ?? []),
  ]);
  const replicaConf = node(17302, [`masterauth ${PW}`, `replicaof ${host} 17301`, ...(o.replicaExtra ?? [])]);
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const m = await startRedis({ conf: write('master.conf', masterConf), host, port: 17301 });
  const r = await startRedis({ conf: write('replica.conf', replicaConf), host, port: 17302 });
  const sentinelConf = [
    `bind ${host}`,
    'port 17303',
    `dir ${dir}`,
    `sentinel monitor fk ${host} 17301 1`,
    `sentinel auth-pass fk ${PW}`,
    'sentinel down-after-milliseconds fk 10000',
    'sentinel failover-timeout fk 60000',
    '',
  ].join('\n');
  const s = await startSentinel({ conf: write('sentinel.conf', sentinelConf), host, port: 17303 });
  const master = { host, port: 17301 };
  const replica = { host, port: 17302 };
  const sentinel = await redisClient(host, 17303);
  await waitFor(
    () => role(replica),
    (i) => i.master_link_status === 'up',
    { what: 'replica linked', timeoutMs: 20_000 },
  );
  // A replica Sentinel may promote: connected, INFO seen, link to the master up.
  const replicas = async () => ((await sentinel.call('SENTINEL', 'REPLICAS', 'fk')) as string[][]).map(fields);
  await waitFor(
    replicas,
    (l) =>
      l.length === 1 &&
      l[0]!.flags === 'slave' &&
      l[0]!['master-link-status'] === 'ok' &&
      Number(l[0]!['info-refresh']) < 5000,
    {
      what: 'Sentinel to see a healthy replica',
      timeoutMs: 30_000,
    },
  );
  return {
    master,
    replica,
    sentinel,
    masterConf,
    replicaConf,
    stop: async () => void (await Promise.all([s.proc.stop(), r.proc.stop(), m.proc.stop()])),
  };
}

const fields = (flat: string[]): Record<string, string> =>
  Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1] ?? '']])));
/** A fresh connection per probe: a failover ends with CLIENT KILL of every normal client. */
async function role(node: { host: string; port: number }): Promise<Record<string, string>> {
  const r = await redisClient(node.host, node.port, { password: PW });
  try {
    return parseInfo(await r.info('replication'));
  } finally {
    r.disconnect();
  }
}
const rules = (text: string) =>
  lintText('/etc/falkordb/node.conf', `# falkordb\n${text}`, 'redis', () => undefined).map((f) => f.rule);

describe('failover with lint mistakes (real Redis 8 + FalkorDB + Sentinel)', () => {
  it('rename-command CONFIG "" on the replica: Sentinel cannot promote it', async () => {
    const c = await cluster({ replicaExtra: ['rename-command CONFIG ""'] });
    expect(rules(c.replicaConf)).toContain('redis/rename-breaks-sentinel');
    await c.sentinel.call('SENTINEL', 'FAILOVER', 'fk');
    await holdsFor(
      () => role(c.replica),
      (i) => i.role === 'master',
      { what: 'the replica to stay a replica', windowMs: 8_000, intervalMs: 250 },
    );
    await c.stop();
  });

  it('without the rename, the same failover promotes the replica', async () => {
    const c = await cluster({});
    expect(rules(c.replicaConf)).not.toContain('redis/rename-breaks-sentinel');
    await c.sentinel.call('SENTINEL', 'FAILOVER', 'fk');
    await waitFor(
      () => role(c.replica),
      (i) => i.role === 'master',
      { what: 'the replica promoted', timeoutMs: 15_000 },
    );
    await c.stop();
  });

  it('requirepass without masterauth: the old master is demoted but never syncs with the new one', async () => {
    const c = await cluster({ masterauthOnMaster: false });
    expect(rules(c.masterConf)).toContain('redis/requirepass-without-masterauth');
    await c.sentinel.call('SENTINEL', 'FAILOVER', 'fk');
    await waitFor(
      () => role(c.master),
      (i) => i.role === 'slave',
      { what: 'the old master demoted', timeoutMs: 30_000 },
    );
    await holdsFor(
      () => role(c.master),
      (i) => i.master_link_status === 'up',
      { what: 'the old master unable to sync', windowMs: 5_000, intervalMs: 250 },
    );
    await c.stop();
  });

  it('with masterauth, the old master rejoins as a replica', async () => {
    const c = await cluster({});
    expect(rules(c.masterConf)).not.toContain('redis/requirepass-without-masterauth');
    await c.sentinel.call('SENTINEL', 'FAILOVER', 'fk');
    await waitFor(
      () => role(c.master),
      (i) => i.role === 'slave' && i.master_link_status === 'up',
      { what: 'the old master linked to the new one', timeoutMs: 30_000 },
    );
    await c.stop();
  });
});

describe('a config on a read-only mount', () => {
  it('CONFIG REWRITE fails, so a new role would not survive a restart', async () => {
    const dir = tempDir('lint-ro');
    const host = '127.0.44.99';
    const conf = path.join(dir, 'falkordb.conf');
    writeFileSync(conf, `bind ${host}\nport 17310\ndir ${dir}\nsave ""\n`);
    // The file bind-mounted read-only over itself in a private mount namespace, as compose :ro does.
    const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" "$1"';
    const p = await startProcess({
      name: 'redis on a read-only config',
      argv: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', conf, bins.redisServer],
      ready: async () => await redisClient(host, 17310).then(async (r) => (await r.ping()) === 'PONG'),
    });
    const r = await redisClient(host, 17310);
    await expect(r.config('REWRITE')).rejects.toThrow(/Rewriting config file/i);
    await p.stop();
  });
});
