// One status round: topology, HAProxy and the database hosts' facts (one SSH command each) in parallel, then
// the verdict. No output here.
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import type { RedisFactory, RedisLike } from '../redis/client.js';
import type { Tunnels } from '../redis/tunnel.js';
import { haproxyFacts } from './haproxy.js';
import { evaluate, kernelWarnings } from './health.js';
import { parseKernel } from './kernel.js';
import { hostProbe, parseHostProbe, type HostProbe } from './host-probe.js';
import { dbHosts } from '../inventory/topology.js';
import { buildReport, type StatusReport } from './report.js';
import { backupStatus, backupWarnings } from './backups.js';
import { discoverTopology } from './topology.js';
import { nodePending, pendingWarnings } from './pending.js';
import type { PendingRestart } from '../config-update/pending.js';

export interface GatherOpts {
  hosts?: readonly Host[];
  partial?: boolean;
  forks?: number;
  timeoutMs?: number;
  now?: () => number;
  /**
   * Runs a command on a host (SSH). Only when given: each database host's kernel settings, backups and pending
   * restarts, all read by one command per host (hostProbe).
   */
  exec?: (host: string, script: string) => Promise<string>;
}

/** A host's probe, or why it could not be run. */
type Probed = HostProbe & { error?: string };

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
  // started first, so the round trips overlap the Redis, Sentinel and HAProxy questions
  const script = hostProbe(inv);
  const probes = new Map<string, Promise<Probed> | undefined>(
    dbs.map((h) => [
      h.name,
      exec
        ? exec(h.name, script).then(parseHostProbe, (e: unknown): Probed => ({ error: (e as Error).message }))
        : undefined,
    ]),
  );
  const pending = new Map<string, PendingRestart[]>();
  // the pending restarts are asked on the node's status connection, once its falkordb.conf has come
  const onNode = async (h: Host, r: RedisLike) => {
    const conf = (await probes.get(h.name))?.conf;
    const p = conf === undefined ? undefined : await nodePending(inv, r, conf);
    if (p) pending.set(h.name, p);
  };
  const [topo, haproxy, read] = await Promise.all([
    discoverTopology(inv, factory, secrets, { ...o, ...(exec ? { onNode } : {}) }),
    haproxyFacts(inv, tunnels, o),
    Promise.all(
      dbs.map(async (h): Promise<Probed & { host: string }> => ({ host: h.name, ...(await probes.get(h.name)) })),
    ),
  ]);
  const kernelOf = Object.fromEntries(
    read.flatMap((p) => (p.kernel === undefined ? [] : [[p.host, parseKernel(p.kernel)]])),
  );
  const pendingOf = Object.fromEntries(
    dbs.flatMap((h) => (pending.has(h.name) ? [[h.name, pending.get(h.name)!]] : [])),
  );
  const now = (o.now ?? Date.now)();
  const backups = exec
    ? backupStatus(
        inv,
        read.map((p) =>
          p.error === undefined ? { host: p.host, out: p.backup ?? '' } : { host: p.host, error: p.error },
        ),
        now,
      )
    : undefined;
  const findings = [
    ...evaluate(inv, topo, haproxy, { partial: o.partial }),
    ...kernelWarnings(kernelOf),
    ...pendingWarnings(pendingOf),
    ...(backups ? backupWarnings(inv, backups) : []),
  ];
  const r = buildReport(inv, topo, haproxy, findings, now, o.partial);
  return {
    ...r,
    ...(exec ? { kernel: kernelOf, pendingRestart: pendingOf } : {}),
    ...(backups ? { backups } : {}),
  };
}

/** Taxonomy codes of everything that could not be asked (to tell "degraded" from "refused to connect"). */
export function errorCodes(r: StatusReport): Set<string> {
  const codes = [...r.nodes, ...r.sentinels, ...r.haproxy]
    .map((x) => x.errorCode)
    .filter((c): c is string => Boolean(c));
  return new Set(codes);
}
