// "SSL certificates installed": on every host in scope, with openssl on the host itself — the files deploy installs
// are there with safe modes (the key readable by its owner only, or its group), the key is the certificate's, the
// certificate chains to the CA, it is valid for at least TLS_MIN_DAYS more days, and a TLS handshake to each of the
// host's TLS ports verifies against the CA. Without TLS in the inventory it is one skip with its reason.
import type { Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, hostByName } from '../inventory/topology.js';
import { sentinels, serviceUser } from '../templates/common.js';
import { HAPROXY_TLS_CA, HAPROXY_TLS_PEM } from '../templates/haproxy.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

/** A certificate that ends sooner than this fails: time to renew (tls issue --days, then deploy). */
export const TLS_MIN_DAYS = 30;

// Arguments: CERT KEY CA SECONDS PORT…; one `key value…` line per fact, so a missing openssl or file reads as such.
export const TLS_PROBE = [
  'cert=$1 key=$2 ca=$3 secs=$4; shift 4',
  'command -v openssl >/dev/null || { echo "openssl missing"; exit 0; }',
  'for f in $(printf "%s\\n" "$cert" "$key" "$ca" | awk "!seen[\\$0]++"); do',
  '  if [ -f "$f" ]; then echo "file $f $(stat -c "%a %U" "$f")"; else echo "file $f missing"; fi',
  'done',
  'c=$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null | sha256sum | cut -c1-16)',
  'k=$(openssl pkey -in "$key" -pubout 2>/dev/null | sha256sum | cut -c1-16)',
  'echo "pub $c $k"',
  // the signature only: an expired certificate is the expiry check's finding, not this one's
  'v=$(openssl verify -no_check_time -CAfile "$ca" "$cert" 2>&1 | tail -1); echo "verify $v"',
  'echo "enddate $(openssl x509 -in "$cert" -noout -enddate 2>/dev/null | sed s/^notAfter=//)"',
  'openssl x509 -in "$cert" -noout -checkend "$secs" >/dev/null 2>&1; echo "checkend $?"',
  'for p in "$@"; do',
  '  out=$(openssl s_client -connect "127.0.0.1:$p" -CAfile "$ca" -verify_return_error -verify_ip 127.0.0.1 </dev/null 2>&1)',
  '  rc=$?',
  '  echo "handshake $p $rc $(printf %s "$out" | grep -m1 -E "Verify return code|errno|refused|error" | tr -s " ")"',
  'done',
].join('\n');

interface Target {
  cert: string;
  key: string;
  ca: string;
  owner: string;
  ports: number[];
}

/** What TLS files and ports a host has, as deploy installs them (src/tls/files.ts). */
export function tlsTargets(inv: Inventory, host: string): Target[] {
  const t = inv.tls;
  if (!t?.enabled) return [];
  const out: Target[] = [];
  const db = dbHosts(inv).some((h) => h.name === host);
  const sentinel = sentinels(inv).some((h) => h.name === host);
  const tlsOnly = !t.allowPlaintext;
  if (db || sentinel) {
    const ports = [...(db ? [t.port] : []), ...(sentinel && tlsOnly ? [inv.sentinel.port] : [])];
    out.push({ cert: t.certFile, key: t.keyFile, ca: t.caFile, owner: serviceUser(inv), ports });
  }
  if (tlsOnly && haproxyHosts(inv).some((h) => h.name === host))
    out.push({
      cert: HAPROXY_TLS_PEM,
      key: HAPROXY_TLS_PEM,
      ca: HAPROXY_TLS_CA,
      owner: 'root',
      ports: [inv.haproxy.writePort, inv.haproxy.readPort],
    });
  return out;
}

