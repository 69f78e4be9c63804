// The rendered HAProxy health check over TLS (the bundled redis-server has no TLS, so two small
// TLS servers answer AUTH / INFO replication / QUIT as a master and a replica would): the check
// must connect with TLS, verify against the CA, log in and tell the roles apart.
import { execaSync } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../../src/render/index.js';
import { HAPROXY_TLS_CA, HAPROXY_TLS_PEM } from '../../../src/templates/haproxy.js';
import { haproxyStat, startHAProxy, useCleanup, waitFor } from '../../helpers/index.js';
import { smallInventory } from './fixture.js';

useCleanup();
const dir = mkdtempSync(join(tmpdir(), 'falkorctl-haproxy-tls-'));
const PASSWORD = 'tls-check-password-0123456789';
const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

function pki() {
  const run = (...a: string[]) => execaSync('openssl', a, { cwd: dir });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=falkorctl-test-ca',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=node');
  run(
    'x509',
    '-req',
    '-in',
    'node.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'node.crt',
    '-days',
    '1',
  );
}

/** Answers like Redis would for the three commands the check sends. */
function fakeNode(host: string, port: number, info: string): Promise<void> {
  const bulk = `# Replication\r\n${info}\r\n${'x_padding:0\r\n'.repeat(20)}`;
  const s = createServer(
    { key: readFileSync(join(dir, 'node.key')), cert: readFileSync(join(dir, 'node.crt')) },
    (c) => {
      let buf = '';
      c.on('data', (d) => {
        buf += String(d);
        for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (line === `AUTH ${PASSWORD}`) c.write('+OK\r\n');
          else if (line.startsWith('AUTH')) c.write('-WRONGPASS invalid username-password pair\r\n');
          else if (line === 'INFO replication') c.write(`$${Buffer.byteLength(bulk)}\r\n${bulk}\r\n`);
          else if (line === 'QUIT') c.end('+OK\r\n');
        }
      });
      c.on('error', () => undefined);
    },
  );
  servers.push(s);
  return new Promise((res) => s.listen(port, host, () => res()));
}

const freePort = () =>
  new Promise<number>((res) => {
    const s = createTcp().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

describe('rendered haproxy.cfg with TLS to the nodes', { timeout: 30_000 }, () => {
  it('marks the TLS master UP for writes and the TLS replica UP for reads', async () => {
    pki();
    const tlsPort = await freePort();
    const [writePort, readPort] = [await freePort(), await freePort()];
    const inv = smallInventory((i) => {
      i.hosts = [
        { name: 'm1', address: '127.0.9.1', role: 'master', hardware: { memory: '1gb' } },
        { name: 'r1', address: '127.0.9.2', role: 'replica', hardware: { memory: '1gb' } },
        { name: 'lb', address: '127.0.9.3', role: 'haproxy' },
      ];
      i.sentinel = { quorum: 1 };
      i.haproxy = { writePort, readPort, checkIntervalMs: 200, statsSocket: join(dir, 'admin.sock') };
      i.tls = {
        enabled: true,
        port: tlsPort,
        certFile: '/unused/node.crt',
        keyFile: '/unused/node.key',
        caFile: join(dir, 'ca.crt'),
      };
    });
    await fakeNode('127.0.9.1', tlsPort, 'role:master\r\nconnected_slaves:1');
    await fakeNode(
      '127.0.9.2',
      tlsPort,
      'role:slave\r\nmaster_host:127.0.9.1\r\nmaster_port:6390\r\nmaster_link_status:up',
    );
    const cfg = join(dir, 'haproxy.cfg');
    const pem = join(dir, 'lb.pem');
    writeFileSync(pem, readFileSync(join(dir, 'node.crt'), 'utf8') + readFileSync(join(dir, 'node.key'), 'utf8'));
    const rendered =
      renderAll(inv, { password: PASSWORD, users: {} }, { hosts: ['lb'] }).find(
        (f) => f.path === '/etc/haproxy/haproxy.cfg',
      )?.content ?? '';
    // deploy's host paths (src/tls/files.ts) pointed at this test's files
    writeFileSync(cfg, rendered.replaceAll(HAPROXY_TLS_CA, join(dir, 'ca.crt')).replaceAll(HAPROXY_TLS_PEM, pem));
    await startHAProxy({ cfg, env: { FALKORDB_PASSWORD: PASSWORD } });
    const states = async () =>
      Object.fromEntries(
        (await haproxyStat(join(dir, 'admin.sock'))).map((r) => [`${r.pxname}/${r.svname}`, r.status]),
      );
    const want = {
      'falkordb_write/m1': 'UP',
      'falkordb_write/r1': 'DOWN',
      'falkordb_read/r1': 'UP',
      'falkordb_read/m1': 'UP',
    };
    const got = await waitFor(states, (s) => Object.entries(want).every(([k, v]) => s[k] === v), {
      what: 'backend states',
      timeoutMs: 6000,
      intervalMs: 100,
    });
    expect(got).toMatchObject(want);
  });
});
