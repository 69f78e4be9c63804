// `falkorctl backup prune` in the lab: real backups taken with falkorctl (verified ones with --verify-restore,
// unverified ones without), then aged by rewriting the createdAt of their manifests on the hosts (what backup
// list, prune and status read for a backup's age; the id keeps the real time) and by setting the mtime of RDBs
// without a manifest (what prune reads for those). Prune must leave exactly the policy's set on the hosts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { closeClients, falkorctl, inventoryCopy, redis, wipe } from './deploy-fixture.js';

let lab: Lab;
let inv: string;
const DIR = '/var/backups/falkordb';
const DBS = ['db1', 'db2', 'db3'];
const H = 3_600_000;
const D = 24 * H;

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  await wipe(lab);
  for (const h of DBS) await lab.exec(h, ['rm', '-rf', DIR]);
  inv = inventoryCopy(
    lab,
    (d) => (d.backup = { retention: { hourly: 2, daily: 3, weekly: 3 } }),
    mkdtempSync(join(tmpdir(), 'falkorctl-backup-schedule-')),
  );
  const r = await falkorctl(['-i', inv, 'deploy']);
  if (r.code !== 0) throw new Error(`setup deploy failed:\n${r.stdout}\n${r.stderr}`);
  const c = redis(lab, 'db1', 6379);
  await c.connect();
  await c.call('GRAPH.QUERY', 'g', 'UNWIND range(1,100) AS i CREATE (:N {i:i})-[:R]->(:M)');
  c.disconnect();
});
afterAll(async () => {
  closeClients();
  await cleanupAll();
});

