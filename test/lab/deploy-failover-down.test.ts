// The old master was down while the Sentinels failed over: its falkordb.conf still says "master". deploy
// follows the Sentinels, rewrites that file to follow the new master before starting it, so the node
// comes back as a replica instead of as a second master.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, redis, role, sentinelMasters, setupDeploy, wipe } from './deploy-fixture.js';

let lab: Lab;

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  await wipe(lab);
  await setupDeploy(lab.inventoryPath);
});
afterAll(async () => {
  closeClients();
  await cleanupAll();
});

describe('deploy after a failover that happened while the old master was down', () => {
  it('brings the old master back as a replica of the new one', async () => {
    const db1 = lab.host('db1').address;
    expect((await lab.exec('db1', ['systemctl', 'stop', 'falkordb.service'])).exitCode).toBe(0);
    const s = redis(lab, 'db2', 26379, undefined);
    await s.connect();
    await s.call('SENTINEL', 'FAILOVER', 'falkordb-master');
    const agreed = await waitFor(
      () => sentinelMasters(lab),
      (v) => new Set(v).size === 1 && v[0] !== `${db1}:6379`,
      { what: 'the Sentinels agreeing on a new master', timeoutMs: 60_000, intervalMs: 250 },
    );
    const newAddr = agreed[0]!.split(':')[0]!;
    const newMaster = lab.state.hosts.find((h) => h.address === newAddr)!.name;
    expect((await lab.exec('db1', ['grep', '-c', '^replicaof', '/etc/falkordb/falkordb.conf'])).stdout.trim()).toBe(
      '0',
    );

    const r = await falkorctl(['-i', lab.inventoryPath, 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toContain(`${newMaster} is the master now (the Sentinels agree)`);
    expect(r.stderr).toMatch(/db1 +update \/etc\/falkordb\/falkordb.conf/);
    expect(r.stderr).toMatch(/db1 +start falkordb.service/);
    expect(r.stderr).not.toMatch(/DESTRUCTIVE/);
    expect((await lab.exec('db1', ['grep', '^replicaof', '/etc/falkordb/falkordb.conf'])).stdout.trim()).toBe(
      `replicaof ${newAddr} 6379`,
    );

    const old = await role(lab, 'db1');
    expect([old[0], old[1], old[3]]).toEqual(['slave', newAddr, 'connected']);
    expect((await role(lab, newMaster))[0]).toBe('master');
    expect(await sentinelMasters(lab)).toEqual(Array(3).fill(`${newAddr}:6379`));
    const w = redis(lab, 'lb1', 6380);
    await w.connect();
    await w.call('GRAPH.QUERY', 'after', 'CREATE (:X)');

    const again = await falkorctl(['-i', lab.inventoryPath, 'deploy']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^no changes/m);
  });
});
