import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Case } from './cases.js';
import { GOOD } from './helpers.js';

const good = readFileSync(path.join(GOOD, 'alerts.yml'), 'utf8');
const p = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'prometheus',
  name,
  bad,
  good,
  ...more,
});
const alert = (expr: string) => `groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: ${expr}\n`;

export const PROMETHEUS: Case[] = [
  p('prometheus/yaml-syntax', 'broken YAML', 'groups: [\n'),
  p(
    'prometheus/unknown-metric',
    'redis_replica_repl_offset',
    alert('redis_master_repl_offset - redis_replica_repl_offset > 1000000'),
    { line: 5, message: 'redis_connected_slave_lag_seconds' },
  ),
  p(
    'prometheus/ratio-over-maxmemory',
    'unguarded ratio',
    alert('redis_memory_used_bytes / redis_memory_max_bytes > 0.9'),
    {
      line: 5,
      good: alert('redis_memory_used_bytes / redis_memory_max_bytes > 0.9 and redis_memory_max_bytes > 0'),
    },
  ),
  p('prometheus/no-rules', 'no rules', 'groups: []\n'),
];