interface Taken {
  id: string;
  host: string;
}
async function backup(verify: boolean): Promise<Taken> {
  const r = await falkorctl(['-i', inv, '--json', 'backup', ...(verify ? ['--verify-restore'] : [])]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Taken;
}

/** Sets a manifest's createdAt on its host (one line of JSON, as backup writes it). */
async function age(b: Taken, atMs: number): Promise<void> {
  const py =
    'import json,sys; p=sys.argv[1]; m=json.load(open(p)); m["createdAt"]=sys.argv[2]; ' +
    'open(p,"w").write(json.dumps(m,separators=(",",":"))+"\\n")';
  const r = await lab.exec(b.host, ['python3', '-c', py, `${DIR}/${b.id}.json`, new Date(atMs).toISOString()]);
  expect(r.exitCode, r.stderr).toBe(0);
}

/** Every entry of the backup directory of every database host, "host:name", sorted. */
async function files(): Promise<string[]> {
  const out: string[] = [];
  for (const h of DBS) {
    const r = await lab.exec(h, ['sh', '-c', `ls -A ${DIR} 2>/dev/null || true`]);
    out.push(
      ...r.stdout
        .split('\n')
        .filter(Boolean)
        .map((f) => `${h}:${f}`),
    );
  }
  return out.sort();
}
const both = (b: Taken) => [`${b.host}:${b.id}.json`, `${b.host}:${b.id}.rdb`];

describe('backup prune in the lab', () => {
  it('keeps exactly the retention set (hourly 2, daily 3, weekly 3), the newest verified, newer unverified', async () => {
    // W0: Monday 00:00 UTC of this ISO week. Every aged backup lies before it, so the expected set does not
    // depend on the hour or weekday the test runs at.
    const now = Date.now();
    const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
    const W0 = today - ((new Date(now).getUTCDay() + 6) % 7) * D;
    const v5 = await backup(true); // → W0 - 14 d: two weeks back: weekly slot 3
    const v4 = await backup(true); // → W0 - 3 d (Friday 00:00): daily slot 3
    const v3 = await backup(true); // → W0 - 2 d (Saturday 00:00): same hour class exhausted, same day as v2: pruned
    const v2 = await backup(true); // → W0 - 2 d + 1 h (Saturday 01:00): hourly 2, daily 2, weekly 2
    const u1 = await backup(false); // unverified (never loaded) → W0 - 1 d: older than v1: pruned
    const v1 = await backup(true); // untouched: the newest verified (hourly 1, daily 1, weekly 1)
    const u2 = await backup(false); // unverified, newer than v1: kept
    await age(v5, W0 - 14 * D);
    await age(v4, W0 - 3 * D);
    await age(v3, W0 - 2 * D);
    await age(v2, W0 - 2 * D + H);
    await age(u1, W0 - D);
    // a manifest whose RDB is gone, RDBs without a manifest (old, young, staged by an unfinished restore),
    // and a hidden partial copy: on the host of v3
    const h = v3.host;
    const sh = async (s: string) => expect((await lab.exec(h, ['sh', '-c', s])).exitCode).toBe(0);
    await sh(
      `cd ${DIR} && sed 's/"id":"[^"]*"/"id":"lab-gone"/' ${v3.id}.json > lab-gone.json && ` +
        `cp ${v3.id}.rdb old-orphan.rdb && touch -d '3 days ago' old-orphan.rdb && ` +
        `cp ${v3.id}.rdb young-orphan.rdb && cp ${v3.id}.rdb staged.rdb && touch -d '9 days ago' staged.rdb && ` +
        `touch .restoring-staged .x.rdb.partial`,
    );
    const before = await files();

    // dry run: the plan, nothing removed
    const dry = await falkorctl(['-i', inv, '--json', '--dry-run', 'backup', 'prune']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { pruned: { id: string; host: string }[]; steps: { id: string }[] };
    expect(plan.pruned.map((p) => `${p.host}:${p.id}`).sort()).toEqual(
      [`${v3.host}:${v3.id}`, `${u1.host}:${u1.id}`, `${h}:lab-gone`, `${h}:old-orphan`].sort(),
    );
    expect(await files()).toEqual(before);
    // no terminal and no --yes: refused, nothing removed
    const no = await falkorctl(['-i', inv, 'backup', 'prune']);
    expect(no.code, no.stderr).toBe(3);
    expect(no.stderr).toMatch(/not confirmed/);
    expect(await files()).toEqual(before);

    const r = await falkorctl(['-i', inv, '--json', '--yes', 'backup', 'prune']);
    expect(r.code, r.stderr).toBe(0);
    const want = [
      ...[v1, v2, v4, v5, u2].flatMap(both),
      `${h}:young-orphan.rdb`,
      `${h}:staged.rdb`,
      `${h}:.restoring-staged`,
      `${h}:.x.rdb.partial`,
    ].sort();
    expect(await files()).toEqual(want);
    const out = JSON.parse(r.stdout) as { kept: { id: string; why: string[] }[]; steps: { outcome: string }[] };
    expect(out.steps.map((s) => s.outcome)).toEqual(['changed', 'changed', 'changed', 'changed']);
    expect(out.kept.find((k) => k.id === v1.id)!.why[0]).toBe('the newest verified backup');
    console.log(
      `prune kept ${out.kept.length}: ${out.kept.map((k) => `${k.id.split('-').slice(-2).join('-')} (${k.why.join('; ')})`).join(', ')}`,
    );
    // audited on the master
    const audit = await lab.exec('db1', ['sh', '-c', 'grep -c "backup prune" /var/log/falkorctl/audit.jsonl']);
    expect(Number(audit.stdout.trim())).toBe(4);
    // a second run has nothing to do; backup list shows what is left
    const again = await falkorctl(['-i', inv, '--yes', 'backup', 'prune']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing to remove/);
    const l = JSON.parse((await falkorctl(['-i', inv, '--json', 'backup', 'list'])).stdout) as {
      backups: { id: string }[];
    };
    expect(l.backups.map((b) => b.id).sort()).toEqual([v1, v2, v4, v5, u2].map((b) => b.id).sort());
    await sh(`rm -f ${DIR}/young-orphan.rdb ${DIR}/staged.rdb ${DIR}/.restoring-staged ${DIR}/.x.rdb.partial`);
  });
});
