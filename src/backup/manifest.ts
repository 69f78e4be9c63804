// What a backup is, as data: its id and file names, the manifest written beside the RDB, and the pure checks
// made against it (which node to snapshot, what redis-check-rdb said, whether a loaded copy matches).
import type { NodeFacts } from '../facts/nodes.js';

export interface GraphCount {
  name: string;
  nodes: number;
  edges: number;
}

export interface Verification {
  /** redis-check-rdb (redis-server run under that name): structure, module value framing, CRC64. */
  checkRdb: boolean;
  /** Loaded in a throwaway server with the module: GRAPH.LIST and counts equal the manifest. null = not run. */
  restore: boolean | null;
  /** Why a check failed (one line each). */
  problems: string[];
}

export interface Manifest {
  format: 1;
  id: string;
  cluster: string;
  host: string;
  role: 'master' | 'replica';
  /** ISO 8601 UTC, when the snapshot was forked. */
  createdAt: string;
  redisVersion: string;
  falkordbVersion: string;
  /** The node's replication offset at the fork; the RDB's own repl-offset aux field says the same. */
  masterReplOffset: number;
  replId: string;
  graphs: GraphCount[];
  /** Paths on `host`. */
  rdb: string;
  size: number;
  sha256: string;
  verified: Verification;
}

/** 2026-12-07T03:30:55.123Z → 20261207T033055Z */
export const utcStamp = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export const backupId = (cluster: string, host: string, at: Date, offset: number): string =>
  `${cluster}-${host}-${utcStamp(at)}-${offset}`;

export const rdbPath = (dir: string, id: string) => `${dir}/${id}.rdb`;
export const manifestPath = (dir: string, id: string) => `${dir}/${id}.json`;

/** `isVerified`: both checks ran and passed — what list shows and prune protects. */
export const isVerified = (m: Pick<Manifest, 'verified'>): boolean =>
  m.verified.checkRdb && m.verified.restore === true && m.verified.problems.length === 0;

export type SourcePick = { ok: true; node: NodeFacts } | { ok: false; reasons: string[] };

/**
 * The node to snapshot. By default a replica (the fork costs the master memory and latency): up, loaded,
 * link up, no sync in progress, within the lag limit; the least behind wins. The master only when named.
 */
export function pickSource(nodes: readonly NodeFacts[], maxLagBytes: number, host?: string): SourcePick {
  const masters = nodes.filter((n) => n.up && n.replication?.role === 'master');
  if (masters.length !== 1)
    return { ok: false, reasons: [`${masters.length} nodes report role master (expected exactly 1)`] };
  const why = (n: NodeFacts): string | undefined => {
    const r = n.replication;
    if (!n.up || !r) return `${n.host} is down: ${n.error ?? 'no answer'}`;
    if (r.loading) return `${n.host} is loading its data set`;
    if (!n.falkordbVersion) return `${n.host} has no FalkorDB module loaded`;
    if (r.role === 'master') return undefined;
    if (r.role !== 'replica') return `${n.host} has role ${r.role}`;
    const m = masters[0]!;
    if (r.masterHost !== m.address || r.masterPort !== m.port)
      return `${n.host} replicates ${r.masterHost}:${r.masterPort}, not the master ${m.host}`;
    if (!r.linkUp) return `${n.host}: master link down`;
    if (r.syncInProgress) return `${n.host}: a sync with the master is in progress`;
    if (r.lagBytes === undefined) return `${n.host}: its lag behind the master is unknown`;
    if (r.lagBytes > maxLagBytes) return `${n.host} is ${r.lagBytes} bytes behind (limit ${maxLagBytes})`;
    return undefined;
  };
  if (host) {
    const n = nodes.find((x) => x.host === host);
    if (!n) return { ok: false, reasons: [`${host} is not a database host of the inventory`] };
    const w = why(n);
    return w ? { ok: false, reasons: [w] } : { ok: true, node: n };
  }
  const replicas = nodes.filter((n) => n.replication?.role !== 'master');
  const fit = replicas.filter((n) => !why(n));
  if (!fit.length)
    return {
      ok: false,
      reasons: [
        ...(replicas.length ? replicas.map((n) => why(n)!) : ['the cluster has no replica']),
        `name the master with --host ${masters[0]!.host} to snapshot it instead (its fork costs it memory and latency)`,
      ],
    };
  const best = [...fit].sort((a, b) => (a.replication!.lagBytes ?? 0) - (b.replication!.lagBytes ?? 0))[0]!;
  return { ok: true, node: best };
}

