// tls.source (the operator's `tls issue` DIR) through the built CLI: a complete DIR renders each host's files with
// the modes and owners deploy installs; a key readable by others, a missing certificate, a key that is not the
// certificate's, or an expired certificate is a line-numbered error (exit 2) before any host is contacted
// (the hosts are TEST-NET addresses: nothing answers there, so any connection attempt would fail differently).
import { execa } from 'execa';
import { chmodSync, copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir, useCleanup } from '../../helpers/index.js';

useCleanup();
const bin = new URL('../../../bin/falkorctl.js', import.meta.url).pathname;
const env = { FALKORCTL_TLS_TEST_PASSWORD: 'tls-source-test-password-0123456789abcdef' };

const INVENTORY = [
  'cluster: tlssource',
  'hosts:',
  '  - { name: db1, address: 192.0.2.11, role: master, hardware: { memory: 8gb } }',
  '  - { name: db2, address: 192.0.2.12, role: replica, hardware: { memory: 8gb } }',
  '  - { name: lb1, address: 192.0.2.21, role: haproxy }',
  'auth:',
  '  password: env:FALKORCTL_TLS_TEST_PASSWORD',
  'tls:',
  '  enabled: true',
  '  certFile: /etc/falkordb/tls/tls.crt',
  '  keyFile: /etc/falkordb/tls/tls.key',
  '  caFile: /etc/falkordb/tls/ca.crt',
  '  source: pki',
  '',
].join('\n');
const SOURCE_LINE = INVENTORY.split('\n').indexOf('  source: pki') + 1;

let dir: string;
let pki: string;
const falkorctl = (...args: string[]) =>
  execa('node', [bin, '-i', 'falkorctl.yaml', ...args], { reject: false, cwd: dir, env, timeout: 120_000 });

beforeEach(async () => {
  dir = tempDir('falkorctl-tls-source-');
  pki = join(dir, 'pki');
  writeFileSync(join(dir, 'falkorctl.yaml'), INVENTORY);
  const r = await falkorctl('--yes', 'tls', 'issue', '--out', 'pki');
  expect(r.exitCode, r.stderr).toBe(0);
});

/** deploy's and status's first lines of work: refused with exit 2 before any SSH connection. */
async function refused(): Promise<string> {
  for (const cmd of [['deploy', '--yes'], ['status']]) {
    const r = await falkorctl(...cmd);
    expect(r.exitCode, `${cmd[0]}: ${r.stdout}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toContain(`falkorctl.yaml:${SOURCE_LINE}: tls.source: `);
    expect(r.stderr).not.toMatch(/192\.0\.2\.|ssh|timed out/i);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }
  return (await falkorctl('status')).stderr;
}

describe('tls.source', { timeout: 300_000 }, () => {
  it('renders each host its files: cert, 0600 key owned by the service user, the CA; balancers a crt PEM', async () => {
    const r = await falkorctl('render', '-o', 'out');
    expect(r.exitCode, r.stderr).toBe(0);
    const out = join(dir, 'out');
    expect(readFileSync(join(out, 'db1/etc/falkordb/tls/tls.key'), 'utf8')).toBe(
      readFileSync(join(pki, 'db1/tls.key'), 'utf8'),
    );
    expect(statSync(join(out, 'db1/etc/falkordb/tls/tls.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'db2/etc/falkordb/tls/tls.crt'), 'utf8')).toBe(
      readFileSync(join(pki, 'db2/tls.crt'), 'utf8'),
    );
    expect(readFileSync(join(out, 'db2/etc/falkordb/tls/ca.crt'), 'utf8')).toBe(
      readFileSync(join(pki, 'ca.crt'), 'utf8'),
    );
    const pem = readFileSync(join(out, 'lb1/etc/haproxy/falkordb-tls.pem'), 'utf8');
    expect(pem).toContain(readFileSync(join(pki, 'lb1/tls.crt'), 'utf8').trim());
    expect(pem).toContain(readFileSync(join(pki, 'lb1/tls.key'), 'utf8').trim());
    const cfg = readFileSync(join(out, 'lb1/etc/haproxy/haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(/bind 192\.0\.2\.21:6380 ssl crt \/etc\/haproxy\/falkordb-tls\.pem/);
    expect(cfg).toContain('ssl verify required ca-file /etc/haproxy/falkordb-ca.crt check-ssl');
    // rendered secrets stay out of git
    expect(readFileSync(join(out, '.gitignore'), 'utf8')).toMatch(/^\/db1\/etc\/falkordb\/tls\/tls\.key$/m);
  });

  it('refuses a key that group or others can read', async () => {
    chmodSync(join(pki, 'db1/tls.key'), 0o644);
    expect(await refused()).toContain(`${pki}/db1/tls.key is a private key readable by group or others (mode 0644)`);
  });

  it('refuses a missing certificate', async () => {
    rmSync(join(pki, 'db2/tls.crt'));
    expect(await refused()).toContain(`${pki}/db2/tls.crt does not exist`);
  });

  it("refuses a key that is not the certificate's", async () => {
    copyFileSync(join(pki, 'db2/tls.key'), join(pki, 'db1/tls.key'));
    expect(await refused()).toContain(`${pki}/db1/tls.crt does not match its key (tls.key)`);
  });

  it('refuses a certificate the CA did not sign, and lists every problem at once', async () => {
    const other = tempDir('falkorctl-tls-other-');
    writeFileSync(join(other, 'falkorctl.yaml'), INVENTORY);
    const o = await execa('node', [bin, '-i', 'falkorctl.yaml', '--yes', 'tls', 'issue', '--out', 'pki'], {
      cwd: other,
      env,
      reject: false,
    });
    expect(o.exitCode, o.stderr).toBe(0);
    for (const f of ['tls.crt', 'tls.key']) copyFileSync(join(other, 'pki/db2', f), join(pki, 'db2', f));
    rmSync(join(pki, 'lb1/tls.key'));
    const err = await refused();
    expect(err).toContain('2 problems:');
    expect(err).toContain(`${pki}/db2/tls.crt is not signed by the CA (ca.crt)`);
    expect(err).toContain(`${pki}/lb1/tls.key does not exist`);
  });
});
