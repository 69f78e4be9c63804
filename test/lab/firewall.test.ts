// `falkorctl firewall apply` against the lab: the rendered nftables table on every host, the cluster still
// healthy behind it, this machine (not in network.trusted) unable to reach Redis or HAProxy while SSH
// works, the checklist's "Network security configured" failing on a deleted rule and passing once repaired,
// and a ruleset that cuts SSH rolled back by the host itself and reported.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labNet, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, inventoryCopy, setupDeploy, startFalkorctl, wipe } from './deploy-fixture.js';

let lab: Lab;
let tmp: string;
let good: string;
const HOSTS = ['db1', 'db2', 'db3', 'lb1'];
const operator = () => `${labNet()}.1`;

/** Does a TCP connection from this machine open? A dropped SYN never answers: `false` after `ms`. */
const reachable = (host: string, port: number, ms = 3000) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host, port });
    const end = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(ms, () => end(false));
    s.once('connect', () => end(true));
    s.once('error', () => end(false));
  });

const confirmedSum = async (h: string) =>
  (await lab.exec(h, ['sha256sum', '/etc/falkorctl/firewall.nft'])).stdout.split(' ')[0];

const removeTable = (h: string) =>
  lab.exec(h, [
    'sh',
    '-c',
    'systemctl stop falkorctl-fw-rollback.timer 2>/dev/null; nft delete table inet falkorctl 2>/dev/null; ' +
      'systemctl disable falkorctl-firewall.service 2>/dev/null; ' +
      'rm -f /etc/systemd/system/falkorctl-firewall.service /etc/falkorctl/firewall.nft; systemctl daemon-reload; true',
  ]);

