// `falkorctl deploy` against the lab, from bare hosts to a healthy cluster, checked independently with
// ioredis over the lab network: previews change nothing, a second deploy touches no file, --diff masks
// secrets, a drifted replica is put back (and restarted), and after a Sentinel failover deploy follows
// the new master instead of reverting it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import {
  closeClients,
  falkorctl,
  inventoryCopy,
  LOCAL_AUDIT,
  mtimes,
  redis,
  role,
  sentinelMasters,
  wipe,
} from './deploy-fixture.js';

let lab: Lab;
let inv: string;
let tmp: string;
const addr = (h: string) => lab.host(h).address;

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000); // the lab is one cluster: one test file at a time
  lab = await labUp();
  inv = lab.inventoryPath;
  tmp = mkdtempSync(join(tmpdir(), 'falkorctl-deploy-'));
  await wipe(lab);
});
afterAll(async () => {
  closeClients();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await cleanupAll();
});

describe('deploy in the lab', () => {
  it('--dry-run on bare hosts prints the plan and changes nothing', async () => {
    const before = await mtimes(lab);
    const r = await falkorctl(['-i', inv, 'deploy', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^master:$/m);
    // the fixture provisioned the data volumes first, as an operator would: the service user and the data
    // directory (on XFS, falkordb's, 0750) are there already, so deploy plans neither
    expect(r.stdout).toMatch(/db1 +write \/etc\/falkordb\/falkordb.conf/);
    expect(r.stdout).not.toMatch(/create the service user|directory \/var\/lib\/falkordb\/data/);
    expect(r.stdout).toMatch(/lb1 +start haproxy.service/);
    expect(r.stdout).toContain('dry run: nothing was changed');
    expect(r.stdout + r.stderr).not.toContain(lab.password());
    const j = await falkorctl(['-i', inv, '--json', 'deploy', '--dry-run']);
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout) as {
      dryRun: boolean;
      master: string;
      steps: { id: string; upload?: { secret: boolean; mode: string } }[];
    };
    expect(doc).toMatchObject({ dryRun: true, master: 'db1' });
    expect(doc.steps.find((s) => s.id === 'db1:file:/etc/falkordb/secrets.conf')?.upload).toMatchObject({
      secret: true,
      mode: '0600',
    });
    expect(j.stdout).not.toContain(lab.password());
    expect(await mtimes(lab)).toEqual(before);
    expect((await lab.exec('db1', ['test', '-e', '/etc/falkordb'])).exitCode).not.toBe(0);
  });

  it('deploys from nothing to a healthy cluster', async () => {
    const t0 = Date.now();
    const r = await falkorctl(['-i', inv, '--verbose', 'deploy']); // every command logged: still no secret
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/db1: \$ .*systemctl start falkordb.service/);
    console.log(`deploy from bare hosts: ${Date.now() - t0} ms`);
    expect(r.stdout).toMatch(/^deployed: \d+ change\(s\) on 4 host\(s\)/m);
    expect(r.stdout + r.stderr).not.toContain(lab.password());

    expect((await role(lab, 'db1'))[0]).toBe('master');
    for (const h of ['db2', 'db3']) {
      const c = redis(lab, h, 6379);
      await c.connect();
      const info = await c.info('replication');
      expect(info).toContain('role:slave');
      expect(info).toContain(`master_host:${addr('db1')}`);
      expect(info).toContain('master_link_status:up');
    }
    for (const h of ['db1', 'db2', 'db3']) {
      const s = redis(lab, h, 26379, undefined);
      await s.connect();
      expect(String(await s.call('SENTINEL', 'CKQUORUM', 'falkordb-master'))).toMatch(/^OK 3 usable Sentinels/);
    }
    expect(await sentinelMasters(lab)).toEqual(Array(3).fill(`${addr('db1')}:6379`));

    const w = redis(lab, 'lb1', 6380);
    await w.connect();
    expect(((await w.call('ROLE')) as string[])[0]).toBe('master');
    await w.call('GRAPH.QUERY', 'deploytest', "CREATE (:Host {name:'lab'})");
    const rd = redis(lab, 'lb1', 6381);
    await rd.connect();
    expect(((await rd.call('ROLE')) as string[])[0]).toBe('slave');
    await waitFor(
      () =>
        rd
          .call('GRAPH.RO_QUERY', 'deploytest', 'MATCH (h:Host) RETURN h.name')
          .then(JSON.stringify, (e: Error) => e.message),
      (v) => v.includes('lab'),
      { what: 'the graph through the read port', timeoutMs: 15_000 },
    );
    // the lab's redis-server has no libsystemd: deploy saw that in the binary and made the units Type=exec
    expect(r.stderr).toMatch(/db1 +write \/etc\/systemd\/system\/falkordb.service.d\/falkorctl-exec.conf/);
    for (const h of ['db1', 'db2', 'db3']) {
      const u = await lab.exec(h, [
        'systemctl',
        'show',
        '-p',
        'ActiveState,Type',
        'falkordb.service',
        'falkordb-sentinel.service',
      ]);
      expect(u.stdout.split('\n').filter(Boolean).sort()).toEqual([
        'ActiveState=active',
        'ActiveState=active',
        'Type=exec',
        'Type=exec',
      ]);
    }
    // secrets on the hosts are 0600
    const st = await lab.exec('lb1', ['stat', '-c', '%a %U', '/etc/haproxy/falkordb.env']);
    expect(st.stdout.trim()).toBe('600 root');

    // the audit log: one line per step, on the operator's machine and on the master, secrets masked
    const local = readFileSync(LOCAL_AUDIT, 'utf8').trim().split('\n');
    const steps = local.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.every((x) => x.command === `falkorctl -i ${inv} --verbose deploy` && x.cluster)).toBe(true);
    expect(steps.map((x) => x.host)).toEqual(expect.arrayContaining(['db1', 'db2', 'db3', 'lb1']));
    expect(steps.find((x) => x.step === 'db1:start:falkordb.service')).toMatchObject({ outcome: 'changed' });
    expect(local.join('\n')).not.toContain(lab.password());
    const remote = await lab.exec('db1', ['cat', '/var/log/falkorctl/audit.jsonl']);
    expect(remote.exitCode, remote.stderr).toBe(0);
    expect(remote.stdout.trim().split('\n')).toEqual(local);
    // the lock was released
    expect((await lab.exec('db1', ['test', '-e', '/var/lib/falkorctl/cluster.lock'])).exitCode).toBe(1);
  });

  it("another run's lock refuses deploy (exit 3, the holder named); only the typed cluster name removes it", async () => {
    const cluster = readFileSync(inv, 'utf8').match(/^cluster: (\S+)/m)![1]!;
    const holder = JSON.stringify({
      cluster,
      owner: 'alice@laptop',
      command: 'falkorctl switchover',
      pid: 4242,
      started: '2026-01-01T00:00:00.000Z',
      ttlSeconds: 300,
      token: 'theirs',
    });
    const put = await lab.exec(
      'db1',
      ['sh', '-c', 'mkdir -p /var/lib/falkorctl && cat > /var/lib/falkorctl/cluster.lock'],
      {
        input: holder,
      },
    );
    expect(put.exitCode, put.stderr).toBe(0);
    const before = existsSync(LOCAL_AUDIT) ? readFileSync(LOCAL_AUDIT, 'utf8') : '';
    const r = await falkorctl(['-i', inv, 'deploy']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/cluster \S+ is locked by alice@laptop \(pid 4242, `falkorctl switchover`/);
    expect(r.stderr).toContain(`--force-unlock ${cluster}`);
    const wrong = await falkorctl(['-i', inv, 'deploy', '--force-unlock', 'not-the-cluster']);
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).toContain('"not-the-cluster" is not the cluster name');
    expect((await lab.exec('db1', ['cat', '/var/lib/falkorctl/cluster.lock'])).stdout).toContain('alice@laptop');
    const ok = await falkorctl(['-i', inv, 'deploy', '--force-unlock', cluster]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('removed the cluster lock held by alice@laptop');
    expect((await lab.exec('db1', ['test', '-e', '/var/lib/falkorctl/cluster.lock'])).exitCode).toBe(1);
    // nothing to change: no step ran, so no audit line was added
    expect(readFileSync(LOCAL_AUDIT, 'utf8')).toBe(before);
  });

  it('a second deploy changes nothing, says so, and touches no file', async () => {
    const before = await mtimes(lab);
    const r = await falkorctl(['-i', inv, 'deploy']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('nothing to change');
    expect(r.stdout).toMatch(/^no changes: every host already matched/m);
    expect(r.stdout).toMatch(/ok {2}lb1: write port 6380 → db1/);
    const j = await falkorctl(['-i', inv, '--json', 'deploy']);
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout) as { changed: unknown[]; verified: string[]; failure: unknown };
    expect(doc.changed).toEqual([]);
    expect(doc.failure).toBeNull();
    // master, 2 replicas, 3 Sentinels, 1 HAProxy, 3 exporters, Prometheus (the lab puts monitoring on lb1)
    expect(doc.verified).toHaveLength(11);
    expect(await mtimes(lab)).toEqual(before);
  });

  it('--diff shows drift with secrets masked, then deploy puts the replica back and restarts only it', async () => {
    const c = redis(lab, 'db2', 6379);
    await c.connect();
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await c.call('CONFIG', 'REWRITE'); // now falkordb.conf on db2 holds the password too
    expect((await lab.exec('db2', ['cat', '/etc/falkordb/falkordb.conf'])).stdout).toContain(lab.password());
    const before = await mtimes(lab);

    const d = await falkorctl(['-i', inv, 'deploy', '--diff']);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/^-maxmemory-policy allkeys-lru$/m);
    expect(d.stdout).toMatch(/^-requirepass "\*{8}"$/m);
    expect(d.stdout + d.stderr).not.toContain(lab.password());
    expect(await mtimes(lab)).toEqual(before);

    const master = await sinceActive('db1', 'falkordb.service');
    const r = await falkorctl(['-i', inv, 'deploy']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/db2 +restart falkordb.service/);
    const c2 = redis(lab, 'db2', 6379);
    await c2.connect();
    expect(await c2.call('CONFIG', 'GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await sinceActive('db1', 'falkordb.service')).toBe(master);
  });

  it('a changed Sentinel setting reaches the running Sentinels through SENTINEL SET, without a restart', async () => {
    const since = await Promise.all(['db1', 'db2', 'db3'].map((h) => sinceActive(h, 'falkordb-sentinel.service')));
    const changed = inventoryCopy(lab, (d) => (d.sentinel = { downAfterMs: 20000 }), tmp);
    const r = await falkorctl(['-i', changed, 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/db1 +SENTINEL SET down-after-milliseconds 20000 \(it is 30000\)/);
    for (const h of ['db1', 'db2', 'db3']) {
      const s = redis(lab, h, 26379, undefined);
      await s.connect();
      const kv = (await s.call('SENTINEL', 'MASTER', 'falkordb-master')) as string[];
      expect(kv[kv.indexOf('down-after-milliseconds') + 1]).toBe('20000');
    }
    expect(await Promise.all(['db1', 'db2', 'db3'].map((h) => sinceActive(h, 'falkordb-sentinel.service')))).toEqual(
      since,
    );
    expect((await falkorctl(['-i', changed, 'deploy'])).stdout).toMatch(/^no changes/m);
    expect((await falkorctl(['-i', inv, 'deploy'])).code).toBe(0);
  });

  it('after a Sentinel failover, deploy keeps the new master and makes no Sentinel change', async () => {
    const s = redis(lab, 'db3', 26379, undefined);
    await s.connect();
    await s.call('SENTINEL', 'FAILOVER', 'falkordb-master');
    const agreed = await waitFor(
      () => sentinelMasters(lab),
      (v) => new Set(v).size === 1 && v[0] !== `${addr('db1')}:6379`,
      { what: 'all Sentinels naming a new master', timeoutMs: 60_000, intervalMs: 250 },
    );
    const newAddr = agreed[0]!.split(':')[0]!;
    const newMaster = lab.state.hosts.find((h) => h.address === newAddr)!.name;
    await waitFor(
      () => role(lab, 'db1').catch((e: Error) => [e.message]),
      (v) => v[0] === 'slave' && v[1] === newAddr && v[3] === 'connected',
      { what: 'db1 following the new master', timeoutMs: 60_000, intervalMs: 250 },
    );
    const sentinelsSince = await Promise.all(
      ['db1', 'db2', 'db3'].map((h) => sinceActive(h, 'falkordb-sentinel.service')),
    );

    const r = await falkorctl(['-i', inv, 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toContain(`${newMaster} is the master now (the Sentinels agree), not the inventory's db1`);
    expect(r.stderr).not.toMatch(/restart falkordb/);
    expect((await role(lab, newMaster))[0]).toBe('master');
    const old = await role(lab, 'db1');
    expect([old[0], old[1]]).toEqual(['slave', newAddr]);
    expect(await sentinelMasters(lab)).toEqual(Array(3).fill(`${newAddr}:6379`));
    expect(await Promise.all(['db1', 'db2', 'db3'].map((h) => sinceActive(h, 'falkordb-sentinel.service')))).toEqual(
      sentinelsSince,
    );
    expect(r.stdout).toMatch(new RegExp(`ok {2}lb1: write port 6380 → ${newMaster}`));

    const before = await mtimes(lab);
    const again = await falkorctl(['-i', inv, 'deploy']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^no changes/m);
    expect(await mtimes(lab)).toEqual(before);
  });
});

async function sinceActive(host: string, unit: string): Promise<string> {
  return (
    await lab.exec(host, ['systemctl', 'show', '-p', 'ActiveEnterTimestampMonotonic', '--value', unit])
  ).stdout.trim();
}
