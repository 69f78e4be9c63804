// Who runs what, derived from the inventory in one place so every command agrees.
import { sizeBytes } from './fields.js';
import type { Host, Inventory } from './schema.js';

export const dbHosts = (inv: Inventory): Host[] => inv.hosts.filter((h) => h.role === 'master' || h.role === 'replica');
/** The inventory's master: the *intended* one. Live topology (after a failover) comes from Sentinel. */
export const masterHost = (inv: Inventory): Host | undefined => inv.hosts.find((h) => h.role === 'master');
export const replicaHosts = (inv: Inventory): Host[] => inv.hosts.filter((h) => h.role === 'replica');

export function sentinelHosts(inv: Inventory): Host[] {
  if (inv.sentinel.hosts) return inv.sentinel.hosts.map((n) => hostByName(inv, n)).filter((h): h is Host => Boolean(h));
  return inv.hosts.filter((h) => h.role !== 'haproxy' && h.role !== 'monitoring');
}

/** Hosts that run Prometheus + Alertmanager: monitoring.hosts, else every host with role monitoring. */
export function monitoringHosts(inv: Inventory): Host[] {
  const names = inv.monitoring.hosts;
  if (names) return names.map((n) => hostByName(inv, n)).filter((h): h is Host => Boolean(h));
  return inv.hosts.filter((h) => h.role === 'monitoring');
}

/** Hosts that run redis_exporter: every database host and every Sentinel host. */
export function exporterHosts(inv: Inventory): Host[] {
  const s = new Set(sentinelHosts(inv).map((h) => h.name));
  return inv.hosts.filter((h) => h.role === 'master' || h.role === 'replica' || s.has(h.name));
}

export function haproxyHosts(inv: Inventory): Host[] {
  if (inv.haproxy.hosts) return inv.haproxy.hosts.map((n) => hostByName(inv, n)).filter((h): h is Host => Boolean(h));
  return inv.hosts.filter((h) => h.role === 'haproxy');
}

export const hostByName = (inv: Inventory, name: string): Host | undefined => inv.hosts.find((h) => h.name === name);

/** Redis's own size units: "1k" is 1000, "1kb" is 1024 (redis.conf header). Values passed the schema. */
export function parseBytes(v: number | string): number {
  if (typeof v === 'number') return v;
  const b = sizeBytes(v);
  if (b === undefined) throw new Error(`not a size: ${v}`);
  return b;
}

/**
 * maxmemory in bytes for a database host: a ratio needs the host's RAM;
 * returns undefined when it cannot be known (ratio without hardware.memory).
 */
export function maxmemoryBytes(inv: Inventory, host: Host): number | undefined {
  const mm = inv.redis.maxmemory;
  if (typeof mm === 'number' && mm > 0 && mm <= 1) {
    const ram = host.hardware?.memory;
    return ram === undefined ? undefined : Math.floor(parseBytes(ram) * mm);
  }
  return parseBytes(mm);
}
