// Deploy's checks of the monitoring phase, polled to a deadline like the others: an exporter's /metrics has
// redis_up 1 for its node (and /scrape of its Sentinel too); a Prometheus has every rendered target up.
import type { Inventory } from '../inventory/schema.js';
import { hostByName } from '../inventory/topology.js';
import { httpGet, parseTargets, sample } from '../monitoring/http.js';
import type { Tunnels } from '../redis/tunnel.js';
import { sentinelUri } from '../templates/exporter.js';
import { scrapeTargets } from '../templates/monitoring.js';

/** undefined when the exporter answers for everything it exports, else what it said. */
export async function exporterSeen(
  inv: Inventory,
  tunnels: Tunnels | undefined,
  c: { host: string; node: boolean; sentinel: boolean },
): Promise<string | undefined> {
  const h = hostByName(inv, c.host)!;
  const port = inv.monitoring.exporterPort;
  const paths = [
    ...(c.node ? [['node', '/metrics']] : []),
    ...(c.sentinel ? [['Sentinel', `/scrape?target=${encodeURIComponent(sentinelUri(inv))}`]] : []),
  ];
  for (const [what, path] of paths) {
    const r = await httpGet(tunnels, h, port, path!);
    if (r.status !== 200) return `${what}: HTTP ${r.status}`;
    const up = sample(r.body, 'redis_up');
    if (up !== 1) return `${what}: redis_up ${up ?? 'missing'}`;
  }
  return undefined;
}

/** undefined when the Prometheus on `host` has every rendered target up, else the ones that are not. */
export async function prometheusSeen(
  inv: Inventory,
  tunnels: Tunnels | undefined,
  host: string,
): Promise<string | undefined> {
  const h = hostByName(inv, host)!;
  const r = await httpGet(tunnels, h, inv.monitoring.prometheusPort, '/api/v1/targets?state=active');
  if (r.status !== 200) return `HTTP ${r.status}`;
  const seen = parseTargets(r.body);
  const bad = scrapeTargets(inv).flatMap((t) => {
    const s = seen.find((x) => x.job === t.job && x.instance === t.host);
    if (!s) return [`${t.job}/${t.host} not scraped`];
    return s.health === 'up' ? [] : [`${t.job}/${t.host} ${s.health}${s.lastError ? ` (${s.lastError})` : ''}`];
  });
  const am = await httpGet(tunnels, h, inv.monitoring.alertmanagerPort, '/-/ready');
  if (am.status !== 200) bad.push(`Alertmanager not ready (HTTP ${am.status})`);
  return bad.length ? bad.join('; ') : undefined;
}
