// HTTP GET to a port on a host, through the same SSH tunnel that carries Redis (src/redis/tunnel.ts), so the
// exporter and Prometheus are read where only SSH is open; `direct` mode connects to the host's address.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Host } from '../inventory/schema.js';
import type { Tunnels } from '../redis/tunnel.js';

export interface HttpReply {
  status: number;
  body: string;
}

export async function httpGet(
  tunnels: Tunnels | undefined,
  host: Host,
  port: number,
  path: string,
  timeoutMs = 10_000,
): Promise<HttpReply> {
  const stream: Duplex = tunnels
    ? await tunnels.stream(host.name, { port }, timeoutMs)
    : connect({ host: host.address, port });
  return new Promise<HttpReply>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, createConnection: () => stream },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${host.name}:${port}${path}: no answer in ${timeoutMs} ms`)),
    );
    req.on('error', (e) => reject(new Error(`${host.name}:${port}${path}: ${e.message}`)));
    req.end();
  });
}

/** The value of an unlabelled sample (`redis_up 1`) in Prometheus text format, or undefined. */
export function sample(metrics: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : undefined;
}

export interface TargetHealth {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}

/** Prometheus /api/v1/targets → each active target's job, instance and health. */
export function parseTargets(body: string): TargetHealth[] {
  const j = JSON.parse(body) as {
    data?: { activeTargets?: { labels?: Record<string, string>; health?: string; lastError?: string }[] };
  };
  return (j.data?.activeTargets ?? []).map((t) => ({
    job: t.labels?.job ?? '',
    instance: t.labels?.instance ?? '',
    health: t.health ?? 'unknown',
    lastError: t.lastError ?? '',
  }));
}

export interface AlertState {
  name: string;
  state: string;
  instance: string;
}

/** Prometheus /api/v1/alerts → each pending or firing alert. */
export function parseAlerts(body: string): AlertState[] {
  const j = JSON.parse(body) as { data?: { alerts?: { labels?: Record<string, string>; state?: string }[] } };
  return (j.data?.alerts ?? []).map((a) => ({
    name: a.labels?.alertname ?? '',
    state: a.state ?? '',
    instance: a.labels?.instance ?? '',
  }));
}
