// `falkorctl status` against a real cluster on the lab (3 FalkorDB nodes with Sentinels, HAProxy on lb1;
// on ports of its own, see status-cluster.ts), every fact read through SSH tunnels. Each degraded condition is caused on a real host, shown
// (exit 1, the plain-words finding), repaired, and shown healthy again (exit 0).
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { CheckResult } from '../../src/checks/types.js';
import type { StatusReport } from '../../src/facts/report.js';
import { haproxyCommand } from '../../src/haproxy/socket.js';
import { createRedisFactory, type RedisFactory } from '../../src/redis/client.js';
import { labNet, labUp, type Lab } from '../helpers/lab.js';

const NET = `${labNet()}.`.replace(/\./g, '\\.'); // the lab's /24 prefix, as a regex
import { waitFor } from '../helpers/wait.js';
import { deployForTest, labCluster, stopForTest, UNITS, type LabCluster } from './status-cluster.js';

let lab: Lab;
let c: LabCluster;
let factory: RedisFactory;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith(c.inventoryPath, ...args);
}

async function cliWith(inventory: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  const code = await main(['node', 'falkorctl', '-i', inventory, ...args], {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: '/',
  });
  return { code, out, err };
}

async function status(): Promise<{ code: number; r: StatusReport; messages: string[] }> {
  const { code, out, err } = await cli('status', '--json');
  if (!out.trim()) throw new Error(`status printed no JSON (exit ${code}): ${err}`);
  const r = JSON.parse(out) as StatusReport;
  return { code, r, messages: r.findings.filter((f) => f.severity === 'degraded').map((f) => f.message) };
}

/** The checklist's Sentinel item alone; `--retry-timeout 0`: judged on the first status round. */
async function sentinelCheck(): Promise<{ code: number; r: CheckResult | undefined }> {
  const { code, out } = await cli(
    '--json',
    'checklist',
    '--phase',
    'deploy',
    '--only',
    'cluster.sentinel',
    '--retry-timeout',
    '0',
  );
  const doc = JSON.parse(out) as { results: CheckResult[] };
  return { code, r: doc.results.find((x) => x.id === 'cluster.sentinel') };
}

const healthy = (what: string, timeoutMs = 60_000) =>
  waitFor(status, (s) => s.code === 0, { what: `status exit 0 (${what})`, timeoutMs, intervalMs: 1000 });
const degraded = (what: string, match: RegExp, timeoutMs = 30_000) =>
  waitFor(status, (s) => s.code === 1 && s.messages.some((m) => match.test(m)), {
    what: `status exit 1 with a finding like ${match} (${what})`,
    timeoutMs,
    intervalMs: 500,
  });

