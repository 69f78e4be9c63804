// Pre-flight of a switchover: pure, from facts gathered beforehand. Every reason to refuse is collected
// (not just the first), so one run tells the operator everything to fix. Nothing here does I/O.
import type { HAProxyView } from '../facts/haproxy.js';
import type { NodeFacts } from '../facts/nodes.js';
import type { SentinelView } from '../facts/topology.js';
import { serverUp } from '../haproxy/stats.js';
import { field } from '../redis/info.js';

export interface SwitchoverFacts {
  nodes: NodeFacts[];
  sentinels: SentinelView[];
  /** SENTINEL CKQUORUM per Sentinel host: the reply ("OK 3 usable Sentinels…") or the error's message. */
  ckquorum: Record<string, { ok: boolean; text: string }>;
  haproxy: HAProxyView[];
  /** replica-priority per host as configured (CONFIG GET), when INFO does not carry it. */
  priorities?: Record<string, number>;
  /** SENTINEL DEBUG INFO-PERIOD per Sentinel host, where the Sentinel has that command. */
  infoPeriods?: Record<string, number>;
}

export interface SwitchoverSettings {
  masterName: string;
  downAfterMs: number;
  writeBackend: string;
  sentinelPort: number;
  /** --to HOST */
  to?: string;
}

export interface NodeRef {
  host: string;
  address: string;
  port: number;
  priority: number;
  offset: number;
}

export interface Preflight {
  master: NodeRef;
  replicas: NodeRef[];
  candidate: NodeRef;
  sentinelHosts: string[];
  haproxyHosts: string[];
  falkordbVersion: string;
  /** FalkorDB #2359 (fixed in 4.20.2): a client pause meeting the module's worker threads can crash a node. */
  hazard2359: boolean;
  /** Majority of the Sentinels: how many must name the candidate before the write path moves. */
  majority: number;
  /** The leading Sentinel's INFO period (SENTINEL DEBUG), when it can be changed; else undefined. */
  leaderInfoPeriodMs?: number;
  notes: string[];
}

export type PreflightResult = { ok: true; value: Preflight } | { ok: false; reasons: string[] };

/** FalkorDB versions before 4.20.2 carry #2359. */
export function affectedBy2359(version: string): boolean {
  const [a = 0, b = 0, c = 0] = version.split('.').map((x) => Number(x));
  if (a !== 4) return a < 4;
  return b < 20 || (b === 20 && c < 2);
}

const priorityOf = (n: NodeFacts, f: SwitchoverFacts): number | undefined => {
  const v = n.info ? (field(n.info, 'slave_priority') ?? field(n.info, 'replica_priority')) : undefined;
  if (v !== undefined && v !== '' && !Number.isNaN(Number(v))) return Number(v);
  return f.priorities?.[n.host];
};

