// The tls issue planner without openssl: SANs from the inventory, and the refusals that need no certificate
// parsing (a key or certificate without its partner). Certificates themselves: test/integration/tls.
import { describe, expect, it } from 'vitest';
import { isNoop, planIssue, type FileFact } from '../../../src/tls/plan.js';
import { hostSans, sansText } from '../../../src/tls/sans.js';

const hosts = [
  { name: 'db1', address: '10.0.0.1' },
  { name: 'lb1', address: 'LB1.example.org.' },
  { name: 'db2', address: '127.0.0.1' },
];
const plan = (files: Record<string, FileFact> = {}) =>
  planIssue({ dir: '/pki', cluster: 'c', hosts, days: 10, caDays: 100, now: 0, files: new Map(Object.entries(files)) });
const file = (text = 'x', mode = 0o100600): FileFact => ({ mode, text });

describe('hostSans', () => {
  it('names the host, its address as DNS or IP (normalised), and loopback, each once', () => {
    expect(sansText(hostSans(hosts[0]!))).toBe('DNS:db1, DNS:localhost, IP:10.0.0.1, IP:127.0.0.1');
    expect(sansText(hostSans(hosts[1]!))).toBe('DNS:lb1, DNS:lb1.example.org, DNS:localhost, IP:127.0.0.1');
    expect(sansText(hostSans(hosts[2]!))).toBe('DNS:db2, DNS:localhost, IP:127.0.0.1');
    expect(hostSans({ name: 'db1', address: 'db1' }).dns).toEqual(['db1', 'localhost']);
  });
});

describe('planIssue', () => {
  it('an empty directory: create the CA and every host, no refusals', () => {
    const p = plan();
    expect(p.refusals).toEqual([]);
    expect(p.ca).toMatchObject({
      action: 'create',
      cert: '/pki/ca.crt',
      key: '/pki/ca.key',
      subject: 'falkorctl CA for cluster c',
    });
    expect(p.hosts.map((h) => [h.host, h.action, h.writeCa, h.files.key])).toEqual([
      ['db1', 'create', true, '/pki/db1/tls.key'],
      ['lb1', 'create', true, '/pki/lb1/tls.key'],
      ['db2', 'create', true, '/pki/db2/tls.key'],
    ]);
    expect(isNoop(p)).toBe(false);
  });

  it('a CA key without its certificate, and the reverse, are refused by name', () => {
    expect(plan({ '/pki/ca.key': file() }).refusals).toEqual([
      '/pki/ca.key exists without /pki/ca.crt; falkorctl never overwrites a key or certificate: move it away to issue a new one',
    ]);
    expect(plan({ '/pki/ca.crt': file() }).refusals[0]).toMatch(/^\/pki\/ca\.crt exists without \/pki\/ca\.key /);
  });

  it('a host key without its certificate is refused, as is any host file when the CA is new', () => {
    const p = plan({ '/pki/db1/tls.key': file(), '/pki/lb1/tls.crt': file('junk'), '/pki/lb1/tls.key': file() });
    expect(p.refusals).toEqual([
      '/pki/db1/tls.key exists without /pki/db1/tls.crt; falkorctl never overwrites a key or certificate: move it away to issue a new one',
      '/pki/lb1/tls.crt is not a PEM certificate; falkorctl never overwrites a key or certificate: move it away to issue a new one',
    ]);
  });

  it('a stray ca.crt in a host directory is refused unless it is the CA', () => {
    expect(plan({ '/pki/db2/ca.crt': file('other') }).refusals).toEqual([
      '/pki/db2/ca.crt is not a copy of /pki/ca.crt; falkorctl never overwrites a key or certificate: move it away to issue a new one',
    ]);
  });
});
