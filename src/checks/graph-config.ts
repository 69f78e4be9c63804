// The graph module as each node runs it: its GRAPH.CONFIG values equal to the inventory's falkordb.params (the
// loadmodule arguments deploy renders) and the same on every node for what the inventory leaves to the module,
// and GRAPH.LIST agreeing with the graph keys. A runtime GRAPH.CONFIG SET on one node, or a graph key moved out
// of database 0, is invisible to status and to the config files; it shows here. Pure evaluation of
// env.graphs()'s facts (src/facts/graphs.ts).
import { normalize } from '../config-update/classify.js';
import type { GraphFacts } from '../facts/graphs.js';
import { GRAPH_TYPE, SCAN_COUNT } from '../facts/graphs.js';
import type { Inventory } from '../inventory/schema.js';
import { ITEMS, type Area, type CheckResult } from './types.js';

const CONFIG_EVIDENCE = 'GRAPH.CONFIG GET *';
const LIST_EVIDENCE = `GRAPH.LIST; SCAN <cursor> TYPE ${GRAPH_TYPE} COUNT ${SCAN_COUNT} (from 0 until 0); GRAPH.LIST`;
// yes/no against 1/0, 0250 against 250: config update's own comparison
const norm = (v: string) => normalize('module', v);
const pairsText = (kv: [string, string][]) => kv.map(([k, v]) => `${k}=${v}`).join(', ');
const names = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ');

/** The parameters the inventory sets, as the loadmodule line renders them. */
export function expectedParams(inv: Inventory): [string, string][] {
  return Object.entries(inv.falkordb.params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]));
}

/** A node that is down is reported by the replication checks; here it is skipped, with why. */
function down(f: GraphFacts, base: Omit<CheckResult, 'outcome'>): CheckResult {
  return {
    ...base,
    outcome: 'skip',
    reason: `${f.host} did not answer (${f.error ?? '?'}): the cluster checks fail it`,
  };
}

export function graphConfigChecks(inv: Inventory, facts: readonly GraphFacts[]): CheckResult[] {
  const want = expectedParams(inv);
  const out: CheckResult[] = [];
  for (const f of facts) {
    const base = {
      id: `falkordb.graph-config:${f.host}`,
      title: `${f.host}: GRAPH.CONFIG values equal to the inventory's falkordb.params`,
      item: ITEMS.config,
      phase: 'post' as const,
      host: f.host,
      evidence: CONFIG_EVIDENCE,
    };
    if (!f.up) out.push(down(f, base));
    else if (!f.config) out.push({ ...base, outcome: 'fail', reason: `could not read: ${f.error ?? '?'}` });
    else if (!want.length)
      out.push({
        ...base,
        outcome: 'skip',
        reason:
          'the inventory sets no falkordb.params: the nodes run the module defaults (falkordb.same-graph-config compares them)',
      });
    else {
      const cfg = f.config;
      const bad = want.filter(([k, v]) => cfg[k] === undefined || norm(cfg[k]) !== norm(v));
      out.push(
        bad.length
          ? {
              ...base,
              outcome: 'fail',
              found: pairsText(bad.map(([k]) => [k, cfg[k] ?? '(not reported)'])),
              expected: pairsText(bad),
              reason:
                'a runtime GRAPH.CONFIG SET or a start with other arguments: falkorctl config update puts it back',
            }
          : { ...base, outcome: 'pass', found: pairsText(want.map(([k]) => [k, cfg[k]!])) },
      );
    }
  }
  out.push(sameConfig(inv, facts));
  return out;
}

/** What the inventory leaves to the module must still be one value across the nodes. */
function sameConfig(inv: Inventory, facts: readonly GraphFacts[]): CheckResult {
  const base = {
    id: 'falkordb.same-graph-config',
    title: 'the same GRAPH.CONFIG values on every node (parameters the inventory does not set)',
    item: ITEMS.config,
    phase: 'post' as const,
    evidence: CONFIG_EVIDENCE,
  };
  const read = facts.filter((f): f is GraphFacts & { config: Record<string, string> } => f.up && !!f.config);
  if (read.length < 2)
    return {
      ...base,
      outcome: 'skip',
      reason: `${read.length} node(s) answered GRAPH.CONFIG GET (of ${facts.length} in scope): nothing to compare`,
    };
  const set = new Set(expectedParams(inv).map(([k]) => k));
  const all = [...new Set(read.flatMap((f) => Object.keys(f.config)))].filter((k) => !set.has(k)).sort();
  const differ = all.filter((k) => new Set(read.map((f) => (k in f.config ? norm(f.config[k]!) : '?'))).size > 1);
  if (!differ.length)
    return {
      ...base,
      outcome: 'pass',
      found: `${all.length} parameters equal on ${read.map((f) => f.host).join(', ')}`,
    };
  return {
    ...base,
    outcome: 'warn',
    found: differ
      .map((k) => `${k}: ${read.map((f) => `${f.host} ${f.config[k] ?? '(not reported)'}`).join(', ')}`)
      .join('; '),
    expected: 'one value per parameter',
    reason:
      'the inventory does not set these: each node runs its own default (THREAD_COUNT and OMP_THREAD_COUNT follow ' +
      "the host's cores) or a runtime GRAPH.CONFIG SET; set them in falkordb.params to make them one value",
  };
}

export function graphListChecks(facts: readonly GraphFacts[]): CheckResult[] {
  return facts.map((f) => {
    const base = {
      id: `falkordb.graph-list:${f.host}`,
      title: `${f.host}: GRAPH.LIST agrees with the graph keys (${GRAPH_TYPE}) in database 0`,
      item: ITEMS.health,
      phase: 'deploy' as const,
      host: f.host,
      evidence: LIST_EVIDENCE,
    };
    if (!f.up) return down(f, base);
    if (!f.list || !f.listAfter || !f.keys)
      return { ...base, outcome: 'fail', reason: `could not read: ${f.error ?? '?'}` };
    // listed in both GRAPH.LISTs: a graph deleted during the scan is not missing; one created then is not extra
    const after = new Set(f.listAfter);
    const keys = new Set(f.keys);
    const listed = new Set([...f.list, ...f.listAfter]);
    const missing = f.list.filter((g) => after.has(g) && !keys.has(g));
    const extra = f.keys.filter((k) => !listed.has(k));
    // keys the scan did not reach are unknown, not missing: only an unlisted key it saw is a finding then
    if (!f.scanComplete && !extra.length)
      return {
        ...base,
        outcome: 'skip',
        reason: `scan incomplete: its deadline ended it after ${f.scans ?? 0} SCAN calls, ${f.keys.length} graph keys seen, ${f.list.length} listed`,
      };
    const problems = [
      f.scanComplete && missing.length ? `listed without a graph key: ${names(missing)}` : '',
      extra.length ? `graph keys not listed: ${names(extra)}` : '',
    ].filter(Boolean);
    if (!problems.length) return { ...base, outcome: 'pass', found: `${f.list.length} graph(s), each with its key` };
    return {
      ...base,
      outcome: 'fail',
      found: problems.join('; '),
      expected: 'the same names',
      reason: 'a graph in another database (MOVE, SELECT) or a module fault: backups and clients of db 0 miss it',
    };
  });
}

export const graphs: Area = {
  name: 'graphs',
  // its checks are FalkorDB's: --only falkordb reaches them
  prefixes: ['falkordb.graph-config', 'falkordb.same-graph-config', 'falkordb.graph-list'],
  async run(env) {
    const facts = await env.graphs();
    return [...graphConfigChecks(env.inv, facts), ...graphListChecks(facts)];
  },
};
