// `falkorctl backup` in the lab: taken on a replica while the write-load tool writes graph CREATEs through
// HAProxy's write port; the manifest's counts lie between a real client's counts just before and just after,
// and are exactly what the copy holds (redis-check-rdb, and the copy loaded in a throwaway server). A named
// node that is down is refused with the reason; `backup list` shows what was taken. Then `falkorctl restore`:
// a corrupted copy is refused before anything is stopped; after every node's data is wiped, a restore brings
// back exactly the backup's graphs (counts and property checksums) on every node, with Sentinel and HAProxy
// back to normal and an AOF that holds the restored data (a restart of the master proves it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { underWriteLoad } from '../../src/loadgen/index.js';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, redis, sentinelMasters, setupDeploy, wipe } from './deploy-fixture.js';

let lab: Lab;
let inv: string;
const GRAPH = 'bk';
const DIR = '/var/backups/falkordb';

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  inv = lab.inventoryPath;
  await wipe(lab);
  for (const h of ['db1', 'db2', 'db3']) await lab.exec(h, ['rm', '-rf', DIR]);
  await setupDeploy(inv);
});
afterAll(async () => {
  closeClients();
  await cleanupAll();
});

async function count(host: string, q: string, graph = GRAPH): Promise<number> {
  const c = redis(lab, host, 6379);
  await c.connect();
  try {
    const names = (await c.call('GRAPH.LIST')) as string[];
    if (!names.includes(graph)) return 0;
    const r = (await c.call('GRAPH.RO_QUERY', graph, q)) as unknown[][][];
    return Number(r[1]![0]![0]);
  } finally {
    c.disconnect();
  }
}
const nodes = (host: string) => count(host, 'MATCH (n) RETURN count(n)');

interface ManifestJson {
  id: string;
  host: string;
  role: string;
  rdb: string;
  size: number;
  sha256: string;
  masterReplOffset: number;
  falkordbVersion: string;
  redisVersion: string;
  graphs: { name: string; nodes: number; edges: number }[];
  verified: { checkRdb: boolean; restore: boolean | null; problems: string[] };
}

