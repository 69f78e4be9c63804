// `falkorctl config update` in the lab: bad values refused before any node is touched (files and processes
// unchanged); a runtime change under write load through HAProxy reaches every node without a restart and
// survives a later restart (the file has it); a load-time change (THREAD_COUNT) through the rolling path,
// no acknowledged write lost; a Sentinel setting by SENTINEL SET on every Sentinel.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/facts/report.js';
import type { Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { falkorctl, inventoryCopy, redis, role } from './deploy-fixture.js';
import { useDeployedLab } from './deployed-lab.js';
import { underLabLoad } from './write-load.js';

let lab: Lab;
let inv: string;
const DB = ['db1', 'db2', 'db3'];
const CONF = '/etc/falkordb/falkordb.conf';

useDeployedLab((l) => {
  lab = l;
  inv = l.inventoryPath;
});

async function ask(h: string, ...args: string[]): Promise<unknown> {
  const c = redis(lab, h, 6379);
  await c.connect();
  try {
    return await c.call(args[0]!, ...args.slice(1));
  } finally {
    c.disconnect();
  }
}
const graphConfig = async (h: string, name: string) =>
  String(((await ask(h, 'GRAPH.CONFIG', 'GET', name)) as unknown[])[1]);
const downAfter = async (h: string) => {
  const c = redis(lab, h, 26379, undefined);
  await c.connect();
  try {
    const kv = (await c.call('SENTINEL', 'MASTER', 'falkordb-master')) as string[];
    return kv[kv.indexOf('down-after-milliseconds') + 1];
  } finally {
    c.disconnect();
  }
};
const runId = async (h: string) => /run_id:(\w+)/.exec(String(await ask(h, 'INFO', 'server')))![1]!;
/** status --json: its exit code, pending restarts per node, the warnings (text ends before the hint). */
async function status() {
  const r = await falkorctl(['-i', inv, '--json', 'status']);
  const j = JSON.parse(r.stdout) as StatusReport;
  return {
    code: r.code,
    text: r.stdout,
    pending: j.pendingRestart,
    warnings: j.findings.filter((f) => f.severity === 'warning').map((f) => f.message.split(' — ')[0]),
  };
}
/** What must not move when a run is refused: each node's process and its config files. */
const snapshot = async () =>
  Object.fromEntries(
    await Promise.all(
      DB.map(async (h) => {
        const files = await lab.exec(h, ['sh', '-c', `sha256sum ${CONF}*; ls /tmp | grep -c falkorctl-trial || true`]);
        return [h, `${await runId(h)}\n${files.stdout}`];
      }),
    ),
  );

describe('config update in the lab', () => {
  it('refuses a bad value before any node is touched: lint, an unknown directive, a value the module rejects', async () => {
    const before = await snapshot();
    const lint = await falkorctl(['-i', inv, '--yes', 'config', 'update', '--set', 'maxmemory-policy=allkeys-lru']);
    expect(lint.code, lint.stderr).toBe(2);
    expect(lint.stderr).toContain('redis/eviction-deletes-graphs');
    const unknown = await falkorctl(['-i', inv, '--yes', 'config', 'update', '--set', 'no-such-directive=1']);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/trial start of the new falkordb.conf on db\d failed \(no node was touched\)/);
    expect(unknown.stderr).toContain("'no-such-directive 1'");
    const rejected = await falkorctl([
      '-i',
      inv,
      '--yes',
      'config',
      'update',
      '--set',
      'TIMEOUT_MAX=100',
      '--set',
      'TIMEOUT_DEFAULT=5000',
    ]);
    expect(rejected.code, rejected.stderr).toBe(2);
    expect(rejected.stderr).toContain(
      'TIMEOUT_DEFAULT(5000) configuration parameter value is higher than TIMEOUT_MAX(100)',
    );
    // same processes, same files, no trial directory left behind
    expect(await snapshot()).toEqual(before);
    for (const h of DB) expect(await graphConfig(h, 'TIMEOUT_MAX')).toBe('0');
  });

  it('a runtime change under write load reaches every node without a restart, and survives a restart', async () => {
    const before = Object.fromEntries(await Promise.all(DB.map(async (h) => [h, await runId(h)])));
    const sets = ['--set', 'TIMEOUT_DEFAULT=5000', '--set', 'maxmemory=300mb'];
    const dry = await falkorctl(['-i', inv, '--dry-run', 'config', 'update', ...sets]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+ TIMEOUT_DEFAULT 5000   [runtime]');
    expect(dry.stdout).toContain('(dry run: nothing was changed)');
    expect(await graphConfig('db2', 'TIMEOUT_DEFAULT')).toBe('0');
    const { result, report } = await underLabLoad(lab, { leadInMs: 500, settleMs: 500 }, () =>
      falkorctl(['-i', inv, '--yes', 'config', 'update', ...sets]),
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    console.log(`config update (runtime): ${report.acknowledged} acknowledged, ${report.missing.length} lost`);
    expect(report.missing).toEqual([]);
    for (const h of DB) {
      expect(await graphConfig(h, 'TIMEOUT_DEFAULT')).toBe('5000');
      expect(((await ask(h, 'CONFIG', 'GET', 'maxmemory')) as string[])[1]).toBe(String(300 * 1024 * 1024));
      expect(await runId(h)).toBe(before[h]); // no restart
      const f = await lab.exec(h, [
        'sh',
        '-c',
        `grep -c 'TIMEOUT_DEFAULT 5000' ${CONF}; grep -c TIMEOUT_DEFAULT ${CONF}.prev`,
      ]);
      expect(f.stdout.trim().split('\n')).toEqual(['1', '0']); // the new file has it, the previous one kept
    }
    // a second run finds nothing to do
    const again = await falkorctl(['-i', inv, '--yes', 'config', 'update', ...sets]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('no differences');
    // a restarted node starts with the values (its file has them)
    const r = await lab.exec('db3', ['systemctl', 'restart', 'falkordb.service']);
    expect(r.exitCode, r.stderr).toBe(0);
    await waitFor(
      () => role(lab, 'db3').catch(() => ['down']),
      (x) => x[0] === 'slave' && x[3] === 'connected',
      { what: 'db3 back as a connected replica', timeoutMs: 60_000 },
    );
    expect(await runId('db3')).not.toBe(before.db3);
    expect(await graphConfig('db3', 'TIMEOUT_DEFAULT')).toBe('5000');
  });

  it('THREAD_COUNT (load-time) through the rolling path under write load, no acknowledged write lost', async () => {
    const before = Object.fromEntries(await Promise.all(DB.map(async (h) => [h, await runId(h)])));
    const sets = ['--set', 'TIMEOUT_DEFAULT=5000', '--set', 'maxmemory=300mb', '--set', 'THREAD_COUNT=3'];
    const pending = await falkorctl(['-i', inv, '--dry-run', 'config', 'update', ...sets]);
    expect(pending.stdout).toContain('+ THREAD_COUNT 3   [pending restart]');
    // without --restart: the files get THREAD_COUNT 3, the nodes keep running 2, and status says so
    expect((await status()).pending).toEqual({ db1: [], db2: [], db3: [] });
    const later = await falkorctl(['-i', inv, '--yes', 'config', 'update', ...sets]);
    expect(later.code, `${later.stdout}\n${later.stderr}`).toBe(0);
    expect(later.stdout).toContain('pending restart');
    const seen = await status();
    expect(seen.pending).toEqual(
      Object.fromEntries(DB.map((h) => [h, [{ kind: 'module', name: 'THREAD_COUNT', live: '2', file: '3' }]])),
    );
    for (const h of DB) expect(seen.warnings).toContain(`${h}: pending restart: THREAD_COUNT (live 2, file 3)`);
    expect(seen.code, seen.text).toBe(0); // a warning: the cluster is healthy
    const human = await falkorctl(['-i', inv, 'status']);
    expect(human.stdout).toContain('! db2: pending restart: THREAD_COUNT (live 2, file 3)');
    for (const h of DB) expect(await runId(h)).toBe(before[h]);
    const { result, report } = await underLabLoad(lab, { leadInMs: 500, settleMs: 1500 }, () =>
      falkorctl(['-i', inv, '--yes', 'config', 'update', '--restart', ...sets]),
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    console.log(
      `config update --restart THREAD_COUNT: ${report.acknowledged} acknowledged, ${report.missing.length} lost, ` +
        `unavailable ${Math.round(report.totalUnavailableMs)} ms`,
    );
    expect(report.unverified).toBeUndefined();
    expect(report.missing).toEqual([]);
    for (const h of DB) {
      expect(await runId(h)).not.toBe(before[h]);
      expect(await graphConfig(h, 'THREAD_COUNT')).toBe('3');
      expect(await graphConfig(h, 'TIMEOUT_DEFAULT')).toBe('5000');
      expect((await lab.exec(h, ['grep', '-c', 'THREAD_COUNT 3', CONF])).stdout.trim()).toBe('1');
    }
    // the restart brought the change in: nothing pending any more
    expect((await status()).pending).toEqual({ db1: [], db2: [], db3: [] });
  });

  it("a Sentinel setting goes by SENTINEL SET to every Sentinel; the file stays Sentinel's own", async () => {
    const tpl = await Promise.all(DB.map((h) => lab.exec(h, ['sha256sum', '/etc/falkordb/sentinel.conf'])));
    const r = await falkorctl([
      '-i',
      inv,
      '--yes',
      'config',
      'update',
      '--set',
      'sentinel.down-after-milliseconds=10000',
      '--set',
      'TIMEOUT_DEFAULT=5000',
      '--set',
      'maxmemory=300mb',
      '--set',
      'THREAD_COUNT=3',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (const [i, h] of DB.entries()) {
      const c = redis(lab, h, 26379, undefined);
      await c.connect();
      const kv = (await c.call('SENTINEL', 'MASTER', 'falkordb-master')) as string[];
      c.disconnect();
      expect(kv[kv.indexOf('down-after-milliseconds') + 1]).toBe('10000');
      expect((await lab.exec(h, ['sha256sum', '/etc/falkordb/sentinel.conf'])).stdout).toBe(tpl[i]!.stdout);
    }
  });
});

describe('config update rollback in the lab', () => {
  it('a node that fails to start with its new file gets its previous file and values back; the rest untouched', async () => {
    // The failure: a unix socket in a directory no host has. Only a real start on the node can see it: lint
    // takes any path, the trial start runs with --unixsocket "" (its socket would collide with the node's), and
    // CONFIG SET cannot set unixsocket (restart-only). redis-server exits right after its start (measured:
    // systemd logs "Started", then "Main process exited, status=1"; Restart=on-failure retries it), so the
    // restart's verify sees the unit in activating/auto-restart, gives up, and the step's undo runs.
    const keep = ['--set', 'TIMEOUT_DEFAULT=5000', '--set', 'maxmemory=300mb', '--set', 'THREAD_COUNT=3'];
    const bad = [
      '--set',
      'unixsocket=/run/falkorctl-no-such-dir/redis.sock',
      '--set',
      'sentinel.down-after-milliseconds=10000',
    ];
    const dry = await falkorctl(['-i', inv, '--dry-run', 'config', 'update', '--restart', ...keep, ...bad]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+ unixsocket /run/falkorctl-no-such-dir/redis.sock   [restart]');
    const files = async (h: string) => (await lab.exec(h, ['sh', '-c', `sha256sum ${CONF}*`])).stdout;
    const values = async (h: string) => {
      const kv = (await ask(h, 'CONFIG', 'GET', 'unixsocket', 'maxmemory', 'appendonly')) as string[];
      return [
        await runId(h),
        await graphConfig(h, 'THREAD_COUNT'),
        await graphConfig(h, 'TIMEOUT_DEFAULT'),
        ...['unixsocket', 'maxmemory', 'appendonly'].map((k) => `${k} ${kv[kv.indexOf(k) + 1]}`),
      ];
    };
    // every node before: which replica restarts first is the preflight's choice (the candidate goes last)
    const filesBefore = Object.fromEntries(await Promise.all(DB.map(async (h) => [h, await files(h)])));
    const valuesBefore = Object.fromEntries(await Promise.all(DB.map(async (h) => [h, await values(h)])));
    const downAfterBefore = await Promise.all(DB.map(downAfter));

    const { result: r, report } = await underLabLoad(lab, { leadInMs: 500, settleMs: 1500 }, () =>
      falkorctl(['-i', inv, '--yes', 'config', 'update', '--restart', ...keep, ...bad]),
    );
    const first = /config update stopped: (db\d): verify/.exec(r.stderr)?.[1] ?? 'none';
    console.log(
      `config update rollback on ${first}: exit ${r.code}; ${report.acknowledged} acknowledged, ` +
        `${report.missing.length} lost\n${r.stderr}`,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(DB).toContain(first);
    const others = DB.filter((h) => h !== first);
    expect(r.stderr).toContain(`rolled back: ${CONF} restored from ${CONF}.prev`);
    expect(report.unverified).toBeUndefined();
    expect(report.missing).toEqual([]);

    // the failed node: restarted (a new process) from its previous file, its old values, a connected replica
    expect(await runId(first)).not.toBe(valuesBefore[first]![0]);
    // the file is the .prev one; the rollback's AOF-on CONFIG REWRITE changes only appendonly (and blank lines)
    const f = await lab.exec(first, [
      'bash',
      '-c',
      `grep -c unixsocket ${CONF} ${CONF}.prev; diff -B <(grep -v '^appendonly ' ${CONF}) <(grep -v '^appendonly ' ${CONF}.prev) && echo same`,
    ]);
    expect(f.stdout.trim().split('\n')).toEqual([`${CONF}:0`, `${CONF}.prev:0`, 'same']);
    await waitFor(
      () => role(lab, first).catch(() => ['down']),
      (x) => x[0] === 'slave' && x[3] === 'connected',
      { what: `${first} back as a connected replica`, timeoutMs: 60_000 },
    );
    expect((await values(first)).slice(1)).toEqual(valuesBefore[first]!.slice(1)); // AOF on again, no socket
    // the rest untouched: same processes, same files, same values
    for (const h of others) {
      expect(await files(h)).toBe(filesBefore[h]);
      expect(await values(h)).toEqual(valuesBefore[h]);
    }
    // the run stopped there: the Sentinel step after the restarts never ran
    expect(await Promise.all(DB.map(downAfter))).toEqual(downAfterBefore);
  });
});

describe('config update: HAProxy settings by a checked reload', () => {
  const LB_CFG = '/etc/haproxy/haproxy.cfg';
  // the cluster as the tests above left it: nothing to change on the database nodes or the Sentinels
  const same = [
    ...['TIMEOUT_DEFAULT=5000', 'maxmemory=300mb', 'THREAD_COUNT=3', 'sentinel.down-after-milliseconds=10000'],
  ].flatMap((x) => ['--set', x]);
  let changed: string;
  beforeAll(() => {
    changed = inventoryCopy(
      lab,
      (d) => {
        d.haproxy = { ...(d.haproxy ?? {}), timeoutClientMs: 600_000, checkIntervalMs: 500, maxconn: 2048 };
      },
      mkdtempSync(join(tmpdir(), 'falkorctl-cu-')),
    );
  });
  const lbState = async () =>
    (await lab.exec('lb1', ['sh', '-c', `sha256sum ${LB_CFG}; ls /etc/haproxy; pgrep -x haproxy | sort -n`])).stdout;

  it('a file haproxy -c refuses changes nothing: exit 2 with HAProxy’s message, no node touched', async () => {
    // The break: lb1 without the user haproxy.cfg names (`user haproxy`): HAProxy's parser looks it up, so
    // haproxy -c on that host fails — what a file made for another host's HAProxy does. Repaired below.
    const before = await snapshot();
    const lb = await lbState();
    const broke = await lab.exec('lb1', ['sed', '-i', 's/^haproxy:/falkorctl-away:/', '/etc/passwd']);
    expect(broke.exitCode, broke.stderr).toBe(0);
    try {
      const r = await falkorctl(['-i', changed, '--yes', 'config', 'update', ...same]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('haproxy -c on lb1 refused the new haproxy.cfg (no node was touched)');
      expect(r.stderr).toContain("cannot find user id for 'haproxy'");
    } finally {
      await lab.exec('lb1', ['sed', '-i', 's/^falkorctl-away:/haproxy:/', '/etc/passwd']);
    }
    expect(await lbState()).toBe(lb); // same file, no staged copy left, the same HAProxy processes
    expect(await snapshot()).toEqual(before);
  });

  it('timeouts, check interval, maxconn: applied by a reload under write load; 0 lost, the sessions kept', async () => {
    const dry = await falkorctl(['-i', changed, '--dry-run', 'config', 'update', ...same]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('lb1 (HAProxy, reload):');
    expect(dry.stdout).toContain('  - timeout client 3600000ms');
    expect(dry.stdout).toContain('  + timeout client 600000ms');
    const before = await snapshot();
    const procs = async () => (await lab.exec('lb1', ['pgrep', '-x', 'haproxy'])).stdout.trim().split('\n');
    const oldProcs = await procs(); // the master and its worker
    // a long-lived client through the write port, idle during the reload
    const idle = redis(lab, 'lb1', 6380);
    await idle.connect();
    const id = String(await idle.call('CLIENT', 'ID'));
    const { result: r, report } = await underLabLoad(lab, { leadInMs: 500, settleMs: 1500 }, () =>
      falkorctl(['-i', changed, '--json', '--yes', 'config', 'update', ...same]),
    );
    console.log(
      `config update HAProxy reload: ${report.acknowledged} acknowledged, ${report.failed} failed, ` +
        `${report.missing.length} lost, ${report.windows.length} window(s)\n${r.stdout}\n${r.stderr}`,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; steps: { id: string; outcome: string; detail?: string }[] };
    expect(out.ok).toBe(true);
    expect(out.steps.map((x) => [x.id, x.outcome])).toEqual([['lb1:haproxy-reload', 'changed']]);
    // the new worker started from the old one's server states: from its first answer only the master is UP
    const master = (await Promise.all(DB.map(async (h) => [h, (await role(lab, h))[0]] as const))).find(
      ([, x]) => x === 'master',
    )![0];
    const first = /its first view of falkordb_write: (.*)$/.exec(out.steps[0]!.detail ?? '')?.[1] ?? '';
    expect(first.split(', ').filter((x) => / UP/.test(x))).toEqual([`${master} UP`]);
    expect((await lab.exec('lb1', ['cat', '/var/lib/haproxy/server-state'])).stdout.trim()).toBe('1');
    expect(report.unverified).toBeUndefined();
    expect(report.missing).toEqual([]);
    // the writer needed no new connection (it opens one only after a failure): its session survived
    expect(report.failed).toBe(0);
    // the old worker still serves the sessions it had (idle and the writer's, now closed), a new one took over
    const during = await procs();
    expect(during).toEqual(expect.arrayContaining([oldProcs[0]]));
    expect(during.length).toBe(3);
    expect(String(await idle.call('CLIENT', 'ID'))).toBe(id); // the same connection, still answering
    idle.disconnect();
    await waitFor(procs, (p) => p.length === 2 && !p.includes(oldProcs[1]!), {
      what: 'the old HAProxy worker gone once its last session closed',
      timeoutMs: 30_000,
    });
    const f = await lab.exec('lb1', [
      'sh',
      '-c',
      `grep -c -e 'timeout client 600000ms' -e 'inter 500ms' -e 'maxconn 2048' ${LB_CFG}; grep -c 'timeout client 3600000ms' ${LB_CFG}.prev`,
    ]);
    expect(f.stdout.trim().split('\n')).toEqual(['4', '1']);
    expect(await snapshot()).toEqual(before); // the database nodes untouched
    const st = await status();
    expect(st.code, st.text).toBe(0);
    const again = await falkorctl(['-i', changed, '--yes', 'config', 'update', ...same]);
    expect(again.stdout).toContain('no differences');
  });
});
