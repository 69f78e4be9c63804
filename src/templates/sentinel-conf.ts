// sentinel.conf: a template in configDir that the unit copies, once, to a writable file in
// sentinel.dataDir — Sentinel rewrites its own config (epochs, known replicas, the current master).
import type { Host, Inventory } from '../inventory/schema.js';
import { bindAddresses, header, lines, paths, theMaster } from './common.js';
import { isIp, redisArg, redisLine } from './quote.js';
import { sentinelSecretsPath } from './secrets-conf.js';

export const sentinelTemplatePath = (inv: Inventory) => `${paths(inv).configDir}/sentinel.conf`;
export const sentinelRuntimePath = (inv: Inventory) => `${paths(inv).sentinelDir}/sentinel.conf`;

export function sentinelConf(inv: Inventory, h: Host): string {
  const s = inv.sentinel;
  const p = paths(inv);
  const master = theMaster(inv);
  const name = s.masterName;
  const hostnames = inv.hosts.some((x) => !isIp(x.address));
  const tls = inv.tls?.enabled && inv.tls.replication ? inv.tls : undefined;
  return lines(
    header(inv, `Sentinel on ${h.name} — template ${sentinelTemplatePath(inv)}`),
    `# falkordb-sentinel.service copies this to ${sentinelRuntimePath(inv)} when that file does not exist yet;`,
    '# Sentinel then owns the copy. To re-seed it from this template, stop the Sentinel and delete the copy.',
    '',
    redisLine('port', s.port),
    redisLine('bind', ...bindAddresses(h, [])),
    'protected-mode no',
    'daemonize no',
    'supervised systemd',
    redisLine('dir', p.sentinelDir),
    redisLine('logfile', `${p.logDir}/sentinel.log`),
    redisLine('sentinel', 'announce-ip', h.address),
    hostnames && ['# some addresses are host names', 'sentinel resolve-hostnames yes', 'sentinel announce-hostnames yes'],
    tls && [redisLine('tls-cert-file', tls.certFile), redisLine('tls-key-file', tls.keyFile), redisLine('tls-ca-cert-file', tls.caFile), 'tls-replication yes'],
    '',
    redisLine('sentinel', 'monitor', name, master.address, tls ? tls.port : inv.redis.port, s.quorum),
    '# long enough for a graceful restart (which saves first) not to look like a failure',
    redisLine('sentinel', 'down-after-milliseconds', name, s.downAfterMs),
    redisLine('sentinel', 'failover-timeout', name, s.failoverTimeoutMs),
    redisLine('sentinel', 'parallel-syncs', name, s.parallelSyncs),
    '',
    '# auth-pass (and the Sentinel password) live in a 0600 file; Sentinel reads includes',
    `include ${redisArg(sentinelSecretsPath(inv))}`,
  );
}
