// Every listener the cluster will open, per address: two on the same address:port means one of them
// fails to start. Hosts may share an address (a Sentinel or HAProxy next to a database), so the check is
// per address, not per host entry.
import type { KeyPath } from './locate.js';
import type { Inventory } from './schema.js';
import { error, type Finding } from './semantic.js';
import { exporterHosts, haproxyHosts, monitoringHosts, sentinelHosts } from './topology.js';

interface Listener {
  host: string;
  index: number;
  address: string;
  port: number;
  what: string;
  path: KeyPath;
}

export function listeners(inv: Inventory): Listener[] {
  const out: Listener[] = [];
  const tlsOn = inv.tls?.enabled === true;
  const sentinels = new Set(sentinelHosts(inv).map((h) => h.name));
  const proxies = new Set(haproxyHosts(inv).map((h) => h.name));
  const exporters = new Set(exporterHosts(inv).map((h) => h.name));
  const monitors = new Set(monitoringHosts(inv).map((h) => h.name));
  for (const [index, h] of inv.hosts.entries()) {
    const add = (port: number, what: string, path: KeyPath) =>
      out.push({ host: h.name, index, address: h.address.toLowerCase(), port, what, path });
    if (h.role === 'master' || h.role === 'replica') {
      if (!tlsOn || inv.tls?.allowPlaintext) add(inv.redis.port, 'Redis', ['redis', 'port']);
      if (tlsOn && inv.tls) add(inv.tls.port, 'Redis TLS', ['tls', 'port']);
    }
    if (sentinels.has(h.name)) add(inv.sentinel.port, 'Sentinel', ['sentinel', 'port']);
    if (proxies.has(h.name)) {
      add(inv.haproxy.writePort, 'HAProxy write', ['haproxy', 'writePort']);
      add(inv.haproxy.readPort, 'HAProxy read', ['haproxy', 'readPort']);
    }
    if (exporters.has(h.name)) add(inv.monitoring.exporterPort, 'redis_exporter', ['monitoring', 'exporterPort']);
    if (monitors.has(h.name)) {
      add(inv.monitoring.prometheusPort, 'Prometheus', ['monitoring', 'prometheusPort']);
      add(inv.monitoring.alertmanagerPort, 'Alertmanager', ['monitoring', 'alertmanagerPort']);
    }
  }
  return out;
}

export function portFindings(inv: Inventory): Finding[] {
  const taken = new Map<string, Listener>();
  // One finding per pair of settings, naming every address where they collide.
  const clashes = new Map<string, { a: Listener; b: Listener; where: Set<string> }>();
  for (const l of listeners(inv)) {
    const key = `${l.address}:${l.port}`;
    const first = taken.get(key);
    if (!first) {
      taken.set(key, l);
      continue;
    }
    if (first.host === l.host && first.what === l.what) continue; // the same listener listed twice elsewhere
    const samePath = first.path.join('.') === l.path.join('.');
    const id = `${first.path.join('.')}|${l.path.join('.')}${samePath ? `|${l.host}` : ''}`;
    const c = clashes.get(id) ?? { a: first, b: l, where: new Set<string>() };
    c.where.add(first.host === l.host ? `${l.host} (${l.address})` : `${l.address} (${first.host} and ${l.host})`);
    clashes.set(id, c);
  }
  return [...clashes.values()].map(({ a, b, where }) =>
    a.path.join('.') === b.path.join('.')
      ? error(
          ['hosts', b.index, 'address'],
          `"${b.host}" has the same address as "${a.host}" and both would run ${a.what} on port ${a.port}`,
        )
      : error(
          b.path,
          `port ${b.port} for ${b.what} is also used by ${a.what} (${a.path.join('.')}) on ${[...where].join(', ')}: the second listener would fail to start`,
        ),
  );
}
