// Two lab hosts replicate over their own addresses: FalkorDB on db2 follows db1 (10.89.0.x), and a
// graph written on the master is read back from the replica, both through ioredis from this machine.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { FALKOR_PORT, installFalkor, removeFalkor } from './falkor-unit.js';

let lab: Lab;
const clients: Redis[] = [];
const connect = (host: string) => {
  const c = new Redis({
    host: lab.host(host).address,
    port: FALKOR_PORT,
    password: lab.password(),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  c.on('error', () => {}); // refused until the unit is up; waitFor reports the last error
  clients.push(c);
  return c;
};

beforeAll(async () => {
  lab = await labUp();
  await Promise.all([installFalkor(lab, 'db1'), installFalkor(lab, 'db2')]);
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  if (lab) await Promise.all([removeFalkor(lab, 'db1'), removeFalkor(lab, 'db2')]);
});

describe('lab replication', () => {
  it('a replica on db2 syncs from db1 over the lab network and serves the graph', async () => {
    const master = connect('db1');
    const replica = connect('db2');
    await waitFor(
      () => master.ping().catch((e: Error) => e.message),
      (v) => v === 'PONG',
      { what: 'PONG from db1', timeoutMs: 20_000 },
    );
    await waitFor(
      () => replica.ping().catch((e: Error) => e.message),
      (v) => v === 'PONG',
      { what: 'PONG from db2', timeoutMs: 20_000 },
    );

    await master.call('GRAPH.QUERY', 'social', "CREATE (:Person {name:'ada'})-[:KNOWS]->(:Person {name:'bob'})");
    await replica.call('REPLICAOF', lab.host('db1').address, String(FALKOR_PORT));

    const info = await waitFor(
      () => replica.info('replication'),
      (v) => v.includes('master_link_status:up'),
      { what: 'master_link_status:up on db2', timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(info).toContain(`master_host:${lab.host('db1').address}`);

    // A write after the link is up must arrive too, not only the initial sync.
    await master.call('GRAPH.QUERY', 'social', "MATCH (a {name:'bob'}) CREATE (a)-[:KNOWS]->(:Person {name:'cy'})");
    const names = await waitFor(
      async () =>
        JSON.stringify(
          await replica.call('GRAPH.RO_QUERY', 'social', 'MATCH (p:Person) RETURN p.name ORDER BY p.name'),
        ),
      (v) => v.includes('cy'),
      { what: 'the graph on db2 to include cy', timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(names).toMatch(/ada.*bob.*cy/);

    const masterInfo = await master.info('replication');
    expect(masterInfo).toMatch(
      new RegExp(`slave0:ip=${lab.host('db2').address.replace(/\./g, '\\.')},port=${FALKOR_PORT},state=online`),
    );
    await expect(replica.call('GRAPH.QUERY', 'social', 'CREATE (:X)')).rejects.toThrow(/READONLY|read.only/i);
  });
});
