// Each HAProxy host's backends as its stats socket reports them (reached over SSH: it is a unix socket).
import type { Host, Inventory } from '../inventory/schema.js';
import { haproxyHosts } from '../inventory/topology.js';
import { runParallel } from '../remote/parallel.js';
import { showStat } from '../haproxy/socket.js';
import type { BackendStat } from '../haproxy/stats.js';
import type { Tunnels } from '../redis/tunnel.js';
import { errorOf } from './nodes.js';

export interface HAProxyView {
  host: string;
  up: boolean;
  backends?: BackendStat[];
  error?: string;
  errorCode?: string;
}

export async function haproxyFacts(
  inv: Inventory,
  tunnels: Tunnels,
  o: { hosts?: readonly Host[]; forks?: number; timeoutMs?: number } = {},
): Promise<HAProxyView[]> {
  const chosen = new Set((o.hosts ?? inv.hosts).map((h) => h.name));
  const hosts = haproxyHosts(inv).filter((h) => chosen.has(h.name));
  const res = await runParallel(hosts, o.forks ?? 10, async (h): Promise<HAProxyView> => {
    try {
      return {
        host: h.name,
        up: true,
        backends: await showStat(tunnels, h.name, inv.haproxy.statsSocket, o.timeoutMs),
      };
    } catch (e) {
      return { host: h.name, up: false, ...errorOf(e) };
    }
  });
  return res.map((r, i) =>
    r.status === 'fulfilled'
      ? r.value
      : { host: hosts[i]!.name, up: false, ...errorOf(r.status === 'rejected' ? r.reason : 'skipped') },
  );
}
