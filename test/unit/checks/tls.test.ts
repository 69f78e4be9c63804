// The checklist's TLS judgement (src/checks/tls.ts) on probe outputs as openssl and stat print them on a host:
// each check fails on its own condition and only on it.
import { describe, expect, it } from 'vitest';
import { judgeTls, tlsTargets } from '../../../src/checks/tls.js';
import { smallInventory } from '../render/fixture.js';

const inv = smallInventory((i) => {
  i.tls = {
    enabled: true,
    certFile: '/etc/falkordb/tls/tls.crt',
    keyFile: '/etc/falkordb/tls/tls.key',
    caFile: '/etc/falkordb/tls/ca.crt',
  };
});
const node = tlsTargets(inv, 'm1')[0]!;
const GOOD = [
  'file /etc/falkordb/tls/tls.crt 644 falkordb',
  'file /etc/falkordb/tls/tls.key 600 falkordb',
  'file /etc/falkordb/tls/ca.crt 644 falkordb',
  'pub 1111aaaa2222bbbb 1111aaaa2222bbbb',
  'verify /etc/falkordb/tls/tls.crt: OK',
  'enddate Mar 11 12:41:35 2029 GMT',
  'checkend 0',
  'handshake 6379 0 Verify return code: 0 (ok)',
  'handshake 26379 0 Verify return code: 0 (ok)',
].join('\n');
const failed = (out: string) =>
  judgeTls('m1', node, out)
    .filter((r) => r.outcome !== 'pass')
    .map((r) => r.id);

describe('checklist TLS items', () => {
  it('knows each host role its files and ports', () => {
    expect(node).toMatchObject({ owner: 'falkordb', ports: [6379, 26379] });
    expect(tlsTargets(inv, 's1')[0]?.ports).toEqual([26379]);
    expect(tlsTargets(inv, 'lb')[0]).toMatchObject({ cert: '/etc/haproxy/falkordb-tls.pem', ports: [6380, 6381] });
  });
  it('passes a healthy host', () => {
    expect(failed(GOOD)).toEqual([]);
    expect(judgeTls('m1', node, GOOD).map((r) => r.id)).toContain('tls.handshake:m1:26379');
  });
  it('fails each condition on its own', () => {
    const with_ = (from: string, to: string) => GOOD.replace(from, to);
    expect(failed(with_('tls.key 600 falkordb', 'tls.key 644 falkordb'))).toEqual(['tls.files:m1']);
    expect(failed(with_('tls.key 600 falkordb', 'tls.key 640 root'))).toEqual(['tls.files:m1']);
    expect(failed(with_('tls.key 600 falkordb', 'tls.key 640 falkordb'))).toEqual([]); // group read is allowed
    expect(
      failed(with_('file /etc/falkordb/tls/ca.crt 644 falkordb', 'file /etc/falkordb/tls/ca.crt missing')),
    ).toEqual(['tls.files:m1']);
    expect(failed(with_('pub 1111aaaa2222bbbb 1111aaaa2222bbbb', 'pub 1111aaaa2222bbbb 3333cccc4444dddd'))).toEqual([
      'tls.key:m1',
    ]);
    expect(failed(with_('tls.crt: OK', 'tls.crt: verification failed'))).toEqual(['tls.chain:m1']);
    expect(failed(with_('checkend 0', 'checkend 1'))).toEqual(['tls.expiry:m1']);
    expect(failed(with_('handshake 26379 0 Verify', 'handshake 26379 1 connect:errno=111'))).toEqual([
      'tls.handshake:m1:26379',
    ]);
  });
  it('a host without openssl fails, it does not pass', () => {
    expect(judgeTls('m1', node, 'openssl missing')).toMatchObject([{ outcome: 'fail', found: 'no openssl' }]);
  });
});
