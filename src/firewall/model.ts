// What the firewall admits, derived from the inventory in one place: the template, the inventory checks,
// `firewall apply` and the checklist all read it. Pure.
import { formatIp, parseCidr, type Cidr } from '../inventory/fields.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, sentinelHosts } from '../inventory/topology.js';

/** The firewall is on once the inventory declares `network` (and does not say `enabled: false`). */
export const firewallEnabled = (inv: Inventory): boolean => inv.network?.enabled === true;

export interface HostPorts {
  ssh: number;
  /** The cluster's ports on this host, ascending: Redis (and TLS), the exporter, Sentinel, HAProxy. */
  service: number[];
}

export function hostPorts(inv: Inventory, h: Host): HostPorts {
  const ports = new Set<number>();
  const tlsOn = inv.tls?.enabled === true;
  if (dbHosts(inv).some((d) => d.name === h.name)) {
    if (!tlsOn || inv.tls?.allowPlaintext) ports.add(inv.redis.port);
    if (tlsOn && inv.tls) ports.add(inv.tls.port);
    ports.add(inv.monitoring.exporterPort);
  }
  if (sentinelHosts(inv).some((s) => s.name === h.name)) ports.add(inv.sentinel.port);
  if (haproxyHosts(inv).some((x) => x.name === h.name)) {
    ports.add(inv.haproxy.writePort);
    ports.add(inv.haproxy.readPort);
  }
  return { ssh: h.ssh?.port ?? inv.ssh.port, service: [...ports].sort((a, b) => a - b) };
}

const width = (c: Cidr) => (c.family === 4 ? 32 : 128);

/** Does network `a` contain network `b` (same family, a's prefix no longer, same leading bits)? */
export function contains(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family || a.prefix > b.prefix) return false;
  const shift = BigInt(width(a) - a.prefix);
  return a.bits >> shift === b.bits >> shift;
}

/**
 * One list per family without overlaps, ascending: nftables refuses an interval set whose elements
 * overlap ("conflicting intervals"), and lists its elements in this order, so the render reads as the host's.
 */
export function mergeCidrs(list: readonly string[]): { v4: string[]; v6: string[] } {
  const parsed = list.map(parseCidr).filter((c): c is Cidr => typeof c !== 'string');
  const kept = parsed.filter(
    (c, i) => !parsed.some((o, j) => j !== i && contains(o, c) && (o.prefix < c.prefix || j < i)),
  );
  kept.sort((a, b) => (a.bits < b.bits ? -1 : a.bits > b.bits ? 1 : a.prefix - b.prefix));
  const text = (c: Cidr) => (c.prefix === width(c) ? formatIp(c) : `${formatIp(c)}/${c.prefix}`);
  return {
    v4: kept.filter((c) => c.family === 4).map(text),
    v6: kept.filter((c) => c.family === 6).map(text),
  };
}

/** Who may reach the cluster's ports: network.trusted plus every host of the inventory (by IP address). */
export const trustedNetworks = (inv: Inventory) =>
  mergeCidrs([...(inv.network?.trusted ?? []), ...inv.hosts.map((h) => h.address)]);

/** Who may reach SSH. */
export const operatorNetworks = (inv: Inventory) => mergeCidrs(inv.network?.operator ?? []);

/** Is `address` inside one of `networks`? */
export function inNetworks(address: string, networks: readonly string[]): boolean {
  const a = parseCidr(address);
  if (typeof a === 'string') return false;
  return networks.some((n) => {
    const c = parseCidr(n);
    return typeof c !== 'string' && contains(c, a);
  });
}
