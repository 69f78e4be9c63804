// `falkorctl backup prune` in the lab: real backups taken with falkorctl (verified ones with --verify-restore,
// unverified ones without), then aged by rewriting the createdAt of their manifests on the hosts (what backup
// list, prune and status read for a backup's age; the id keeps the real time) and by setting the mtime of RDBs
// without a manifest (what prune reads for those). Prune must leave exactly the policy's set on the hosts.
// Then the timer: `backup schedule` installs it on every database host, `systemctl start` of its service on
// each host backs up on exactly one (the first in-sync replica), and that backup is verified, listed, has the
// manifest format and counts of falkorctl's own, and restore accepts it. Then visibility: status and the
// checklist's backup items, each broken on a real host (timer disabled, a failed run, backups moved away, a
// limit the newest backup exceeds) and repaired; finally `schedule: off` removes the timer.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import type { CheckResult } from '../../src/checks/types.js';
import type { StatusReport } from '../../src/facts/report.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, inventoryCopy, redis, setupDeploy, wipe } from './deploy-fixture.js';

let lab: Lab;
let inv: string;
let tmp: string;
/** A manifest written by falkorctl backup (from the prune test), to compare the timer's with. */
let falkorctlManifest: Record<string, unknown>;
const DIR = '/var/backups/falkordb';
const DBS = ['db1', 'db2', 'db3'];
const H = 3_600_000;
const D = 24 * H;

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  await wipe(lab);
  for (const h of DBS) await lab.exec(h, ['rm', '-rf', DIR]);
  tmp = mkdtempSync(join(tmpdir(), 'falkorctl-backup-schedule-'));
  inv = inventoryCopy(lab, (d) => (d.backup = { retention: { hourly: 2, daily: 3, weekly: 3 } }), tmp);
  await setupDeploy(inv);
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
    falkorctlManifest = JSON.parse((await lab.exec(v1.host, ['cat', `${DIR}/${v1.id}.json`])).stdout) as Record<
      string,
      unknown
    >;
  });
});

const TIMER = 'falkorctl-backup.timer';
const SERVICE = 'falkorctl-backup.service';
async function unitState(h: string, unit: string): Promise<string> {
  const r = await lab.exec(h, ['systemctl', 'show', '-p', 'ActiveState,UnitFileState,Result', unit]);
  return r.stdout.trim().split('\n').sort().join(' ');
}
async function journal(h: string): Promise<string> {
  return (await lab.exec(h, ['journalctl', '-u', SERVICE, '--no-pager', '-o', 'cat'])).stdout;
}
async function graphsOn(host: string): Promise<{ name: string; nodes: number; edges: number }[]> {
  const c = redis(lab, host, 6379);
  await c.connect();
  try {
    const names = ((await c.call('GRAPH.LIST')) as string[]).sort();
    const one = async (g: string, q: string) =>
      Number(((await c.call('GRAPH.RO_QUERY', g, q)) as unknown[][][])[1]![0]![0]);
    return await Promise.all(
      names.map(async (name) => ({
        name,
        nodes: await one(name, 'MATCH (n) RETURN count(n)'),
        edges: await one(name, 'MATCH ()-[e]->() RETURN count(e)'),
      })),
    );
  } finally {
    c.disconnect();
  }
}

