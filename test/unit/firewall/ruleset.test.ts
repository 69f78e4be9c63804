// The rendered nftables table: what each role admits from where, overlaps merged, and the comparison that
// makes re-runs no-ops (the live listing of the same table, wrapped and counted by nft, is equal).
import { describe, expect, it } from 'vitest';
import { hostPorts, mergeCidrs, trustedNetworks } from '../../../src/firewall/model.js';
import { canonical, parseProbe, sameTable } from '../../../src/firewall/remote.js';
import type { Inventory } from '../../../src/inventory/schema.js';
import { hostByName } from '../../../src/inventory/topology.js';
import { detectKind, lintText } from '../../../src/lint/index.js';
import { renderAll } from '../../../src/render/index.js';
import { FIREWALL_PATH, firewallRuleset } from '../../../src/templates/nftables.js';
import { BASE, check, withBase } from '../inventory/helpers.js';

const SECRETS = { password: 'p'.repeat(32) };
function inv(extra: string): Inventory {
  const r = check(withBase(extra));
  if (!r.inventory) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.inventory;
}
const FW = 'network:\n  operator: [192.0.2.7]\n  trusted: [10.0.0.0/29, "2001:db8::/32"]\n';
const rules = (text: string) =>
  text
    .split('\n')
    .filter((l) => /^\t\t(tcp|iif|ct) /.test(l))
    .map((l) => l.trim());

