// The write loop: one sequence number per attempt, sent as a graph CREATE and a SET on the same
// connection, paced, bounded by time and/or count. Every acknowledged write is recorded for verify().
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { userError } from '../errors.js';
import { close, errorText, openConnection } from './conn.js';
import type { AckLog, WriteLoadOptions, WriteLoadRun } from './types.js';
import { percentile, round, summarize, WindowTracker, type Outcome } from './windows.js';

/** Wall-clock milliseconds that never step backwards during a run. */
export const now = (): number => performance.timeOrigin + performance.now();

export const DEFAULTS = { graph: 'writeload', intervalMs: 10, opTimeoutMs: 1000, durationMs: 30_000 } as const;

export async function runWriteLoad(o: WriteLoadOptions): Promise<WriteLoadRun> {
  const p = settle(o);
  const acked: AckLog = { runId: p.runId, graph: p.graph, keyPrefix: p.keyPrefix, graphAcked: [], kvAcked: [] };
  const tracker = new WindowTracker();
  const latencies: number[] = [];
  const startedAt = now();
  const deadline = startedAt + p.durationMs;
  let conn: Redis | undefined;
  let seq = 0;
  let failed = 0;

  while (seq < p.maxWrites && now() < deadline && !o.signal?.aborted) {
    seq++;
    const start = now();
    let outcome: Outcome;
    try {
      conn ??= await openConnection(o, p.opTimeoutMs);
      outcome = { ...(await attempt(conn, p, seq, acked, latencies)), start };
    } catch (e) {
      outcome = { start, end: now(), ok: false, error: `connect: ${errorText(e)}` };
    }
    if (!outcome.ok) {
      failed++;
      // A fresh connection next time: after a timeout the old one may be stuck on a frozen server.
      if (conn) close(conn);
      conn = undefined;
    }
    o.onAttempt?.({ start: outcome.start, end: outcome.end, ok: outcome.ok });
    const { opened, closed } = tracker.record(outcome);
    if (opened) o.log?.(`writes failing since ${iso(opened.start)}: ${opened.firstError}`);
    if (closed) o.log?.(`writes acknowledged again after ${closed.ms} ms (${closed.errors} failed attempts)`);
    // Timers may fire a little early: sleep until the next slot has really come.
    const next = Math.min(start + p.intervalMs, deadline);
    while (now() < next && !o.signal?.aborted) {
      await sleep(Math.ceil(next - now()), undefined, { signal: o.signal }).catch(() => {});
    }
  }
  if (conn) close(conn);

  const windows = tracker.finish();
  return {
    acked,
    stats: {
      attempted: seq,
      acknowledged: seq - failed,
      failed,
      windows,
      ...summarize(windows),
      startedAt: round(startedAt),
      durationMs: round(now() - startedAt),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    },
  };
}

interface Settled {
  runId: string;
  graph: string;
  keyPrefix: string;
  intervalMs: number;
  opTimeoutMs: number;
  durationMs: number;
  maxWrites: number;
}

async function attempt(
  c: Redis,
  p: Settled,
  seq: number,
  acked: AckLog,
  latencies: number[],
): Promise<Omit<Outcome, 'start'>> {
  // Latency counts from the send, not from a reconnect that may have preceded it.
  const sent = now();
  // Parameters travel in the CYPHER prefix, so the query text is the same for every write.
  const query = `CYPHER run='${p.runId}' seq=${seq} CREATE (:W {run: $run, seq: $seq})`;
  const g = c.call('GRAPH.QUERY', p.graph, query).then((r) => {
    if (!Array.isArray(r)) throw new Error(`unexpected GRAPH.QUERY reply: ${String(r)}`);
    latencies.push(now() - sent);
    acked.graphAcked.push(seq);
  });
  const k = c.set(`${p.keyPrefix}:${seq}`, String(seq)).then((r) => {
    if (r !== 'OK') throw new Error(`unexpected SET reply: ${String(r)}`);
    latencies.push(now() - sent);
    acked.kvAcked.push(seq);
  });
  const results = await Promise.allSettled([g, k]);
  const end = now();
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return bad ? { end, ok: false, error: errorText(bad.reason) } : { end, ok: true };
}

function settle(o: WriteLoadOptions): Settled {
  const runId = o.runId ?? randomBytes(4).toString('hex');
  if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw userError(`run id must be letters, digits, _ or -: ${runId}`);
  if (!o.host) throw userError('write load: a host is required');
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535)
    throw userError(`write load: not a TCP port: ${o.port}`);
  const positive = (name: string, v: number | undefined, min: number) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= min))
      throw userError(`write load: ${name} must be a number >= ${min}, got ${v}`);
  };
  positive('intervalMs', o.intervalMs, 0);
  positive('opTimeoutMs', o.opTimeoutMs, 1);
  positive('durationMs', o.durationMs, 1);
  positive('maxWrites', o.maxWrites, 1);
  return {
    runId,
    graph: o.graph ?? DEFAULTS.graph,
    keyPrefix: o.keyPrefix ?? `writeload:${runId}`,
    intervalMs: o.intervalMs ?? DEFAULTS.intervalMs,
    opTimeoutMs: o.opTimeoutMs ?? DEFAULTS.opTimeoutMs,
    durationMs: o.durationMs ?? (o.maxWrites === undefined ? DEFAULTS.durationMs : Infinity),
    maxWrites: o.maxWrites ?? Infinity,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