/** Pure: the probe's output → one result per check. */
export function judgeTls(host: string, t: Target, stdout: string, minDays = TLS_MIN_DAYS): CheckResult[] {
  const base = { item: ITEMS.ssl, phase: 'pre' as const, host };
  const lines = stdout.split('\n');
  const get = (k: string) => lines.filter((l) => l.startsWith(`${k} `)).map((l) => l.slice(k.length + 1));
  // a balancer's own files get their own ids (a host could be a node and a balancer)
  const pre = t.cert === HAPROXY_TLS_PEM ? 'balancer-' : '';
  const r = (id: string, title: string, ok: boolean, found: string, expected: string, evidence: string) =>
    ({
      ...base,
      id: `tls.${pre}${id.replace(/:.*/, '')}:${host}${id.includes(':') ? id.slice(id.indexOf(':')) : ''}`,
      title: `${host}: ${title}`,
      outcome: ok ? 'pass' : 'fail',
      found,
      expected,
      evidence,
    }) as CheckResult;
  if (lines.includes('openssl missing'))
    return [{ ...base, id: `tls.files:${host}`, title: `${host}: TLS files`, outcome: 'fail', found: 'no openssl' }];
  const out: CheckResult[] = [];
  const files = get('file');
  const bad = files.filter((f) => {
    const [path, mode, owner] = f.split(' ');
    if (mode === 'missing' || mode === undefined) return true;
    const m = parseInt(mode, 8);
    // the key: owner (and at most its group) may read it; nothing is writable by others
    return (path === t.key ? (m & 0o037) !== 0 || owner !== t.owner : (m & 0o022) !== 0) || false;
  });
  out.push(
    r(
      'files',
      `TLS files present with safe modes (${[...new Set([t.cert, t.key, t.ca])].join(', ')})`,
      files.length > 0 && bad.length === 0,
      bad.length ? bad.join('; ') : files.join('; '),
      `present; the key at most 0640 and owned by ${t.owner}; nothing writable by others`,
      'stat -c "%a %U"',
    ),
  );
  const [c, k] = (get('pub')[0] ?? '').split(' ');
  const empty = 'e3b0c44298fc1c14'; // sha256 of nothing: openssl could not read it
  out.push(
    r(
      'key',
      "the key is the certificate's",
      !!c && c === k && c !== empty,
      c === empty ? 'no certificate' : k === empty ? 'no key' : c === k ? 'same public key' : 'different public keys',
      'the same public key',
      'openssl x509 -pubkey / openssl pkey -pubout',
    ),
  );
  const v = get('verify')[0] ?? '';
  out.push(
    r(
      'chain',
      `the certificate chains to the CA (${t.ca})`,
      / OK$/.test(v),
      v,
      `${t.cert}: OK`,
      'openssl verify -no_check_time -CAfile',
    ),
  );
  out.push(
    r(
      'expiry',
      `the certificate is valid for ${minDays} more days`,
      get('checkend')[0] === '0',
      `notAfter ${get('enddate')[0] || 'unknown'}`,
      `valid for at least ${minDays} days`,
      `openssl x509 -checkend ${minDays * 86400}`,
    ),
  );
  for (const h of get('handshake')) {
    const [port, rc, ...rest] = h.split(' ');
    out.push(
      r(
        `handshake:${port}`,
        `a TLS handshake to port ${port} verifies against the CA`,
        rc === '0',
        rest.join(' ') || `exit ${rc}`,
        'Verify return code: 0 (ok)',
        `openssl s_client -connect 127.0.0.1:${port} -CAfile ${t.ca} -verify_return_error`,
      ),
    );
  }
  return out;
}

export const tls: Area = {
  name: 'tls',
  phases: ['pre'],
  async run(env) {
    if (!env.inv.tls?.enabled)
      return [
        {
          id: 'tls.certificates',
          title: 'TLS certificates on every host',
          item: ITEMS.ssl,
          phase: 'pre',
          outcome: 'skip',
          reason: 'the inventory has TLS off (tls.enabled): no certificates to check',
        },
      ];
    const hosts = env.hosts.filter((host) => hostByName(env.inv, host));
    const per = await eachHost(env, hosts, async (host) => {
      const out: CheckResult[] = [];
      // a host's targets one after another: they share its SSH connection's channels
      for (const t of tlsTargets(env.inv, host)) {
        const days = String(TLS_MIN_DAYS * 86400);
        const r = await env.sh(host, TLS_PROBE, [t.cert, t.key, t.ca, days, ...t.ports.map(String)]);
        out.push(...judgeTls(host, t, r.stdout));
      }
      return out;
    });
    return per.flat();
  },
};
