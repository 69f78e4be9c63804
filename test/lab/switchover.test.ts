// `falkorctl switchover` in the lab, with the write-load tool writing graph CREATEs and SETs through HAProxy's
// write port the whole time: every acknowledged write must be on the new master, in both directions. Also:
// --dry-run changes nothing, and a pre-flight that finds a Sentinel down refuses with every reason, untouched.
import { describe, expect, it } from 'vitest';
import type { Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { falkorctl, redis, role, sentinelMasters, startFalkorctl } from './deploy-fixture.js';
import { useDeployedLab } from './deployed-lab.js';
import { underLabLoad } from './write-load.js';

let lab: Lab;
let inv: string;
const addr = (h: string) => lab.host(h).address;

useDeployedLab((l) => {
  lab = l;
  inv = l.inventoryPath;
});

async function config(host: string, key: string): Promise<string> {
  const c = redis(lab, host, 6379);
  await c.connect();
  try {
    return String(((await c.call('CONFIG', 'GET', key)) as string[])[1]);
  } finally {
    c.disconnect();
  }
}

/** The write port's answer to ROLE, asked 4 times (HAProxy balances only within the UP servers). */
async function writePortRoles(): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    const w = redis(lab, 'lb1', 6380);
    await w.connect();
    out.push(String(((await w.call('ROLE')) as unknown[])[0]));
    w.disconnect();
  }
  return out;
}

async function switchUnderLoad(from: string, to: string) {
  const before = {
    priority: await config(to, 'replica-priority'),
    minRep: await config(from, 'min-replicas-to-write'),
  };
  const { result, report } = await underLabLoad(lab, { leadInMs: 1000, settleMs: 1500 }, () =>
    falkorctl(['-i', inv, '--yes', 'switchover', '--to', to]),
  );
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`^switched over: ${from} → ${to} in [\\d.]+ s`, 'm'));
  console.log(
    `switchover ${from} → ${to}: ${report.acknowledged} acknowledged writes, ${report.missing.length} lost, ` +
      `longest window ${Math.round(report.longestWindowMs)} ms, unavailable ${Math.round(report.totalUnavailableMs)} ms`,
  );
  console.log(result.stdout); // per-step timings: where the unavailability goes
  expect(report.unverified).toBeUndefined();
  expect(report.acknowledged).toBeGreaterThan(100);
  expect(report.missing).toEqual([]); // no acknowledged write lost
  expect(report.verifiedRole).toBe('master');

  expect((await role(lab, to))[0]).toBe('master');
  const old = await waitFor(
    () => role(lab, from),
    (r) => r[0] === 'slave' && r[3] === 'connected',
    { what: `${from} a connected replica of ${to}`, timeoutMs: 30_000 },
  );
  expect(old[1]).toBe(addr(to));
  expect(await sentinelMasters(lab)).toEqual(Array(3).fill(`${addr(to)}:6379`));
  expect(await writePortRoles()).toEqual(['master', 'master', 'master', 'master']);
  // what the fence and the pick changed is back
  expect(await config(from, 'min-replicas-to-write')).toBe(before.minRep);
  expect(await config(to, 'replica-priority')).toBe(before.priority);
  const paused = await lab.exec(from, ['grep', '-c', '^min-replicas-to-write 1000', '/etc/falkordb/falkordb.conf']);
  expect(paused.stdout.trim()).toBe('0');
  return report;
}

