// `falkorctl tls issue` on a real inventory, checked with openssl itself: the chain verifies, every host's
// certificate names its inventory name and address, keys match and are born 0600, a re-run changes nothing,
// files in the way are refused by name with nothing written, and configs rendered with the printed paths pass
// lint and HAProxy's own check (which loads the CA file).
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHAProxyConfig, tempDir, useCleanup } from '../../helpers/index.js';

useCleanup();
const bin = new URL('../../../bin/falkorctl.js', import.meta.url).pathname;
const PASSWORD = 'tls-issue-test-password-0123456789abcdef';
const env = { FALKORCTL_TLS_TEST_PASSWORD: PASSWORD };

const HOSTS = [
  { name: 'db1', address: '10.77.0.11', role: 'master' },
  { name: 'db2', address: '10.77.0.12', role: 'replica' },
  { name: 'db3', address: 'fd00:77::13', role: 'replica' },
  // HAProxy hosts may be named by DNS (Redis and Sentinel bind IP addresses only)
  { name: 'lb1', address: 'lb1.graph.example.internal', role: 'haproxy' },
];

function inventory(hosts = HOSTS, tls = ''): string {
  return [
    'cluster: tlstest',
    'hosts:',
    ...hosts.flatMap((h) => [
      `  - name: ${h.name}`,
      `    address: "${h.address}"`,
      `    role: ${h.role}`,
      ...(h.role === 'haproxy' ? [] : ['    hardware: { memory: 8gb }']),
    ]),
    'auth:',
    '  password: env:FALKORCTL_TLS_TEST_PASSWORD',
    tls,
    '',
  ].join('\n');
}

let dir: string;
let out: string;
const falkorctl = (inv: string, ...args: string[]) =>
  execa('node', [bin, '-i', inv, ...args], { reject: false, cwd: dir, env });
const openssl = async (...args: string[]) => (await execa('openssl', args)).stdout;

