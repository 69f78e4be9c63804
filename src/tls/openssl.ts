// The openssl CLI as argv data. Node's crypto can make keys but not X.509 certificates (X509Certificate only
// parses), so certificates come from openssl(1), which Debian installs by default (package openssl, priority
// standard). Keys never pass through argv or this process: openssl writes them to files itself.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { FalkorError } from '../errors.js';
import type { Sans } from './sans.js';

/** A random positive 127-bit serial (RFC 5280: unique per CA, at most 20 octets). */
export function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return `0x${b.toString('hex')}`;
}

export const genKey = (out: string) => [
  'genpkey',
  '-algorithm',
  'EC',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-out',
  out,
];

export function caConfig(subject: string): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    'x509_extensions = v3_ca',
    '[dn]',
    `CN = ${subject}`,
    '[v3_ca]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    '',
  ].join('\n');
}

/** Nodes are TLS servers and, for replication and Sentinel, TLS clients: both extended key usages. */
export function hostConfig(cn: string, sans: Sans): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    `CN = ${cn}`,
    '[v3_host]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth, clientAuth',
    'subjectAltName = @alt',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '[alt]',
    ...sans.dns.map((d, i) => `DNS.${i + 1} = ${d}`),
    ...sans.ip.map((a, i) => `IP.${i + 1} = ${a}`),
    '',
  ].join('\n');
}

export const caCert = (o: { config: string; key: string; out: string; days: number }) => [
  'req',
  '-x509',
  '-new',
  '-config',
  o.config,
  '-key',
  o.key,
  '-sha256',
  '-days',
  String(o.days),
  '-set_serial',
  serial(),
  '-out',
  o.out,
];

export const hostCsr = (o: { config: string; key: string; out: string }) => [
  'req',
  '-new',
  '-config',
  o.config,
  '-key',
  o.key,
  '-out',
  o.out,
];

export const signHost = (o: {
  config: string;
  csr: string;
  caCert: string;
  caKey: string;
  out: string;
  days: number;
}) => [
  'x509',
  '-req',
  '-in',
  o.csr,
  '-CA',
  o.caCert,
  '-CAkey',
  o.caKey,
  '-sha256',
  '-days',
  String(o.days),
  '-set_serial',
  serial(),
  '-extfile',
  o.config,
  '-extensions',
  'v3_host',
  '-out',
  o.out,
];

/**
 * Runs openssl under a umask set before it creates anything: 077 for keys (born 0600, never chmod'ed
 * afterwards), 022 for certificates. The umask is the child's only: this process's stays as it was.
 */
export async function openssl(args: readonly string[], umask: '077' | '022'): Promise<void> {
  const r = await execa('sh', ['-c', `umask ${umask} && exec openssl "$@"`, 'openssl', ...args], {
    reject: false,
    stdin: 'ignore',
    all: true,
  });
  if (r.failed) {
    const why =
      r.code === 'ENOENT' || r.exitCode === 127 ? 'openssl is not installed (Debian: apt-get install openssl)' : '';
    throw new FalkorError(
      'FAILED',
      `openssl ${args[0]} failed${r.exitCode === undefined ? '' : ` (exit ${r.exitCode})`}: ${why || String(r.all ?? '').trim()}`,
    );
  }
}
