// INFO text → sections → the few facts status and deploy act on. Field names are Redis 8's; a field a
// server does not report stays undefined rather than defaulting to a healthy-looking value.

export type InfoSections = Record<string, Record<string, string>>;

/** "# Replication\r\nrole:master\r\n…" → { replication: { role: 'master', … } } (section names lowercased). */
export function parseInfo(text: string): InfoSections {
  const out: InfoSections = {};
  let section = 'default';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      section = line.slice(1).trim().toLowerCase();
      out[section] ??= {};
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    (out[section] ??= {})[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** One field from whichever section holds it. */
export function field(info: InfoSections, key: string): string | undefined {
  for (const s of Object.values(info)) if (key in s) return s[key];
  return undefined;
}

const num = (v: string | undefined): number | undefined =>
  v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
const flag = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : v === '1');

export interface ReplicaSeen {
  ip: string;
  port: number;
  state: string;
  offset: number;
  /** Seconds since this replica's last ACK (replicas ACK every second). */
  lag: number;
}

export interface Replication {
  role: 'master' | 'replica' | 'sentinel' | 'unknown';
  masterHost?: string;
  masterPort?: number;
  linkUp?: boolean;
  /** Replica: seconds the link has been down (master_link_down_since_seconds). */
  linkDownSeconds?: number;
  /** Replica: seconds since the master last sent anything (-1 while the link is down). */
  lastIoSeconds?: number;
  syncInProgress: boolean;
  /** master_repl_offset on a master, slave_repl_offset on a replica. */
  offset?: number;
  loading: boolean;
  /** Master: its connected replicas as it sees them. */
  replicas: ReplicaSeen[];
  /** Replica: bytes behind the master, when the master's offset is known. */
  lagBytes?: number;
  /** Replica: seconds since its last ACK reached the master (or since it last heard from it). */
  lagSeconds?: number;
}

/** slaveN:ip=10.0.0.2,port=6379,state=online,offset=498,lag=0 */
export function parseReplicaLine(v: string): ReplicaSeen | undefined {
  const kv = Object.fromEntries(v.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  if (!kv.ip || num(kv.port) === undefined) return undefined;
  return {
    ip: kv.ip,
    port: Number(kv.port),
    state: kv.state ?? 'unknown',
    offset: num(kv.offset) ?? 0,
    lag: num(kv.lag) ?? 0,
  };
}

export interface MasterView {
  replication: Replication;
}

/**
 * Replication facts of one node. Given the master it follows (and the node's own address and port, as
 * the master lists it), a replica's lag is filled in too.
 */
export function replication(
  info: InfoSections,
  master?: MasterView,
  self?: { address: string; port: number },
): Replication {
  const r = info.replication ?? {};
  const roleRaw = r.role ?? (field(info, 'redis_mode') === 'sentinel' ? 'sentinel' : undefined);
  const role: Replication['role'] =
    roleRaw === 'master' ? 'master' : roleRaw === 'slave' ? 'replica' : roleRaw === 'sentinel' ? 'sentinel' : 'unknown';
  const replicas = Object.entries(r)
    .filter(([k]) => /^slave\d+$/.test(k))
    .map(([, v]) => parseReplicaLine(v))
    .filter((x): x is ReplicaSeen => x !== undefined);
  const out: Replication = {
    role,
    syncInProgress: flag(r.master_sync_in_progress) ?? false,
    loading: flag(field(info, 'loading')) ?? false,
    replicas,
    offset: num(role === 'replica' ? r.slave_repl_offset : r.master_repl_offset),
  };
  if (role === 'replica') {
    out.masterHost = r.master_host;
    out.masterPort = num(r.master_port);
    out.linkUp = r.master_link_status === 'up';
    out.lastIoSeconds = num(r.master_last_io_seconds_ago);
    out.linkDownSeconds = out.linkUp ? undefined : num(r.master_link_down_since_seconds);
    if (master && out.linkUp) Object.assign(out, lagAgainst(out, master.replication, self));
  }
  return out;
}

/**
 * Bytes from the two offsets; seconds from the master's view of this replica's ACKs (sent every
 * second), found by address and port. The master lists a replica by the address it connected from,
 * so when that is not the inventory's address, fall back to the replica's last I/O from its master.
 */
export function lagAgainst(
  rep: Replication,
  master: Replication,
  self?: { address: string; port: number },
): Pick<Replication, 'lagBytes' | 'lagSeconds'> {
  const lagBytes =
    master.offset !== undefined && rep.offset !== undefined ? Math.max(0, master.offset - rep.offset) : undefined;
  const entry = self ? master.replicas.find((s) => s.ip === self.address && s.port === self.port) : undefined;
  const lagSeconds =
    entry?.lag ?? (rep.lastIoSeconds !== undefined && rep.lastIoSeconds >= 0 ? rep.lastIoSeconds : undefined);
  return { lagBytes, lagSeconds };
}

export interface MemoryFacts {
  used?: number;
  max?: number;
  policy?: string;
}

export const memory = (info: InfoSections): MemoryFacts => ({
  used: num(field(info, 'used_memory')),
  max: num(field(info, 'maxmemory')),
  policy: field(info, 'maxmemory_policy'),
});

export interface PersistenceFacts {
  rdbLastSaveTime?: number;
  rdbLastBgsaveStatus?: string;
  rdbChangesSinceLastSave?: number;
  rdbBgsaveInProgress?: boolean;
  aofEnabled?: boolean;
  aofLastWriteStatus?: string;
  aofLastBgrewriteStatus?: string;
  aofRewriteInProgress?: boolean;
}

export const persistence = (info: InfoSections): PersistenceFacts => ({
  rdbLastSaveTime: num(field(info, 'rdb_last_save_time')),
  rdbLastBgsaveStatus: field(info, 'rdb_last_bgsave_status'),
  rdbChangesSinceLastSave: num(field(info, 'rdb_changes_since_last_save')),
  rdbBgsaveInProgress: flag(field(info, 'rdb_bgsave_in_progress')),
  aofEnabled: flag(field(info, 'aof_enabled')),
  aofLastWriteStatus: field(info, 'aof_last_write_status'),
  aofLastBgrewriteStatus: field(info, 'aof_last_bgrewrite_status'),
  aofRewriteInProgress: flag(field(info, 'aof_rewrite_in_progress')),
});
