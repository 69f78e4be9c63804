import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Case } from './cases.js';
import { GOOD } from './helpers.js';

const read = (f: string) => readFileSync(path.join(GOOD, f), 'utf8');
const good = read('compose.yml');
const files = { 'falkordb.conf': read('falkordb.conf'), 'secrets.conf': read('secrets.conf') };
const c = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'compose',
  name,
  bad,
  good,
  files,
  file: '/srv/app/compose.yml',
  ...more,
});
const sub = (from: string | RegExp, to: string) => {
  const out = good.replace(from, to);
  if (out === good) throw new Error(`case setup: ${from} not found`);
  return out;
};

// A small service whose settings come from argv flags.
const flags = (cmd: string, extra = '') => `services:
  db:
    image: falkordb/falkordb:v4.10.3
    command: ${cmd}
    healthcheck:
      test: ["CMD-SHELL", "redis-cli ping"]
    deploy:
      resources:
        limits:
          memory: 8G
${extra}`;

const sentinel = (mount: string, replicas = 1) => `services:
  sentinel:
    image: redis:8.2.3
    command: redis-sentinel /etc/redis/sentinel.conf
    volumes:
      - ${mount}
    deploy:
      replicas: ${replicas}
`;

export const COMPOSE: Case[] = [
  c('compose/yaml-syntax', 'broken YAML', 'services:\n  db:\n    image: [unclosed\n', {
    good: flags('["redis-server", "--maxmemory", "4gb"]'),
  }),
  c('compose/version-obsolete', 'version key', `version: '3.8'\n${good}`, { line: 1, severity: 'info' }),
  c('compose/image-latest', ':latest', sub('falkordb/falkordb:v4.10.3', 'falkordb/falkordb:latest'), { line: 3 }),
  c('compose/image-latest', 'no tag at all', sub('falkordb/falkordb:v4.10.3', 'falkordb/falkordb'), {
    good: sub('falkordb/falkordb:v4.10.3', 'falkordb/falkordb@sha256:0123456789abcdef'),
  }),
  c(
    'compose/password-in-argv',
    'redis-cli -a in the healthcheck',
    sub(/test: \[.*\]/, 'test: ["CMD", "redis-cli", "-a", "${REDIS_PASSWORD}", "ping"]'),
    { line: 19 },
  ),
  c(
    'compose/password-in-argv',
    '--requirepass on the command line',
    flags('redis-server --requirepass ${REDIS_PASSWORD} --maxmemory 4gb'),
    { good: flags('redis-server /etc/falkordb/falkordb.conf') },
  ),
  c('compose/sentinel-config-readonly', 'config mounted :ro', sentinel('./sentinel.conf:/etc/redis/sentinel.conf:ro'), {
    line: 6,
    good: sentinel('sentinel_data:/etc/redis'),
  }),
  c(
    'compose/sentinel-config-readonly',
    'long syntax read_only',
    sentinel('{ type: bind, source: ./sentinel.conf, target: /etc/redis/sentinel.conf, read_only: true }'),
  ),
  c(
    'compose/redis-config-readonly',
    'redis-server runs from a :ro file',
    sub(/ {4}entrypoint: .*\n/, '    command: ["redis-server", "/template/falkordb.conf"]\n'),
    { line: 9 },
  ),
  c(
    'compose/sentinel-config-readonly',
    'a single-file bind mount, even read-write',
    sentinel('./sentinel.conf:/etc/redis/sentinel.conf'),
    { message: 'as a single file' },
  ),
  c(
    'compose/redis-config-readonly',
    'a single-file bind mount, even read-write',
    flags(
      'redis-server /etc/falkordb/falkordb.conf',
      '    volumes:\n      - ./falkordb.conf:/etc/falkordb/falkordb.conf\n',
    ),
    {
      message: 'as a single file',
      good: flags('redis-server /etc/falkordb/falkordb.conf', '    volumes:\n      - ./config:/etc/falkordb\n'),
    },
  ),
  c(
    'compose/sentinel-shared-config',
    'three tasks, one file',
    sentinel('./sentinel.conf:/etc/redis/sentinel.conf', 3),
    { good: sentinel('./sentinel.conf:/etc/redis/sentinel.conf', 1) },
  ),
  c('compose/no-memory-limit', 'no limit', sub(/ {4}deploy:\n {6}resources:\n {8}limits:\n {10}memory: 64G\n/, '')),
  c(
    'compose/memory-limit-below-maxmemory',
    'limit equal to maxmemory from the mounted config',
    sub('memory: 64G', 'memory: 44G'),
    { line: 17, severity: 'error' },
  ),
  c('compose/memory-limit-below-maxmemory', 'too little headroom', sub('memory: 64G', 'memory: 48G'), {
    severity: 'warning',
  }),
  c(
    'compose/memory-limit-below-maxmemory',
    'maxmemory from argv flags',
    flags('["redis-server", "--maxmemory", "8gb"]'),
    { good: flags('["redis-server", "--maxmemory", "4gb"]') },
  ),
  c(
    'compose/shared-data-volume',
    'two tasks, one named volume',
    flags('redis-server --maxmemory 4gb', '    volumes:\n      - data:/data\n').replace(
      '    deploy:\n',
      '    deploy:\n      replicas: 2\n',
    ),
    {
      line: 13,
      good: flags('redis-server --maxmemory 4gb', '    volumes:\n      - data:/data\n').replace(
        '    deploy:\n',
        '    deploy:\n      replicas: 2\n      placement:\n        max_replicas_per_node: 1\n',
      ),
    },
  ),
  c(
    'compose/memory-limit-below-maxmemory',
    'maxmemory from a `configs:` file copied at start',
    `services:
  db:
    image: falkordb/falkordb:v4.10.3
    entrypoint: ["sh", "-c"]
    command: ["test -e /data/f.conf || cp /etc/falkordb/falkordb.conf /data/f.conf; exec redis-server /data/f.conf"]
    configs:
      - source: db-conf
        target: /etc/falkordb/falkordb.conf
    volumes:
      - data:/data
    healthcheck:
      test: ["CMD-SHELL", "redis-cli ping"]
    deploy:
      resources:
        limits:
          memory: 40G
configs:
  db-conf:
    file: ./config/falkordb.conf
`,
    { line: 16, message: 'maxmemory 44 GiB' },
  ),
  c('compose/short-stop-grace', 'the 10 s default', sub('    stop_grace_period: 10m\n', ''), {
    message: '10s (default)',
    good: sub('stop_grace_period: 10m', 'stop_grace_period: 1m30s'),
  }),
  c('compose/short-stop-grace', 'an explicit 30s', sub('stop_grace_period: 10m', 'stop_grace_period: 30s'), {
    line: 13,
  }),
  c('compose/no-healthcheck', 'no healthcheck', sub(/ {4}healthcheck:\n.*\n.*\n/, ''), { severity: 'info' }),
  c('compose/port-published', 'all interfaces', sub('"127.0.0.1:6379:6379"', '"6379:6379"'), { line: 12 }),
  c(
    'compose/exporter-single-node',
    'exporter on the master name',
    'services:\n  exporter:\n    image: oliver006/redis_exporter:v1.62.0\n    environment:\n      - REDIS_ADDR=redis://falkordb-master:6379\n',
    {
      good: 'services:\n  exporter:\n    image: oliver006/redis_exporter:v1.62.0\n    environment:\n      - REDIS_ADDR=redis://db1:6379,redis://db2:6379\n',
    },
  ),
  // Redis flags on a command line are linted as Redis, at the line of the flag.
  c(
    'redis/eviction-deletes-graphs',
    'policy in argv (list form)',
    `services:
  db:
    image: falkordb/falkordb:v4.10.3
    command:
      - redis-server
      - --maxmemory
      - 4gb
      - --maxmemory-policy
      - allkeys-lru
`,
    { line: 8 },
  ),
  // Compose substitutes ${VAR} itself: not a Redis placeholder (the password-in-argv rule covers the leak).
  c('redis/wrong-arity', 'flags of a string command', flags('redis-server --maxmemory 4gb --requirepass a b'), {
    line: 4,
    good: flags('redis-server --maxmemory 4gb --requirepass ${REDIS_PASSWORD}'),
  }),
];
