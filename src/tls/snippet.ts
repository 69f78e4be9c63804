// What the operator does with DIR: the inventory's tls section pointing at where each host's directory is
// installed, and the install lines per host (the key readable by the service user only).
import { posix } from 'node:path';
import type { Inventory } from '../inventory/schema.js';
import { HAPROXY_TLS_CA, HAPROXY_TLS_PEM } from '../templates/haproxy.js';
import { CA_CERT, HOST_CERT, HOST_KEY, hostFiles } from './layout.js';

export interface TlsPaths {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** The inventory's own tls paths when it has them; else a tls/ directory beside the rendered config. */
export function tlsPaths(inv: Inventory): TlsPaths {
  if (inv.tls) return { certFile: inv.tls.certFile, keyFile: inv.tls.keyFile, caFile: inv.tls.caFile };
  const d = posix.join(inv.redis.configDir, 'tls');
  return { certFile: posix.join(d, HOST_CERT), keyFile: posix.join(d, HOST_KEY), caFile: posix.join(d, CA_CERT) };
}

export function inventorySnippet(inv: Inventory, source?: string): string {
  const p = tlsPaths(inv);
  return [
    'tls:',
    `  enabled: ${inv.tls ? String(inv.tls.enabled) : 'true'}`,
    `  certFile: ${p.certFile}`,
    `  keyFile: ${p.keyFile}`,
    `  caFile: ${p.caFile}`,
    // where deploy reads each host's files from, and falkorctl's own clients the CA
    ...(source === undefined ? [] : [`  source: ${inv.tls?.source ?? source}`]),
  ].join('\n');
}

/** One line per file per host: where DIR's copy goes, with its owner and mode. */
export function installLines(inv: Inventory, dir: string): string[] {
  const p = tlsPaths(inv);
  const user = inv.redis.user;
  return inv.hosts.flatMap((h) => {
    const f = hostFiles(dir, h.name);
    const ca = `${h.name}: ${f.ca} -> ${p.caFile} (0644)`;
    // TLS-only, the balancer presents its own certificate to clients and verifies the nodes against the CA
    if (h.role === 'haproxy')
      return [
        `${h.name}: ${f.cert} + ${f.key} -> ${HAPROXY_TLS_PEM} (0600)`,
        `${h.name}: ${f.ca} -> ${HAPROXY_TLS_CA} (0644)`,
      ];
    return [
      `${h.name}: ${f.cert} -> ${p.certFile} (0644)`,
      `${h.name}: ${f.key} -> ${p.keyFile} (0600, owner ${user})`,
      ca,
    ];
  });
}
