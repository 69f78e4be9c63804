// redis_exporter (Debian's prometheus-redis-exporter) on every database and Sentinel host, as a unit of
// falkorctl's own. The password never reaches argv or the environment: -redis.password-file names a 0600 JSON
// file mapping each Redis URI to its password (the exporter's own format), read by the service user only.
// /metrics exports the node (or, on a Sentinel-only host, the Sentinel); /scrape?target=<sentinel URI>
// exports the host's Sentinel with the same file.
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts, sentinelHosts } from '../inventory/topology.js';
import { header, lines, paths, serviceUser, type Secrets } from './common.js';
import { safePath } from './quote.js';
import { exporterCredentials } from '../monitoring/credentials.js';
import { tlsOnly } from '../tls/material.js';

export const EXPORTER_UNIT = '/etc/systemd/system/falkordb-exporter.service';
/** Debian's own unit from the package: it would listen on the same port without a password. */
export const DEBIAN_EXPORTER_UNIT = 'prometheus-redis-exporter.service';
export const EXPORTER_PACKAGE = 'prometheus-redis-exporter';

export const exporterPasswordsPath = (inv: Inventory): string => `${paths(inv).configDir}/redis-exporter.json`;

/**
 * The URIs the exporter connects to, as seen on the host (every daemon binds 127.0.0.1 too). TLS-only: rediss://
 * on the TLS ports, verified against the CA (every host's certificate names 127.0.0.1).
 */
export const nodeUri = (inv: Inventory): string =>
  tlsOnly(inv) ? `rediss://127.0.0.1:${inv.tls!.port}` : `redis://127.0.0.1:${inv.redis.port}`;
export const sentinelUri = (inv: Inventory): string =>
  `${tlsOnly(inv) ? 'rediss' : 'redis'}://127.0.0.1:${inv.sentinel.port}`;

const isDb = (inv: Inventory, h: Host) => dbHosts(inv).some((x) => x.name === h.name);
const isSentinel = (inv: Inventory, h: Host) => sentinelHosts(inv).some((x) => x.name === h.name);

export function exporterUnit(inv: Inventory, h: Host, s: Secrets): string {
  const { user: redisUser } = exporterCredentials(inv, s);
  const m = inv.monitoring;
  const bin = safePath('monitoring.exporterBinary', m.exporterBinary);
  const user = serviceUser(inv);
  // a Sentinel-only host has no node: its /metrics is the Sentinel
  const addr = isDb(inv, h) ? nodeUri(inv) : sentinelUri(inv);
  return lines(
    header(inv, `redis_exporter on ${h.name} — ${EXPORTER_UNIT}`),
    '[Unit]',
    `Description=redis_exporter for FalkorDB (cluster ${inv.cluster})`,
    'Documentation=https://github.com/oliver006/redis_exporter',
    'Wants=network-online.target',
    'After=network-online.target falkordb.service falkordb-sentinel.service',
    '',
    '[Service]',
    'Type=simple',
    `User=${user}`,
    `Group=${user}`,
    '# the password comes from the 0600 file, never from argv or the environment (both visible in ps)',
    `ExecStart=${bin} -redis.addr=${addr}${redisUser ? ` -redis.user=${redisUser}` : ''} ` +
      `-redis.password-file=${exporterPasswordsPath(inv)} ` +
      `-web.listen-address=:${m.exporterPort} -include-system-metrics` +
      (tlsOnly(inv) ? ` -tls-ca-cert-file=${inv.tls!.caFile}` : ''),
    'Restart=on-failure',
    'RestartSec=5s',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    'ProtectHome=yes',
    'ProtectSystem=strict',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  );
}

/** {"redis://127.0.0.1:6379": "<password>", …}: the node, and the Sentinel when it has a password. */
export function exporterPasswords(inv: Inventory, h: Host, s: Secrets): string {
  const map: Record<string, string> = {};
  if (isDb(inv, h)) map[nodeUri(inv)] = exporterCredentials(inv, s).password;
  if (isSentinel(inv, h) && s.sentinelPassword !== undefined) map[sentinelUri(inv)] = s.sentinelPassword;
  return `${JSON.stringify(map, null, 2)}\n`;
}
