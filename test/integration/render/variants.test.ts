// The other rendered persistence modes and ACL users, on the real server: each variant's master
// (db-1) starts from its rendered files, reports the rendered settings, and behaves accordingly across
// a restart or a crash. Hosts: 127.0.2.60-75 and 80-83 (four addresses per layout; only db-1 runs).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redisClient, useCleanup } from '../../helpers/index.js';
import { layout, type Layout } from './fixture.js';
import { startDb } from './nodes.js';

useCleanup();

type Mode = 'hybrid' | 'aof' | 'rdb' | 'none';
const open = (l: Layout, user?: { username: string; password: string }) =>
  redisClient(l.addr('db-1'), l.inv.redis.port, user ?? { password: l.secrets.password });
const get = async (l: Layout, k: string) => ((await (await open(l)).call('CONFIG', 'GET', k)) as string[])[1];
const people = async (l: Layout) =>
  ((await (await open(l)).call('GRAPH.RO_QUERY', 'g', 'MATCH (p:P) RETURN count(p)')) as unknown[][][])[1]![0]![0];
const hasGraph = async (l: Layout) => (await (await open(l)).call('EXISTS', 'g')) === 1;

const cases: {
  mode: Mode;
  first: number;
  appendonly: string;
  save: string;
  restart: 'graceful' | 'crash';
  survives: boolean;
}[] = [
  // Redis writes the AOF before it replies, so a process crash (SIGKILL) right after the write loses nothing
  { mode: 'hybrid', first: 60, appendonly: 'yes', save: '900 1 120 500', restart: 'crash', survives: true },
  { mode: 'aof', first: 64, appendonly: 'yes', save: '', restart: 'graceful', survives: true },
  { mode: 'rdb', first: 68, appendonly: 'no', save: '900 1 120 500', restart: 'graceful', survives: true },
  { mode: 'none', first: 72, appendonly: 'no', save: '', restart: 'graceful', survives: false },
];

describe.each(cases)('persistence $mode', (c) => {
  it(`renders appendonly ${c.appendonly}, save "${c.save}"; a graph ${c.survives ? 'survives' : 'does not survive'} a ${c.restart} restart`, async () => {
    const l = await layout({
      first: c.first,
      ports: [16430 + c.first, 16431 + c.first],
      label: `render-${c.mode}`,
      patch: (i) => {
        i.redis = { ...i.redis, persistence: c.mode };
      },
    });
    let db = await startDb(l, 'db-1');
    expect(await get(l, 'appendonly')).toBe(c.appendonly);
    expect(await get(l, 'save')).toBe(c.save);
    await (await open(l)).call('GRAPH.QUERY', 'g', 'UNWIND range(1, 100) AS i CREATE (:P {i: i})');
    expect(await people(l)).toBe(100);

    if (c.restart === 'crash') await db.proc.kill();
    else await db.proc.stop(); // SIGTERM: Redis saves an RDB on shutdown when save points exist
    db = await startDb(l, 'db-1');
    expect(await hasGraph(l)).toBe(c.survives);
    if (c.survives) expect(await people(l)).toBe(100);
    const files = readdirSync(l.onHost('db-1', l.inv.redis.dataDir));
    expect(files.includes('appendonlydir')).toBe(c.appendonly === 'yes');
  });
});

describe('rendered ACL users', () => {
  it('an application user logs in with its rendered password, may use graphs, not dangerous commands', async () => {
    const l = await layout({
      first: 80,
      ports: [16500, 16501],
      label: 'render-acl',
      patch: (i) => {
        i.auth = { ...i.auth, users: [{ name: 'app', password: 'env:APP_PASSWORD' }] };
      },
      users: { app: 'app-secret-0123456789' },
    });
    await startDb(l, 'db-1');
    const app = await open(l, { username: 'app', password: 'app-secret-0123456789' });
    expect(await app.call('ACL', 'WHOAMI')).toBe('app');
    await app.call('GRAPH.QUERY', 'g', "CREATE (:P {name: 'x'})");
    expect(await app.call('GRAPH.RO_QUERY', 'g', 'MATCH (p:P) RETURN p.name')).toEqual([
      ['p.name'],
      [['x']],
      expect.any(Array),
    ]);
    await expect(app.call('CONFIG', 'GET', 'requirepass')).rejects.toThrow(/NOPERM/);
    await expect(app.call('SHUTDOWN')).rejects.toThrow(/NOPERM/);
    const anon = await redisClient(l.addr('db-1'), l.inv.redis.port);
    await expect(anon.call('AUTH', 'app', 'wrong')).rejects.toThrow(/WRONGPASS/);
  });
});