describe('switchover in the lab', () => {
  it('--dry-run prints the plan in order and changes nothing', async () => {
    const r = await falkorctl(['-i', inv, '--dry-run', 'switchover', '--to', 'db2']);
    expect(r.code, r.stderr).toBe(0);
    const order = ['CLIENT PAUSE', 'every replica', 'min-replicas-to-write', 'SENTINEL FAILOVER', 'Sentinels name db2'];
    const at = order.map((x) => r.stdout.indexOf(x));
    expect(
      at.every((x) => x >= 0),
      r.stdout,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.stdout).toContain('(dry run: nothing was changed)');
    expect((await role(lab, 'db1'))[0]).toBe('master');
  });

  it('refuses without --yes when there is no terminal, and changes nothing', async () => {
    const r = await falkorctl(['-i', inv, 'switchover', '--to', 'db2']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('not confirmed (no terminal to ask on)');
    expect((await role(lab, 'db1'))[0]).toBe('master');
  });

  it('db1 → db2 and back under write load: no acknowledged write lost either way', async () => {
    await switchUnderLoad('db1', 'db2');
    await switchUnderLoad('db2', 'db1');
  });

  it('kill -9 of the candidate mid-switchover: the run stops, writes flow to the old master, nothing lost', async () => {
    expect((await role(lab, 'db1'))[0]).toBe('master');
    const minRep = await config('db1', 'min-replicas-to-write');
    let killed = false;
    const { result, report } = await underLabLoad(lab, { leadInMs: 1000, settleMs: 1500 }, async () => {
      const run = startFalkorctl(['-i', inv, '--yes', 'switchover', '--to', 'db2']);
      // the moment the run aims at the candidate (its last wait before the fence), db2 dies and stays down
      run.stderr?.on('data', (chunk: Buffer) => {
        if (killed || !/wait for the moment in Sentinel/.test(chunk.toString())) return;
        killed = true;
        void lab
          .exec('db2', ['systemctl', 'kill', '--signal=SIGKILL', 'falkordb.service'])
          .then(() => lab.exec('db2', ['systemctl', 'stop', 'falkordb.service']));
      });
      const r = await run;
      return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    });
    try {
      expect(killed).toBe(true);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/switchover stopped: /);
      console.log(
        `candidate killed: ${report.acknowledged} acknowledged, ${report.missing.length} lost, ` +
          `unavailable ${Math.round(report.totalUnavailableMs)} ms`,
      );
      expect(report.unverified).toBeUndefined();
      expect(report.missing).toEqual([]);
      // the old master kept the role, is not paused or fenced, and HAProxy sends writes to it
      expect((await role(lab, 'db1'))[0]).toBe('master');
      expect(await config('db1', 'min-replicas-to-write')).toBe(minRep);
      const c = redis(lab, 'db1', 6379);
      await c.connect();
      try {
        expect(await c.call('SET', 'falkorctl:after-candidate-kill', '1')).toBe('OK');
        await c.call('DEL', 'falkorctl:after-candidate-kill');
      } finally {
        c.disconnect();
      }
      expect(await writePortRoles()).toEqual(['master', 'master', 'master', 'master']);
      expect(await sentinelMasters(lab)).toEqual(Array(3).fill(`${addr('db1')}:6379`));
    } finally {
      expect((await lab.exec('db2', ['systemctl', 'start', 'falkordb.service'])).exitCode).toBe(0);
    }
    await waitFor(
      () => falkorctl(['-i', inv, '--dry-run', 'switchover']),
      (r) => r.code === 0,
      { what: 'the pre-flight passing again with db2 back as a replica', timeoutMs: 90_000, intervalMs: 1000 },
    );
  });

  it('a pre-flight that finds a Sentinel down refuses (exit 3) with the reason, and touches nothing', async () => {
    expect((await lab.exec('db3', ['systemctl', 'stop', 'falkordb-sentinel.service'])).exitCode).toBe(0);
    try {
      const r = await falkorctl(['-i', inv, '--yes', 'switchover']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/switchover refused; nothing was changed:\n\s+- sentinel db3: not reachable/);
      expect((await role(lab, 'db1'))[0]).toBe('master');
    } finally {
      expect((await lab.exec('db3', ['systemctl', 'start', 'falkordb-sentinel.service'])).exitCode).toBe(0);
    }
    await waitFor(
      () => falkorctl(['-i', inv, '--dry-run', 'switchover']),
      (r) => r.code === 0,
      { what: 'the pre-flight passing again with db3 Sentinel back', timeoutMs: 60_000, intervalMs: 1000 },
    );
  });

  it('kill -9 of the master during its pause: Sentinel fails over on its own, the write port follows', async () => {
    const from = (await sentinelMasters(lab))[0]!;
    const master = ['db1', 'db2', 'db3'].find((h) => `${addr(h)}:6379` === from)!;
    let killed = false;
    const { result, report } = await underLabLoad(lab, { leadInMs: 1000, settleMs: 1500 }, async () => {
      const run = startFalkorctl(['-i', inv, '--yes', 'switchover']);
      // the moment the pause starts, the master dies and stays down (systemd would restart it as a master)
      run.stderr?.on('data', (chunk: Buffer) => {
        if (killed || !/CLIENT PAUSE \d+ WRITE/.test(chunk.toString())) return;
        killed = true;
        void lab
          .exec(master, ['systemctl', 'kill', '--signal=SIGKILL', 'falkordb.service'])
          .then(() => lab.exec(master, ['systemctl', 'stop', 'falkordb.service']));
      });
      const r = await run;
      // Sentinel's own failover (after down-after), then writes through the write port again
      await waitFor(
        () => sentinelMasters(lab),
        (m) => new Set(m).size === 1 && m[0] !== from,
        { what: 'the Sentinels agreeing on a new master', timeoutMs: 120_000, intervalMs: 500 },
      );
      await waitFor(
        () => writePortRoles().catch(() => []),
        (roles) => roles.length === 4 && roles.every((x) => x === 'master'),
        { what: 'the write port reaching the new master', timeoutMs: 60_000, intervalMs: 500 },
      );
      return { code: r.exitCode ?? -1, stderr: String(r.stderr) };
    });
    try {
      expect(killed).toBe(true);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/switchover stopped: /);
      console.log(
        `master killed in its pause: ${report.acknowledged} acknowledged, ${report.missing.length} lost ` +
          `(appendfsync everysec and asynchronous replication allow the last moments before a kill -9), ` +
          `unavailable ${Math.round(report.totalUnavailableMs)} ms`,
      );
      expect(report.unverified).toBeUndefined();
      // writes were paused when it died: at most what was acknowledged but not yet replicated (ms at 2 ms/write)
      expect(report.missing.length).toBeLessThan(100);
    } finally {
      const back = await falkorctl(['-i', inv, 'deploy', '--limit', master]); // only the node that is down
      expect(back.code, back.stderr).toBe(0);
    }
    expect((await role(lab, master))[0]).toBe('slave');
  });
});