export interface CheckRdbResult {
  ok: boolean;
  /** The RDB's repl-offset aux field, when printed. */
  replOffset?: number;
  keys?: number;
  /** The error lines, when not ok. */
  error?: string;
}

/** redis-check-rdb's output: "\o/ RDB looks OK! \o/", "[info] N keys read", "AUX FIELD repl-offset = 'N'". */
export function parseCheckRdb(out: string, exitCode: number | null): CheckRdbResult {
  const off = /AUX FIELD repl-offset = '(\d+)'/.exec(out);
  const keys = /\[info\] (\d+) keys read/.exec(out);
  const ok = exitCode === 0 && out.includes('RDB looks OK!');
  const error = ok
    ? undefined
    : out
        .split('\n')
        .filter((l) => /RDB ERROR|\[offset \d+\] (?!AUX|Checking|Selecting|MODULE AUX)|additional info/.test(l))
        .slice(0, 4)
        .join('; ') || `exit ${exitCode}`;
  return {
    ok,
    ...(off ? { replOffset: Number(off[1]) } : {}),
    ...(keys ? { keys: Number(keys[1]) } : {}),
    ...(error ? { error } : {}),
  };
}

/** Differences between the graphs a manifest lists and the graphs a server holds, one line each. */
export function compareGraphs(want: readonly GraphCount[], got: readonly GraphCount[]): string[] {
  const out: string[] = [];
  const g = new Map(got.map((x) => [x.name, x]));
  for (const w of want) {
    const x = g.get(w.name);
    if (!x) out.push(`graph ${w.name} is missing from GRAPH.LIST`);
    else if (x.nodes !== w.nodes || x.edges !== w.edges)
      out.push(`graph ${w.name}: ${x.nodes} nodes, ${x.edges} edges; the manifest says ${w.nodes}, ${w.edges}`);
  }
  const known = new Set(want.map((w) => w.name));
  for (const x of got) if (!known.has(x.name)) out.push(`graph ${x.name} is not in the manifest`);
  return out;
}

/** A manifest read back from a host: the shape is checked, so a hand-edited or truncated file is named. */
export function parseManifest(text: string, where: string): Manifest {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const m = v as Partial<Manifest>;
  const bad = (k: string) => new Error(`${where}: manifest field ${k} is missing or malformed`);
  if (m.format !== 1) throw bad('format');
  for (const k of ['id', 'cluster', 'host', 'createdAt', 'falkordbVersion', 'rdb', 'sha256'] as const)
    if (typeof m[k] !== 'string' || !m[k]) throw bad(k);
  if (!/^[a-f0-9]{64}$/.test(m.sha256!)) throw bad('sha256');
  if (!Number.isSafeInteger(m.size) || !Number.isSafeInteger(m.masterReplOffset)) throw bad('size');
  if (!Array.isArray(m.graphs) || !m.graphs.every((g) => typeof g?.name === 'string' && Number.isSafeInteger(g.nodes)))
    throw bad('graphs');
  if (typeof m.verified?.checkRdb !== 'boolean' || !Array.isArray(m.verified.problems)) throw bad('verified');
  return m as Manifest;
}

/** "4.16.3" vs "4.20.2": negative when a is older. Missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const p = (s: string) => s.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const x = p(a);
  const y = p(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
