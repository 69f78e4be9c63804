// Facts → findings. Pure: the same facts always give the same verdict, so every rule is unit-tested.
// "degraded" findings make `status` exit 1; "warning" findings are shown but do not.
import type { Inventory } from '../inventory/schema.js';
import { dbHosts, sentinelHosts } from '../inventory/topology.js';
import { serverUp, type ServerStat } from '../haproxy/stats.js';
import type { HAProxyView } from './haproxy.js';
import type { NodeFacts } from './nodes.js';
import type { Topology } from './topology.js';
import { kernelFindings, type KernelFacts } from './kernel.js';

export interface Finding {
  severity: 'degraded' | 'warning';
  area:
    | 'node'
    | 'replication'
    | 'persistence'
    | 'memory'
    | 'sentinel'
    | 'haproxy'
    | 'cluster'
    | 'kernel'
    | 'backup'
    | 'monitoring';
  host?: string;
  message: string;
}

/** The backends src/templates/haproxy.ts renders: only the master passes the write check. */
export const WRITE_BACKEND = 'falkordb_write';
export const READ_BACKEND = 'falkordb_read';

/** "db2: port 6379: connection refused" → "port 6379: connection refused" (the host is named already). */
const reason = (host: string, e?: string) =>
  (e ?? 'unknown error').replace(new RegExp(`^${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), '');
const addr = (a: { address: string; port: number }) => `${a.address}:${a.port}`;

export interface EvaluateOpts {
  /** --limit was given: cluster-wide rules (one master, quorum, agreement) need every host, so skip them. */
  partial?: boolean;
}

export function evaluate(inv: Inventory, topo: Topology, haproxy: HAProxyView[], o: EvaluateOpts = {}): Finding[] {
  const out: Finding[] = [];
  const add = (severity: Finding['severity'], area: Finding['area'], host: string | undefined, message: string) =>
    out.push({ severity, area, host, message });
  for (const n of topo.nodes) nodeFindings(inv, n, add);
  if (!o.partial) clusterFindings(inv, topo, add);
  for (const h of haproxy) haproxyFindings(inv, topo, h, add);
  return out;
}

/** Live kernel settings of the database hosts that Redis wants otherwise: warnings (the cluster serves). */
export function kernelWarnings(kernel: Readonly<Record<string, KernelFacts>>): Finding[] {
  return Object.entries(kernel).flatMap(([host, k]) =>
    kernelFindings(k).map((f) => ({
      severity: 'warning' as const,
      area: 'kernel' as const,
      host,
      message: `${host}: ${f.setting} is ${f.seen}, want ${f.want}: ${f.why}${
        (f.via === 'sysctl' ? k.sysctlWritable : k.thpWritable)
          ? ' (falkorctl deploy sets it)'
          : ' (read-only here: set it on the machine that runs this host)'
      }`,
    })),
  );
}

type Add = (severity: Finding['severity'], area: Finding['area'], host: string | undefined, message: string) => void;

function nodeFindings(inv: Inventory, n: NodeFacts, add: Add): void {
  const h = n.host;
  if (!n.up) return add('degraded', 'node', h, `${h}: FalkorDB down — ${reason(h, n.error)}`);
  const r = n.replication;
  if (r?.loading) add('degraded', 'node', h, `${h}: loading its dataset into memory (not serving yet)`);
  if (!n.falkordbVersion)
    add('degraded', 'node', h, `${h}: the FalkorDB module is not loaded (MODULE LIST has no "graph")`);
  if (r?.role === 'replica') {
    const master = `${r.masterHost}:${r.masterPort}`;
    if (!r.linkUp) {
      const since = r.linkDownSeconds !== undefined && r.linkDownSeconds >= 0 ? ` for ${r.linkDownSeconds} s` : '';
      add('degraded', 'replication', h, `${h}: replication link down${since} (master ${master})`);
    }
    if (r.syncInProgress) add('degraded', 'replication', h, `${h}: full resynchronisation from ${master} in progress`);
    const limit = inv.monitoring.replicationLagBytes;
    if (r.lagBytes !== undefined && r.lagBytes > limit)
      add(
        'degraded',
        'replication',
        h,
        `${h}: ${r.lagBytes} bytes behind the master (limit ${limit}, monitoring.replicationLagBytes)`,
      );
  }
  const p = n.persistence;
  if (p?.rdbLastBgsaveStatus && p.rdbLastBgsaveStatus !== 'ok')
    add('degraded', 'persistence', h, `${h}: last RDB save failed (rdb_last_bgsave_status:${p.rdbLastBgsaveStatus})`);
  if (p?.aofEnabled && p.aofLastWriteStatus && p.aofLastWriteStatus !== 'ok')
    add('degraded', 'persistence', h, `${h}: AOF writes are failing (aof_last_write_status:${p.aofLastWriteStatus})`);
  if (p?.aofEnabled && p.aofLastBgrewriteStatus && p.aofLastBgrewriteStatus !== 'ok')
    add(
      'degraded',
      'persistence',
      h,
      `${h}: last AOF rewrite failed (aof_last_bgrewrite_status:${p.aofLastBgrewriteStatus})`,
    );
  const wantAof = inv.redis.persistence === 'hybrid' || inv.redis.persistence === 'aof';
  if (p?.aofEnabled === false && wantAof)
    add('warning', 'persistence', h, `${h}: AOF is off, but the inventory says persistence: ${inv.redis.persistence}`);
  const m = n.memory;
  if (m?.used !== undefined && m.max) {
    const ratio = m.used / m.max;
    if (ratio >= inv.monitoring.memoryWarnRatio)
      add(
        'warning',
        'memory',
        h,
        `${h}: memory ${Math.round(ratio * 100)}% of maxmemory (warn at ${Math.round(inv.monitoring.memoryWarnRatio * 100)}%)`,
      );
  } else if (m?.max === 0) add('warning', 'memory', h, `${h}: no maxmemory set — the host can run out of RAM`);
}

function clusterFindings(inv: Inventory, topo: Topology, add: Add): void {
  const up = topo.nodes.filter((n) => n.up);
  const masters = up.filter((n) => n.replication?.role === 'master');
  if (up.length > 0 && masters.length === 0)
    add('degraded', 'cluster', undefined, 'no reachable node is a master: writes fail');
  if (masters.length > 1)
    add(
      'degraded',
      'cluster',
      undefined,
      `${masters.length} nodes are masters (${masters.map((m) => m.host).join(', ')}): split brain, writes diverge`,
    );
  const actual = masters.length === 1 ? masters[0]! : undefined;
  if (actual) {
    for (const n of up.filter((x) => x.replication?.role === 'replica')) {
      const r = n.replication!;
      if (r.masterHost !== actual.address || r.masterPort !== actual.port)
        add(
          'degraded',
          'replication',
          n.host,
          `${n.host}: follows ${r.masterHost}:${r.masterPort}, not the master ${actual.host} (${addr(actual)})`,
        );
    }
  }
  sentinelFindings(inv, topo, actual, add);
}

function sentinelFindings(inv: Inventory, topo: Topology, actual: NodeFacts | undefined, add: Add): void {
  const total = sentinelHosts(inv).length;
  const name = inv.sentinel.masterName;
  for (const s of topo.sentinels) {
    if (!s.up) add('warning', 'sentinel', s.host, `${s.host}: Sentinel down — ${reason(s.host, s.error)}`);
    else if (!s.masterAddr)
      add('degraded', 'sentinel', s.host, `${s.host}: Sentinel does not track "${name}" — ${reason(s.host, s.error)}`);
    const f = s.master?.flags ?? [];
    if (f.includes('o_down'))
      add('degraded', 'sentinel', s.host, `${s.host}: Sentinel sees the master objectively down (o_down)`);
    else if (f.includes('s_down'))
      add('degraded', 'sentinel', s.host, `${s.host}: Sentinel sees the master as down (s_down)`);
    if (f.includes('failover_in_progress'))
      add('degraded', 'sentinel', s.host, `${s.host}: Sentinel failover in progress`);
    if (s.master && s.master.numOtherSentinels + 1 < total)
      add(
        'warning',
        'sentinel',
        s.host,
        `${s.host}: Sentinel knows ${s.master.numOtherSentinels} other Sentinel(s), expected ${total - 1}`,
      );
  }
  const answered = topo.sentinels.filter((s) => s.masterAddr);
  if (topo.sentinelOpinions.length > 1) {
    const groups = topo.sentinelOpinions.map(
      (op) =>
        `${answered
          .filter((s) => addr(s.masterAddr!) === op)
          .map((s) => s.host)
          .join(', ')} → ${op}`,
    );
    add('degraded', 'sentinel', undefined, `Sentinels disagree on the master: ${groups.join('; ')}`);
  }
  if (total > 0 && answered.length < inv.sentinel.quorum)
    add(
      'degraded',
      'sentinel',
      undefined,
      `only ${answered.length} of ${total} Sentinels track the master; quorum is ${inv.sentinel.quorum}: no failover possible`,
    );
  const agreed = topo.agreedMaster;
  if (agreed) {
    const node = topo.nodes.find((n) => n.address === agreed.address && n.port === agreed.port);
    const who = `${addr(agreed)}${node ? ` (${node.host})` : ''}`;
    if (!node)
      add(
        'degraded',
        'sentinel',
        undefined,
        `Sentinels name ${who} as master, which is no database host of the inventory`,
      );
    else if (node.up && node.replication?.role !== 'master')
      add(
        'degraded',
        'sentinel',
        undefined,
        `Sentinels name ${who} as master, but it reports role ${node.replication?.role}`,
      );
    else if (actual && actual !== node)
      add('degraded', 'sentinel', undefined, `Sentinels name ${who} as master, but ${actual.host} is the master`);
  }
}

function haproxyFindings(inv: Inventory, topo: Topology, h: HAProxyView, add: Add): void {
  if (!h.up)
    return add('degraded', 'haproxy', h.host, `${h.host}: HAProxy stats unavailable — ${reason(h.host, h.error)}`);
  // A running HAProxy proves nothing by itself: a stock haproxy.cfg answers on its stats socket too.
  const ports = {
    [WRITE_BACKEND]: `write port ${inv.haproxy.writePort}`,
    [READ_BACKEND]: `read port ${inv.haproxy.readPort}`,
  };
  for (const [name, port] of Object.entries(ports))
    if (!(h.backends ?? []).some((b) => b.name === name))
      add('degraded', 'haproxy', h.host, `${h.host}: HAProxy has no ${name} backend: the ${port} reaches no FalkorDB`);
  // Named by the inventory (and not by what --limit asked), so a partial run does not call db1 a stranger.
  const known = new Set(dbHosts(inv).map((x) => x.name));
  for (const b of h.backends ?? [])
    if (b.name in ports)
      for (const s of b.servers.filter((x) => !known.has(x.server)))
        add(
          'degraded',
          'haproxy',
          h.host,
          `${h.host}: ${b.name}/${s.server}${s.address ? ` (${s.address})` : ''} is no database host of the inventory`,
        );
  const node = (s: ServerStat) => topo.nodes.find((n) => n.host === s.server);
  const out = (s: ServerStat) =>
    `${h.host}: ${s.backend}/${s.server} is ${s.status}${s.checkStatus ? ` (${s.checkStatus.replace(/^\* /, '')}${s.checkDesc ? `: ${s.checkDesc}` : ''})` : ''}`;
  for (const b of h.backends ?? []) {
    if (b.status !== 'UP')
      add('degraded', 'haproxy', h.host, `${h.host}: backend ${b.name} is ${b.status}: no server takes traffic`);
    for (const s of b.servers) {
      const n = node(s);
      const role = n?.up ? n.replication?.role : undefined;
      if (/MAINT|DRAIN/.test(s.status)) add('degraded', 'haproxy', h.host, `${out(s)}: taken out by an operator`);
      else if (b.name === WRITE_BACKEND) {
        // replicas are expected to fail the write check; only the master must be UP, and only it
        if (role === 'master' && !serverUp(s))
          add('degraded', 'haproxy', h.host, `${out(s)}, but it is the master: writes fail`);
        if (role === 'replica' && serverUp(s))
          add('degraded', 'haproxy', h.host, `${out(s)}, but it is a replica: writes may be refused`);
      } else if (b.name === READ_BACKEND) {
        const serves = role === 'master' || (role === 'replica' && n?.replication?.linkUp);
        if (serves && !serverUp(s)) add('degraded', 'haproxy', h.host, out(s));
      } else if (!serverUp(s)) add('degraded', 'haproxy', h.host, out(s));
    }
  }
}
