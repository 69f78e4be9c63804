// What each database node's graph module says about itself, for the checklist: its GRAPH.CONFIG values, the
// graphs it lists and the graph keys it holds. A node that cannot be reached is a fact (up: false), a command
// it refuses is one too (error), never an exception. Keys are scanned in database 0, the one every falkorctl
// client, HAProxy and the backup use; the scan is bounded by a deadline, and one that runs out says so
// (scanComplete: false) instead of leaving the keys it did not reach to look missing.
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import type { RedisFactory } from '../redis/client.js';
import { errorOf, nodePort } from './nodes.js';

/** The type name FalkorDB's keys report (`TYPE key`; measured on FalkorDB 4.16). */
export const GRAPH_TYPE = 'graphdata';
export const SCAN_COUNT = 1000;
export const SCAN_DEADLINE_MS = 15_000;

export interface GraphFacts {
  host: string;
  up: boolean;
  /** Why the node could not be reached (up: false) or a command failed (up: true). */
  error?: string;
  /** GRAPH.CONFIG GET * by name; numbers as their decimal text. */
  config?: Record<string, string>;
  /** GRAPH.LIST before the scan and after it: a graph created or deleted meanwhile is in only one of them. */
  list?: string[];
  listAfter?: string[];
  /** Graph keys the scan saw, sorted, each once (SCAN may repeat a key). */
  keys?: string[];
  /** false when the deadline ended the scan before its cursor came back to 0. */
  scanComplete?: boolean;
  /** SCAN calls made. */
  scans?: number;
}

export interface GraphFactsOpts {
  now: () => number;
  /** Per node, for the whole scan (each command is bounded by the connection's own timeout too). */
  deadlineMs?: number;
  timeoutMs?: number;
}

const strings = (reply: unknown): string[] => (Array.isArray(reply) ? reply.map(String) : []);

export async function graphFacts(
  inv: Inventory,
  host: Host,
  factory: RedisFactory,
  secrets: Pick<Secrets, 'password'>,
  o: GraphFactsOpts,
): Promise<GraphFacts> {
  let r;
  try {
    r = await factory.open(host, nodePort(inv), { password: secrets.password, timeoutMs: o.timeoutMs });
  } catch (e) {
    return { host: host.name, up: false, error: errorOf(e).error };
  }
  const out: GraphFacts = { host: host.name, up: true };
  try {
    const config: Record<string, string> = {};
    for (const kv of (await r.call('GRAPH.CONFIG', 'GET', '*')) as unknown[][]) config[String(kv[0])] = String(kv[1]);
    out.config = config;
    out.list = strings(await r.call('GRAPH.LIST')).sort();
    const end = o.now() + (o.deadlineMs ?? SCAN_DEADLINE_MS);
    const keys = new Set<string>();
    let cursor = '0';
    let scans = 0;
    for (;;) {
      const [next, batch] = (await r.call('SCAN', cursor, 'TYPE', GRAPH_TYPE, 'COUNT', SCAN_COUNT)) as [
        unknown,
        unknown,
      ];
      scans++;
      for (const k of strings(batch)) keys.add(k);
      cursor = String(next);
      if (cursor === '0' || o.now() >= end) break;
    }
    out.keys = [...keys].sort();
    out.scanComplete = cursor === '0';
    out.scans = scans;
    out.listAfter = strings(await r.call('GRAPH.LIST')).sort();
    return out;
  } catch (e) {
    return { ...out, error: errorOf(e).error };
  } finally {
    await r.close();
  }
}

/** Every database host given, at once (three to a handful of nodes: one connection each). */
export function gatherGraphs(
  inv: Inventory,
  hosts: readonly Host[],
  factory: RedisFactory,
  secrets: Pick<Secrets, 'password'>,
  o: GraphFactsOpts,
): Promise<GraphFacts[]> {
  return Promise.all(hosts.map((h) => graphFacts(inv, h, factory, secrets, o)));
}