/** The drop rule's packet counter on a host. */
async function dropped(h: string): Promise<number> {
  const r = await lab.exec(h, ['nft', 'list', 'chain', 'inet', 'falkorctl', 'input']);
  const m = /counter packets (\d+) bytes \d+ drop/.exec(r.stdout);
  if (!m) throw new Error(`${h}: no drop counter in\n${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

async function checklistFirewall(file: string, only: string) {
  const r = await falkorctl(['-i', file, '--json', 'checklist', '--only', only]);
  const doc = JSON.parse(r.stdout) as { results: CheckResult[] };
  return { code: r.code, results: doc.results };
}

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  tmp = mkdtempSync(join(tmpdir(), 'falkorctl-firewall-'));
  await Promise.all(HOSTS.map(removeTable));
  await wipe(lab);
  await setupDeploy(lab.inventoryPath);
  // SSH from this machine only; Redis, Sentinel and HAProxy from the cluster's own hosts only
  good = inventoryCopy(lab, (d) => (d.network = { operator: [operator()] }), tmp);
});
afterAll(async () => {
  closeClients();
  if (lab) await Promise.all(HOSTS.map(removeTable));
  rmSync(tmp, { recursive: true, force: true });
  await cleanupAll();
});

describe('firewall apply in the lab', () => {
  it('applies the rendered table on every host, confirmed over a new connection; a re-run has nothing to do', async () => {
    // before: this machine reaches Redis on db1
    expect(await reachable(lab.host('db1').address, 6379)).toBe(true);
    const r = await falkorctl(['-i', good, '--json', 'firewall', 'apply', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { applied: string[]; rolledBack: string[] };
    expect(doc.applied.sort()).toEqual(HOSTS);
    expect(doc.rolledBack).toEqual([]);
    // no rollback left armed on any host
    for (const h of HOSTS) {
      const t = await lab.exec(h, ['systemctl', 'is-active', 'falkorctl-fw-rollback.timer']);
      expect(t.stdout.trim(), h).not.toBe('active');
    }
    const again = await falkorctl(['-i', good, 'firewall', 'apply', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    // the boot copy's directory stays traversable: lb1's Prometheus reads its config below it as its own user
    const dir = await lab.exec('lb1', ['stat', '-c', '%a', '/etc/falkorctl']);
    expect(dir.stdout.trim()).toBe('755');
    const cfg = await lab.exec('lb1', [
      'runuser',
      '-u',
      'prometheus',
      '--',
      'cat',
      '/etc/falkorctl/prometheus/prometheus.yml',
    ]);
    expect(cfg.exitCode, cfg.stderr).toBe(0);
  });

  it('keeps the confirmed table for boot: its unit is enabled and loads the table back by itself', async () => {
    for (const h of HOSTS) {
      const e = await lab.exec(h, ['systemctl', 'is-enabled', 'falkorctl-firewall.service']);
      expect(e.stdout.trim(), h).toBe('enabled');
    }
    // what a reboot does, without the reboot: the table gone, then the boot unit run
    expect((await lab.exec('db3', ['nft', 'delete', 'table', 'inet', 'falkorctl'])).exitCode).toBe(0);
    expect((await checklistFirewall(good, 'network.firewall:db3')).code).toBe(1);
    const start = await lab.exec('db3', ['systemctl', 'restart', 'falkorctl-firewall.service']);
    expect(start.exitCode, start.stderr).toBe(0);
    const back = await checklistFirewall(good, 'network.firewall:db3');
    expect(back.results[0]?.outcome).toBe('pass');
  });

  it('the cluster stays healthy; this machine cannot reach Redis, Sentinel or HAProxy, and SSH still works', async () => {
    const st = await falkorctl(['-i', good, 'status']);
    expect(st.code, `${st.stdout}\n${st.stderr}`).toBe(0);
    const db1 = lab.host('db1').address;
    const lb1 = lab.host('lb1').address;
    const before = await dropped('db1');
    expect(await reachable(db1, 6379)).toBe(false);
    expect(await reachable(db1, 26379)).toBe(false);
    expect(await reachable(lb1, 6380)).toBe(false);
    // the SYNs met the drop rule (not a service that is simply down)
    expect(await dropped('db1')).toBeGreaterThan(before);
    // the cluster's own hosts still reach Redis: lb1 → db1 (HAProxy's checks), db2 → db1 (replication)
    const fromLb = await lab.exec('lb1', ['bash', '-c', `exec 3<>/dev/tcp/${db1}/6379 && echo open`]);
    expect(fromLb.stdout.trim()).toBe('open');
    for (const h of HOSTS) expect((await lab.ssh(h, 'true')).exitCode, h).toBe(0);
  });

  it('the checklist fails on a deleted rule, with the diff, and passes once firewall apply repairs it', async () => {
    expect((await checklistFirewall(good, 'network.firewall')).code).toBe(0);
    const rules = await lab.exec('db2', ['nft', '-a', 'list', 'chain', 'inet', 'falkorctl', 'input']);
    const handle = /iif "lo" accept # handle (\d+)/.exec(rules.stdout)?.[1];
    expect(handle, rules.stdout).toBeDefined();
    expect(
      (await lab.exec('db2', ['nft', 'delete', 'rule', 'inet', 'falkorctl', 'input', 'handle', handle!])).exitCode,
    ).toBe(0);
    const broken = await checklistFirewall(good, 'network.firewall:db2');
    expect(broken.code).toBe(1);
    expect(broken.results[0]).toMatchObject({ outcome: 'fail', found: expect.stringContaining('-iif "lo" accept') });
    const fix = await falkorctl(['-i', good, '--json', 'firewall', 'apply', '--yes']);
    expect(fix.code, fix.stderr).toBe(0);
    expect((JSON.parse(fix.stdout) as { applied: string[] }).applied).toEqual(['db2']);
    const fixed = await checklistFirewall(good, 'network.firewall');
    expect(fixed.results.map((x) => `${x.id} ${x.outcome}`).sort()).toEqual(
      HOSTS.map((h) => `network.firewall:${h} pass`),
    );
  });

  it('a ruleset that would cut SSH: refused up front, and forced past that, rolled back by the host itself', async () => {
    const cut = inventoryCopy(lab, (d) => (d.network = { operator: [`${labNet()}.200`] }), tmp);
    const goodCopy = await confirmedSum('db1');
    expect(goodCopy).toMatch(/^[0-9a-f]{64}$/);
    const refused = await falkorctl(['-i', cut, 'firewall', 'apply', '--limit', 'db1', '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`from ${operator()}, which is not in network.operator`);

    const r = await falkorctl([
      '-i',
      cut,
      '--json',
      'firewall',
      'apply',
      '--limit',
      'db1',
      '--yes',
      '--no-source-check',
      '--confirm-timeout',
      '10',
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('ROLLED BACK');
    const doc = JSON.parse(r.stdout) as { applied: string[]; rolledBack: string[] };
    expect(doc).toMatchObject({ applied: [], rolledBack: ['db1'] });
    // the rollback was the host's own timer, and the host answers SSH with the previous table
    const j = await lab.exec('db1', ['journalctl', '-u', 'falkorctl-fw-rollback.service', '--no-pager', '-o', 'cat']);
    expect(j.stdout).toContain('Started falkorctl-fw-rollback.service');
    expect((await lab.ssh('db1', 'true')).exitCode).toBe(0);
    const after = await checklistFirewall(good, 'network.firewall:db1');
    expect(after.results[0]?.outcome).toBe('pass');
    expect(await reachable(lab.host('db1').address, 6379)).toBe(false);
    // the boot copy is still the last confirmed table, never the upload that was rolled back
    expect(await confirmedSum('db1')).toBe(goodCopy);
  });

  it('a second firewall apply while one runs is refused by the cluster lock; the first completes', async () => {
    await removeTable('db3'); // something for the first run to do
    // the second would change every host (another trusted network): it has steps whatever the first did
    const other = inventoryCopy(lab, (d) => (d.network = { operator: [operator()], trusted: ['10.99.0.0/24'] }), tmp);
    const first = startFalkorctl(['-i', good, 'firewall', 'apply', '--yes']);
    await waitFor(
      () => lab.exec('db1', ['cat', '/var/lib/falkorctl/cluster.lock']),
      (r) => r.exitCode === 0 && r.stdout.includes('firewall apply'),
      { what: 'the first run holding the cluster lock', timeoutMs: 60_000, intervalMs: 50 },
    );
    // held where it is (SIGSTOP) while the second asks, so the refusal never depends on how fast the first is
    process.kill(first.pid!, 'SIGSTOP');
    let second;
    try {
      second = await falkorctl(['-i', other, 'firewall', 'apply', '--yes']);
    } finally {
      process.kill(first.pid!, 'SIGCONT');
    }
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/cluster \S+ is locked by .*firewall apply/);
    const r = await first;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/firewall applied and confirmed on db3/);
    const check = await checklistFirewall(good, 'network.firewall');
    expect(check.results.map((x) => `${x.id} ${x.outcome}`).sort()).toEqual(
      HOSTS.map((h) => `network.firewall:${h} pass`),
    );
  });
});