describe('the backup timer in the lab', () => {
  it('a schedule systemd rejects is refused with the inventory line; nothing is written', async () => {
    const bad = inventoryCopy(lab, (d) => (d.backup = { schedule: 'every tuesday' }), tmp);
    const r = await falkorctl(['-i', bad, 'backup', 'schedule']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+: backup.schedule: db1: systemd-analyze calendar rejects`));
    for (const h of DBS) expect(await unitState(h, TIMER)).toMatch(/UnitFileState=$/);
  });

  it('backup schedule installs it on every database host; a second run changes nothing', async () => {
    const dry = await falkorctl(['-i', inv, '--dry-run', 'backup', 'schedule']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/enable and start falkorctl-backup.timer \(hourly\)/);
    for (const h of DBS) expect(await unitState(h, TIMER)).toMatch(/ActiveState=inactive/);
    const r = await falkorctl(['-i', inv, '--json', 'backup', 'schedule']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { verified: string[]; steps: { outcome: string }[] };
    expect(out.verified.sort()).toEqual(DBS.map((h) => `${h}: ${TIMER} active, enabled`));
    for (const h of DBS) {
      expect(await unitState(h, TIMER)).toMatch(/ActiveState=active .*UnitFileState=enabled/);
      const cal = await lab.exec(h, ['systemctl', 'show', '-p', 'TimersCalendar', '--value', TIMER]);
      expect(cal.stdout).toMatch(/OnCalendar=\*-\*-\* \*:00:00/);
    }
    const again = await falkorctl(['-i', inv, '--json', 'backup', 'schedule']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { steps: unknown[] }).steps).toEqual([]);
  });

  it('the service started on every host backs up once, on the first in-sync replica, verified', async () => {
    const before = new Set(
      (
        JSON.parse((await falkorctl(['-i', inv, '--json', 'backup', 'list'])).stdout) as { backups: { id: string }[] }
      ).backups.map((b) => b.id),
    );
    const want = await graphsOn('db1'); // nothing writes meanwhile
    for (const h of DBS) {
      const r = await lab.exec(h, ['systemctl', 'start', SERVICE]); // a oneshot: returns when the run ended
      expect(r.exitCode, `${h}: ${r.stderr}\n${await journal(h)}`).toBe(0);
      expect(await unitState(h, SERVICE)).toMatch(/Result=success/);
    }
    expect(await journal('db1')).toMatch(/skipped: this node is the master/);
    expect(await journal('db3')).toMatch(new RegExp(`skipped: ${lab.host('db2').address}:6379, the first in-sync`));
    expect(await journal('db2')).toMatch(/backup lab-db2-\S+ taken and verified/);

    const l = JSON.parse((await falkorctl(['-i', inv, '--json', 'backup', 'list'])).stdout) as {
      backups: { id: string; host: string; verified: boolean }[];
    };
    const fresh = l.backups.filter((b) => !before.has(b.id));
    expect(fresh).toEqual([expect.objectContaining({ host: 'db2', verified: true })]);
    const m = JSON.parse((await lab.exec('db2', ['cat', `${DIR}/${fresh[0]!.id}.json`])).stdout) as Record<
      string,
      unknown
    >;
    // the same format as falkorctl backup's: the same keys in the same order, the same types
    expect(Object.keys(m)).toEqual(Object.keys(falkorctlManifest));
    expect(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))).toEqual(
      Object.fromEntries(Object.entries(falkorctlManifest).map(([k, v]) => [k, typeof v])),
    );
    expect(m.graphs).toEqual(want);
    expect(m.verified).toEqual({ checkRdb: true, restore: true, problems: [] });
    expect([m.role, m.falkordbVersion, m.redisVersion]).toEqual([
      'replica',
      falkorctlManifest.falkordbVersion,
      falkorctlManifest.redisVersion,
    ]);
    const st = await lab.exec('db2', [
      'sh',
      '-c',
      `stat -c '%a %U %G %s' ${m.rdb as string}; sha256sum < ${m.rdb as string}`,
    ]);
    const [stat, sum] = st.stdout.trim().split('\n');
    expect(stat).toBe(`640 root falkordb ${m.size as number}`);
    expect(sum!.split(' ')[0]).toBe(m.sha256);
    const left = await lab.exec('db2', [
      'sh',
      '-c',
      `ls -A ${DIR} | grep -c -e verify -e partial; systemctl list-units --all --no-legend 'falkorctl-verify*' | wc -l`,
    ]);
    expect(left.stdout.trim().split('\n')).toEqual(['0', '0']);
    // restore accepts it (sha256, checks and versions pass its pre-flight; dry run: nothing stops)
    const rs = await falkorctl(['-i', inv, '--dry-run', '--yes', 'restore', fresh[0]!.id, '--confirm', 'lab']);
    expect(rs.code, rs.stderr).toBe(0);
    expect(rs.stdout).toMatch(new RegExp(`restore plan for cluster lab: backup ${fresh[0]!.id} onto db1`));
  });
});

async function backupChecks(file = inv): Promise<{ code: number; by: (id: string) => CheckResult | undefined }> {
  const r = await falkorctl(['-i', file, '--json', 'checklist', '--only', 'backup']);
  const doc = JSON.parse(r.stdout) as { results: CheckResult[] };
  return { code: r.code, by: (id) => doc.results.find((x) => x.id === id) };
}
async function status(file = inv): Promise<StatusReport> {
  const r = await falkorctl(['-i', file, '--json', 'status']);
  return JSON.parse(r.stdout) as StatusReport;
}
const backupFindings = (s: StatusReport) => s.findings.filter((f) => f.area === 'backup').map((f) => f.message);

describe('backups in status and the checklist', () => {
  it('status shows the newest verified backup with its age and every timer with its last result', async () => {
    const s = await status();
    const newest = (
      JSON.parse((await falkorctl(['-i', inv, '--json', 'backup', 'list'])).stdout) as {
        backups: { id: string; host: string; verified: boolean }[];
      }
    ).backups.find((b) => b.verified)!;
    expect(s.backups!.newestVerified).toMatchObject({ id: newest.id, host: newest.host });
    expect(s.backups!.newestVerified!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(s.backups!.stale).toBe(false);
    expect(s.backups!.timers.map((t) => [t.host, t.enabled, t.active, t.lastRun?.result])).toEqual(
      DBS.map((h) => [h, 'enabled', 'active', 'success']),
    );
    expect(backupFindings(s)).toEqual([]);
    const human = await falkorctl(['-i', inv, 'status']);
    expect(human.stdout).toMatch(
      new RegExp(`Backups — \\d+ verified of \\d+; newest verified: ${newest.id} on ${newest.host}`),
    );
    const c = await backupChecks();
    expect(c.code, 'every backup check passes').toBe(0);
    expect(c.by('backup.verified')).toMatchObject({ outcome: 'pass', found: expect.stringContaining(newest.id) });
    for (const h of DBS) expect(c.by(`backup.timer:${h}`)?.outcome, h).toBe('pass');
  });

  it('the newest verified backup changed on disk fails backup.intact; put back, it passes', async () => {
    const n = (await status()).backups!.newestVerified!;
    const rdb = (JSON.parse((await lab.exec(n.host, ['cat', `${DIR}/${n.id}.json`])).stdout) as { rdb: string }).rdb;
    expect((await backupChecks()).by('backup.intact')).toMatchObject({
      outcome: 'pass',
      host: n.host,
      found: expect.stringMatching(new RegExp(`^${n.id} on ${n.host}: sha256 matches, redis-check-rdb OK`)),
    });
    // one byte in the middle of the file inverted (never a no-op write), the original kept aside
    const flip =
      'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); i=len(b)//2; b[i]^=0xff; open(p,"wb").write(b)';
    expect((await lab.exec(n.host, ['cp', '-p', rdb, `${rdb}.aside`])).exitCode).toBe(0);
    try {
      expect((await lab.exec(n.host, ['python3', '-c', flip, rdb])).exitCode).toBe(0);
      const c = await backupChecks();
      expect(c.code).toBe(1);
      expect(c.by('backup.intact')).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/sha256 [0-9a-f]{12}… differs from the manifest's; redis-check-rdb: /),
        evidence: expect.stringContaining(`redis-check-rdb ${rdb}`),
      });
      expect(c.by('backup.verified')?.outcome, 'the manifest still says verified').toBe('pass');
    } finally {
      expect((await lab.exec(n.host, ['mv', `${rdb}.aside`, rdb])).exitCode).toBe(0);
    }
    expect((await backupChecks()).by('backup.intact')?.outcome).toBe('pass');
  });

  it('a disabled timer fails its check and warns in status; backup schedule repairs it', async () => {
    expect((await lab.exec('db3', ['systemctl', 'disable', '--now', TIMER])).exitCode).toBe(0);
    const c = await backupChecks();
    expect(c.code).toBe(1);
    expect(c.by('backup.timer:db3')).toMatchObject({
      outcome: 'fail',
      found: expect.stringMatching(/^inactive, disabled/),
    });
    expect(c.by('backup.timer:db2')?.outcome).toBe('pass');
    expect(backupFindings(await status())).toEqual([`db3: ${TIMER} is disabled (falkorctl backup schedule)`]);
    const r = await falkorctl(['-i', inv, '--json', 'backup', 'schedule']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { steps: { id: string }[] }).steps.map((x) => x.id)).toEqual(['db3:enable']);
    expect((await backupChecks()).by('backup.timer:db3')?.outcome).toBe('pass');
  });

  it('a failed run fails the check until a run succeeds', async () => {
    // db2's node stopped: the program cannot reach it and exits 1
    expect((await lab.exec('db2', ['systemctl', 'stop', 'falkordb.service'])).exitCode).toBe(0);
    try {
      const run = await lab.exec('db2', ['systemctl', 'start', SERVICE]);
      expect(run.exitCode).not.toBe(0);
      expect(await journal('db2')).toMatch(/backup failed: .*(refused|Connection)/i);
      const c = await backupChecks();
      expect(c.by('backup.timer:db2')).toMatchObject({
        outcome: 'fail',
        reason: expect.stringMatching(/its last run .* failed: exit-code, exit 1/),
      });
    } finally {
      expect((await lab.exec('db2', ['systemctl', 'start', 'falkordb.service'])).exitCode).toBe(0);
    }
    await waitFor(
      async () => (await lab.exec('db2', ['systemctl', 'start', SERVICE])).exitCode,
      (code) => code === 0,
      { what: 'a run of the backup service on db2 succeeding once its node is back', timeoutMs: 120_000 },
    );
    expect((await backupChecks()).by('backup.timer:db2')?.outcome).toBe('pass');
  });

  it('no verified backup, or one older than backup.maxAgeMs, fails "Backup procedures tested"', async () => {
    for (const h of DBS) await lab.exec(h, ['sh', '-c', `[ ! -d ${DIR} ] || mv ${DIR} ${DIR}.aside`]);
    try {
      const c = await backupChecks();
      expect(c.by('backup.verified')).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/^no verified backup/),
      });
      expect(backupFindings(await status())).toContain(
        'no verified backup on any database host (falkorctl backup --verify-restore)',
      );
    } finally {
      for (const h of DBS) await lab.exec(h, ['sh', '-c', `[ ! -d ${DIR}.aside ] || mv ${DIR}.aside ${DIR}`]);
    }
    expect((await backupChecks()).by('backup.verified')?.outcome).toBe('pass');
    // a limit of one second: the newest verified backup is older than that
    const strict = inventoryCopy(lab, (d) => (d.backup = { maxAgeMs: 1000 }), tmp);
    const c = await backupChecks(strict);
    expect(c.by('backup.verified')).toMatchObject({ outcome: 'fail', expected: expect.stringContaining('at most 1s') });
    expect(backupFindings(await status(strict)).some((m) => /is \d+\w old, over 1s/.test(m))).toBe(true);
  });

  it('schedule off removes the timer from every host; its checks then fail', async () => {
    const off = inventoryCopy(lab, (d) => (d.backup = { schedule: 'off' }), tmp);
    const r = await falkorctl(['-i', off, 'backup', 'schedule']);
    expect(r.code, r.stderr).toBe(0);
    for (const h of DBS) {
      expect(await unitState(h, TIMER)).toMatch(/UnitFileState=$/);
      const ls = await lab.exec(h, [
        'sh',
        '-c',
        'ls /usr/local/lib/falkorctl /etc/systemd/system | grep -c falkorctl-backup',
      ]);
      expect(ls.stdout.trim(), h).toBe('0');
    }
    const c = await backupChecks(off);
    expect(c.by('backup.timer:db1')).toMatchObject({
      outcome: 'fail',
      reason: 'backup.schedule is off in the inventory',
    });
  });
});

describe('backup --to (the off-site copy)', () => {
  const count = async () =>
    (JSON.parse((await falkorctl(['-i', inv, '--json', 'backup', 'list'])).stdout) as { backups: unknown[] }).backups
      .length;
  it('a --to that cannot be written is refused before anything is taken', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const n = await count();
    const r = await falkorctl(['-i', inv, 'backup', '--to', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot write there .*nothing was taken/);
    expect(await count()).toBe(n);
  });

  it("downloads the RDB and its manifest; the sha256 here is the manifest's", async () => {
    const dir = join(tmp, 'offsite');
    const r = await falkorctl(['-i', inv, '--json', 'backup', '--verify-restore', '--to', dir]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout) as Taken & { sha256: string; rdb: string; downloaded: { rdb: string } };
    expect(readdirSync(dir).sort()).toEqual([`${m.id}.json`, `${m.id}.rdb`]);
    const local = readFileSync(join(dir, `${m.id}.rdb`));
    expect(createHash('sha256').update(local).digest('hex')).toBe(m.sha256);
    const remote = await lab.exec(m.host, ['sha256sum', m.rdb]);
    expect(remote.stdout.split(' ')[0]).toBe(m.sha256);
    // the manifest byte for byte (lab.exec trims output: compare digests)
    const json = await lab.exec(m.host, ['sha256sum', `${DIR}/${m.id}.json`]);
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, `${m.id}.json`)))
        .digest('hex'),
    ).toBe(json.stdout.split(' ')[0]);
  });
});
