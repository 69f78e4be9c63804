// `falkorctl backup` in the lab: taken on a replica while the write-load tool writes graph CREATEs through
// HAProxy's write port; the manifest's counts lie between a real client's counts just before and just after,
// and are exactly what the copy holds (redis-check-rdb, and the copy loaded in a throwaway server). A named
// node that is down is refused with the reason; `backup list` shows what was taken.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { underWriteLoad } from '../../src/loadgen/index.js';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { closeClients, falkorctl, redis, wipe } from './deploy-fixture.js';

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
  const r = await falkorctl(['-i', inv, 'deploy']);
  if (r.code !== 0) throw new Error(`setup deploy failed:\n${r.stdout}\n${r.stderr}`);
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
});
