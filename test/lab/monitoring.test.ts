// The monitoring stack deployed by `falkorctl deploy` in the lab, asked directly (python3 urllib on lb1, not
// falkorctl's own code): every target up and redis_up 1 for every node; the exporter's password only in its
// 0600 file, never in a process's argv or environment; a stopped replica fires FalkorDBDown (the lab's short
// `for:`), which resolves when it is back; the checklist's monitoring items fail on a stopped exporter, a
// broken scrape target and unloaded rules, and pass once repaired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import { done, notYet, waitFor } from '../../src/core/wait.js';
import type { MonitoringStatus } from '../../src/monitoring/status.js';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { closeClients, falkorctl, role, setupDeploy, wipe } from './deploy-fixture.js';

let lab: Lab;
const DB = ['db1', 'db2', 'db3'];
const PROM = 'http://127.0.0.1:9090';
const GET = `import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.stdout.write(r.read().decode())`;

/** A Prometheus API answer, fetched on lb1 itself. */
async function prom<T>(path: string): Promise<T> {
  const r = await lab.exec('lb1', ['python3', '-c', GET, `${PROM}${path}`], { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`lb1: GET ${path}: ${r.stderr.trim().split('\n').pop()}`);
  return (JSON.parse(r.stdout) as { data: T }).data;
}

type Sample = { metric: Record<string, string>; value: [number, string] };
type Target = { labels: Record<string, string>; health: string };
type Alert = { labels: Record<string, string>; state: string };

const query = (q: string) => prom<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`);
const downAlert = async (host: string) =>
  (await prom<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.find(
    (a) => a.labels.alertname === 'FalkorDBDown' && a.labels.instance === host,
  );

async function checklist(): Promise<Map<string, CheckResult>> {
  const r = await falkorctl(['-i', lab.inventoryPath, '--json', 'checklist', '--only', 'monitoring']);
  const doc = JSON.parse(r.stdout) as { results: CheckResult[] };
  return new Map(doc.results.map((x) => [x.id, x]));
}

/** Polls the checklist until `id` has `outcome`; returns that result. */
/** Polls the checklist until `id` has `outcome` and its found names `naming` (a target Prometheus scrapes next). */
const checklistUntil = (id: string, outcome: CheckResult['outcome'], naming = '') =>
  waitFor(
    async () => {
      const r = (await checklist()).get(id);
      return r?.outcome === outcome && (r.found ?? '').includes(naming)
        ? done(r)
        : notYet(`${id}: ${r ? `${r.outcome} (${r.found})` : 'absent'}`);
    },
    { what: `checklist ${id} ${outcome}${naming ? ` naming ${naming}` : ''}`, timeoutMs: 120_000, intervalMs: 1000 },
  );

/** Polls `status --json` until lb1's monitoring entry satisfies `ok`. */
const statusUntil = (ok: (m: MonitoringStatus) => boolean, what: string) =>
  waitFor(
    async () => {
      const r = await falkorctl(['-i', lab.inventoryPath, '--json', 'status']);
      const m = (JSON.parse(r.stdout) as { monitoring?: MonitoringStatus[] }).monitoring?.[0];
      return m && ok(m) ? done(m) : notYet(JSON.stringify(m));
    },
    { what: `status: ${what}`, timeoutMs: 120_000, intervalMs: 1000 },
  );

const sh = (host: string, script: string) => lab.exec(host, ['sh', '-c', script], { timeoutMs: 60_000 });

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  await wipe(lab);
  await setupDeploy(lab.inventoryPath);
});
afterAll(async () => {
  closeClients();
  if (lab) {
    await Promise.all(DB.map((h) => sh(h, 'systemctl start falkordb.service falkordb-exporter.service')));
  }
  await cleanupAll();
});

describe('monitoring in the lab', () => {
  it('Prometheus on lb1 has every target up and redis_up 1 for every node', async () => {
    const targets = await waitFor(
      async () => {
        const t = (await prom<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
        const up = t.filter((x) => x.health === 'up');
        return t.length === 6 && up.length === 6 ? done(t) : notYet(`${up.length} of ${t.length} up`);
      },
      { what: 'Prometheus with 6 targets up (3 nodes, 3 Sentinels)', timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(targets.map((t) => `${t.labels.job}/${t.labels.instance}`).sort()).toEqual([
      'falkordb-sentinel/db1',
      'falkordb-sentinel/db2',
      'falkordb-sentinel/db3',
      'falkordb/db1',
      'falkordb/db2',
      'falkordb/db3',
    ]);
    const up = await query('redis_up{job="falkordb"}');
    expect(Object.fromEntries(up.result.map((s) => [s.metric.instance, s.value[1]]))).toEqual({
      db1: '1',
      db2: '1',
      db3: '1',
    });
  });

  it("the exporter's password is only in its 0600 file, not in any process's argv or environment", async () => {
    const pw = lab.password();
    for (const h of DB) {
      const st = await sh(h, 'stat -c "%a %U" /etc/falkordb/redis-exporter.json');
      expect(st.stdout.trim()).toBe('600 falkordb');
      expect((await sh(h, 'cat /etc/falkordb/redis-exporter.json')).stdout).toContain(pw);
      const pid = (await sh(h, 'systemctl show -p MainPID --value falkordb-exporter.service')).stdout.trim();
      expect(Number(pid)).toBeGreaterThan(0);
      const proc = await sh(h, `tr '\\0' '\\n' </proc/${pid}/cmdline; echo ---; tr '\\0' '\\n' </proc/${pid}/environ`);
      expect(proc.exitCode).toBe(0);
      expect(proc.stdout).toContain('-redis.password-file=/etc/falkordb/redis-exporter.json');
      expect(proc.stdout).not.toContain(pw);
      const ps = await sh(h, 'ps -eww -o args=');
      expect(ps.stdout).toContain('prometheus-redis-exporter');
      expect(ps.stdout).not.toContain(pw);
    }
  });

  it('a stopped replica fires FalkorDBDown in Prometheus; it resolves when the replica is back', async () => {
    const replica = DB.find((h) => h !== 'db1')!;
    expect((await role(lab, replica))[0]).toBe('slave');
    await sh(replica, 'systemctl stop falkordb.service');
    const fired = await waitFor(
      async () => {
        const a = await downAlert(replica);
        return a?.state === 'firing' ? done(a) : notYet(a ? a.state : 'no alert');
      },
      { what: `FalkorDBDown firing for ${replica}`, timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(fired.labels.severity).toBe('critical');
    const down = await query(`redis_up{instance="${replica}",job="falkordb"}`);
    expect(down.result[0]?.value[1]).toBe('0');
    await sh(replica, 'systemctl start falkordb.service');
    await waitFor(
      async () => {
        const a = await downAlert(replica);
        return a ? notYet(a.state) : done(true);
      },
      { what: `FalkorDBDown for ${replica} resolved`, timeoutMs: 120_000, intervalMs: 1000 },
    );
    await waitFor(
      async () => ((await role(lab, replica).catch(() => ['?']))[3] === 'connected' ? done(true) : notYet('not yet')),
      { what: `${replica} connected to its master again`, timeoutMs: 120_000, intervalMs: 1000 },
    );
  });

  it('checklist: a stopped exporter fails its item and the targets item; both pass once it is started', async () => {
    const all = await checklist();
    for (const id of ['monitoring.exporter:db2', 'monitoring.targets:lb1', 'monitoring.rules:lb1'])
      expect(all.get(id)?.outcome, id).toBe('pass');
    await sh('db2', 'systemctl stop falkordb-exporter.service');
    const exp = await checklistUntil('monitoring.exporter:db2', 'fail');
    expect(exp.found).toMatch(/node: URLError|Connection refused/);
    // each target is scraped on its own schedule: the Sentinel's may be seen down before the node's
    const targets = await checklistUntil('monitoring.targets:lb1', 'fail', 'falkordb/db2');
    expect(targets.found).toContain('falkordb/db2');
    // status shows the monitoring host: 4 of 6 targets up and the exporter's alert firing
    const seen = await statusUntil((m) => m.firing.includes('FalkorDBExporterDown db2'), 'FalkorDBExporterDown db2');
    expect(seen).toMatchObject({ host: 'lb1', up: true, targetsUp: 4, targets: 6, alertmanager: 'ready' });
    await sh('db2', 'systemctl start falkordb-exporter.service');
    await statusUntil((m) => m.targetsUp === 6 && m.firing.length === 0, '6/6 targets up, nothing firing');
    await checklistUntil('monitoring.exporter:db2', 'pass');
    await checklistUntil('monitoring.targets:lb1', 'pass');
  });

  it('checklist: a broken scrape target and unloaded rules fail; deploy repairs both', async () => {
    // db3's target pointed at a closed port, and the rules emptied, then Prometheus reloaded
    await sh(
      'lb1',
      "sed -i 's/10\\.89\\.[0-9]*\\.13:9121/&0/' /etc/falkorctl/prometheus/prometheus.yml && " +
        "printf 'groups: []\\n' > /etc/falkorctl/prometheus/falkordb-alerts.yml && " +
        'systemctl reload falkorctl-prometheus.service',
    );
    const targets = await checklistUntil('monitoring.targets:lb1', 'fail', 'falkordb/db3');
    expect(targets.found).toContain('falkordb/db3');
    const rules = await checklistUntil('monitoring.rules:lb1', 'fail');
    expect(rules.found).toContain('FalkorDBDown');
    const r = await falkorctl(['-i', lab.inventoryPath, 'deploy']);
    expect(r.code, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/reload falkorctl-prometheus\.service/);
    await checklistUntil('monitoring.targets:lb1', 'pass');
    await checklistUntil('monitoring.rules:lb1', 'pass');
  });
});
