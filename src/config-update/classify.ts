// Which changes a running node can take and which need a restart. Redis: CONFIG SET refuses the directives
// redis/src/config.c flags IMMUTABLE_CONFIG, and PROTECTED_CONFIG ones unless enable-protected-configs is on
// (it is off by default and in every file falkorctl renders). FalkorDB: GRAPH.CONFIG SET answers "This
// configuration parameter cannot be set at run-time" for the load-time-only parameters below (seen in the lab,
// FalkorDB 4.16). Pure: no I/O.
import { redisBytes } from '../lint/conf/tokenize.js';

export type ChangeClass = 'runtime' | 'restart';
export type SettingKind = 'redis' | 'module';

/** Redis 8 config.c: IMMUTABLE_CONFIG and PROTECTED_CONFIG (dir, dbfilename), plus replicaof's special entry. */
export const REDIS_RESTART_ONLY: ReadonlySet<string> = new Set([
  'aclfile',
  'always-show-logo',
  'aof-rewrite-cpulist',
  'appenddirname',
  'appendfilename',
  'bgsave-cpulist',
  'bio-cpulist',
  'client-default-resp',
  'cluster-config-file',
  'cluster-enabled',
  'cluster-port',
  'daemonize',
  'databases',
  'dbfilename',
  'dir',
  'disable-thp',
  'enable-debug-command',
  'enable-module-command',
  'enable-protected-configs',
  'io-threads',
  'io-threads-do-reads',
  'logfile',
  'pidfile',
  'rdbchecksum',
  'req-res-logfile',
  'server-cpulist',
  'set-proc-title',
  'socket-mark-id',
  'supervised',
  'syslog-enabled',
  'syslog-facility',
  'syslog-ident',
  'tcp-backlog',
  'unixsocket',
  'unixsocketperm',
]);

/** FalkorDB parameters read once, when the module loads. */
export const MODULE_LOAD_TIME: ReadonlySet<string> = new Set([
  'THREAD_COUNT',
  'CACHE_SIZE',
  'OMP_THREAD_COUNT',
  'NODE_CREATION_BUFFER',
  'BOLT_PORT',
  'IMPORT_FOLDER',
  'TEMP_FOLDER',
]);

/**
 * Lines of falkordb.conf that are no CONFIG GET setting (include, loadmodule, rename-command, ACL users and the
 * passwords from secrets.conf), or that follow the live topology rather than the inventory (replicaof:
 * Sentinel moves it): never compared with the live node.
 */
export const NOT_COMPARED: ReadonlySet<string> = new Set([
  'include',
  'loadmodule',
  'rename-command',
  'user',
  'requirepass',
  'masterauth',
  'replicaof',
  'slaveof',
]);

/**
 * Where a node is reached and keeps its data: Sentinel, HAProxy and every client know these. Changing them is
 * moving the node, which `config update` does not do (deploy renders and restarts the whole path).
 */
export const IDENTITY: ReadonlySet<string> = new Set(['port', 'tls-port', 'bind', 'dir', 'replica-announce-ip']);

export function classify(kind: SettingKind, name: string): ChangeClass {
  if (kind === 'module') return MODULE_LOAD_TIME.has(name) ? 'restart' : 'runtime';
  return REDIS_RESTART_ONLY.has(name.toLowerCase()) ? 'restart' : 'runtime';
}

/**
 * A value as both sides can be compared: Redis answers CONFIG GET with bytes for sizes ("256mb" →
 * "268435456"), lower-case yes/no, and multi-argument settings (save) joined by one space; FalkorDB answers
 * GRAPH.CONFIG GET with numbers, CMD_INFO as 1/0.
 */
export function normalize(kind: SettingKind, value: string): string {
  const v = value.trim().replace(/\s+/g, ' ');
  if (/^(yes|no)$/i.test(v)) return kind === 'module' ? (v.toLowerCase() === 'yes' ? '1' : '0') : v.toLowerCase();
  const b = redisBytes(v);
  if (b && b.unit) return String(b.bytes);
  if (/^-?\d+$/.test(v)) return String(BigInt(v));
  return v;
}

export const sameValue = (kind: SettingKind, a: string, b: string): boolean =>
  normalize(kind, a) === normalize(kind, b);
