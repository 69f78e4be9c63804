// ACL mode (auth.acl) in the lab: deploy renders users.acl with `user default off`, falkorctl's admin user, an
// application user, a read-only user and the cluster's own users, each with its own secret. Asked directly
// over the lab network with ioredis as each user: the app user writes, the reader gets NOPERM on writes but can
// GRAPH.RO_QUERY, `default` is refused, HAProxy's check user runs only INFO/PING, the exporter only its reads.
// An ACL change is applied by deploy with ACL LOAD (same run_id everywhere); a file Redis refuses is undone and
// the old users keep working; a Sentinel failover completes with Sentinel's restricted user, and the old master
// resyncs as a replica logged in as the replication user.
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, inventoryCopy, redis, wipe } from './deploy-fixture.js';

let lab: Lab;
let tmp: string;
let inv: string;
const pw: Record<string, string> = {};
const DB = ['db1', 'db2', 'db3'];
const READER_RULES = '~* -@all +@read +graph.ro_query +graph.list +ping +info';

async function login(host: string, user?: string, password?: string, port = 6379): Promise<Redis> {
  const c = redis(lab, host, port, password ?? null, { ...(user ? { username: user } : {}), readyCheck: false });
  await c.connect();
  return c;
}
const admin = (host: string) => login(host, 'falkorctl', lab.password());
const err = (p: Promise<unknown>) =>
  p.then(
    (v) => `ok: ${String(v)}`,
    (e: Error) => e.message,
  );

function secretFile(name: string): string {
  const v = `${name}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const f = join(tmp, `${name}.pass`);
  writeFileSync(f, v, { mode: 0o600 });
  pw[name] = v;
  return `file:${f}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an inventory document of any shape, edited by tests
function aclInventory(edit: (d: Record<string, any>) => void = () => {}): string {
  return inventoryCopy(
    lab,
    (d) => {
      d.auth.users = [
        { name: 'app', password: `file:${join(tmp, 'app.pass')}`, rules: '~* &* +@all -@dangerous' },
        { name: 'reader', password: `file:${join(tmp, 'reader.pass')}`, rules: READER_RULES },
      ];
      d.auth.acl = Object.fromEntries(
        ['replication', 'sentinel', 'healthcheck', 'exporter'].map((r) => [
          r,
          { password: `file:${join(tmp, `${r}.pass`)}` },
        ]),
      );
      edit(d);
    },
    tmp,
  );
}

async function runIds(): Promise<string[]> {
  return Promise.all(
    DB.map(async (h) => {
      const c = await admin(h);
      const info = await c.info('server');
      c.disconnect();
      return /run_id:(\w+)/.exec(info)?.[1] ?? '?';
    }),
  );
}

async function masterName(): Promise<string> {
  const s = await login('db1', undefined, undefined, 26379);
  const a = (await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'falkordb-master')) as string[];
  s.disconnect();
  return lab.state.hosts.find((h) => h.address === a[0])?.name ?? a[0]!;
}

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  tmp = mkdtempSync(join(tmpdir(), 'falkorctl-acl-'));
  for (const n of ['app', 'reader', 'replication', 'sentinel', 'healthcheck', 'exporter', 'extra']) secretFile(n);
  inv = aclInventory();
  await wipe(lab);
  const r = await falkorctl(['-i', inv, 'deploy', '--yes']);
  if (r.code !== 0) throw new Error(`ACL deploy failed:\n${r.stdout}\n${r.stderr}`);
});
afterAll(async () => {
  closeClients();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await cleanupAll();
});

