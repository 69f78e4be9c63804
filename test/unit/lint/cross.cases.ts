// Cross-config rules, exercised inside one ConfigMap (configs of one YAML file form one deployment).
import type { Case } from './cases.js';

const PW = 'k7Qw9vXz2LmN4pR8sT1uY6bC3dF5gH0a';
const node = (extra: string[] = [], pw = PW, mm = '4gb') => [
  'loadmodule /usr/lib/falkordb/falkordb.so',
  'dir /var/lib/falkordb',
  `maxmemory ${mm}`,
  'appendonly yes',
  `requirepass ${pw}`,
  `masterauth ${pw}`,
  'min-replicas-to-write 1',
  'repl-backlog-size 256mb',
  ...extra,
];
const replica = (extra: string[] = [], pw = PW, mm = '4gb') =>
  node(['replicaof 10.0.0.11 6379', 'replica-serve-stale-data no', ...extra], pw, mm);
const sentinel = (extra: string[] = [`sentinel auth-pass falkordb ${PW}`]) => [
  'bind 10.0.0.21',
  'requirepass Sx8kP2vLq9mZ4rT7wN1bY6cF3dH5gJ0b',
  'sentinel monitor falkordb 10.0.0.11 6379 2',
  'sentinel down-after-milliseconds falkordb 30000',
  ...extra,
];

const configMap = (entries: Record<string, string[]>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: falkordb\ndata:\n${Object.entries(entries)
    .map(([k, lines]) => `  ${k}: |\n${lines.map((l) => `    ${l}`).join('\n')}\n`)
    .join('')}`;

const good = configMap({ 'master.conf': node(), 'replica.conf': replica(), 'sentinel.conf': sentinel() });
const x = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'kubernetes',
  name,
  bad,
  good,
  ...more,
});

export const CROSS: Case[] = [
  x(
    'cross/masterauth-mismatch',
    'replica authenticates with another password',
    configMap({
      'master.conf': node(),
      'replica.conf': replica().map((l) => (l.startsWith('masterauth') ? 'masterauth otherpasswordotherpassword' : l)),
    }),
  ),
  x(
    'cross/passwords-differ',
    'replica has its own password',
    configMap({
      'master.conf': node(),
      'replica.conf': replica([], 'Zz9yYxXwWvVuUtTsSrRqQpPoOnNmMlLk').map((l) =>
        l.startsWith('masterauth') ? `masterauth ${PW}` : l,
      ),
    }),
    {
      message: 'differs from the master',
    },
  ),
  x(
    'cross/maxmemory-differs',
    'smaller replica',
    configMap({ 'master.conf': node([], PW, '48gb'), 'replica.conf': replica([], PW, '24gb') }),
    { message: 'below the master' },
  ),
  x(
    'cross/settings-differ',
    'replica persists and evicts differently',
    configMap({
      'master.conf': node(['save 900 1']),
      'replica.conf': replica(['maxmemory-policy allkeys-lru', 'rename-command CONFIG c0nf']),
    }),
    {
      message: 'in: maxmemory-policy, save, rename-command',
      good: configMap({
        'master.conf': node(['save 900 1', 'save 300 10']),
        'replica.conf': replica(['save 900 1 300 10']),
      }),
    },
  ),
  x(
    'cross/no-promotable-replica',
    'the only replica has priority 0',
    configMap({ 'master.conf': node(), 'replica.conf': replica(['replica-priority 0']) }),
    {
      good: configMap({
        'master.conf': node(),
        'replica.conf': replica(['replica-priority 0']),
        'replica2.conf': replica(['replica-priority 100']),
      }),
    },
  ),
  x(
    'cross/module-differs',
    'replica without the module',
    configMap({ 'master.conf': node(), 'replica.conf': replica().filter((l) => !l.startsWith('loadmodule')) }),
  ),
  x(
    'cross/sentinel-auth-pass',
    'missing auth-pass',
    configMap({ 'master.conf': node(), 'sentinel.conf': sentinel([]) }),
    { message: 'no auth-pass' },
  ),
  x(
    'cross/sentinel-auth-pass',
    'wrong auth-pass',
    configMap({
      'master.conf': node(),
      'sentinel.conf': sentinel(['sentinel auth-pass falkordb wrongwrongwrongwrong']),
    }),
    { message: 'differs from the master' },
  ),
];
