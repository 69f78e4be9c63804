// restore as a Plan: pure, from the backup's manifest and the cluster's facts. The order is what keeps it safe:
// Sentinel failover paused first (quorum above the number of Sentinels: sentinel.c starts a failover only from
// O_DOWN, which needs `quorum` Sentinels to agree, so none can start), replicas stopped before the master (an
// empty or restored master must never be followed by a replica that still serves old data as master), the RDB
// placed on the master with its AOF moved aside (with appendonly yes Redis loads the AOF and ignores dump.rdb),
// the master started from the RDB with appendonly no and verified against the manifest, then AOF on again (a
// rewrite from the loaded data: never an AOF that shadows it), then the replicas emptied and started (each full
// resync verified), then Sentinel's quorum back, then HAProxy. Every step is idempotent, so a re-run after an
// interruption converges.
import type { CheckSpec, Plan, Step } from '../core/types.js';
import type { GraphCount } from './manifest.js';

export const FALKORDB_UNIT = 'falkordb.service';

export interface RestoreNode {
  host: string;
  address: string;
  port: number;
  /** CONFIG GET dir / dbfilename, read before anything was stopped. */
  dir: string;
  dbfilename: string;
  /** Answering now: only then is its config rewritten before the stop. */
  up: boolean;
}

export interface RestoreInput {
  id: string;
  graphs: readonly GraphCount[];
  sha256: string;
  /** Where the backup's files are now, and the RDB's path there. */
  source: { host: string; rdb: string };
  /** The master Sentinel names: it stays the master (Sentinel keeps its address), restored first. */
  master: RestoreNode & { aof: boolean };
  /** The node's config file (redis.configDir/falkordb.conf). */
  conf: string;
  replicas: readonly RestoreNode[];
  sentinels: readonly string[];
  haproxy: readonly string[];
  masterName: string;
  sentinelPort: number;
  /** The inventory's quorum, set back at the end. */
  quorum: number;
  backupDir: string;
  redisUser: string;
  writeBackend: string;
  maxLagBytes: number;
  /** Loading and resync deadline (backup.timeoutMs). */
  timeoutMs: number;
}

/** A quorum no failover can reach: one more than every Sentinel there is. */
export const pausedQuorum = (sentinels: number) => sentinels + 1;

export const restoringMarker = (i: Pick<RestoreInput, 'backupDir' | 'id'>) => `${i.backupDir}/.restoring-${i.id}`;

/** The restored RDB on the master: beside its backups, under the same name. */
export const stagedPath = (i: Pick<RestoreInput, 'backupDir' | 'id'>) => `${i.backupDir}/${i.id}.rdb`;

// Moves the node's current data aside (kept: the way back if the restore is abandoned) and puts the RDB in place
// through a partial file and a rename. $1 data dir, $2 dbfilename, $3 rdb, $4 aside dir, $5 user.
const PLACE = [
  'set -eu',
  'cd "$1"',
  'mkdir -p "$4"',
  // a re-run keeps what the first run set aside (the data from before any restore)
  'for f in "$2" appendonlydir; do [ -e "$f" ] || continue; if [ -e "$4/$f" ]; then rm -rf -- "$f"; else mv -- "$f" "$4/"; fi; done',
  'cp -- "$3" ".$2.partial"',
  'chown "$5:$5" ".$2.partial"',
  'chmod 0600 ".$2.partial"',
  'sync ".$2.partial"',
  'mv -f -- ".$2.partial" "$2"',
  // with appendonly yes and no AOF, Redis starts empty and ignores dump.rdb: the next start loads the RDB
  'if grep -q "^appendonly yes" "$6"; then sed -i "s/^appendonly yes/appendonly no/" "$6"; fi',
  'if grep -q "^appendonly yes" "$6"; then echo "appendonly yes is still in $6" >&2; exit 1; fi',
].join('; ');

// A replica's data, removed once the master is verified: it starts empty and takes a full copy from the master.
const EMPTY = 'set -eu; cd "$1"; rm -rf -- "$2" appendonlydir';

