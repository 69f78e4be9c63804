// Shared bits of every rendered file: the header, line joining, and the per-host facts that more
// than one template needs (computed once, with the checks that make a render impossible).
import { userError } from '../errors.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { maxmemoryBytes, masterHost, sentinelHosts } from '../inventory/topology.js';
import { isIp, safePath } from './quote.js';

export type { Secrets } from '../inventory/secrets.js';

/** Certificate, key and CA as the server sees them (host paths, or a container's mount). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** A header in the file's comment syntax: where it came from and that hand edits get overwritten. */
export function header(inv: Inventory, what: string, comment = '#'): string {
  return [
    `${comment} ${what}`,
    `${comment} Rendered by falkorctl for cluster "${inv.cluster}". Edit the inventory and re-render; hand edits are overwritten.`,
  ].join('\n');
}

/** Join lines, dropping `undefined`/false entries, ending with exactly one newline. */
export function lines(...ls: (string | false | undefined | null | (string | false | undefined | null)[])[]): string {
  const flat = ls.flat().filter((l): l is string => typeof l === 'string');
  return `${flat.join('\n').replace(/\n+$/, '')}\n`;
}

export function theMaster(inv: Inventory): Host {
  const masters = inv.hosts.filter((h) => h.role === 'master');
  if (masters.length !== 1) {
    throw userError(`the inventory needs exactly one host with role master (found ${masters.length})`);
  }
  return masterHost(inv) as Host;
}

/** maxmemory for a database host in bytes; a ratio needs the host's RAM. */
export function hostMaxmemory(inv: Inventory, h: Host): number {
  const bytes = maxmemoryBytes(inv, h);
  if (bytes === undefined) {
    throw userError(
      `host ${h.name}: redis.maxmemory is a ratio of RAM but hosts[].hardware.memory is not set`,
      'set hardware.memory for the host (e.g. 64gb) or give redis.maxmemory in bytes (e.g. 48gb)',
    );
  }
  if (bytes <= 0)
    throw userError(
      `host ${h.name}: redis.maxmemory must be more than 0 (0 means unlimited, and the host would swap or be OOM-killed)`,
    );
  return bytes;
}

/** What a daemon on `h` binds: its own address, loopback, and the extras (Redis needs literal IPs). */
export function bindAddresses(h: Host, extras: string[]): string[] {
  const own = isIp(h.address) ? [h.address] : [];
  if (own.length === 0 && extras.length === 0) {
    throw userError(
      `host ${h.name}: address "${h.address}" is not an IP address, and Redis can only bind IP addresses`,
      'use the IP address as hosts[].address, or list it in redis.bind',
    );
  }
  return [...new Set([...own, '127.0.0.1', ...extras])];
}

export function sentinels(inv: Inventory): Host[] {
  const s = sentinelHosts(inv);
  if (inv.sentinel.hosts && s.length !== inv.sentinel.hosts.length) {
    const known = new Set(inv.hosts.map((h) => h.name));
    const missing = inv.sentinel.hosts.filter((n) => !known.has(n));
    throw userError(`sentinel.hosts names unknown hosts: ${missing.join(', ')}`);
  }
  if (s.length > 0 && inv.sentinel.quorum > s.length) {
    throw userError(
      `sentinel.quorum is ${inv.sentinel.quorum} but only ${s.length} Sentinel(s) are configured: no failover could ever be agreed`,
    );
  }
  return s;
}

/** Paths every template uses, each checked once. */
export function paths(inv: Inventory) {
  return {
    configDir: safePath('redis.configDir', inv.redis.configDir),
    dataDir: safePath('redis.dataDir', inv.redis.dataDir),
    logDir: safePath('redis.logDir', inv.redis.logDir),
    modulePath: safePath('falkordb.modulePath', inv.falkordb.modulePath),
    redisServer: safePath('falkordb.redisServer', inv.falkordb.redisServer),
    sentinelDir: safePath('sentinel.dataDir', inv.sentinel.dataDir),
    statsSocket: safePath('haproxy.statsSocket', inv.haproxy.statsSocket),
  };
}

/** Redis's own names for a service user must be a plain Unix user name. */
export function serviceUser(inv: Inventory): string {
  const u = inv.redis.user;
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(u)) throw userError(`redis.user: "${u}" is not a valid Unix user name`);
  return u;
}

/** The service user's own directories (data, config, logs): its group may read, others nothing. */
export const SERVICE_DIR_MODE = 0o750;

/**
 * The one way the service user is made, by deploy and by provision (which needs it to own the data directory
 * before anything is deployed): a system user and group, no home created (the data directory stands for it).
 */
export const useraddArgv = (user: string, home: string): [string, ...string[]] => [
  'useradd',
  '--system',
  '--user-group',
  '--no-create-home',
  '--home-dir',
  home,
  '--shell',
  '/usr/sbin/nologin',
  user,
];

/** Disk throughput assumed when sizing start/stop timeouts: a slow but real SSD. */
const DISK_BYTES_PER_SEC = 50 * 1024 ** 2;

/** Loading or saving a dataset of `bytes` at DISK_BYTES_PER_SEC, plus a margin; never under 5 minutes. */
export function datasetSeconds(bytes: number): number {
  return Math.max(300, Math.ceil(bytes / DISK_BYTES_PER_SEC) + 60);
}