describe('ACL users on a deployed cluster', () => {
  it('writes users.acl 0600, owned by the service user, with hashes only; no secret in argv', async () => {
    for (const h of DB) {
      const st = await lab.exec(h, ['stat', '-c', '%a %U', '/etc/falkordb/users.acl']);
      expect(st.stdout.trim()).toBe('600 falkordb');
      const body = (await lab.exec(h, ['cat', '/etc/falkordb/users.acl'])).stdout;
      expect(body.split('\n')[0]).toBe('user default off');
      for (const v of Object.values(pw)) expect(body).not.toContain(v);
      const ps = await lab.exec(h, ['ps', '-eo', 'args']);
      for (const v of [...Object.values(pw), lab.password()]) expect(ps.stdout).not.toContain(v);
    }
  });

  it('the application user writes: GRAPH.QUERY and SET', async () => {
    const c = await login(await masterName(), 'app', pw.app);
    expect(await c.call('ACL', 'WHOAMI')).toBe('app');
    expect(await c.call('SET', 'acl:k', 'v')).toBe('OK');
    await c.call('GRAPH.QUERY', 'aclg', 'CREATE (:P {n: 1})');
    const r = (await c.call('GRAPH.RO_QUERY', 'aclg', 'MATCH (p:P) RETURN count(p)')) as unknown[][];
    expect(JSON.stringify(r[1])).toBe('[[1]]');
  });

  it('the read-only user reads and GRAPH.RO_QUERYs, and every write is NOPERM', async () => {
    const c = await login(await masterName(), 'reader', pw.reader);
    expect(await c.call('GET', 'acl:k')).toBe('v');
    const r = (await c.call('GRAPH.RO_QUERY', 'aclg', 'MATCH (p:P) RETURN count(p)')) as unknown[][];
    expect(JSON.stringify(r[1])).toBe('[[1]]');
    expect(await err(c.call('SET', 'acl:k', 'w'))).toMatch(/^NOPERM/);
    expect(await err(c.call('GRAPH.QUERY', 'aclg', 'CREATE (:P {n: 2})'))).toMatch(/^NOPERM/);
    expect(await err(c.call('DEL', 'acl:k'))).toMatch(/^NOPERM/);
  });

  it('`default` is refused: NOAUTH without a login, WRONGPASS with the old requirepass-style AUTH', async () => {
    const c = await login('db1');
    expect(await err(c.call('PING'))).toMatch(/^NOAUTH/);
    expect(await err(c.call('AUTH', lab.password()))).toMatch(/^WRONGPASS/);
  });

  it("HAProxy's check user runs AUTH, INFO and PING only, and HAProxy's checks pass with it", async () => {
    const c = await login('db1', 'haproxy-check', pw.healthcheck);
    expect(await c.call('PING')).toBe('PONG');
    expect(await c.info('replication')).toMatch(/role:/);
    for (const cmd of [
      ['GET', 'acl:k'],
      ['SET', 'x', 'y'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CLIENT', 'LIST'],
    ])
      expect(await err(c.call(cmd[0]!, ...cmd.slice(1))), cmd.join(' ')).toMatch(/^NOPERM/);
    // the write port answers as the master: HAProxy's tcp-check logged in as haproxy-check
    const w = await login('lb1', 'falkorctl', lab.password(), 6380);
    expect(await w.info('replication')).toMatch(/role:master/);
  });

  it('the exporter user reads INFO, CONFIG GET, SLOWLOG, LATENCY, CLIENT LIST but no key and no write', async () => {
    const c = await login('db1', 'exporter', pw.exporter);
    expect(await c.info()).toMatch(/redis_version/);
    expect(await c.call('CONFIG', 'GET', 'maxmemory')).toHaveLength(2);
    expect(typeof (await c.call('SLOWLOG', 'LEN'))).toBe('number');
    await c.call('LATENCY', 'LATEST');
    expect(String(await c.call('CLIENT', 'LIST'))).toMatch(/user=exporter/);
    expect(await err(c.call('GET', 'acl:k'))).toMatch(/^NOPERM/);
    expect(await err(c.call('CONFIG', 'SET', 'maxmemory', '1'))).toMatch(/^NOPERM/);
  });

  it("replicas and Sentinels are logged in as their own users (the master's CLIENT LIST)", async () => {
    const c = await admin(await masterName());
    const list = String(await c.call('CLIENT', 'LIST'));
    const users = (flag: RegExp) =>
      list
        .split('\n')
        .filter((l) => flag.test(l))
        .map((l) => /user=(\S+)/.exec(l)?.[1]);
    expect(users(/flags=S/).sort()).toEqual(['replication', 'replication']);
    expect(list).toMatch(/name=sentinel-\S+ .*user=sentinel/);
  });

  it('an ACL change is planned as ACL LOAD, applied without a restart (same run_id), and takes effect', async () => {
    const before = await runIds();
    const changed = aclInventory((d) =>
      d.auth.users.push({ name: 'extra', password: `file:${join(tmp, 'extra.pass')}`, rules: '~extra:* +@read' }),
    );
    const dry = await falkorctl(['-i', changed, 'deploy', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/ACL LOAD/);
    expect(dry.stdout).not.toMatch(/restart falkordb/);
    const r = await falkorctl(['-i', changed, 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(await runIds()).toEqual(before);
    for (const h of DB) {
      // the login itself is the proof (WRONGPASS before the load); extra may read its own keys only
      const c = await login(h, 'extra', pw.extra);
      expect(await c.call('GET', 'extra:x')).toBeNull();
      expect(await err(c.call('GET', 'acl:k'))).toMatch(/^NOPERM/);
    }
    inv = changed;
  });

  it('an ACL file Redis refuses (unknown command) is undone: old file and users kept, no restart', async () => {
    const before = await runIds();
    const m = await masterName();
    const sha = async () => (await lab.exec(m, ['sha256sum', '/etc/falkordb/users.acl'])).stdout;
    const oldSha = await sha();
    const bad = aclInventory((d) => (d.auth.users[1].rules = `${READER_RULES} +no-such-command`));
    const r = await falkorctl(['-i', bad, 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stderr).toMatch(/ACL LOAD/);
    expect(r.stderr).toMatch(/no-such-command|Unknown command/i);
    expect(await sha()).toBe(oldSha);
    expect(await runIds()).toEqual(before);
    const c = await login(m, 'reader', pw.reader);
    expect(await c.call('GET', 'acl:k')).toBe('v');
    expect(await err(c.call('SET', 'acl:k', 'w'))).toMatch(/^NOPERM/);
    // the next deploy of the good inventory has nothing to do on the master
    const again = await falkorctl(['-i', inv, 'deploy', '--dry-run']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('checklist: a node that lets a client in without a login fails network.auth, and passes once repaired', async () => {
    const run = () => falkorctl(['-i', inv, 'checklist', '--only', 'network.auth']);
    const ok = await run();
    expect(ok.code, `${ok.stdout}\n${ok.stderr}`).toBe(0);
    expect(ok.stdout).toMatch(/db2: a client without a login is refused/);
    const c = await admin('db2');
    await c.call('ACL', 'SETUSER', 'default', 'on', 'nopass', '+ping');
    const bad = await run();
    expect(bad.code, `${bad.stdout}\n${bad.stderr}`).toBe(1);
    expect(bad.stdout).toMatch(/\+PONG/);
    expect(await c.call('ACL', 'LOAD')).toBe('OK');
    const again = await run();
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
  });

  it("a Sentinel failover completes with Sentinel's restricted user; the old master resyncs as a replica", async () => {
    const old = await masterName();
    const s = await login(old, undefined, undefined, 26379);
    expect(await s.call('SENTINEL', 'FAILOVER', 'falkordb-master')).toBe('OK');
    s.disconnect();
    const now = await waitFor(masterName, (n) => n !== old, {
      what: 'a new master named by the Sentinels',
      timeoutMs: 120_000,
    });
    // a fresh login per probe: Sentinel's failover kills normal clients (CLIENT KILL TYPE normal)
    const ask = async (host: string, f: (c: Redis) => Promise<string>) => {
      const c = await admin(host);
      try {
        return await f(c);
      } finally {
        c.disconnect();
      }
    };
    await waitFor(
      () => ask(old, (c) => c.info('replication')),
      (i) => i.includes('role:slave') && i.includes('master_link_status:up') && i.includes('master_sync_in_progress:0'),
      // Sentinel turns the old master into a replica some seconds after the switch (its next INFO round)
      { what: `${old} a replica of ${now} with its link up`, timeoutMs: 120_000 },
    );
    await waitFor(
      () => ask(now, async (c) => String(await c.call('CLIENT', 'LIST'))),
      (l) => l.split('\n').filter((x) => /flags=S/.test(x) && /user=replication/.test(x)).length === 2,
      { what: `two replicas logged in as replication on ${now}`, timeoutMs: 120_000 },
    );
    // falkorctl's own clients (status) still log in after the failover, and call the cluster healthy
    await waitFor(
      () => falkorctl(['-i', inv, 'status']),
      (st) => st.code === 0,
      { what: 'falkorctl status exit 0 after the failover', timeoutMs: 120_000 },
    );
  });

  it("config update works in ACL mode: its trial start and live CONFIG SET log in as falkorctl's user", async () => {
    const r = await falkorctl(['-i', inv, 'config', 'update', '--set', 'TIMEOUT_DEFAULT=4000', '--yes']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/trial start: .*answered PONG/);
    for (const h of DB) {
      const c = await admin(h);
      expect(await c.call('GRAPH.CONFIG', 'GET', 'TIMEOUT_DEFAULT'), h).toEqual(['TIMEOUT_DEFAULT', 4000]);
      c.disconnect();
    }
  });
});
