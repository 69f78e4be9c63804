// The names a host's certificate must carry: what clients, replicas, Sentinels and HAProxy dial it by.
import { isIP } from 'node:net';
import type { Host } from '../inventory/schema.js';

export interface Sans {
  dns: string[];
  ip: string[];
}

/**
 * The host's inventory name and address (as a DNS or an IP SAN), plus loopback: falkorctl and the host's own
 * tools (redis-cli in checks, the unit's health probe) reach the local node at 127.0.0.1.
 */
export function hostSans(h: Pick<Host, 'name' | 'address'>): Sans {
  const dns = [h.name];
  const ip: string[] = [];
  if (isIP(h.address)) ip.push(h.address);
  else {
    const a = h.address.replace(/\.$/, '').toLowerCase();
    if (!dns.includes(a)) dns.push(a);
  }
  dns.push('localhost');
  if (!ip.includes('127.0.0.1')) ip.push('127.0.0.1');
  return { dns, ip };
}

export const sansText = (s: Sans): string =>
  [...s.dns.map((d) => `DNS:${d}`), ...s.ip.map((i) => `IP:${i}`)].join(', ');
