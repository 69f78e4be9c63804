import { edit, lineOf, type Case } from './cases.js';

const PW = '"k7#Qw9vXz2LmN4pR8sT1uY6bC3dF5gH0"';
// A complete node config that lints clean.
export const BASE = [
  '# FalkorDB node',
  'loadmodule /usr/lib/falkordb/falkordb.so',
  'bind 10.0.0.11',
  'port 6379',
  `requirepass ${PW}`,
  `masterauth ${PW}`,
  'dir /var/lib/falkordb',
  'maxmemory 4gb',
  'maxmemory-policy noeviction',
  'appendonly yes',
  'min-replicas-to-write 1',
  'repl-backlog-size 256mb',
];
const base = (changes: Record<string, string | null> = {}, ...extra: string[]) => edit(BASE, changes, ...extra);
const good = base();
const r = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'redis',
  name,
  bad,
  good,
  ...more,
});
const noAuth = { requirepass: null, masterauth: null };

export const REDIS: Case[] = [
  r('redis/eviction-deletes-graphs', 'allkeys-lru', base({ 'maxmemory-policy': 'allkeys-lru' }), {
    line: 9,
    severity: 'error',
  }),
  r('redis/eviction-deletes-graphs', 'volatile-lru is a warning', base({ 'maxmemory-policy': 'volatile-lru' }), {
    severity: 'warning',
    good: base({ 'maxmemory-policy': null }),
  }),
  r('redis/maxmemory-unset', 'no maxmemory', base({ maxmemory: null })),
  r('redis/maxmemory-unset', 'maxmemory 0', base({ maxmemory: '0' }), { line: 8 }),
  r('redis/maxmemory-unset', 'silent in a fragment', base({ maxmemory: null }), {
    good: 'port 0\ntls-port 6380\ntls-replication yes\n',
  }),
  r('redis/maxmemory-unit', '48g is powers of 1000', base({ maxmemory: '48g' }), {
    severity: 'warning',
    message: '48,000,000,000',
    good: base({ maxmemory: '48GB' }),
  }),
  r('redis/maxmemory-unit', 'GiB is rejected by Redis', base({ maxmemory: '48GiB' }), { severity: 'error' }),
  r('redis/maxmemory-unit', 'a bare number is bytes', base({ maxmemory: '48' }), {
    severity: 'error',
    message: '48 bytes',
  }),
  r('redis/module-missing', 'falkordb config without module', base({ loadmodule: null }), { severity: 'error' }),
  r('redis/module-missing', 'silent for a plain Redis cache', base({ loadmodule: null }), {
    file: '/etc/redis/cache.conf',
    bad: edit(BASE.slice(1), { loadmodule: null, dir: '/var/lib/falkordb' }),
    good: edit(BASE.slice(1), { loadmodule: null, dir: '/var/lib/redis' }),
  }),
  r('redis/module-missing', 'silent when an unreadable include may load it', base({ loadmodule: null }), {
    good: base({ loadmodule: null }, 'include /etc/falkordb/modules.conf'),
  }),
  r('redis/module-missing', 'found through a readable include', base({ loadmodule: null }), {
    good: base({ loadmodule: null }, 'include /etc/falkordb/modules.conf'),
    files: { 'modules.conf': 'loadmodule /usr/lib/falkordb/falkordb.so\n' },
  }),
  r('redis/module-path-relative', 'relative path', base({ loadmodule: 'falkordb.so' }), { line: 2 }),
  r('redis/no-persistence', 'AOF off and save ""', base({ appendonly: 'no' }, 'save ""'), {
    good: base({}, 'save ""'),
  }),
  r('redis/persistence-implicit', 'AOF off, no save', base({ appendonly: 'no' }), {
    severity: 'info',
    good: base({ appendonly: 'no' }, 'save 900 1'),
  }),
  r('redis/appendfsync', 'appendfsync no', base({}, 'appendfsync no'), {
    severity: 'warning',
    good: base({}, 'appendfsync everysec'),
  }),
  r('redis/appendfsync', 'appendfsync always is info', base({}, 'appendfsync always'), { severity: 'info' }),
  r('redis/bgsave-errors-ignored', 'writes go on while snapshots fail', base({}, 'stop-writes-on-bgsave-error no'), {
    line: 13,
    good: base({}, 'stop-writes-on-bgsave-error yes'),
  }),
  r('redis/password-in-config', 'password written in the main config', base(), {
    line: 5,
    severity: 'info',
    good: base({ requirepass: null, masterauth: null }, 'include /etc/falkordb/secrets.conf'),
    files: { 'secrets.conf': `requirepass ${PW}\nmasterauth ${PW}\n` },
  }),
  r(
    'redis/repl-timeout-short',
    'timeout not above the ping period',
    base({}, 'repl-ping-replica-period 10', 'repl-timeout 10'),
    { line: 14, good: base({}, 'repl-ping-replica-period 10', 'repl-timeout 60') },
  ),
  r('redis/save-syntax', 'odd save arguments', base({}, 'save 900'), { good: base({}, 'save 900 1 300 10 60 10000') }),
  r('redis/requirepass-without-masterauth', 'master without masterauth', base({ masterauth: null }), { line: 5 }),
  r('redis/requirepass-without-masterauth', 'silent when an include may set it', base({ masterauth: null }), {
    good: base({ masterauth: null }, 'include /etc/falkordb/auth.conf'),
  }),
  r('redis/weak-password', 'short password', base({ requirepass: 'secret', masterauth: 'secret' })),
  r('redis/rename-breaks-sentinel', 'CONFIG renamed', base({}, 'rename-command CONFIG CONFIG_x'), {
    severity: 'error',
    good: base({}, 'rename-command FLUSHALL ""'),
  }),
  r('redis/rename-breaks-sentinel', 'REPLICAOF disabled', base({}, 'rename-command REPLICAOF ""'), {
    severity: 'error',
    message: 'disabled',
  }),
  r('redis/rename-breaks-sentinel', 'SHUTDOWN renamed', base({}, 'rename-command shutdown s_x'), {
    severity: 'warning',
  }),
  r('redis/bind-all-no-auth', 'open without a password', base({ ...noAuth, bind: '0.0.0.0' })),
  r('redis/bind-all-no-auth', 'an ACL counts as auth', base({ ...noAuth, bind: '0.0.0.0' }), {
    good: base({ ...noAuth, bind: '0.0.0.0' }, 'user default off', 'masteruser repl', `masterauth ${PW}`),
  }),
  r('redis/protected-mode-off', 'with auth: warning', base({}, 'protected-mode no'), {
    severity: 'warning',
    good: base({}, 'protected-mode yes'),
  }),
  r('redis/protected-mode-off', 'without auth: error', base(noAuth, 'protected-mode no'), { severity: 'error' }),
  r('redis/protected-mode-off', 'in a fragment: warning (auth may be elsewhere)', 'protected-mode no\n', {
    severity: 'warning',
  }),
  r('redis/tls-plaintext-port-open', 'tls-port with port 6379', base({}, 'tls-port 6380'), {
    good: base({ port: '0' }, 'tls-port 6380', 'tls-replication yes'),
  }),
  r('redis/tls-replication-off', 'port 0 in a full config: error', base({ port: '0' }, 'tls-port 6380'), {
    severity: 'error',
    good: base({ port: '0' }, 'tls-port 6380', 'tls-replication yes'),
  }),
  r('redis/tls-replication-off', 'port 0 in a fragment: warning', 'port 0\ntls-port 6380\n', {
    severity: 'warning',
    line: 1,
  }),
  r('redis/acl-default-off-no-masteruser', 'default off', base({}, 'user default off'), {
    good: base({}, 'user default off', 'masteruser replication'),
  }),
  r('redis/acl-nopass', 'nopass user', base({}, 'user app on nopass ~* +@all'), {
    good: base({}, 'user app on >k7Qw9vXz2LmN4pR8sT1uY6bC3dF5 ~* +@all'),
  }),
  r('redis/replica-writable', 'replica-read-only no', base({}, 'replicaof 10.0.0.11 6379', 'replica-read-only no'), {
    good: base({}, 'replicaof 10.0.0.11 6379', 'replica-read-only yes', 'replica-serve-stale-data no'),
  }),
  r('redis/replica-serve-stale-data', 'replica with the default', base({}, 'replicaof 10.0.0.11 6379'), {
    severity: 'info',
  }),
  r('redis/replica-serve-stale-data', 'explicit yes', base({}, 'replica-serve-stale-data yes'), {
    line: 13,
    good: base({}, 'replica-serve-stale-data no'),
  }),
  r('redis/min-replicas-unset', 'master without min-replicas', base({ 'min-replicas-to-write': null }), {
    severity: 'info',
    good: base({ 'min-replicas-to-write': null }, 'replicaof 10.0.0.11 6379', 'replica-serve-stale-data no'),
  }),
  r('redis/repl-backlog-small', 'default backlog', base({ 'repl-backlog-size': null }), { severity: 'info' }),
  r('redis/repl-backlog-small', '1mb backlog', base({ 'repl-backlog-size': '1mb' }), { line: 12 }),
  r('redis/syntax', 'unbalanced quotes', base({ requirepass: '"abc', masterauth: null })),
  r('redis/syntax', 'text glued to a closing quote', base({}, 'logfile "/var/log/a"b'), {
    good: base({}, 'logfile "/var/log/a b"'),
  }),
  r('redis/placeholder', '${VAR}', base({ requirepass: '${REDIS_PASSWORD}', masterauth: '${REDIS_PASSWORD}' }), {
    line: 5,
  }),
  r('redis/placeholder', '$(command)', base({ requirepass: '$(openssl rand -base64 32)' }), {
    message: '$(openssl rand -base64 32)',
  }),
  r('redis/placeholder', 'a lone $NAME', base({ requirepass: '$REDIS_PASSWORD', masterauth: '$REDIS_PASSWORD' }), {
    good: base({
      requirepass: '"k7#Qw9vX$z2LmN4pR8sT1uY6bC3dF5gH0"',
      masterauth: '"k7#Qw9vX$z2LmN4pR8sT1uY6bC3dF5gH0"',
    }),
  }),
  r('redis/unknown-directive', 'typo', base({}, 'maxmemroy-policy noeviction'), {
    message: 'did you mean "maxmemory-policy"',
    good: base({}, 'falkordb.TIMEOUT 1000'),
  }),
  r('redis/unknown-directive', 'sentinel line in a Redis config', base({}, 'sentinel monitor m 10.0.0.1 6379 2')),
  r('redis/duplicate-directive', 'maxmemory twice', base({}, 'maxmemory 8gb'), {
    line: 13,
    good: base({}, 'save 900 1', 'save 300 10'),
  }),
  r('redis/relative-path', 'relative logfile', base({}, 'logfile falkordb.log'), { good: base({}, 'logfile ""') }),
  r('redis/relative-path', 'relative dir', base({ dir: 'data' })),
  r('redis/daemonize-under-systemd', 'daemonize yes', base({}, 'daemonize yes'), {
    good: base({}, 'daemonize no', 'supervised systemd'),
  }),
  r('redis/wrong-arity', 'two values', base({ requirepass: 'a b' })),
  r('redis/wrong-arity', 'quoted value with a space is one argument', base({ dir: '/var/lib/falkor db' }), {
    good: base({ dir: '"/var/lib/falkor db"' }),
  }),
];

export { lineOf };