const host = (name: string) => c.inv.hosts.find((h) => h.name === name)!;
async function redis<T>(
  name: string,
  port: number,
  fn: (r: { call: (cmd: string, ...a: (string | number)[]) => Promise<unknown> }) => Promise<T>,
  password?: string,
): Promise<T> {
  const r = await factory.open(host(name), port, { password });
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

beforeAll(async () => {
  lab = await labUp();
  c = await labCluster(lab);
  factory = createRedisFactory(c.inv, { env: {} });
  await deployForTest(c);
  await healthy('after bringing the cluster up', 90_000);
});

afterAll(async () => {
  if (c) await stopForTest(c);
  await factory?.close();
  await c?.close();
});

describe('status on a healthy cluster', () => {
  it('reports every node, Sentinel and HAProxy server, and exits 0', async () => {
    const { code, r } = await status();
    expect(code).toBe(0);
    expect(r.healthy).toBe(true);
    const node = (n: string) => r.nodes.find((x) => x.host === n)!;
    expect(node('db1')).toMatchObject({
      up: true,
      address: `${labNet()}.11`,
      redisVersion: '8.2.3',
      falkordbVersion: '4.16.3',
      replication: { role: 'master' },
      port: 7379,
    });
    for (const n of ['db2', 'db3']) {
      expect(node(n).replication).toMatchObject({
        role: 'replica',
        masterHost: `${labNet()}.11`,
        masterPort: 7379,
        linkUp: true,
        loading: false,
      });
      expect(node(n).replication!.lagBytes).toBeGreaterThanOrEqual(0);
      expect(node(n).replication!.lagSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(node('db1').memory).toMatchObject({ max: 256 * 1024 * 1024, policy: 'noeviction' });
    expect(node('db1').persistence).toMatchObject({
      aofEnabled: true,
      aofLastWriteStatus: 'ok',
      rdbLastBgsaveStatus: 'ok',
    });
    expect(r.agreedMaster).toEqual({ address: `${labNet()}.11`, port: 7379, host: 'db1' });
    expect(r.sentinels.map((s) => s.masterAddr)).toEqual(Array(3).fill({ address: `${labNet()}.11`, port: 7379 }));
    const lb = r.haproxy.find((h) => h.host === 'lb1')!;
    const srv = (b: string, s: string) =>
      lb.backends!.find((x) => x.name === b)!.servers.find((x) => x.server === s)!.status;
    expect(srv('falkordb_write', 'db1')).toBe('UP');
    expect(srv('falkordb_read', 'db2')).toBe('UP');
    expect(srv('falkordb_read', 'db3')).toBe('UP');
  });

  it('asks each database host in one SSH command (kernel, backups, falkordb.conf), lb1 (monitoring) in one', async () => {
    // -v logs every command the SSH transport runs, "<host>: $ <command>" (tunnels are channels, not commands)
    const { code, out, err } = await cli('-v', 'status', '--json');
    expect(code).toBe(0);
    const perHost: Record<string, number> = {};
    for (const m of err.matchAll(/^(\w+): \$ /gm)) perHost[m[1]!] = (perHost[m[1]!] ?? 0) + 1;
    // lb1 carries the lab's monitoring stack: its one command is the Prometheus probe
    expect(perHost).toEqual({ db1: 1, db2: 1, db3: 1, lb1: 1 });
    // and that one command brought all three: the kernel settings, the backup timers, the file's pending restarts
    const r = JSON.parse(out) as StatusReport;
    expect(Object.keys(r.kernel ?? {}).sort()).toEqual(['db1', 'db2', 'db3']);
    expect(r.backups?.timers.map((t) => t.host)).toEqual(['db1', 'db2', 'db3']);
    expect(r.pendingRestart).toEqual({ db1: [], db2: [], db3: [] });
  });

  it('human output: tables per area and HEALTHY; --watch --count 2 redraws twice', async () => {
    const one = await cli('status', '--no-color');
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/FalkorDB\n\s+HOST\s+ADDRESS\s+STATE\s+ROLE/);
    expect(one.out).toMatch(new RegExp(`db1\\s+${NET}11:7379\\s+up\\s+master`));
    expect(one.out).toMatch(new RegExp(`agreed: ${NET}11:7379 \\(db1\\)`));
    expect(one.out).toMatch(/lb1\s+falkordb_write\s+db1\s+UP/);
    expect(one.out).toMatch(/HEALTHY/);
    const w = await cli('status', '--watch', '0.2', '--count', '2');
    expect(w.code).toBe(0);
    expect(w.out.match(/HEALTHY/g)).toHaveLength(2);
    expect(w.out).toContain('2/2');
  });

  it("--direct reads Redis and Sentinel at the hosts' addresses (no SSH) and reaches the same verdict", async () => {
    const { code, out } = await cli('status', '--json', '--direct');
    const r = JSON.parse(out) as StatusReport;
    expect(code).toBe(0);
    expect(r.nodes.every((n) => n.up)).toBe(true);
    expect(r.agreedMaster?.host).toBe('db1');
  });

  it('--watch without --count runs until SIGINT, then exits with the last verdict', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += String(d)));
    const running = main(['node', 'falkorctl', '-i', c.inventoryPath, 'status', '--watch', '0.2'], {
      stdout,
      stderr: new PassThrough(),
      stdin: new PassThrough(),
      env: {},
      cwd: '/',
    });
    await waitFor(
      () => (out.match(/HEALTHY/g) ?? []).length,
      (n) => n >= 2,
      { what: 'two redraws', timeoutMs: 15_000 },
    );
    process.emit('SIGINT');
    expect(await running).toBe(0);
    expect(process.listenerCount('SIGINT')).toBe(0); // its handler is gone with it
  });

  it('unknown SSH host keys: nothing asked, exit 3 with the way out; --accept-new records them and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-status-kh-'));
    const doc = parse(readFileSync(c.inventoryPath, 'utf8')) as { ssh: Record<string, unknown> };
    doc.ssh.knownHosts = join(dir, 'known_hosts');
    writeFileSync(join(dir, 'known_hosts'), '');
    writeFileSync(join(dir, 'falkorctl.yaml'), stringify(doc));
    const refused = await cliWith(join(dir, 'falkorctl.yaml'), 'status', '--no-color');
    expect(refused.code).toBe(3);
    expect(refused.out).toMatch(new RegExp(`db1: FalkorDB down — db1 \\(${NET}11:22\\): host key is not known`));
    expect(refused.err).toMatch(/re-run with --accept-new/);
    const accepted = await cliWith(join(dir, 'falkorctl.yaml'), 'status', '--json', '--accept-new');
    expect(accepted.code).toBe(0);
    expect(readFileSync(join(dir, 'known_hosts'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('--limit asks only the chosen hosts and skips cluster-wide verdicts', async () => {
    const { code, out } = await cli('status', '--json', '--limit', 'db2');
    const r = JSON.parse(out) as StatusReport;
    expect(code).toBe(0);
    expect(r.nodes.map((n) => n.host)).toEqual(['db2']);
    expect(r.sentinels.map((s) => s.host)).toEqual(['db2']);
    expect(r.haproxy).toEqual([]);
    expect(r.partial).toBe(true);
  });
});

describe('status shows each condition broken on a real host, then healthy again', () => {
  it('a kernel setting Redis needs (vm.overcommit_memory, shared with the machine the lab runs on)', async () => {
    // vm.* is not namespaced: the lab hosts see this machine's value, and only this machine can set it
    const orig = (await execa('sysctl', ['-n', 'vm.overcommit_memory'])).stdout.trim();
    const set = (v: string) => execa('sysctl', ['-w', `vm.overcommit_memory=${v}`]);
    const about = (s: { r: StatusReport }) =>
      s.r.findings.filter((f) => f.area === 'kernel' && /overcommit/.test(f.message));
    try {
      await set('0');
      const broken = await status();
      expect(broken.r.kernel?.db1?.overcommit).toBe(0);
      const f = about(broken);
      expect(f.map((x) => x.host).sort()).toEqual(['db1', 'db2', 'db3']);
      expect(f[0]).toMatchObject({ severity: 'warning' });
      expect(f[0]!.message).toMatch(/vm\.overcommit_memory is 0, want 1: fork\(\) for BGSAVE/);
      await set('1');
      const fixed = await status();
      expect(fixed.r.kernel?.db1?.overcommit).toBe(1);
      expect(about(fixed)).toEqual([]);
    } finally {
      await set(orig);
    }
  });

  it('a stopped replica (systemctl stop)', async () => {
    await c.systemctl('db3', 'stop', UNITS.falkordb);
    const s = await degraded('db3 stopped', /^db3: FalkorDB down — port 7379: connection refused/);
    expect(s.r.nodes.find((n) => n.host === 'db3')!.up).toBe(false);
    const human = await cli('status', '--no-color');
    expect(human.code).toBe(1);
    expect(human.out).toMatch(new RegExp(`db3\\s+${NET}13:7379\\s+down`));
    expect(human.out).toMatch(/DEGRADED/);
    await c.systemctl('db3', 'start', UNITS.falkordb);
    await healthy('db3 started again');
  });

  it('a broken replication link (wrong masterauth, link killed)', async () => {
    await redis(
      'db2',
      c.inv.redis.port,
      async (r) => {
        await r.call('CONFIG', 'SET', 'masterauth', 'not-the-password');
        await r.call('CLIENT', 'KILL', 'TYPE', 'master');
      },
      c.secrets.password,
    );
    const s = await degraded(
      'db2 link down',
      new RegExp(`^db2: replication link down for \\d+ s \\(master ${NET}11:7379\\)`),
    );
    expect(s.r.nodes.find((n) => n.host === 'db2')!.replication).toMatchObject({ role: 'replica', linkUp: false });
    // seconds count up while it stays down
    const later = await degraded('db2 link down longer', /db2: replication link down for ([3-9]|\d\d+) s/, 15_000);
    expect(later.code).toBe(1);
    await redis(
      'db2',
      c.inv.redis.port,
      (r) => r.call('CONFIG', 'SET', 'masterauth', c.secrets.password),
      c.secrets.password,
    );
    await healthy('db2 link restored');
  });

  it('a Sentinel that names another master (SENTINEL REMOVE + MONITOR on db3)', async () => {
    const name = c.inv.sentinel.masterName;
    const remonitor = (address: string) =>
      redis('db3', c.inv.sentinel.port, async (r) => {
        await r.call('SENTINEL', 'REMOVE', name);
        await r.call('SENTINEL', 'MONITOR', name, address, c.inv.redis.port, c.inv.sentinel.quorum);
        await r.call('SENTINEL', 'SET', name, 'auth-pass', c.secrets.password);
      });
    await remonitor(`${labNet()}.12`);
    const s = await degraded(
      'db3 Sentinel disagrees',
      new RegExp(`^Sentinels disagree on the master: db1, db2 → ${NET}11:7379; db3 → ${NET}12:7379`),
    );
    expect(s.r.agreedMaster).toBeUndefined();
    const human = await cli('status', '--no-color');
    expect(human.out).toMatch(/agreed: no agreement/);
    // the checklist's "Deploy Sentinel (if using)" item fails on the same facts, with them as its evidence
    const broken = await sentinelCheck();
    expect(broken.code).toBe(1);
    expect(broken.r).toMatchObject({ outcome: 'fail', found: expect.stringMatching(/^Sentinels disagree/) });
    await remonitor(`${labNet()}.11`);
    await healthy('db3 Sentinel monitors db1 again');
    // db3's Sentinel re-learns its peers from their hello messages: a warning until then, then a pass
    const ok = await waitFor(sentinelCheck, (x) => x.r?.outcome === 'pass', {
      what: 'checklist cluster.sentinel passing once db3 has re-learned its peers',
      timeoutMs: 60_000,
      intervalMs: 1000,
    });
    expect(ok).toMatchObject({ code: 0, r: { found: '3 Sentinels agree' } });
  });

  it('one Sentinel down is a warning (exit 0); two down is below quorum (exit 1)', async () => {
    await c.systemctl('db3', 'stop', UNITS.sentinel);
    const one = await waitFor(status, (x) => x.r.findings.some((f) => /^db3: Sentinel down/.test(f.message)), {
      what: 'db3 Sentinel down warning',
      timeoutMs: 15_000,
    });
    expect(one.code).toBe(0);
    expect(one.r.findings.find((f) => /^db3: Sentinel down/.test(f.message))!.severity).toBe('warning');
    await c.systemctl('db2', 'stop', UNITS.sentinel);
    await degraded('two Sentinels down', /^only 1 of 3 Sentinels track the master; quorum is 2/);
    await c.systemctl('db2', 'start', UNITS.sentinel);
    await c.systemctl('db3', 'start', UNITS.sentinel);
    await healthy('Sentinels back');
  });

  it('a failed RDB save (data directory taken from the service user)', async () => {
    const dir = c.inv.redis.dataDir;
    const user = c.inv.redis.user;
    await c.transport.exec('db2', ['chown', 'root:root', dir]);
    await c.transport.exec('db2', ['chmod', '0700', dir]);
    try {
      await redis('db2', c.inv.redis.port, (r) => r.call('BGSAVE'), c.secrets.password);
      const s = await degraded('BGSAVE failed on db2', /^db2: last RDB save failed \(rdb_last_bgsave_status:err\)/);
      expect(s.r.nodes.find((n) => n.host === 'db2')!.persistence?.rdbLastBgsaveStatus).toBe('err');
    } finally {
      await c.transport.exec('db2', ['chown', `${user}:${user}`, dir]);
      await c.transport.exec('db2', ['chmod', '0755', dir]);
    }
    await redis('db2', c.inv.redis.port, (r) => r.call('BGSAVE'), c.secrets.password);
    await healthy('a BGSAVE that succeeds again');
  });

  it('a backend server put in maintenance in HAProxy (stats socket over SSH)', async () => {
    const sock = c.inv.haproxy.statsSocket;
    await haproxyCommand(factory.tunnels!, 'lb1', sock, 'set server falkordb_read/db2 state maint');
    const s = await degraded('db2 in maint', /^lb1: falkordb_read\/db2 is MAINT/);
    expect(s.code).toBe(1);
    await haproxyCommand(factory.tunnels!, 'lb1', sock, 'set server falkordb_read/db2 state ready');
    await healthy('db2 ready again in HAProxy');
  });
});
