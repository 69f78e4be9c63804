// Negative controls: the same machinery as the positive tests, fed something wrong, must fail. They show
// the positive tests could fail, and that what makes them pass is the rendered content (the password,
// the environment file, valid syntax). Hosts: 127.0.2.40-43.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../../src/render/index.js';
import {
  checkHAProxyConfig,
  holdsFor,
  parseInfo,
  redisClient,
  startHAProxy,
  useCleanup,
  waitFor,
  type RunningServer,
} from '../../helpers/index.js';
import { checkTiming, fileOf, layout, writeFiles, type Layout } from './fixture.js';
import { backendStates, lbFiles, startDb } from './nodes.js';

useCleanup();

let l: Layout;
const running = new Map<string, RunningServer>();
const linkStatus = async (h: string) =>
  parseInfo(
    await (await redisClient(l.addr(h), l.inv.redis.port, { password: l.secrets.password })).info('replication'),
  ).master_link_status;

beforeAll(async () => {
  l = await layout({ first: 40, ports: [16410, 16411], label: 'render-negative' });
});

describe('replication needs the rendered password', () => {
  it('a replica rendered with a different password never links up; one with the right password does', async () => {
    const wrong = { ...l.secrets, password: `${l.secrets.password}-not` };
    writeFiles(renderAll(l.inv, wrong, { hosts: ['db-2'] }), l.onHost); // db-2 gets a wrong secrets.conf
    for (const h of ['db-1', 'db-2', 'db-3']) running.set(h, await startDb(l, h));
    const db2 = redisClient(l.addr('db-2'), l.inv.redis.port, { password: wrong.password });
    const [down] = await Promise.all([
      // long enough to cover repl-diskless-sync-delay (5 s) plus the first sync of db-3
      holdsFor(
        async () => parseInfo(await (await db2).info('replication')).master_link_status,
        (s) => s === 'up',
        {
          what: 'db-2 (wrong password) master_link_status to stay down',
          windowMs: 8_000,
          intervalMs: 250,
        },
      ),
      waitFor(
        () => linkStatus('db-3'),
        (s) => s === 'up',
        { what: 'db-3 (right password) link up', timeoutMs: 30_000, intervalMs: 200 },
      ),
    ]);
    expect(down).toBe('down');
    const log = readFileSync(l.onHost('db-2', `${l.inv.redis.logDir}/falkordb.log`), 'utf8');
    expect(log).toMatch(/Unable to AUTH to MASTER: -WRONGPASS/);
  });
});

describe('HAProxy checks need the rendered environment file', () => {
  it('with a wrong FALKORDB_PASSWORD every server is marked DOWN and the write port serves nothing', async () => {
    const { cfg, env } = lbFiles(l, 'lb-1');
    const { inter, fall, rise, timeoutCheck } = checkTiming(cfg);
    const bad = Object.fromEntries(Object.keys(env).map((k) => [k, 'wrong-password']));
    await startHAProxy({ name: 'haproxy lb-1 (wrong password)', cfg, env: bad });
    const all = [
      'falkordb_write/db-1',
      'falkordb_write/db-2',
      'falkordb_write/db-3',
      'falkordb_read/db-2',
      'falkordb_read/db-3',
      'falkordb_read/db-1',
    ];
    await waitFor(
      () => backendStates(l.inv.haproxy.statsSocket),
      (s) => all.every((k) => s[k] === 'DOWN'),
      {
        what: 'every server DOWN (AUTH fails)',
        timeoutMs: fall * (inter + timeoutCheck) + 5_000,
        intervalMs: 100,
      },
    );
    await holdsFor(
      () => backendStates(l.inv.haproxy.statsSocket),
      (s) => all.some((k) => s[k] !== 'DOWN'),
      {
        what: 'all servers to stay DOWN',
        windowMs: rise * inter * 3,
        intervalMs: 100,
      },
    );
    const w = await redisClient(l.addr('lb-1'), l.inv.haproxy.writePort, { password: l.secrets.password }).catch(
      (e: Error) => e,
    );
    const outcome = w instanceof Error ? w : await w.call('PING').catch((e: Error) => e);
    expect(outcome).toBeInstanceOf(Error);
  });
});

describe('the static checkers reject what is wrong', () => {
  it('haproxy -c fails on the rendered config with one directive broken', async () => {
    const { cfg, env } = lbFiles(l, 'lb-1');
    const broken = `${cfg}.broken`;
    writeFileSync(broken, readFileSync(cfg, 'utf8').replace('balance first', 'balance fiirst'));
    const r = await checkHAProxyConfig(broken, env);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/ALERT.*Error\(s\) found in configuration file/);
    expect(r.output).toMatch(/haproxy\.cfg\.broken:\d+\] : balance only supports/); // the line we broke
  });

  it('a rendered falkordb.conf with a misspelled directive does not start', async () => {
    const conf = fileOf(l, 'db-1', { kind: 'redis' }).content;
    expect(conf).toMatch(/^maxmemory-policy /m);
    // Same machinery as the positive tests: if this started, "started" would prove nothing.
    await running.get('db-2')?.proc.stop();
    writeFiles(
      [{ ...fileOf(l, 'db-2', { kind: 'redis' }), content: conf.replace(/^maxmemory-policy /m, 'maxmemory-polcy ') }],
      l.onHost,
    );
    const err = await startDb(l, 'db-2').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/maxmemory-polcy/);
  });
});