/** Path → sha256, inode and mtime of every file under DIR: "nothing changed" means this is equal. */
function snapshot(root: string): Record<string, string> {
  const acc: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        acc[p] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.ino} ${st.mtimeMs} ${st.mode}`;
      }
    }
  };
  walk(root);
  return acc;
}

let first: Awaited<ReturnType<typeof falkorctl>>;
beforeAll(async () => {
  dir = tempDir('falkorctl-tls-issue-');
  out = join(dir, 'pki');
  writeFileSync(join(dir, 'falkorctl.yaml'), inventory());
  first = await falkorctl('falkorctl.yaml', 'tls', 'issue', '--out', 'pki');
});

describe('falkorctl tls issue', () => {
  it('shows the plan, then writes the CA and a directory per host', () => {
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain(`plan for ${out}:`);
    expect(first.stderr).toMatch(/create CA "falkorctl CA for cluster tlstest"/);
    expect(first.stdout).toContain('wrote 14 file(s)');
    expect(readdirSync(out).sort()).toEqual(['ca.crt', 'ca.key', 'db1', 'db2', 'db3', 'lb1']);
    for (const h of HOSTS) expect(readdirSync(join(out, h.name)).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  });

  it('every host certificate verifies against the CA and names the host as the inventory does', async () => {
    const expected: Record<string, string> = {
      db1: 'DNS:db1, DNS:localhost, IP Address:10.77.0.11, IP Address:127.0.0.1',
      db2: 'DNS:db2, DNS:localhost, IP Address:10.77.0.12, IP Address:127.0.0.1',
      db3: 'DNS:db3, DNS:localhost, IP Address:FD00:77:0:0:0:0:0:13, IP Address:127.0.0.1',
      lb1: 'DNS:lb1, DNS:lb1.graph.example.internal, DNS:localhost, IP Address:127.0.0.1',
    };
    for (const h of HOSTS) {
      const crt = join(out, h.name, 'tls.crt');
      expect(await openssl('verify', '-CAfile', join(out, 'ca.crt'), crt)).toBe(`${crt}: OK`);
      const san = await openssl('x509', '-in', crt, '-noout', '-ext', 'subjectAltName');
      expect(san.split('\n').slice(1).join('').trim()).toBe(expected[h.name]);
      expect(await openssl('x509', '-in', crt, '-noout', '-subject')).toBe(`subject=CN = ${h.name}`);
      // the x509 -checkip/-checkhost view a client would apply
      const check = h.address.includes('.') && !/^\d/.test(h.address) ? '-checkhost' : '-checkip';
      expect(await openssl('x509', '-in', crt, '-noout', check, h.address)).toMatch(/ does match certificate$/);
    }
  });

  it('each key is the key of its certificate, and every key was born 0600', async () => {
    const pub = (args: string[]) => openssl(...args);
    for (const [key, crt] of [
      [join(out, 'ca.key'), join(out, 'ca.crt')],
      ...HOSTS.map((h) => [join(out, h.name, 'tls.key'), join(out, h.name, 'tls.crt')]),
    ] as const) {
      expect(await pub(['pkey', '-in', key, '-pubout'])).toBe(await pub(['x509', '-in', crt, '-noout', '-pubkey']));
      expect((statSync(key).mode & 0o777).toString(8), key).toBe('600');
      expect((statSync(crt).mode & 0o777).toString(8), crt).toBe('644');
    }
    expect(statSync(out).mode & 0o077).toBe(0);
    const ca = await openssl('x509', '-in', join(out, 'ca.crt'), '-noout', '-ext', 'basicConstraints,keyUsage');
    expect(ca).toMatch(/CA:TRUE, pathlen:0/);
    expect(ca).toMatch(/Certificate Sign, CRL Sign/);
    for (const h of HOSTS) expect(readFileSync(join(out, h.name, 'ca.crt'))).toEqual(readFileSync(join(out, 'ca.crt')));
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]); // no staging left behind
  });

  it('prints the inventory snippet and where each file goes', () => {
    expect(first.stdout).toContain(
      [
        'tls:',
        '    enabled: true',
        '    certFile: /etc/falkordb/tls/tls.crt',
        '    keyFile: /etc/falkordb/tls/tls.key',
        '    caFile: /etc/falkordb/tls/ca.crt',
      ].join('\n'),
    );
    expect(first.stdout).toContain(`db1: ${out}/db1/tls.key -> /etc/falkordb/tls/tls.key (0600, owner falkordb)`);
    expect(first.stdout).toContain(`lb1: ${out}/lb1/ca.crt -> /etc/haproxy/falkordb-ca.crt (0644)`);
    expect(first.stdout).toContain(`    source: ${out}`);
  });

  it('a re-run changes nothing and says so', async () => {
    const before = snapshot(out);
    const r = await falkorctl('falkorctl.yaml', 'tls', 'issue', '--out', 'pki');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`nothing to do: the CA and every host's certificate in ${out} exist and match`);
    expect(r.stderr).toMatch(/reuse CA "falkorctl CA for cluster tlstest"/);
    expect(r.stderr).toContain('db1: keep');
    expect(snapshot(out)).toEqual(before);
    const j = await falkorctl('falkorctl.yaml', '--json', 'tls', 'issue', '--out', 'pki');
    expect(JSON.parse(j.stdout)).toMatchObject({ changed: false, created: [], ca: { action: 'reuse' } });
  });

  it('a new host with a stray key already in its directory is refused by name, and nothing is written', async () => {
    const hosts = [...HOSTS, { name: 'lb2', address: '10.77.0.22', role: 'haproxy' }];
    writeFileSync(join(dir, 'grown.yaml'), inventory(hosts));
    mkdirSync(join(out, 'lb2'));
    writeFileSync(join(out, 'lb2', 'tls.key'), 'not mine\n', { mode: 0o600 });
    const before = snapshot(out);
    const r = await falkorctl('grown.yaml', 'tls', 'issue', '--out', 'pki');
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain(`${out}/lb2/tls.key exists without ${out}/lb2/tls.crt`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(out)).toEqual(before);
    // without the stray key, lb2 would be created: with --days past the reused CA's end that is a warning
    rmSync(join(out, 'lb2'), { recursive: true });
    const long = await falkorctl('grown.yaml', '--dry-run', 'tls', 'issue', '--out', 'pki', '--days', '3650');
    expect(long.exitCode, long.stderr).toBe(0);
    expect(long.stderr).toMatch(/warning: new host certificates \(--days 3650\) outlive the CA, which expires /);
    expect(long.stderr).toMatch(/lb2: create key \(0600\)/);
    expect(long.stdout).toContain('--dry-run: nothing was written');
    expect(readdirSync(out)).not.toContain('lb2');
  });

  it('a host whose address changed is refused: its certificate no longer names it', async () => {
    const moved = HOSTS.map((h) => (h.name === 'db1' ? { ...h, address: '10.77.0.99' } : h));
    writeFileSync(join(dir, 'moved.yaml'), inventory(moved));
    const before = snapshot(out);
    const r = await falkorctl('moved.yaml', 'tls', 'issue', '--out', 'pki');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${out}/db1/tls.crt does not name 10.77.0.99 (from the inventory)`);
    expect(snapshot(out)).toEqual(before);
  });

  it('a CA key without its certificate is refused; --days is checked', async () => {
    const other = join(dir, 'half');
    mkdirSync(other, { mode: 0o700 });
    writeFileSync(join(other, 'ca.key'), 'x\n', { mode: 0o600 });
    const r = await falkorctl('falkorctl.yaml', 'tls', 'issue', '--out', 'half');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${other}/ca.key exists without ${other}/ca.crt`);
    expect(readdirSync(other)).toEqual(['ca.key']);
    const bad = await falkorctl('falkorctl.yaml', 'tls', 'issue', '--out', 'elsewhere', '--days', '0');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--days must be a whole number of days');
  });

  it('configs rendered TLS-only with the printed paths pass lint and haproxy -c (the CA file is loaded)', async () => {
    const tls = [
      'tls:',
      '  enabled: true',
      '  certFile: /etc/falkordb/tls/tls.crt',
      '  keyFile: /etc/falkordb/tls/tls.key',
      '  caFile: /etc/falkordb/tls/ca.crt',
      '  source: pki',
    ].join('\n');
    // haproxy -c resolves bind addresses: the load balancer by IP here
    const byIp = HOSTS.map((h) => (h.name === 'lb1' ? { ...h, address: '10.77.0.21' } : h));
    writeFileSync(join(dir, 'tls.yaml'), inventory(byIp, tls));
    const r = await falkorctl('tls.yaml', 'render', '-o', 'rendered');
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const files = (sub: string) =>
      readdirSync(join(dir, 'rendered', sub), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));
    const conf = files('db1').find((f) => f.endsWith('/falkordb.conf'))!;
    const rendered = files('lb1').find((f) => f.endsWith('/haproxy.cfg'))!;
    expect(readFileSync(conf, 'utf8')).toMatch(/^tls-cert-file \/etc\/falkordb\/tls\/tls\.crt$/m);
    expect(readFileSync(conf, 'utf8')).toMatch(/^port 0$/m);
    const text = readFileSync(rendered, 'utf8');
    expect(text).toContain('ssl verify required ca-file /etc/haproxy/falkordb-ca.crt check-ssl');
    // the host paths pointed at the rendered copies of the files deploy installs there, so HAProxy's parser
    // really opens the CA and the balancer's crt PEM
    const lbRoot = join(dir, 'rendered', 'lb1');
    const cfg = join(dir, 'haproxy-here.cfg');
    writeFileSync(
      cfg,
      text.replace(/\/etc\/haproxy\/falkordb-(ca\.crt|tls\.pem)/g, (p) => join(lbRoot, p)),
    );
    const lint = await falkorctl('tls.yaml', 'lint', conf, cfg, '--min-severity', 'error');
    expect(lint.exitCode, lint.stdout + lint.stderr).toBe(0);
    const h = await checkHAProxyConfig(cfg, { FALKORDB_PASSWORD: PASSWORD });
    expect(h.ok, h.output).toBe(true);
  });
});
