// `falkorctl rolling-restart` in the lab under write load through HAProxy: replicas one at a time, the master
// by a switchover, no acknowledged write lost; a second run while one holds the cluster lock is refused; a
// replica whose unit is broken stops the run there with the master untouched.
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

const pids = async (h: string) =>
  (await lab.exec(h, ['systemctl', 'show', '-p', 'MainPID', '--value', 'falkordb.service'])).stdout.trim();

describe('rolling-restart in the lab', () => {
  it('restarts every node under write load, the master by a switchover, losing no acknowledged write', async () => {
    const before = Object.fromEntries(await Promise.all(['db1', 'db2', 'db3'].map(async (h) => [h, await pids(h)])));
    // a graph written before the restart must read back equal on every node after it
    const q = 'MATCH (n:Pre) RETURN count(n), sum(n.v)';
    const m = redis(lab, 'db1', 6379);
    await m.connect();
    await m.call('GRAPH.QUERY', 'falkorctl_rolling_pre', 'UNWIND range(1, 2000) AS i CREATE (:Pre {v: i})');
    const want = JSON.stringify(((await m.call('GRAPH.QUERY', 'falkorctl_rolling_pre', q)) as unknown[])[1]);
    m.disconnect();
    let second: Awaited<ReturnType<typeof falkorctl>> | undefined;
    const { result, report } = await underLabLoad(lab, { leadInMs: 1000, settleMs: 1500 }, async () => {
      const running = falkorctl(['-i', inv, '--yes', 'rolling-restart']);
      // while it runs, a second one is refused by the lock on the master
      await waitFor(
        () => lab.exec('db1', ['cat', '/var/lib/falkorctl/cluster.lock']),
        (r) => r.exitCode === 0 && r.stdout.includes('rolling-restart'),
        { what: 'the first run holding the cluster lock', timeoutMs: 60_000, intervalMs: 50 },
      );
      second = await falkorctl(['-i', inv, '--yes', 'rolling-restart']);
      return running;
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    console.log(result.stdout);
    console.log(
      `rolling-restart: ${report.acknowledged} acknowledged, ${report.missing.length} lost, ` +
        `unavailable ${Math.round(report.totalUnavailableMs)} ms in ${report.windows.length} window(s)`,
    );
    expect(second!.code, second!.stderr).toBe(3);
    expect(second!.stderr).toMatch(/cluster lab is locked by .*rolling-restart/);
    expect(report.unverified).toBeUndefined();
    expect(report.missing).toEqual([]);
    // hybrid persistence: each replica restarts from the RDB written at shutdown and continues with PSYNC
    expect(result.stdout).toMatch(/^restarted db\d, db\d, db1 in [\d.]+ s; full resyncs: 0$/m);
    // every node restarted (a new main PID), the master moved to the candidate, all healthy
    for (const h of ['db1', 'db2', 'db3']) expect(await pids(h)).not.toBe(before[h]);
    const masters = await sentinelMasters(lab);
    expect(new Set(masters).size).toBe(1);
    expect(masters[0]).not.toBe(`${addr('db1')}:6379`);
    const old = await role(lab, 'db1');
    expect([old[0], old[3]]).toEqual(['slave', 'connected']);
    expect((await lab.exec('db1', ['test', '-e', '/var/lib/falkorctl/cluster.lock'])).exitCode).toBe(1);
    const st = await falkorctl(['-i', inv, 'status']);
    expect(st.code, `${st.stdout}\n${st.stderr}`).toBe(0);
    expect(want).toBe('[[2000,"2001000"]]'); // sum() comes back as a double, in a string
    for (const h of ['db1', 'db2', 'db3']) {
      const c = redis(lab, h, 6379);
      await c.connect();
      try {
        const got = await waitFor(
          async () => JSON.stringify(((await c.call('GRAPH.RO_QUERY', 'falkorctl_rolling_pre', q)) as unknown[])[1]),
          (v) => v === want,
          { what: `${h}: the graph written before the restart`, timeoutMs: 30_000 },
        );
        expect(got).toBe(want);
      } finally {
        c.disconnect();
      }
    }
  });

  it('a replica whose unit is broken stops the run at that replica, the master untouched', async () => {
    const plan = await falkorctl(['-i', inv, '--json', '--dry-run', 'rolling-restart']);
    expect(plan.code, plan.stderr).toBe(0);
    const doc = JSON.parse(plan.stdout) as { master: string; steps: { id: string; host: string }[] };
    const first = doc.steps[0]!.host;
    const masterPid = await pids(doc.master);
    const dropIn = '/etc/systemd/system/falkordb.service.d/zz-broken.conf';
    const broke = await lab.exec(first, [
      'sh',
      '-c',
      `printf '[Service]\\nExecStart=\\nExecStart=/bin/false\\n' > ${dropIn} && systemctl daemon-reload`,
    ]);
    expect(broke.exitCode, broke.stderr).toBe(0);
    try {
      const r = await falkorctl(['-i', inv, '--yes', 'rolling-restart']);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`rolling-restart stopped: ${first}:`);
      expect(await pids(doc.master)).toBe(masterPid);
      expect((await role(lab, doc.master))[0]).toBe('master');
    } finally {
      await lab.exec(first, [
        'sh',
        '-c',
        `rm -f ${dropIn} && systemctl daemon-reload && systemctl restart falkordb.service`,
      ]);
    }
    await waitFor(
      () => role(lab, first).catch(() => ['down']),
      (r) => r[0] === 'slave' && r[3] === 'connected',
      { what: `${first} back as a connected replica`, timeoutMs: 60_000 },
    );
  });

  it('SSH to the candidate drops mid-run: the run stops before it, the master untouched, nothing lost', async () => {
    const plan = await falkorctl(['-i', inv, '--json', '--dry-run', 'rolling-restart']);
    expect(plan.code, plan.stderr).toBe(0);
    const doc = JSON.parse(plan.stdout) as { master: string; steps: { id: string; host: string }[] };
    const restarts = doc.steps.filter((s) => s.id.endsWith(':restart')).map((s) => s.host);
    const [first, candidate] = restarts; // replicas first, the candidate last of them
    const masterPid = await pids(doc.master);
    // sshd stopped and its sessions killed on the candidate once the first replica's restart begins
    const cut = `systemctl stop ssh.service ssh.socket 2>/dev/null; pkill -KILL -f '^sshd: ' ; true`;
    let dropped = false;
    const { result, report } = await underLabLoad(lab, { leadInMs: 1000, settleMs: 1500 }, async () => {
      const run = startFalkorctl(['-i', inv, '--yes', 'rolling-restart']);
      run.stderr?.on('data', (chunk: Buffer) => {
        if (dropped || !chunk.toString().includes(`restart falkordb.service on ${first}`)) return;
        dropped = true;
        void lab.exec(candidate!, ['sh', '-c', cut]);
      });
      const r = await run;
      return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    });
    try {
      expect(dropped).toBe(true);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(`rolling-restart stopped: ${candidate}:`);
      expect(report.unverified).toBeUndefined();
      expect(report.missing).toEqual([]);
      // a safe point: the master was never touched, and is still the master
      expect(await pids(doc.master)).toBe(masterPid);
      expect((await role(lab, doc.master))[0]).toBe('master');
    } finally {
      await lab.exec(candidate!, ['systemctl', 'start', 'ssh.service']);
    }
    await waitFor(
      () => falkorctl(['-i', inv, 'status']),
      (r) => r.code === 0,
      { what: 'status healthy again with SSH to the candidate back', timeoutMs: 90_000, intervalMs: 1000 },
    );
  });
});
