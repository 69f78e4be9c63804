// Prometheus alerting rules over redis_exporter metrics.
import { report, rule } from './rule.js';
import type { Finding } from './types.js';
import { at, items, parseYaml, str } from './yaml/doc.js';

export const P = {
  yaml: rule(
    'prometheus/yaml-syntax',
    'error',
    'Prometheus refuses a rule file it cannot parse.',
    'Fix the YAML syntax at this line (check with `promtool check rules`).',
  ),
  unknownMetric: rule(
    'prometheus/unknown-metric',
    'error',
    'redis_exporter does not export this metric: the expression matches nothing and the alert can never fire.',
    "Use the exporter's name (see the suggestion), and check with `curl exporter:9121/metrics`.",
  ),
  unguardedRatio: rule(
    'prometheus/ratio-over-maxmemory',
    'warning',
    'With maxmemory 0 (unlimited) redis_memory_max_bytes is 0 and the ratio is +Inf: the alert fires forever (or NaN hides it).',
    'Guard the divisor: `... / (redis_memory_max_bytes > 0) > 0.9`.',
  ),
  noGroups: rule(
    'prometheus/no-rules',
    'warning',
    'The file defines no alerting or recording rules.',
    'Add `groups: [{name, rules: [...]}]`.',
  ),
};

// Names people expect from INFO fields, mapped to what redis_exporter actually exports.
const WRONG: Record<string, string> = {
  redis_replica_repl_offset:
    'redis_slave_repl_offset (on replicas) or redis_connected_slave_lag_seconds (on the master)',
  redis_replica_offset: 'redis_slave_repl_offset',
  redis_replication_lag: 'redis_connected_slave_lag_seconds',
  redis_replica_lag_seconds: 'redis_connected_slave_lag_seconds',
  redis_used_memory: 'redis_memory_used_bytes',
  redis_used_memory_bytes: 'redis_memory_used_bytes',
  redis_maxmemory: 'redis_memory_max_bytes',
  redis_maxmemory_bytes: 'redis_memory_max_bytes',
  redis_connected_replicas: 'redis_connected_slaves',
  redis_master_link_status: 'redis_master_link_up',
  redis_rdb_last_bgsave_status_ok: 'redis_rdb_last_bgsave_status',
  redis_keys: 'redis_db_keys',
};

export function lintPrometheus(file: string, text: string): Finding[] {
  const y = parseYaml(text);
  const out: Finding[] = y.errors.map((e) => report(P.yaml, file, e.line, e.message));
  let count = 0;
  for (const doc of y.docs) {
    for (const g of items(at(doc.contents, 'groups'))) {
      for (const r of items(at(g, 'rules'))) {
        count++;
        const exprNode = at(r, 'expr');
        const expr = str(exprNode) ?? '';
        const line = y.lineOf(exprNode, y.lineOf(r));
        const name = str(at(r, 'alert')) ?? str(at(r, 'record')) ?? '?';
        for (const m of new Set(expr.match(/\bredis_[a-z0-9_]+/g) ?? [])) {
          if (WRONG[m]) out.push(report(P.unknownMetric, file, line, `${name}: ${m} does not exist; use ${WRONG[m]}`));
        }
        if (/\/\s*redis_memory_max_bytes\b/.test(expr) && !/redis_memory_max_bytes\s*(>|!=)\s*0(?![.\d])/.test(expr))
          out.push(
            report(P.unguardedRatio, file, line, `${name}: divides by redis_memory_max_bytes without excluding 0`),
          );
      }
    }
  }
  if (count === 0 && out.length === 0) out.push(report(P.noGroups, file, 1, 'no rules found'));
  return out;
}
