// The firewall's inventory section: CIDRs parsed and refused at their line, and the cross-field checks.
import { describe, expect, it } from 'vitest';
import { formatIp, parseCidr } from '../../../src/inventory/fields.js';
import { check, lineOf, withBase } from './helpers.js';
import { expectClean, expectFinding } from './semantic-helpers.js';

const net = (operator: string, trusted = '[]') =>
  withBase(`network:\n  operator: ${operator}\n  trusted: ${trusted}\n`);

describe('network.operator / network.trusted', () => {
  it('addresses and networks of both families pass; no network section means no firewall', () => {
    expectClean(net('[10.0.0.250, 192.168.0.0/16]', '["2001:db8::/32", 0.0.0.0/0, "::ffff:10.1.0.0/112"]'));
    expect(check(withBase('')).inventory?.network).toBeUndefined();
    expect(check(net('[10.0.0.250]')).inventory?.network).toMatchObject({ enabled: true, trusted: [] });
  });

  it.each([
    ['10.0.0.5/24', /host bits set: the network is 10\.0\.0\.0\/24/],
    ['10.0.0.0/33', /prefix length must be 0-32/],
    ['"2001:db8::/129"', /prefix length must be 0-128/],
    ['10.0.0.256', /not an address or network/],
    ['db1.example.com', /not an address or network/],
    ['"10.0.0.0/8/8"', /not an address or network/],
    ['"fe80::1%eth0"', /not an address or network/],
  ])('%s is an error at its line', (value, message) => {
    const t = net(`[${value}]`);
    expectFinding(t, 'network.operator[0]', 'error', lineOf(t, 'operator:'), message);
  });

  it('an invalid trusted entry is reported at trusted[i]', () => {
    const t = net('[10.0.0.250]', '[10.1.0.0/16, 10.2.0.1/8]');
    expectFinding(t, 'network.trusted[1]', 'error', lineOf(t, 'trusted:'), /host bits set/);
  });

  it('operator is required and not empty', () => {
    const t = withBase('network:\n  operator: []\n');
    expect(check(t).errors.map((e) => e.path)).toContain('network.operator');
    expect(check(withBase('network:\n  trusted: []\n')).errors.map((e) => e.path)).toContain('network.operator');
  });

  it('a host named by DNS is an error while the firewall is on, and fine when it is off', () => {
    const dns = withBase('network:\n  operator: [10.0.0.250]\n').replace(
      'address: 10.0.0.9',
      'address: lb1.example.com',
    );
    expectFinding(dns, 'hosts[3].address', 'error', lineOf(dns, 'lb1.example.com'), /admits the cluster's hosts by IP/);
    expectClean(dns.replace('network:\n', 'network:\n  enabled: false\n'));
  });

  it('a jump host outside network.operator is a warning', () => {
    const t = net('[10.0.0.250]').replace('cluster: prod\n', 'cluster: prod\nssh:\n  jumpHost: { host: 10.9.9.9 }\n');
    expectFinding(t, 'network.operator', 'warning', lineOf(t, 'operator:'), /jump host 10\.9\.9\.9/);
    expectClean(t.replace('operator: [10.0.0.250]', 'operator: [10.0.0.250, 10.9.9.9]'));
  });
});

describe('parseCidr / formatIp', () => {
  it('prints addresses as nft lists them (RFC 5952 for IPv6)', () => {
    const f = (s: string) => {
      const c = parseCidr(s);
      if (typeof c === 'string') throw new Error(c);
      return formatIp(c);
    };
    expect(f('10.1.2.3')).toBe('10.1.2.3');
    expect(f('2001:0DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(f('2001:db8:0:1:0:0:0:0/64')).toBe('2001:db8:0:1::');
    expect(f('::')).toBe('::');
    expect(f('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(f('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(f('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(f('::a00:1')).toBe('::10.0.0.1');
    expect(f('::1')).toBe('::1');
  });
});