describe('backup in the lab', () => {
  it('under write load through HAProxy: on a replica, counts bounded by a client, verified by a real load', async () => {
    // a second graph with edges, so edge counts are checked too
    const m = redis(lab, 'db1', 6379);
    await m.connect();
    await m.call(
      'GRAPH.QUERY',
      'social',
      'UNWIND range(1,500) AS i CREATE (:P {id:i})-[:KNOWS {w:i}]->(:P {id:i+1000})',
    );
    m.disconnect();
    let before = -1;
    let after = -1;
    const { result, report } = await underWriteLoad(
      {
        host: lab.host('lb1').address,
        port: 6380,
        password: lab.password(),
        graph: GRAPH,
        intervalMs: 2,
        leadInMs: 1000,
      },
      async () => {
        before = await nodes('db1');
        const r = await falkorctl(['-i', inv, '--json', 'backup', '--verify-restore']);
        after = await nodes('db1');
        return r;
      },
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const man = JSON.parse(result.stdout) as ManifestJson;
    console.log(
      `backup ${man.id}: ${GRAPH} ${man.graphs.find((g) => g.name === GRAPH)?.nodes} nodes ` +
        `(a client counted ${before} before, ${after} after); ${report.acknowledged} writes acknowledged, ${report.missing.length} lost`,
    );
    expect(report.missing).toEqual([]);
    expect(man.role).toBe('replica');
    expect(['db2', 'db3']).toContain(man.host);
    expect(man.falkordbVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(man.verified).toEqual({ checkRdb: true, restore: true, problems: [] });
    const g = man.graphs.find((x) => x.name === GRAPH)!;
    expect(before).toBeGreaterThan(0); // the load was writing before the backup began
    expect(after).toBeGreaterThan(before); // and during it
    expect(g.nodes).toBeGreaterThanOrEqual(before);
    expect(g.nodes).toBeLessThanOrEqual(after);
    expect(g.edges).toBe(0);
    expect(man.graphs.find((x) => x.name === 'social')).toEqual({ name: 'social', nodes: 1000, edges: 500 });

    // the files, from the host itself: name, mode, size and sha256 as the manifest says
    expect(man.rdb).toBe(`${DIR}/${man.id}.rdb`);
    expect(man.id).toMatch(new RegExp(`^lab-${man.host}-\\d{8}T\\d{6}Z-${man.masterReplOffset}$`));
    const st = await lab.exec(man.host, ['sh', '-c', `stat -c '%a %U %G %s' ${man.rdb}; sha256sum < ${man.rdb}`]);
    const [stat, sum] = st.stdout.trim().split('\n');
    expect(stat).toBe(`640 root falkordb ${man.size}`);
    expect(sum!.split(' ')[0]).toBe(man.sha256);
    const onDisk = JSON.parse((await lab.exec(man.host, ['cat', `${DIR}/${man.id}.json`])).stdout) as ManifestJson;
    expect(onDisk.sha256).toBe(man.sha256);
    // the RDB itself carries the offset the manifest names (redis-check-rdb prints its aux fields)
    const chk = await lab.exec(man.host, [
      'bash',
      '-c',
      `exec -a redis-check-rdb /opt/falkordb/bin/redis-server ${man.rdb}`,
    ]);
    expect(chk.stdout).toContain(`AUX FIELD repl-offset = '${man.masterReplOffset}'`);
    // the throwaway server and its scratch directory are gone
    const left = await lab.exec(man.host, [
      'sh',
      '-c',
      `ls -A ${DIR} | grep -c verify; systemctl list-units --all --no-legend 'falkorctl-verify*' | wc -l`,
    ]);
    expect(left.stdout.trim().split('\n')).toEqual(['0', '0']);

    const l = await falkorctl(['-i', inv, '--json', 'backup', 'list']);
    expect(l.code, l.stderr).toBe(0);
    const listed = (
      JSON.parse(l.stdout) as { backups: { id: string; host: string; verified: boolean; size: number }[] }
    ).backups;
    expect(listed).toEqual([expect.objectContaining({ id: man.id, host: man.host, verified: true, size: man.size })]);
  });

  it('a named node that is down is refused with the reason; the master only when named', async () => {
    await lab.exec('db3', ['systemctl', 'stop', 'falkordb.service']);
    try {
      const r = await falkorctl(['-i', inv, 'backup', '--host', 'db3']);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/db3 is down/);
      const m = await falkorctl(['-i', inv, '--json', 'backup', '--host', 'db1']);
      expect(m.code, m.stderr).toBe(0);
      const man = JSON.parse(m.stdout) as ManifestJson;
      expect([man.host, man.role, man.verified.checkRdb, man.verified.restore]).toEqual(['db1', 'master', true, null]);
      const plain = await falkorctl(['-i', inv, 'backup', 'list']);
      expect(plain.stdout).toMatch(new RegExp(`^${man.id}  \\d+s  db1  .*  no$`, 'm')); // not loaded: unverified
    } finally {
      await lab.exec('db3', ['systemctl', 'start', 'falkordb.service']);
    }
  });

  it('restore: a corrupted copy is refused before anything stops; after a wipe, every node gets the backup back', async () => {
    const b = await falkorctl(['-i', inv, '--json', 'backup', '--verify-restore']);
    expect(b.code, b.stderr).toBe(0);
    const man = JSON.parse(b.stdout) as ManifestJson;
    const sums = async (host: string) => ({
      social: await count(host, 'MATCH (n:P) RETURN sum(n.id)', 'social'),
      weights: await count(host, 'MATCH ()-[e:KNOWS]->() RETURN sum(e.w)', 'social'),
      seqs: await count(host, 'MATCH (n:W) RETURN sum(n.seq)'),
    });
    const want = await sums('db1'); // no writes since the backup: the master holds what the backup holds
    expect(want.social).toBeGreaterThan(0);
    const units = async () =>
      Promise.all(
        ['db1', 'db2', 'db3'].map(
          async (h) =>
            (await lab.exec(h, ['systemctl', 'show', '-p', 'MainPID', '--value', 'falkordb.service'])).stdout,
        ),
      );
    const quorum = async (h: string) => {
      const c = redis(lab, h, 26379, undefined);
      await c.connect();
      const kv = (await c.call('SENTINEL', 'MASTER', 'falkordb-master')) as string[];
      c.disconnect();
      return Number(kv[kv.indexOf('quorum') + 1]);
    };

    // 1. non-interactive without --confirm: exit 2, nothing runs
    const pids = await units();
    const noConfirm = await falkorctl(['-i', inv, '--yes', 'restore', man.id]);
    expect(noConfirm.code, noConfirm.stderr).toBe(2);
    expect(noConfirm.stderr).toContain('--yes --confirm lab');

    // 2. four bytes flipped in the middle of the copy: refused (exit 3) with the sha256, nothing stopped
    const at = Math.floor(man.size / 2);
    // dash's printf takes octal escapes only
    const dd = (bytes: number[]) =>
      lab.exec(man.host, [
        'sh',
        '-c',
        `printf '${bytes.map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}' | ` +
          `dd of=${man.rdb} bs=1 seek=${at} conv=notrunc status=none`,
      ]);
    const read4 = async () =>
      (await lab.exec(man.host, ['od', '-An', '-tu1', `-j${at}`, '-N4', man.rdb])).stdout
        .trim()
        .split(/\s+/)
        .map(Number);
    const orig = await read4();
    const flipped = orig.map((b) => b ^ 0xff);
    await dd(flipped);
    expect(await read4()).toEqual(flipped);
    const bad = await falkorctl(['-i', inv, '--yes', 'restore', man.id, '--confirm', 'lab']);
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toMatch(/refused; nothing was stopped/);
    expect(bad.stderr).toMatch(new RegExp(`its manifest says ${man.sha256}.*corrupted`));
    expect(await units()).toEqual(pids);
    expect(await Promise.all(['db1', 'db2', 'db3'].map(quorum))).toEqual([2, 2, 2]);
    await dd(orig);
    expect(await read4()).toEqual(orig);

    // 3. wipe every node's data: the cluster comes back empty
    for (const h of ['db2', 'db3', 'db1']) await lab.exec(h, ['systemctl', 'stop', 'falkordb.service']);
    for (const h of ['db1', 'db2', 'db3'])
      await lab.exec(h, ['sh', '-c', 'rm -rf /var/lib/falkordb/data/dump.rdb /var/lib/falkordb/data/appendonlydir']);
    for (const h of ['db1', 'db2', 'db3']) await lab.exec(h, ['systemctl', 'start', 'falkordb.service']);
    for (const h of ['db1', 'db2', 'db3'])
      await waitFor(
        async () => {
          const c = redis(lab, h, 6379);
          await c.connect();
          try {
            return (await c.call('GRAPH.LIST')) as string[];
          } finally {
            c.disconnect();
          }
        },
        (g) => g.length === 0,
        { what: `${h} up and empty`, timeoutMs: 60_000 },
      );

    // 4. restore
    const r = await falkorctl(['-i', inv, '--json', '--yes', 'restore', man.id, '--confirm', 'lab']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; master: string; ms: number };
    console.log(`restore of ${man.id} onto ${out.master}: ${out.ms} ms`);
    expect(out.master).toBe('db1');
    const graphs = async (h: string) => {
      const c = redis(lab, h, 6379);
      await c.connect();
      try {
        const names = ((await c.call('GRAPH.LIST')) as string[]).sort();
        return Promise.all(
          names.map(async (name) => ({
            name,
            nodes: await count(h, 'MATCH (n) RETURN count(n)', name),
            edges: await count(h, 'MATCH ()-[e]->() RETURN count(e)', name),
          })),
        );
      } finally {
        c.disconnect();
      }
    };
    for (const h of ['db1', 'db2', 'db3']) {
      expect(await graphs(h), h).toEqual(man.graphs);
      expect(await sums(h), h).toEqual(want);
    }
    expect(await sentinelMasters(lab)).toEqual(Array(3).fill(`${lab.host('db1').address}:6379`));
    expect(await Promise.all(['db1', 'db2', 'db3'].map(quorum))).toEqual([2, 2, 2]);
    // HAProxy routes writes to the restored master
    const w = redis(lab, 'lb1', 6380);
    await w.connect();
    expect(((await w.call('ROLE')) as unknown[])[0]).toBe('master');
    await w.call('GRAPH.QUERY', 'after', 'CREATE (:X {v: 1})');
    w.disconnect();
    expect(await count('db1', 'MATCH (n:X) RETURN count(n)', 'after')).toBe(1);

    // 5. the AOF holds the restored data, not the wiped one: appendonly is on again and a restart keeps the graphs
    const conf = await lab.exec('db1', ['grep', '-c', '^appendonly yes', '/etc/falkordb/falkordb.conf']);
    expect(conf.stdout.trim()).toBe('1');
    await lab.exec('db1', ['systemctl', 'restart', 'falkordb.service']);
    const back = await waitFor(
      () => graphs('db1'),
      (g) => g.length > 0,
      { what: 'db1 back after its restart, graphs loaded from its AOF', timeoutMs: 60_000 },
    );
    expect(back).toEqual(
      [...man.graphs, { name: 'after', nodes: 1, edges: 0 }].sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(await sums('db1')).toEqual(want);
  });
});
