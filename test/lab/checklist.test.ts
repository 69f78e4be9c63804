// `falkorctl checklist` against the lab: every check reports with evidence, and each kind of check is broken on
// a real host, shown failing, then repaired and shown passing — a stopped node, a disabled unit, a kernel
// setting, hardware below the inventory — plus the items a person signs off.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import type { Lab } from '../helpers/lab.js';
import { falkorctl, inventoryCopy, redis, role } from './deploy-fixture.js';
import { useDeployedLab } from './deployed-lab.js';

let lab: Lab;
let inv: string;
let tmp: string;

useDeployedLab(
  (l) => {
    lab = l;
    inv = l.inventoryPath;
    tmp = mkdtempSync(join(tmpdir(), 'falkorctl-checklist-'));
  },
  () => rmSync(tmp, { recursive: true, force: true }),
);

async function checklist(args: string[], file = inv) {
  const r = await falkorctl(['-i', file, '--json', 'checklist', ...args]);
  const doc = JSON.parse(r.stdout) as { counts: Record<string, number>; results: CheckResult[] };
  const by = (id: string) => doc.results.find((x) => x.id === id);
  return { code: r.code, doc, by, stderr: r.stderr };
}

describe('checklist in the lab', () => {
  it('checks every item with evidence; what it cannot check yet is skipped with the reason, never passed', async () => {
    const c = await checklist([]);
    const n = c.doc.counts;
    expect(n.pass! + n.warn! + n.fail! + n.skip!).toBe(c.doc.results.length);
    for (const r of c.doc.results) {
      if (r.outcome === 'skip') expect(r.reason, r.id).toBeTruthy();
      if (r.outcome === 'fail') expect(r.evidence ?? r.reason, r.id).toBeTruthy();
    }
    // the fixture provisioned each database host's loop disk: the data directory is on its own XFS volume
    for (const h of ['db1', 'db2', 'db3'])
      for (const id of [`storage.xfs:${h}`, `storage.mount:${h}:/var/lib/falkordb/data`, `storage.free:${h}`])
        expect(c.by(id), id).toMatchObject({ outcome: 'pass', evidence: expect.stringContaining('') });
    expect(c.by('storage.xfs:db1')!.evidence).toContain('findmnt');
    expect(c.doc.results.filter((r) => r.id.startsWith('storage.') && r.outcome !== 'pass')).toEqual([]);
    expect(c.code).toBe(1);
    for (const id of ['cluster.master', 'cluster.replication', 'cluster.sentinel', 'cluster.haproxy', 'cluster.health'])
      expect(c.by(id)?.outcome, id).toBe('pass');
    // no backup timer and no backup in this lab: both backup items are real checks now, and fail
    expect(c.by('backup.timer:db1')).toMatchObject({
      outcome: 'fail',
      reason: expect.stringMatching(/not installed: run falkorctl backup schedule/),
    });
    expect(c.by('backup.verified')).toMatchObject({
      outcome: 'fail',
      found: expect.stringMatching(/^no verified backup/),
    });
    expect(c.by('manual.go-live-approval')).toMatchObject({ outcome: 'skip' });
    // the seed's items appear by their own titles
    const items = new Set(c.doc.results.map((r) => r.item));
    for (const t of ['Hardware specifications verified', 'Deploy Sentinel (if using)', 'Team trained on procedures'])
      expect(items).toContain(t);
  });

  it('a stopped replica fails "Configure replication"; once it is back, retrying until it settles passes', async () => {
    expect((await lab.exec('db3', ['systemctl', 'stop', 'falkordb.service'])).exitCode).toBe(0);
    try {
      const broken = await checklist(['--phase', 'deploy', '--retry-timeout', '0']);
      expect(
        broken.by('cluster.replication')?.outcome === 'fail' || broken.by('cluster.master')?.outcome === 'fail',
      ).toBe(true);
      expect(broken.by('cluster.health')).toMatchObject({ outcome: 'fail', found: expect.stringContaining('db3') });
      expect(broken.code).toBe(1);
    } finally {
      expect((await lab.exec('db3', ['systemctl', 'start', 'falkordb.service'])).exitCode).toBe(0);
    }
    const fixed = await checklist(['--phase', 'deploy', '--retry-timeout', '120']);
    expect(fixed.by('cluster.health')?.outcome).toBe('pass');
    expect(fixed.code).toBe(0);
  });

  it('a unit disabled at boot fails "All services running"; enabled again, it passes', async () => {
    expect((await lab.exec('db2', ['systemctl', 'disable', 'falkordb-sentinel.service'])).exitCode).toBe(0);
    try {
      const c = await checklist(['--phase', 'post']);
      expect(c.by('services.falkordb-sentinel.service:db2')).toMatchObject({
        outcome: 'fail',
        found: 'active, disabled',
      });
    } finally {
      expect((await lab.exec('db2', ['systemctl', 'enable', 'falkordb-sentinel.service'])).exitCode).toBe(0);
    }
    expect((await checklist(['--phase', 'post'])).by('services.falkordb-sentinel.service:db2')?.outcome).toBe('pass');
  });

  it("vm.overcommit_memory (this machine's, shared with the lab hosts): 0 fails, 1 passes", async () => {
    const orig = (await execa('sysctl', ['-n', 'vm.overcommit_memory'])).stdout.trim();
    try {
      await execa('sysctl', ['-w', 'vm.overcommit_memory=0']);
      expect((await checklist(['--phase', 'pre'])).by('kernel.vm.overcommit_memory:db1')).toMatchObject({
        outcome: 'fail',
        found: '0',
        expected: '1',
        evidence: 'sysctl -n vm.overcommit_memory',
      });
      await execa('sysctl', ['-w', 'vm.overcommit_memory=1']);
      expect((await checklist(['--phase', 'pre'])).by('kernel.vm.overcommit_memory:db1')?.outcome).toBe('pass');
    } finally {
      await execa('sysctl', ['-w', `vm.overcommit_memory=${orig}`]);
    }
  });

  it('memory below what the inventory declares fails; the lab as declared is only below the recommendation', async () => {
    const big = inventoryCopy(lab, (d) => (d.hosts[0].hardware = { memory: '999gb', cpus: 2 }), tmp);
    expect((await checklist(['--phase', 'pre'], big)).by('hardware.memory:db1')).toMatchObject({
      outcome: 'fail',
      expected: expect.stringContaining('inventory hardware.memory'),
    });
    expect((await checklist(['--phase', 'pre'])).by('hardware.memory:db1')?.outcome).toBe('warn');
  });

  it('--sign-off NAME records the manual items as confirmed, with who and when', async () => {
    const c = await checklist(['--sign-off', 'alice']);
    expect(c.by('manual.team-trained-on-procedures')).toMatchObject({
      outcome: 'pass',
      found: expect.stringMatching(/^signed off by alice at \d{4}-/),
    });
  });
  it('free space on the data volume below used memory fails; with room again, it passes', async () => {
    // a 64 KiB tmpfs over db1's data directory: df sees it, while the running server keeps its own directory
    // open underneath (its cwd), so nothing it writes is lost or shadowed
    const dir = '/var/lib/falkordb/data';
    expect((await lab.exec('db1', ['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir])).exitCode).toBe(0);
    try {
      const c = await checklist(['--only', 'storage.free']);
      expect(c.doc.results.map((r) => r.id).sort()).toEqual([
        'storage.free:db1',
        'storage.free:db2',
        'storage.free:db3',
      ]);
      expect(c.by('storage.free:db1')).toMatchObject({
        outcome: 'fail',
        found: expect.stringMatching(/^64K free, .* used$/),
      });
      expect(c.by('storage.free:db2')?.outcome).toBe('pass');
      expect(c.code).toBe(1);
    } finally {
      expect((await lab.exec('db1', ['umount', dir])).exitCode).toBe(0);
    }
    expect((await checklist(['--only', 'storage.free:db1'])).by('storage.free:db1')?.outcome).toBe('pass');
  });

  it('--only/--skip select by id prefix; --junit and --markdown write the same results as files', async () => {
    const junitFile = join(tmp, 'checklist.xml');
    const mdFile = join(tmp, 'checklist.md');
    const c = await checklist([
      '--only',
      'kernel',
      'services',
      '--skip',
      'kernel.transparent_hugepage',
      '--junit',
      junitFile,
      '--markdown',
      mdFile,
    ]);
    const ids = c.doc.results.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(3);
    expect(
      ids.every((id) => /^(kernel|services)[.:]/.test(id) && !id.startsWith('kernel.transparent')),
      ids.join(' '),
    ).toBe(true);
    const xml = readFileSync(junitFile, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(ids.length);
    expect(xml).toMatch(new RegExp(`failures="${c.doc.counts.fail}"`));
    const md = readFileSync(mdFile, 'utf8');
    for (const r of c.doc.results) expect(md).toContain(r.title);
    // a report path that cannot be written is refused before any host is asked
    const r = await falkorctl(['-i', inv, 'checklist', '--junit', join(tmp, 'missing', 'x.xml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--junit .*the directory .*missing does not exist/);
    expect((await falkorctl(['-i', inv, 'checklist', '--only', 'no such'])).code).toBe(2);
  });

  it('a hand-edited config fails "Configuration files reviewed"; restored, it passes', async () => {
    let c = await checklist(['--only', 'config']);
    for (const h of ['db1', 'db2', 'db3', 'lb1']) expect(c.by(`config.drift:${h}`)?.outcome, h).toBe('pass');
    const conf = '/etc/falkordb/falkordb.conf';
    expect((await lab.exec('db2', ['cp', '-p', conf, `${conf}.orig`])).exitCode).toBe(0);
    try {
      expect((await lab.exec('db2', ['sh', '-c', `echo 'hz 50' >> ${conf}`])).exitCode).toBe(0);
      c = await checklist(['--only', 'config.drift']);
      expect(c.by('config.drift:db2')).toMatchObject({ outcome: 'fail', found: expect.stringContaining(conf) });
      expect(c.by('config.drift:db1')?.outcome).toBe('pass');
      expect(c.code).toBe(1);
    } finally {
      expect((await lab.exec('db2', ['mv', `${conf}.orig`, conf])).exitCode).toBe(0);
    }
    expect((await checklist(['--only', 'config.drift:db2'])).by('config.drift:db2')?.outcome).toBe('pass');
  });
  it('a server whose open-files limit is below maxclients + 32 fails; restarted with its limit, it passes', async () => {
    // a unit override is how this goes wrong in practice (root in the lab host cannot prlimit another user's process)
    const dropIn = '/etc/systemd/system/falkordb.service.d/nofile-test.conf';
    const restart = async () => {
      expect((await lab.exec('db3', ['systemctl', 'daemon-reload'])).exitCode).toBe(0);
      expect((await lab.exec('db3', ['systemctl', 'restart', 'falkordb.service'])).exitCode).toBe(0);
    };
    const put = 'mkdir -p "$(dirname "$1")" && printf "[Service]\\nLimitNOFILE=1024\\n" > "$1"';
    expect((await lab.exec('db3', ['sh', '-c', put, 'put', dropIn])).exitCode).toBe(0);
    try {
      await restart();
      const c = await checklist(['--only', 'process.nofile']);
      expect(c.by('process.nofile:db3')).toMatchObject({
        outcome: 'fail',
        found: '1024',
        reason: expect.stringMatching(/lowers maxclients to 992/),
      });
      expect(c.by('process.nofile:db1')?.outcome).toBe('pass');
    } finally {
      expect((await lab.exec('db3', ['rm', '-f', dropIn])).exitCode).toBe(0);
      await restart();
    }
    expect((await checklist(['--only', 'process.nofile:db3'])).by('process.nofile:db3')?.outcome).toBe('pass');
  });
  it('a GRAPH.CONFIG value changed at runtime on db2 fails graph-config and warns same-graph-config; set back, both pass', async () => {
    const c2 = redis(lab, 'db2', 6379);
    await c2.connect();
    const get = async () => String(((await c2.call('GRAPH.CONFIG', 'GET', 'TIMEOUT_DEFAULT')) as unknown[])[1]);
    const orig = await get();
    // the lab inventory sets no FalkorDB parameter: a copy declares the value the nodes run now
    const declared = inventoryCopy(lab, (d) => (d.falkordb = { params: { TIMEOUT_DEFAULT: Number(orig) } }), tmp);
    let c = await checklist(['--only', 'falkordb.graph-config', 'falkordb.same-graph-config'], declared);
    for (const h of ['db1', 'db2', 'db3'])
      expect(c.by(`falkordb.graph-config:${h}`), h).toMatchObject({
        outcome: 'pass',
        found: `TIMEOUT_DEFAULT=${orig}`,
      });
    expect(c.by('falkordb.same-graph-config')?.outcome).toBe('pass');
    expect(await c2.call('GRAPH.CONFIG', 'SET', 'TIMEOUT_DEFAULT', '250')).toBe('OK');
    try {
      c = await checklist(['--only', 'falkordb.graph-config', 'falkordb.same-graph-config'], declared);
      expect(c.by('falkordb.graph-config:db2')).toMatchObject({
        outcome: 'fail',
        found: 'TIMEOUT_DEFAULT=250',
        expected: `TIMEOUT_DEFAULT=${orig}`,
        evidence: 'GRAPH.CONFIG GET *',
      });
      expect(c.by('falkordb.graph-config:db1')?.outcome).toBe('pass');
      expect(c.code).toBe(1);
      // with the lab's own inventory the parameter is the module's: the nodes disagreeing is a warning
      c = await checklist(['--only', 'falkordb.same-graph-config', 'falkordb.graph-config:db2']);
      expect(c.by('falkordb.graph-config:db2')).toMatchObject({ outcome: 'skip' });
      expect(c.by('falkordb.same-graph-config')).toMatchObject({
        outcome: 'warn',
        found: `TIMEOUT_DEFAULT: db1 ${orig}, db2 250, db3 ${orig}`,
      });
    } finally {
      await c2.call('GRAPH.CONFIG', 'SET', 'TIMEOUT_DEFAULT', orig);
    }
    expect(await get()).toBe(orig);
    c = await checklist(['--only', 'falkordb.graph-config', 'falkordb.same-graph-config'], declared);
    expect(c.by('falkordb.graph-config:db2')?.outcome).toBe('pass');
    expect(c.by('falkordb.same-graph-config')?.outcome).toBe('pass');
    expect(c.code).toBe(0);
  });

  it('a graph moved out of database 0 fails graph-list on every node, naming it; moved back, it passes', async () => {
    const masterHost = (await Promise.all(['db1', 'db2', 'db3'].map(async (h) => [h, (await role(lab, h))[0]]))).find(
      ([, r]) => r === 'master',
    )![0]!;
    const m = redis(lab, masterHost, 6379);
    await m.connect();
    const ids = ['db1', 'db2', 'db3'].map((h) => `falkordb.graph-list:${h}`);
    await m.call('GRAPH.QUERY', 'gl-test', 'CREATE (:T {v: 1})');
    // every replica has it before the checklist asks (WAIT is bounded by its own timeout)
    expect(await m.call('WAIT', '2', '20000')).toBe(2);
    try {
      let c = await checklist(['--only', 'falkordb.graph-list']);
      for (const id of ids) expect(c.by(id), id).toMatchObject({ outcome: 'pass', phase: 'deploy' });
      expect(await m.call('MOVE', 'gl-test', '1')).toBe(1);
      expect(await m.call('WAIT', '2', '20000')).toBe(2);
      c = await checklist(['--only', 'falkordb.graph-list']);
      for (const id of ids)
        expect(c.by(id), id).toMatchObject({
          outcome: 'fail',
          found: 'listed without a graph key: "gl-test"',
          evidence: expect.stringContaining('SCAN <cursor> TYPE graphdata COUNT 1000'),
        });
      expect(c.code).toBe(1);
    } finally {
      await m.select(1);
      await m.call('MOVE', 'gl-test', '0');
      await m.select(0);
    }
    expect(await m.call('WAIT', '2', '20000')).toBe(2);
    const c = await checklist(['--only', 'falkordb.graph-list']);
    for (const id of ids) expect(c.by(id), id).toMatchObject({ outcome: 'pass' });
    await m.call('GRAPH.DELETE', 'gl-test');
  });
});
