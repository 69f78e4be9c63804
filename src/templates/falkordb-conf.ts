// falkordb.conf for a database host. Every node gets the same password as requirepass AND masterauth,
// because Sentinel can promote any of them; the password itself lives in secrets.conf (included last).
import { userError } from '../errors.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { REQUIRED_COMMANDS } from '../inventory/semantic-config.js';
import { parseBytes } from '../inventory/topology.js';
import { bindAddresses, header, hostMaxmemory, lines, paths, theMaster, type TlsFiles } from './common.js';
import { redisArg, redisLine } from './quote.js';

export const TCP_BACKLOG = 511;

export function falkordbConfPath(inv: Inventory): string {
  return `${paths(inv).configDir}/falkordb.conf`;
}

export function secretsConfPath(inv: Inventory): string {
  return `${paths(inv).configDir}/secrets.conf`;
}

function loadmodule(inv: Inventory, modulePath: string): string {
  const args: (string | number)[] = [];
  for (const [k, v] of Object.entries(inv.falkordb.params)) if (v !== undefined) args.push(k, v);
  return redisLine('loadmodule', modulePath, ...args);
}

function persistence(inv: Inventory): string[] {
  const r = inv.redis;
  const save = r.save.map(([s, n]) => `save ${s} ${n}`);
  const aof = [
    'appendonly yes',
    `appendfsync ${r.appendfsync}`,
    'appendfilename "appendonly.aof"',
    'aof-use-rdb-preamble yes',
    'auto-aof-rewrite-percentage 100',
    'auto-aof-rewrite-min-size 64mb',
  ];
  switch (r.persistence) {
    case 'hybrid':
      return ['# hybrid: AOF (fsync once a second, RDB preamble) plus RDB snapshots', ...aof, ...save];
    case 'aof':
      return ['# AOF only', ...aof, 'save ""'];
    case 'rdb':
      return ['# RDB snapshots only: writes since the last snapshot are lost on a crash', 'appendonly no', ...save];
    case 'none':
      return [
        '# no persistence: a node restarts empty, and a master restarted before Sentinel fails over',
        '# hands that empty dataset to its replicas',
        'appendonly no',
        'save ""',
      ];
  }
}

function disabledCommands(inv: Inventory): string[] {
  const out: string[] = [];
  for (const raw of [...new Set(inv.redis.disabledCommands.map((c) => c.toUpperCase()))].sort()) {
    const why = REQUIRED_COMMANDS[raw];
    if (why) {
      throw userError(
        `redis.disabledCommands lists ${raw}, which must stay available: ${why}`,
        `remove ${raw} from redis.disabledCommands`,
      );
    }
    if (!/^[A-Z][A-Z0-9._|-]*$/.test(raw)) throw userError(`redis.disabledCommands: "${raw}" is not a command name`);
    out.push(`rename-command ${raw} ""`);
  }
  return out;
}

function tlsLines(inv: Inventory, files: TlsFiles | undefined): string[] {
  const t = inv.tls;
  if (!t?.enabled) return [];
  const f = files ?? t;
  if (t.allowPlaintext && t.port === inv.redis.port)
    throw userError(`tls.port and redis.port are both ${t.port}; with tls.allowPlaintext they must differ`);
  return [
    '# TLS: clients need a CA-signed server cert; client certs are optional because every connection must AUTH anyway',
    redisLine('tls-port', t.port),
    redisLine('tls-cert-file', f.certFile),
    redisLine('tls-key-file', f.keyFile),
    redisLine('tls-ca-cert-file', f.caFile),
    'tls-auth-clients optional',
    `tls-replication ${t.replication ? 'yes' : 'no'}`,
    'tls-protocols "TLSv1.2 TLSv1.3"',
  ];
}

/** Where and how a node runs: a systemd host by default; containers pass their own. */
export interface NodeTarget {
  bind: string[];
  modulePath: string;
  dataDir: string;
  logfile: string;
  masterAddress: string;
  announce?: string;
  secretsInclude: string;
  supervised: boolean;
  /** Where the TLS files are, when not at the inventory's paths. */
  tlsFiles?: TlsFiles;
}

export function hostTarget(inv: Inventory, h: Host): NodeTarget {
  const p = paths(inv);
  return {
    bind: bindAddresses(h, inv.redis.bind),
    modulePath: p.modulePath,
    dataDir: p.dataDir,
    logfile: `${p.logDir}/falkordb.log`,
    masterAddress: theMaster(inv).address,
    announce: h.address,
    secretsInclude: secretsConfPath(inv),
    supervised: true,
  };
}

export function falkordbConf(inv: Inventory, h: Host, t: NodeTarget = hostTarget(inv, h)): string {
  const r = inv.redis;
  const plainPort = inv.tls?.enabled && !inv.tls.allowPlaintext ? 0 : r.port;
  const replicaPort = inv.tls?.enabled && inv.tls.replication ? inv.tls.port : r.port;
  return lines(
    header(inv, `FalkorDB node ${h.name} (${h.role})${t.supervised ? ` — ${falkordbConfPath(inv)}` : ''}`),
    '# Sentinel rewrites this file (CONFIG REWRITE) after a failover, copying the password into it:',
    t.supervised
      ? '# keep it mode 0640, owned by the service user, in a directory that user can write.'
      : '# the node runs from a writable copy of it in its data volume.',
    '',
    loadmodule(inv, t.modulePath),
    '',
    '# Network',
    redisLine('bind', ...t.bind),
    redisLine('port', plainPort),
    'protected-mode yes',
    `tcp-backlog ${TCP_BACKLOG}`,
    redisLine('timeout', r.timeout),
    redisLine('tcp-keepalive', r.tcpKeepalive),
    redisLine('maxclients', r.maxclients),
    tlsLines(inv, t.tlsFiles),
    '',
    t.supervised
      ? '# Process: systemd starts it in the foreground (Type=notify) and restarts it'
      : '# Process: in the foreground, logging to stdout',
    'daemonize no',
    t.supervised && 'supervised systemd',
    'loglevel notice',
    redisLine('logfile', t.logfile),
    '',
    '# Memory: a graph is one key, so any eviction policy deletes whole graphs; refuse writes instead',
    redisLine('maxmemory', hostMaxmemory(inv, h)),
    redisLine('maxmemory-policy', r.maxmemoryPolicy),
    '',
    '# Persistence',
    redisLine('dir', t.dataDir),
    'dbfilename dump.rdb',
    persistence(inv),
    'stop-writes-on-bgsave-error yes',
    '',
    '# Replication: any node may become master, so all of them carry the replication settings',
    h.role === 'replica' && redisLine('replicaof', t.masterAddress, replicaPort),
    t.announce !== undefined && redisLine('replica-announce-ip', t.announce),
    'replica-read-only yes',
    'replica-serve-stale-data yes',
    h.replicaPriority !== undefined && redisLine('replica-priority', h.replicaPriority),
    redisLine('repl-backlog-size', parseBytes(r.replBacklogSize)),
    redisLine('repl-timeout', r.replTimeout),
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 5',
    redisLine('min-replicas-to-write', r.minReplicasToWrite),
    redisLine('min-replicas-max-lag', r.minReplicasMaxLag),
    '',
    '# Commands nobody should run by accident (CONFIG stays: Sentinel needs it)',
    disabledCommands(inv),
    '',
    '# requirepass, masterauth and ACL users; last, so nothing above can override them',
    `include ${redisArg(t.secretsInclude)}`,
  );
}
