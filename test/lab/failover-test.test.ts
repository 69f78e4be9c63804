// `falkorctl failover-test` in the lab: planned (switchover and back) loses nothing and writes a report with
// the timeline; unplanned (kill -9 of the master) ends with a new master, the old one back as its replica, and
// says exactly how many acknowledged writes the kill cost.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Lab } from '../helpers/lab.js';
import { falkorctl, role, sentinelMasters } from './deploy-fixture.js';
import { useDeployedLab } from './deployed-lab.js';

let lab: Lab;
let inv: string;
let tmp: string;

useDeployedLab(
  (l) => {
    lab = l;
    inv = l.inventoryPath;
    tmp = mkdtempSync(join(tmpdir(), 'falkorctl-failover-'));
  },
  () => rmSync(tmp, { recursive: true, force: true }),
);

interface Doc {
  acknowledged: number;
  lost: number;
  unavailableMs: number;
  healthyMs: number | null;
  marks: { atMs: number; label: string }[];
  ackedPer100ms: number[];
}

describe('failover-test in the lab', () => {
  it('planned: switchover and back under load, 0 lost, the timeline marks each step; an HTML report', async () => {
    const report = join(tmp, 'report.html');
    const r = await falkorctl(['-i', inv, '--yes', '--json', 'failover-test', '--duration', '1', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Doc;
    console.log(
      `failover-test planned: ${d.acknowledged} acknowledged, ${d.lost} lost, ${d.unavailableMs} ms unavailable`,
    );
    expect(d.acknowledged).toBeGreaterThan(100);
    expect(d.lost).toBe(0);
    const labels = d.marks.map((m) => m.label);
    expect(labels.slice(0, 3)).toEqual(['writer started', 'switchover db1 → db2', 'db2 is master']);
    expect(labels[3]).toMatch(/^switchover db2 → db[13]$/);
    expect(labels[4]).toMatch(/^db[13] is master/);
    expect(d.ackedPer100ms.some((n) => n > 0)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('<th>acknowledged writes lost</th><td>0</td>');
    const human = await falkorctl(['-i', inv, '--yes', 'failover-test', '--duration', '1']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^acknowledged writes lost +0$/m);
    expect(human.stdout).toMatch(/\^ [\d.]+s switchover db\d → db\d/);
  });

  it('unplanned: kill -9 of the master; Sentinel promotes a replica; deploy brings the old master back as its replica', async () => {
    const master = (await Promise.all(['db1', 'db2', 'db3'].map(async (h) => [h, (await role(lab, h))[0]]))).find(
      ([, r]) => r === 'master',
    )![0]!;
    const r = await falkorctl(['-i', inv, '--yes', '--json', 'failover-test', '--unplanned', '--duration', '1']);
    expect(r.stdout, r.stderr).not.toBe('');
    const d = JSON.parse(r.stdout) as Doc;
    console.log(
      `failover-test unplanned: ${d.acknowledged} acknowledged, ${d.lost} lost, ${d.unavailableMs} ms unavailable, healthy after ${d.healthyMs} ms`,
    );
    // a kill -9 may cost what appendfsync everysec had not written yet; the exit code says whether it did
    expect(r.code, r.stderr).toBe(d.lost === 0 ? 0 : 1);
    if (d.lost) expect(r.stderr).toMatch(/acknowledged write\(s\) lost \(appendfsync everysec allows/);
    expect(d.healthyMs).toBeGreaterThan(0);
    expect(d.marks.map((m) => m.label)[1]).toBe(`kill -9 ${master}`);
    const masters = await sentinelMasters(lab);
    expect(new Set(masters).size).toBe(1);
    expect(masters[0]).not.toBe(`${lab.host(master).address}:6379`);
    expect((d as Doc & { next: string }).next).toContain(`${master} stays down: bring it back as a replica`);
    const back = await falkorctl(['-i', inv, 'deploy', '--limit', master]); // only the node that is down
    expect(back.code, back.stderr).toBe(0);
    expect((await role(lab, master))[0]).toBe('slave');
  });
});