export function preflight(f: SwitchoverFacts, s: SwitchoverSettings): PreflightResult {
  const why: string[] = [];
  const notes: string[] = [];
  for (const n of f.nodes) {
    if (!n.up) why.push(`${n.host}: not reachable (${n.error ?? 'no answer'})`);
    else if (n.replication?.loading) why.push(`${n.host}: still loading its data set`);
  }
  const up = f.nodes.filter((n) => n.up && n.replication);
  const masters = up.filter((n) => n.replication!.role === 'master');
  if (masters.length !== 1)
    why.push(
      `expected exactly one node with role master, found ${masters.length} (${masters.map((m) => m.host).join(', ') || 'none'})`,
    );
  const m = masters.length === 1 ? masters[0]! : undefined;
  const replicas = up.filter((n) => n.replication!.role === 'replica');
  for (const r of replicas) {
    const rep = r.replication!;
    if (m && (rep.masterHost !== m.address || rep.masterPort !== m.port))
      why.push(`${r.host}: replicates ${rep.masterHost}:${rep.masterPort}, not the master ${m.host}`);
    if (!rep.linkUp) why.push(`${r.host}: master_link_status is not up`);
    if (rep.syncInProgress) why.push(`${r.host}: a sync is in progress`);
  }
  if (up.length > 0 && replicas.length === 0) why.push('no replica to hand the master role to');

  // Sentinels: all up, all naming the master, none failing over, CKQUORUM OK on each.
  for (const sv of f.sentinels) {
    if (!sv.up) {
      why.push(`sentinel ${sv.host}: not reachable (${sv.error ?? 'no answer'})`);
      continue;
    }
    if (!sv.masterAddr) why.push(`sentinel ${sv.host}: ${sv.error ?? `monitors no master named ${s.masterName}`}`);
    else if (m && (sv.masterAddr.address !== m.address || sv.masterAddr.port !== m.port))
      why.push(`sentinel ${sv.host}: names ${sv.masterAddr.address}:${sv.masterAddr.port} as master, not ${m.host}`);
    const flags = sv.master?.flags ?? [];
    if (flags.some((x) => x === 's_down' || x === 'o_down' || x === 'failover_in_progress'))
      why.push(`sentinel ${sv.host}: master flags ${flags.join(',')}`);
    if (sv.master?.failoverState && sv.master.failoverState !== 'none')
      why.push(`sentinel ${sv.host}: a failover is under way (${sv.master.failoverState})`);
    const q = f.ckquorum[sv.host];
    if (!q) why.push(`sentinel ${sv.host}: CKQUORUM not asked`);
    else if (!q.ok) why.push(`sentinel ${sv.host}: CKQUORUM: ${q.text}`);
  }
  if (f.sentinels.length === 0) why.push('no Sentinel: a switchover goes through Sentinel, never behind its back');
  const majority = Math.floor(f.sentinels.length / 2) + 1;

  // HAProxy: the write backend has exactly the master UP, on every load balancer.
  for (const h of f.haproxy) {
    if (!h.up) {
      why.push(`haproxy ${h.host}: stats socket not reachable (${h.error ?? 'no answer'})`);
      continue;
    }
    const b = h.backends?.find((x) => x.name === s.writeBackend);
    if (!b) {
      why.push(`haproxy ${h.host}: no backend ${s.writeBackend}`);
      continue;
    }
    const live = b.servers.filter(serverUp).map((x) => x.server);
    if (!m || live.length !== 1 || live[0] !== m.host)
      why.push(
        `haproxy ${h.host}: ${s.writeBackend} has ${live.join(', ') || 'nothing'} UP, expected exactly ${m?.host ?? 'the master'}`,
      );
  }

  // FalkorDB version: known on every node; the hazard is decided on the oldest.
  const versions = [...new Set(up.map((n) => n.falkordbVersion ?? ''))];
  if (versions.includes(''))
    why.push(
      `FalkorDB version unknown on ${up
        .filter((n) => !n.falkordbVersion)
        .map((n) => n.host)
        .join(', ')} (MODULE LIST names no graph module)`,
    );
  if (versions.length > 1) notes.push(`FalkorDB versions differ between nodes: ${versions.join(', ')}`);
  const known = versions.filter(Boolean).sort(cmpVersion);
  const falkordbVersion = known[0] ?? 'unknown';
  const hazard2359 = known.some(affectedBy2359);
  if (hazard2359)
    notes.push(
      `FalkorDB ${falkordbVersion} predates 4.20.2 (#2359): the write path is fenced through HAProxy before the pause, ` +
        'so no client write is in flight on the master when CLIENT PAUSE meets the module',
    );

  // The candidate: given, or the lowest non-zero replica-priority, then the highest offset, then the name.
  const refs = replicas.map((r) => ref(r, priorityOf(r, f)));
  for (const r of refs) if (Number.isNaN(r.priority)) why.push(`${r.host}: replica-priority unknown`);
  let candidate: NodeRef | undefined;
  if (s.to) {
    candidate = refs.find((r) => r.host === s.to);
    if (!candidate)
      why.push(`--to ${s.to}: not a replica of the master (replicas: ${refs.map((r) => r.host).join(', ') || 'none'})`);
    else if (candidate.priority === 0) why.push(`--to ${s.to}: replica-priority is 0 (never to be promoted)`);
  } else {
    candidate = refs
      .filter((r) => r.priority > 0)
      .sort((a, b) => a.priority - b.priority || b.offset - a.offset || a.host.localeCompare(b.host))[0];
    if (refs.length > 0 && !candidate) why.push('every replica has replica-priority 0: none may be promoted');
  }
  if (why.length > 0 || !m || !candidate) return { ok: false, reasons: why };
  return {
    ok: true,
    value: {
      master: ref(m, priorityOf(m, f) ?? 100),
      replicas: refs,
      candidate,
      sentinelHosts: f.sentinels.map((x) => x.host),
      haproxyHosts: f.haproxy.map((x) => x.host),
      falkordbVersion,
      hazard2359,
      majority,
      ...(f.sentinels[0] && f.infoPeriods?.[f.sentinels[0].host] !== undefined
        ? { leaderInfoPeriodMs: f.infoPeriods[f.sentinels[0].host] }
        : {}),
      notes,
    },
  };
}

function ref(n: NodeFacts, priority: number | undefined): NodeRef {
  return {
    host: n.host,
    address: n.address,
    port: n.port,
    priority: priority ?? NaN,
    offset: n.replication?.offset ?? 0,
  };
}

function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
