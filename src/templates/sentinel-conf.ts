// sentinel.conf: a template in configDir that the unit copies, once, to a writable file in
// sentinel.dataDir — Sentinel rewrites its own config (epochs, known replicas, the current master).
import type { Host, Inventory } from '../inventory/schema.js';
import { bindAddresses, header, lines, paths, theMaster, type TlsFiles } from './common.js';
import { isIp, redisArg, redisLine } from './quote.js';
import { sentinelSecretsPath } from './secrets-conf.js';
import { notifyScriptPath } from './sentinel-notify.js';

export const sentinelTemplatePath = (inv: Inventory) => `${paths(inv).configDir}/sentinel.conf`;
export const sentinelRuntimePath = (inv: Inventory) => `${paths(inv).sentinelDir}/sentinel.conf`;

export interface SentinelTarget {
  bind: string[];
  dir: string;
  logfile: string;
  masterAddress: string;
  announce?: string;
  secretsInclude: string;
  supervised: boolean;
  hostnames: boolean;
  /** Where the TLS files are, when not at the inventory's paths. */
  tlsFiles?: TlsFiles;
}

export function sentinelHostTarget(inv: Inventory, h: Host): SentinelTarget {
  const p = paths(inv);
  return {
    bind: bindAddresses(h, inv.redis.bind),
    dir: p.sentinelDir,
    logfile: `${p.logDir}/sentinel.log`,
    masterAddress: theMaster(inv).address,
    announce: h.address,
    secretsInclude: sentinelSecretsPath(inv),
    supervised: true,
    hostnames: inv.hosts.some((x) => !isIp(x.address)),
  };
}

const tlsOnlyConf = (inv: Inventory) => inv.tls?.enabled === true && !inv.tls.allowPlaintext;

export function sentinelConf(inv: Inventory, h: Host, t: SentinelTarget = sentinelHostTarget(inv, h)): string {
  const s = inv.sentinel;
  const name = s.masterName;
  // Sentinel must use TLS when the nodes have no plaintext port, or replicate over TLS anyway
  const tls = inv.tls?.enabled && (!inv.tls.allowPlaintext || inv.tls.replication) ? inv.tls : undefined;
  return lines(
    header(inv, `Sentinel on ${h.name}${t.supervised ? ` — template ${sentinelTemplatePath(inv)}` : ''}`),
    `# Sentinel rewrites its config, so it runs from a copy (${t.supervised ? sentinelRuntimePath(inv) : `${t.dir}/sentinel.conf`}) made once`,
    '# from this template. To re-seed it from this template, stop the Sentinel and delete the copy.',
    '',
    // TLS-only: Sentinel's own port speaks TLS too (clients, the other Sentinels); no plaintext port
    redisLine('port', tlsOnlyConf(inv) ? 0 : s.port),
    tlsOnlyConf(inv) && redisLine('tls-port', s.port),
    redisLine('bind', ...t.bind),
    'protected-mode no',
    'daemonize no',
    t.supervised && 'supervised systemd',
    redisLine('dir', t.dir),
    redisLine('logfile', t.logfile),
    t.announce !== undefined && redisLine('sentinel', 'announce-ip', t.announce),
    t.hostnames && [
      '# some addresses are host names',
      'sentinel resolve-hostnames yes',
      'sentinel announce-hostnames yes',
    ],
    tls && [
      redisLine('tls-cert-file', (t.tlsFiles ?? tls).certFile),
      redisLine('tls-key-file', (t.tlsFiles ?? tls).keyFile),
      redisLine('tls-ca-cert-file', (t.tlsFiles ?? tls).caFile),
      'tls-replication yes',
      // as on the nodes: a client certificate is optional, every connection authenticates anyway
      tlsOnlyConf(inv) && 'tls-auth-clients optional',
    ],
    '',
    redisLine('sentinel', 'monitor', name, t.masterAddress, tls ? tls.port : inv.redis.port, s.quorum),
    '# long enough for a graceful restart (which saves first) not to look like a failure',
    redisLine('sentinel', 'down-after-milliseconds', name, s.downAfterMs),
    redisLine('sentinel', 'failover-timeout', name, s.failoverTimeoutMs),
    redisLine('sentinel', 'parallel-syncs', name, s.parallelSyncs),
    t.supervised && [
      '# each warning-level event to syslog (and the webhook, if any); only settable here in Redis 8',
      redisLine('sentinel', 'notification-script', name, notifyScriptPath(inv)),
    ],
    '',
    '# auth-pass (and the Sentinel password) live in a 0600 file; Sentinel reads includes',
    `include ${redisArg(t.secretsInclude)}`,
  );
}