describe('firewallRuleset', () => {
  const i = inv(FW);
  it('db hosts admit Redis, the exporter and Sentinel from the trusted networks and the hosts; SSH from the operator', () => {
    const t = firewallRuleset(i, hostByName(i, 'db1')!);
    expect(rules(t)).toEqual([
      'iif "lo" accept',
      'ct state established,related accept',
      'tcp dport 22 ip saddr @operator4 accept',
      'tcp dport { 6379, 9121, 26379 } ip saddr @trusted4 accept',
      'tcp dport { 6379, 9121, 26379 } ip6 saddr @trusted6 accept',
      'tcp dport { 22, 6379, 9121, 26379 } counter drop',
    ]);
    // 10.0.0.1-3 are inside 10.0.0.0/29: nft refuses overlapping intervals, so only the network is listed
    expect(t).toContain('elements = { 10.0.0.0/29, 10.0.0.9 }');
    expect(t).toContain('elements = { 2001:db8::/32 }');
    expect(t).not.toContain('operator6');
    expect(t).not.toMatch(/flush ruleset/);
    expect(t).toMatch(/^table inet falkorctl\ndelete table inet falkorctl\ntable inet falkorctl \{$/m);
  });
  it('the load balancer admits its write and read ports', () => {
    const t = firewallRuleset(i, hostByName(i, 'lb1')!);
    expect(rules(t)).toContain('tcp dport { 6380, 6381 } ip saddr @trusted4 accept');
    expect(rules(t)).toContain('tcp dport { 22, 6380, 6381 } counter drop');
  });
  it('TLS-only nodes guard the TLS port instead of the plaintext one; a host SSH port is used', () => {
    const tls = inv(
      `${FW}tls:\n  enabled: true\n  port: 6390\n  certFile: /etc/t/c.pem\n  keyFile: /etc/t/k.pem\n  caFile: /etc/t/ca.pem\n`,
    );
    expect(hostPorts(tls, hostByName(tls, 'db2')!)).toEqual({ ssh: 22, service: [6390, 9121, 26379] });
    const ssh = inv(FW.replace('network:', 'ssh:\n  port: 2222\nnetwork:'));
    expect(firewallRuleset(ssh, hostByName(ssh, 'db1')!)).toContain('tcp dport 2222 ip saddr @operator4 accept');
  });
  it('lint tells an nftables file by its name or its first table line', () => {
    expect(detectKind('/etc/nftables.d/x.nft', '')).toBe('nftables');
    expect(detectKind('rules', 'flush ruleset\n')).toBe('nftables');
    expect(detectKind('fw', 'table inet filter {\n}\n')).toBe('nftables');
  });
  it('render writes it only when the inventory declares network, and it lints clean', () => {
    expect(renderAll(check(BASE).inventory!, SECRETS).some((f) => f.path === FIREWALL_PATH)).toBe(false);
    const files = renderAll(i, SECRETS).filter((f) => f.path === FIREWALL_PATH);
    expect(files.map((f) => f.host)).toEqual(['db1', 'db2', 'db3', 'lb1']);
    for (const f of files) expect(lintText(`${f.host}.nft`, f.content, f.kind)).toEqual([]);
    expect(inv(`${FW.replace('network:', 'network:\n  enabled: false')}`).network?.enabled).toBe(false);
    expect(
      renderAll(inv(FW.replace('network:', 'network:\n  enabled: false')), SECRETS).some(
        (f) => f.path === FIREWALL_PATH,
      ),
    ).toBe(false);
  });
});

describe('mergeCidrs', () => {
  it('drops what another entry contains and duplicates, sorts by address', () => {
    expect(
      mergeCidrs(['10.0.0.9', '10.0.0.0/8', '10.1.0.0/16', '192.168.1.1', '192.168.1.1', '172.16.0.0/12']),
    ).toEqual({
      v4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.1.1'],
      v6: [],
    });
    expect(mergeCidrs(['0.0.0.0/0', '10.0.0.1']).v4).toEqual(['0.0.0.0/0']);
    expect(mergeCidrs(['2001:db8::1', '2001:db8::/64', 'fe80::/10']).v6).toEqual(['2001:db8::/64', 'fe80::/10']);
  });
  it('the trusted set always has the hosts', () => {
    expect(trustedNetworks(inv('network:\n  operator: [192.0.2.7]\n')).v4).toEqual([
      '10.0.0.1',
      '10.0.0.2',
      '10.0.0.3',
      '10.0.0.9',
    ]);
  });
});

// What `nft list table inet falkorctl` printed in the lab for a render like db1's (tabs, wrapped elements,
// counters with values, blank lines between blocks).
const LISTED = `table inet falkorctl {
\tset operator4 {
\t\ttype ipv4_addr
\t\tflags interval
\t\telements = { 192.0.2.7 }
\t}

\tset trusted4 {
\t\ttype ipv4_addr
\t\tflags interval
\t\telements = { 10.0.0.0/29,
\t\t\t     10.0.0.9 }
\t}

\tset trusted6 {
\t\ttype ipv6_addr
\t\tflags interval
\t\telements = { 2001:db8::/32 }
\t}

\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tiif "lo" accept
\t\tct state established,related accept
\t\ttcp dport 22 ip saddr @operator4 accept
\t\ttcp dport { 6379, 9121, 26379 } ip saddr @trusted4 accept
\t\ttcp dport { 6379, 9121, 26379 } ip6 saddr @trusted6 accept
\t\ttcp dport { 22, 6379, 9121, 26379 } counter packets 12 bytes 720 drop
\t}
}
`;

describe('canonical / sameTable', () => {
  const i = inv(FW);
  const db1 = firewallRuleset(i, hostByName(i, 'db1')!);
  it("nft's listing of the rendered table is the same table", () => {
    expect(canonical(LISTED)).toEqual(canonical(db1));
    expect(sameTable(LISTED, db1)).toBe(true);
  });
  it('a deleted rule, another element or another port is a difference', () => {
    expect(sameTable(LISTED.replace('\t\tiif "lo" accept\n', ''), db1)).toBe(false);
    expect(sameTable(LISTED.replace('10.0.0.9 }', '10.0.0.10 }'), db1)).toBe(false);
    expect(sameTable(LISTED.replace('{ 22, 6379,', '{ 6379,'), db1)).toBe(false);
    expect(sameTable('', db1)).toBe(false);
  });
  it('parses what the probe prints', () => {
    expect(parseProbe('missing\n')).toEqual({ state: 'missing' });
    expect(parseProbe('absent\n')).toEqual({ state: 'absent' });
    expect(parseProbe(`present\n${LISTED}`)).toEqual({ state: 'present', listing: LISTED });
    expect(parseProbe('error\nOperation not permitted (you must be root)\n')).toEqual({
      state: 'error',
      message: 'Operation not permitted (you must be root)',
    });
  });
});
