// Read back every acknowledged write. A write the server acknowledged and no longer has is "missing";
// writes that failed or timed out may or may not have landed and are not judged.
import type { Redis } from 'ioredis';
import { FalkorError } from '../errors.js';
import { close, errorText, openConnection } from './conn.js';
import { now } from './run.js';
import type { Missing, Target, WriteLoadReport, WriteLoadRun } from './types.js';

export interface VerifyOptions extends Target {
  /** Keep trying to reach a serving endpoint this long (a restarted server may still be loading). Default 15 s. */
  waitMs?: number;
  /** Per-command timeout of the read-back. Default 10 s. */
  opTimeoutMs?: number;
  /** Sequence numbers per read-back query (graph range, MGET). Default 5000. */
  batch?: number;
}

const BATCH = 5_000;

export async function verify(o: VerifyOptions, run: WriteLoadRun): Promise<WriteLoadReport> {
  const report = (missing: Missing[], verifiedAgainst: string, verifiedRole = '') =>
    toReport(run, { missing, verifiedAgainst, verifiedRole });
  // Nothing acknowledged, nothing to read back: do not wait for an endpoint that may never come.
  if (run.acked.graphAcked.length + run.acked.kvAcked.length === 0)
    return report([], 'nothing (no write was acknowledged)');
  const c = await reach(o);
  const batch = o.batch ?? BATCH;
  try {
    const who = await whoAnswered(c);
    const missing = [...(await missingNodes(c, run, batch)), ...(await missingKeys(c, run, batch))];
    return report(missing, `${o.host}:${o.port} (${who.text})`, who.role);
  } catch (e) {
    if (e instanceof FalkorError) throw e;
    throw new FalkorError('FAILED', `verification against ${o.host}:${o.port} failed: ${errorText(e)}`, { cause: e });
  } finally {
    close(c);
  }
}

/** The run's numbers with the read-back's findings; also used to report a run whose read-back failed. */
export function toReport(
  run: WriteLoadRun,
  v: Pick<WriteLoadReport, 'missing' | 'verifiedAgainst' | 'verifiedRole' | 'unverified'>,
): WriteLoadReport {
  const { startedAt: _startedAt, ...stats } = run.stats;
  return {
    runId: run.acked.runId,
    ...stats,
    ackedGraph: run.acked.graphAcked.length,
    ackedKv: run.acked.kvAcked.length,
    ...v,
  };
}

export async function reach(o: VerifyOptions): Promise<Redis> {
  const deadline = now() + (o.waitMs ?? 15_000);
  let last = '';
  for (;;) {
    try {
      // Connecting includes a PING, which fails with LOADING while a restarted server reads its AOF.
      const connectMs = Math.min(5_000, Math.max(250, deadline - now()));
      return await openConnection(o, connectMs, o.opTimeoutMs ?? 10_000);
    } catch (e) {
      last = errorText(e);
    }
    if (now() >= deadline) {
      throw new FalkorError('FAILED', `cannot verify: ${o.host}:${o.port} did not answer (${last})`, {
        hint: 'the acknowledged writes are unverified, not lost; retry when the endpoint serves again',
      });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function whoAnswered(c: Redis): Promise<{ role: string; text: string }> {
  const info = String(await c.info('server')) + String(await c.info('replication'));
  const field = (k: string) => new RegExp(`^${k}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
  return {
    role: field('role'),
    text: `role ${field('role')}, port ${field('tcp_port')}, run_id ${field('run_id').slice(0, 12)}`,
  };
}

async function missingNodes(c: Redis, run: WriteLoadRun, batch: number): Promise<Missing[]> {
  const seqs = run.acked.graphAcked;
  if (seqs.length === 0) return [];
  const present = new Set<number>();
  const lo = seqs[0]!; // ascending: attempts are sequential
  const hi = seqs[seqs.length - 1]!;
  // Ranges keep each reply bounded however long the run was.
  for (let from = lo; from <= hi; from += batch) {
    const q = `CYPHER run='${run.acked.runId}' lo=${from} hi=${from + batch} MATCH (n:W {run: $run}) WHERE n.seq >= $lo AND n.seq < $hi RETURN n.seq`;
    for (const s of rows(await readGraph(c, run.acked.graph, q))) present.add(s);
  }
  return seqs.filter((s) => !present.has(s)).map((seq) => ({ kind: 'graph' as const, seq }));
}

async function readGraph(c: Redis, graph: string, q: string): Promise<unknown> {
  try {
    return await c.call('GRAPH.RO_QUERY', graph, q);
  } catch (e) {
    // The whole graph is gone (e.g. a server restarted without persistence): every node is missing.
    if (/empty key|does not exist/i.test(errorText(e))) return [[], []];
    throw e;
  }
}

function rows(reply: unknown): number[] {
  if (!Array.isArray(reply) || !Array.isArray(reply[1])) throw new Error('unexpected GRAPH.RO_QUERY reply shape');
  return (reply[1] as unknown[][]).map((r) => Number(r[0]));
}

async function missingKeys(c: Redis, run: WriteLoadRun, batch: number): Promise<Missing[]> {
  const seqs = run.acked.kvAcked;
  const out: Missing[] = [];
  for (let i = 0; i < seqs.length; i += batch) {
    const part = seqs.slice(i, i + batch);
    const values = await c.mget(part.map((s) => `${run.acked.keyPrefix}:${s}`));
    part.forEach((seq, j) => {
      if (values[j] !== String(seq)) out.push({ kind: 'kv', seq });
    });
  }
  return out;
}
