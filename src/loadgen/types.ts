// The write-load tool's contract. Counting unit: one *write attempt* is one sequence number, sent as two
// writes (a graph CREATE and a plain SET). Each of the two is acknowledged, or not, on its own; the
// attempt counts as acknowledged only when both were, and as failed when either was not.

export interface Target {
  host: string;
  port: number;
  /** Sent with AUTH; never logged. */
  password?: string;
  /** AUTH as this user (ACL mode: falkorctl's admin user); `default` when absent. */
  username?: string;
}

export interface WriteLoadOptions extends Target {
  /** Graph that receives `CREATE (:W {run, seq})`. Default "writeload". */
  graph?: string;
  /** Keys are `<keyPrefix>:<seq>`. Default "writeload:<runId>", so runs never collide. */
  keyPrefix?: string;
  /** Tags this run's nodes; default a random hex id. */
  runId?: string;
  /** Pacing: an attempt starts at most this often. Default 10. */
  intervalMs?: number;
  /** Stop after this long. Default 30 s when maxWrites is not given either: the loop always stops. */
  durationMs?: number;
  /** Stop after this many attempts (sequence numbers). */
  maxWrites?: number;
  /** Connect and per-command timeout. Default 1000. */
  opTimeoutMs?: number;
  signal?: AbortSignal;
  /** Progress lines (a window opened/closed). */
  log?: (s: string) => void;
  /** Every attempt as it ends: epoch ms of its start and end, acknowledged or not (timelines). */
  onAttempt?: (a: { start: number; end: number; ok: boolean }) => void;
}

/** A span in which writes failed: from the first failed attempt's send to the next acknowledgement. */
export interface Window {
  /** Epoch ms (fractional). */
  start: number;
  end: number;
  ms: number;
  /** Failed attempts inside the window. */
  errors: number;
  firstError: string;
  /** True when the run ended while writes were still failing (end = last failure). */
  ongoing?: boolean;
}

export interface AckLog {
  runId: string;
  graph: string;
  keyPrefix: string;
  /** Sequence numbers whose GRAPH.QUERY CREATE was acknowledged, ascending. */
  graphAcked: number[];
  /** Sequence numbers whose SET was acknowledged, ascending. */
  kvAcked: number[];
}

export interface RunStats {
  attempted: number;
  acknowledged: number;
  failed: number;
  windows: Window[];
  longestWindowMs: number;
  totalUnavailableMs: number;
  startedAt: number;
  durationMs: number;
  /** Latency of acknowledged writes (graph and kv alike), ms. */
  p50Ms: number;
  p99Ms: number;
}

export interface WriteLoadRun {
  acked: AckLog;
  stats: RunStats;
}

export interface Missing {
  kind: 'graph' | 'kv';
  seq: number;
}

export interface WriteLoadReport extends Omit<RunStats, 'startedAt'> {
  runId: string;
  ackedGraph: number;
  ackedKv: number;
  missing: Missing[];
  /** Which server answered the read-back: address as given, plus its role and run_id. */
  verifiedAgainst: string;
  /** Its replication role ("master", "slave"); "" when nothing needed reading back. A replica may lag. */
  verifiedRole: string;
  /** Set when the read-back could not be done: then `missing` is empty because nothing was checked. */
  unverified?: string;
}
