// The real tools accept what render writes: `haproxy -c -f` (Debian HAProxy 2.6) and
// `promtool check rules`. Each check is also shown to fail on a broken file, so it cannot pass vacuously.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../../src/render/index.js';
import { HAPROXY_TLS_CA, HAPROXY_TLS_PEM } from '../../../src/templates/haproxy.js';
import { findFalkorBinaries } from '../../helpers/bins.js';
import { SECRETS, fixtureInventory, smallInventory } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'falkorctl-render-tools-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const haproxyCheck = (p: string) =>
  execa('haproxy', ['-c', '-f', p], { reject: false, env: { FALKORDB_PASSWORD: SECRETS.password } });
const promtool = (p: string) => execa('promtool', ['check', 'rules', p], { reject: false });

describe('haproxy -c -f', { timeout: 30_000 }, () => {
  it('accepts the rendered haproxy.cfg (with FALKORDB_PASSWORD set, as the drop-in does)', async () => {
    for (const [name, inv] of [
      ['fixture', fixtureInventory()],
      ['no-fallback', smallInventory((i) => void (i.haproxy = { readFallbackToMaster: false, checkIntervalMs: 250 }))],
      [
        'ipv6',
        smallInventory((i) => void (i.hosts = i.hosts.map((h, n) => ({ ...h, address: `2001:db8::${n + 1}` })))),
      ],
    ] as const) {
      const cfg = renderAll(inv, SECRETS).find((f) => f.path === '/etc/haproxy/haproxy.cfg');
      const r = await haproxyCheck(write(`${name}.cfg`, cfg?.content ?? ''));
      expect(r.exitCode, `${name}: ${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/Configuration file is valid/);
    }
  });
  it('accepts the TLS variant (HAProxy verifies the nodes against the CA)', async () => {
    const ca = join(dir, 'ca.crt');
    const gen = await execa(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'ca.key'),
        '-out',
        ca,
        '-days',
        '1',
        '-subj',
        '/CN=falkorctl-test-ca',
      ],
      { reject: false },
    );
    expect(gen.exitCode, gen.stderr).toBe(0);
    const inv = smallInventory(
      (i) =>
        void (i.tls = {
          enabled: true,
          port: 6390,
          certFile: '/etc/falkordb/tls/node.crt',
          keyFile: '/etc/falkordb/tls/node.key',
          caFile: ca,
        }),
    );
    const cfg =
      renderAll(inv, { password: SECRETS.password, users: {} }).find((f) => f.path === '/etc/haproxy/haproxy.cfg')
        ?.content ?? '';
    expect(cfg).toMatch(/server m1 192\.0\.2\.1:6390 backup$/m);
    expect(cfg).toContain(`ssl verify required ca-file ${HAPROXY_TLS_CA} check-ssl`);
    expect(cfg).toMatch(/bind 192\.0\.2\.\d+:\d+ ssl crt \/etc\/haproxy\/falkordb-tls\.pem$/m);
    // the host paths deploy installs, pointed at this test's files (a CA's certificate and key make a crt PEM)
    const pem = write('tls.pem', readFileSync(ca, 'utf8') + readFileSync(join(dir, 'ca.key'), 'utf8'));
    const here = cfg.replaceAll(HAPROXY_TLS_CA, ca).replaceAll(HAPROXY_TLS_PEM, pem);
    const r = await haproxyCheck(write('tls.cfg', here));
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
  it('rejects a broken one', async () => {
    const cfg =
      renderAll(fixtureInventory(), SECRETS).find((f) => f.path === '/etc/haproxy/haproxy.cfg')?.content ?? '';
    const r = await haproxyCheck(write('broken.cfg', cfg.replace('balance first', 'balance nowhere')));
    expect(r.exitCode).not.toBe(0);
  });
});

describe('promtool check rules', { timeout: 30_000 }, () => {
  const rules = (inv = fixtureInventory()) =>
    renderAll(inv, SECRETS).find((f) => f.path === '/prometheus/falkordb-alerts.yml')?.content ?? '';
  it('accepts the rendered alert rules', async () => {
    const r = await promtool(write('alerts.yml', rules()));
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: 18 rules found/);
  });
  it('accepts them without replicas or Sentinels and with AOF-only persistence', async () => {
    const inv = smallInventory((i) => {
      i.hosts = i.hosts.filter((h) => h.role === 'master');
      i.redis = { persistence: 'aof' };
      i.sentinel = { hosts: [] };
    });
    const r = await promtool(write('alerts-small.yml', rules(inv)));
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
  it('rejects a broken expression', async () => {
    const r = await promtool(write('alerts-broken.yml', rules().replace('== 0', '== == 0')));
    expect(r.exitCode).not.toBe(0);
  });
});

const bins = findFalkorBinaries();

describe.skipIf(!bins)('systemd-analyze verify', { timeout: 30_000 }, () => {
  it('accepts the rendered falkordb.service and falkordb-sentinel.service without a word', async () => {
    const inv = fixtureInventory();
    inv.falkordb.redisServer = bins!.redisServer; // verify checks that ExecStart is executable
    const files = renderAll(inv, SECRETS, { hosts: ['db1'] });
    const units = ['falkordb.service', 'falkordb-sentinel.service'].map((u) =>
      write(u, files.find((f) => f.path.endsWith(`/${u}`))?.content ?? ''),
    );
    // the data volume's mount unit, as the storage step would create it (fstab → var-lib-falkordb.mount)
    const mount = write(
      'var-lib-falkordb.mount',
      '[Mount]\nWhat=/dev/falkordb-vg/data\nWhere=/var/lib/falkordb\nType=xfs\n',
    );
    const r = await execa('systemd-analyze', ['verify', ...units, mount], { reject: false, cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toBe('');
  });
  it('complains about a broken unit', async () => {
    const r = await execa('systemd-analyze', ['verify', write('broken.service', '[Service]\nTypo=1\n')], {
      reject: false,
    });
    expect(r.exitCode).not.toBe(0);
  });
});