export function planRestore(i: RestoreInput): Plan {
  const m = i.master;
  const steps: Step[] = [];
  const node = (port: number, args: [string, ...string[]]) => ({
    kind: 'redis' as const,
    service: 'node' as const,
    port,
    args,
  });
  const sentinel = (args: [string, ...string[]]) => ({
    kind: 'redis' as const,
    service: 'sentinel' as const,
    port: i.sentinelPort,
    args,
  });
  const graphsMatch = (n: RestoreNode, role: 'master' | 'replica'): CheckSpec => ({
    kind: 'graphs-match',
    host: n.host,
    what: `${n.host}: loaded, role ${role}, GRAPH.LIST and every node/edge count equal to backup ${i.id}`,
    timeoutMs: i.timeoutMs,
    intervalMs: 500,
    params: { role, graphs: i.graphs },
  });
  const staged = stagedPath(i);
  if (i.source.host !== m.host)
    steps.push({
      id: `${m.host}:fetch`,
      host: m.host,
      phase: 'stage',
      describe: `copy ${i.id}.rdb from ${i.source.host} to ${m.host}:${staged} (through this machine, sha256 checked)`,
      action: {
        kind: 'custom',
        name: 'relay-rdb',
        params: { from: i.source.host, path: i.source.rdb, to: staged, sha256: i.sha256 },
      },
    });
  steps.push({
    id: `${m.host}:check-rdb`,
    host: m.host,
    phase: 'stage',
    describe: `sha256 and redis-check-rdb of ${staged} on ${m.host}`,
    action: { kind: 'custom', name: 'check-staged', params: { path: staged, sha256: i.sha256 } },
  });
  // its presence lets a re-run proceed when every node is stopped (versions were checked by this run)
  steps.push({
    id: `${m.host}:mark`,
    host: m.host,
    phase: 'stage',
    describe: `mark ${restoringMarker(i)} on ${m.host}: a restore of ${i.id} is under way`,
    action: { kind: 'exec', argv: ['touch', restoringMarker(i)] },
  });
  const paused = pausedQuorum(i.sentinels.length);
  for (const s of i.sentinels)
    steps.push({
      id: `${s}:pause-failover`,
      host: s,
      phase: 'pause',
      describe: `pause failover on Sentinel ${s}: quorum ${paused} (more than there are Sentinels: no O_DOWN, no failover)`,
      action: sentinel(['SENTINEL', 'SET', i.masterName, 'quorum', String(paused)]),
      verify: {
        kind: 'sentinel-quorum',
        host: s,
        what: `Sentinel ${s}: quorum ${paused} for ${i.masterName}`,
        timeoutMs: 10_000,
        params: { quorum: paused },
      },
    });
  for (const r of i.replicas) {
    if (r.up)
      steps.push({
        id: `${r.host}:config-rewrite`,
        host: r.host,
        phase: 'stop-replicas',
        describe: `CONFIG REWRITE on ${r.host} (its replicaof, as live, in the file it restarts from)`,
        action: node(r.port, ['CONFIG', 'REWRITE']),
      });
    steps.push({
      id: `${r.host}:stop`,
      host: r.host,
      phase: 'stop-replicas',
      describe: `stop ${FALKORDB_UNIT} on ${r.host} (a replica)`,
      destructive: true,
      action: { kind: 'exec', argv: ['systemctl', 'stop', FALKORDB_UNIT], timeoutMs: i.timeoutMs },
    });
  }
  steps.push(
    {
      id: `${m.host}:stop`,
      host: m.host,
      phase: 'stop-master',
      describe: `stop ${FALKORDB_UNIT} on ${m.host} (the master)`,
      destructive: true,
      action: { kind: 'exec', argv: ['systemctl', 'stop', FALKORDB_UNIT], timeoutMs: i.timeoutMs },
    },
    {
      id: `${m.host}:place`,
      host: m.host,
      phase: 'stop-master',
      describe:
        `move ${m.host}'s data aside to ${m.dir}/.pre-restore-${i.id}/, then ${staged} → ${m.dir}/${m.dbfilename}; ` +
        `appendonly no in ${i.conf} for this start`,
      destructive: true,
      action: {
        kind: 'exec',
        argv: ['sh', '-c', PLACE, 'sh', m.dir, m.dbfilename, staged, `.pre-restore-${i.id}`, i.redisUser, i.conf],
        timeoutMs: i.timeoutMs,
      },
    },
    {
      id: `${m.host}:start`,
      host: m.host,
      phase: 'start-master',
      describe: `start ${FALKORDB_UNIT} on ${m.host} from the restored RDB`,
      action: { kind: 'exec', argv: ['systemctl', 'start', FALKORDB_UNIT], timeoutMs: i.timeoutMs },
      verify: graphsMatch(m, 'master'),
    },
  );
  if (m.aof)
    steps.push(
      {
        id: `${m.host}:aof-on`,
        host: m.host,
        phase: 'start-master',
        describe: `appendonly yes on ${m.host}: the AOF is rebuilt from the restored data set`,
        action: node(m.port, ['CONFIG', 'SET', 'appendonly', 'yes']),
        verify: {
          kind: 'aof-rewritten',
          host: m.host,
          what: `${m.host}: AOF on, its rewrite finished and ok`,
          timeoutMs: i.timeoutMs,
          intervalMs: 250,
        },
      },
      {
        id: `${m.host}:aof-on-rewrite`,
        host: m.host,
        phase: 'start-master',
        describe: `CONFIG REWRITE on ${m.host} (appendonly yes back in the file)`,
        action: node(m.port, ['CONFIG', 'REWRITE']),
      },
    );
  for (const r of i.replicas)
    steps.push(
      {
        id: `${r.host}:empty`,
        host: r.host,
        phase: 'replicas',
        describe: `remove ${r.host}'s old data (${r.dir}/${r.dbfilename}, appendonlydir): it takes a full copy`,
        destructive: true,
        action: { kind: 'exec', argv: ['sh', '-c', EMPTY, 'sh', r.dir, r.dbfilename] },
      },
      {
        id: `${r.host}:start`,
        host: r.host,
        phase: 'replicas',
        describe: `start ${FALKORDB_UNIT} on ${r.host}: full resync from ${m.host}`,
        action: { kind: 'exec', argv: ['systemctl', 'start', FALKORDB_UNIT], timeoutMs: i.timeoutMs },
        verify: {
          kind: 'node-ready',
          host: r.host,
          what: `${r.host}: up, loaded, replica of ${m.host} with link up, no sync in progress, ≤ ${i.maxLagBytes} bytes behind`,
          timeoutMs: i.timeoutMs,
          intervalMs: 250,
          params: { master: m.host, masterAddr: `${m.address}:${m.port}`, maxLagBytes: i.maxLagBytes },
        },
      },
      {
        id: `${r.host}:verify`,
        host: r.host,
        phase: 'replicas',
        describe: `${r.host}: its graphs equal the backup's`,
        action: { kind: 'wait', check: graphsMatch(r, 'replica') },
      },
    );
  for (const s of i.sentinels)
    steps.push({
      id: `${s}:resume-failover`,
      host: s,
      phase: 'resume',
      describe: `failover back on Sentinel ${s}: quorum ${i.quorum}`,
      action: sentinel(['SENTINEL', 'SET', i.masterName, 'quorum', String(i.quorum)]),
      verify: {
        kind: 'sentinel-quorum',
        host: s,
        what: `Sentinel ${s}: quorum ${i.quorum} for ${i.masterName}, CKQUORUM OK`,
        timeoutMs: 30_000,
        params: { quorum: i.quorum, ckquorum: true },
      },
    });
  steps.push({
    id: `${m.host}:unmark`,
    host: m.host,
    phase: 'done',
    describe: `remove ${restoringMarker(i)} on ${m.host}: the restore is complete`,
    action: { kind: 'exec', argv: ['rm', '-f', '--', restoringMarker(i)] },
  });
  const checks: CheckSpec[] = [
    {
      kind: 'sentinels-settled',
      host: i.sentinels[0] ?? m.host,
      what: `every Sentinel names ${m.host} (${m.address}:${m.port}), no failover in progress`,
      timeoutMs: 60_000,
      intervalMs: 250,
      params: { address: `${m.address}:${m.port}` },
    },
    ...i.haproxy.map((h): CheckSpec => ({
      kind: 'haproxy-routes',
      host: h,
      what: `HAProxy ${h}: ${i.writeBackend} sends writes to ${m.host} only`,
      timeoutMs: 60_000,
      intervalMs: 250,
      params: { backend: i.writeBackend, server: m.host },
    })),
  ];
  return {
    command: 'restore',
    phases: [
      { name: 'stage', parallel: 1 },
      { name: 'pause', parallel: 'forks' },
      { name: 'stop-replicas', parallel: 'forks' },
      { name: 'stop-master', parallel: 1 },
      { name: 'start-master', parallel: 1 },
      { name: 'replicas', parallel: 'forks' },
      { name: 'resume', parallel: 'forks', checks },
      { name: 'done', parallel: 1 },
    ],
    steps,
    notes: [
      `${m.host} stays the master; its data before the restore is kept in ${m.dir}/.pre-restore-${i.id}/ (remove it when done)`,
      'if the run stops, Sentinel failover stays paused (nothing is promoted onto a half-restored cluster): run the same restore again',
    ],
  };
}
