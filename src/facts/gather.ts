// One status round: topology and HAProxy facts in parallel, then the verdict. No output here.
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import type { RedisFactory } from '../redis/client.js';
import type { Tunnels } from '../redis/tunnel.js';
import { haproxyFacts } from './haproxy.js';
import { evaluate, kernelWarnings } from './health.js';
import { KERNEL_PROBE, parseKernel } from './kernel.js';
import { dbHosts } from '../inventory/topology.js';
import { buildReport, type StatusReport } from './report.js';
import { backupStatus, backupWarnings } from './backups.js';
import { discoverTopology } from './topology.js';
import { nodePending, pendingWarnings, type ReadFile } from './pending.js';
import type { PendingRestart } from '../config-update/pending.js';

export interface GatherOpts {
  hosts?: readonly Host[];
  partial?: boolean;
  forks?: number;
  timeoutMs?: number;
  now?: () => number;
  /** Runs a command on a host (SSH): kernel settings are read only when given. */
  exec?: (host: string, script: string) => Promise<string>;
  /** Reads a file on a host (SSH): pending restarts (falkordb.conf against the live values) only when given. */
  read?: ReadFile;
}

export async function gatherStatus(
  inv: Inventory,
  secrets: Pick<Secrets, 'password' | 'sentinelPassword'>,
  factory: RedisFactory,
  tunnels: Tunnels,
  o: GatherOpts = {},
): Promise<StatusReport> {
  const chosen = new Set((o.hosts ?? inv.hosts).map((h) => h.name));
  const dbs = dbHosts(inv).filter((h) => chosen.has(h.name));
  const exec = o.exec;
  const read = o.read;
  const [topo, haproxy, kernel, pending] = await Promise.all([
    discoverTopology(inv, factory, secrets, o),
    haproxyFacts(inv, tunnels, o),
    exec
      ? Promise.all(
          dbs.map((h) =>
            exec(h.name, KERNEL_PROBE).then(
              (out) => [h.name, parseKernel(out)] as const,
              () => undefined,
            ),
          ),
        )
      : Promise.resolve([]),
    read
      ? Promise.all(
          dbs.map(async (h) => [h.name, await nodePending(inv, h, factory, secrets, read, o.timeoutMs)] as const),
        )
      : Promise.resolve([]),
  ]);
  const kernelOf = Object.fromEntries(kernel.filter((x) => x !== undefined));
  const now = (o.now ?? Date.now)();
  // the backups' age and the timers, read over SSH like the kernel settings (only when SSH is given)
  const backups = exec ? await backupStatus(inv, dbs, exec, now) : undefined;
  const pendingOf: Record<string, PendingRestart[]> = {};
  for (const [h, p] of pending) if (p) pendingOf[h] = p;
  const findings = [
    ...evaluate(inv, topo, haproxy, { partial: o.partial }),
    ...kernelWarnings(kernelOf),
    ...pendingWarnings(pendingOf),
    ...(backups ? backupWarnings(inv, backups) : []),
  ];
  const r = buildReport(inv, topo, haproxy, findings, now, o.partial);
  return {
    ...r,
    ...(exec ? { kernel: kernelOf } : {}),
    ...(backups ? { backups } : {}),
    ...(read ? { pendingRestart: pendingOf } : {}),
  };
}

/** Taxonomy codes of everything that could not be asked (to tell "degraded" from "refused to connect"). */
export function errorCodes(r: StatusReport): Set<string> {
  const codes = [...r.nodes, ...r.sentinels, ...r.haproxy]
    .map((x) => x.errorCode)
    .filter((c): c is string => Boolean(c));
  return new Set(codes);
}
