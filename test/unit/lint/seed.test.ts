// Every mistake in the seed guide's own config blocks is reported with the right rule at the right line.
import { describe, expect, it } from 'vitest';
import { lintFiles } from '../../../src/lint/index.js';
import type { Finding } from '../../../src/lint/types.js';
import { SEED } from './helpers.js';

const FILES = [
  'redis-master.conf',
  'redis-replica.conf',
  'sentinel.conf',
  'haproxy.cfg',
  'docker-compose.prod.yml',
  'falkordb-production.yaml',
  'tls.conf',
  'acl.conf',
  'monitoring-stack.yml',
  'production-alerts.yml',
];

// [file, line, rule, severity]: line numbers are the fixture's (guide line − block start + 1).
const EXPECTED: [string, number, string, Finding['severity']][] = [
  ['redis-master.conf', 11, 'redis/placeholder', 'error'],
  ['redis-master.conf', 11, 'redis/requirepass-without-masterauth', 'error'],
  ['redis-master.conf', 21, 'redis/eviction-deletes-graphs', 'error'],
  ['redis-master.conf', 57, 'redis/rename-breaks-sentinel', 'error'], // CONFIG
  ['redis-master.conf', 58, 'redis/rename-breaks-sentinel', 'warning'], // SHUTDOWN
  ['redis-replica.conf', 11, 'redis/placeholder', 'error'],
  ['redis-replica.conf', 11, 'cross/passwords-differ', 'error'],
  ['redis-replica.conf', 14, 'cross/maxmemory-differs', 'error'],
  ['redis-replica.conf', 5, 'cross/settings-differ', 'warning'], // save, rename-command
  ['redis-replica.conf', 15, 'redis/eviction-deletes-graphs', 'error'],
  ['redis-replica.conf', 24, 'redis/placeholder', 'error'],
  ['redis-replica.conf', 25, 'redis/placeholder', 'error'],
  ['redis-replica.conf', 26, 'redis/replica-serve-stale-data', 'info'],
  ['redis-replica.conf', 38, 'redis/rename-breaks-sentinel', 'error'],
  ['sentinel.conf', 5, 'sentinel/no-auth', 'warning'],
  ['sentinel.conf', 8, 'sentinel/placeholder', 'error'],
  ['sentinel.conf', 8, 'sentinel/hostname-without-resolve', 'error'],
  ['sentinel.conf', 9, 'sentinel/placeholder', 'error'],
  ['sentinel.conf', 12, 'sentinel/down-after-too-short', 'error'],
  ['sentinel.conf', 14, 'sentinel/failover-timeout-too-short', 'warning'],
  ['sentinel.conf', 17, 'sentinel/notification-script', 'info'],
  ['haproxy.cfg', 2, 'haproxy/no-stats-socket', 'warning'],
  ['haproxy.cfg', 5, 'haproxy/log-stdout-format', 'warning'],
  ['haproxy.cfg', 10, 'haproxy/timeout-kills-idle-clients', 'warning'],
  ['haproxy.cfg', 11, 'haproxy/timeout-kills-idle-clients', 'warning'],
  ['haproxy.cfg', 15, 'haproxy/frontend-without-log', 'warning'],
  ['haproxy.cfg', 29, 'haproxy/frontend-without-log', 'warning'],
  ['haproxy.cfg', 22, 'haproxy/placeholder-unquoted', 'error'],
  ['haproxy.cfg', 23, 'haproxy/write-check-no-role', 'error'],
  ['haproxy.cfg', 26, 'haproxy/write-backend-single-server', 'error'],
  ['haproxy.cfg', 26, 'haproxy/write-keeps-sessions', 'error'],
  ['haproxy.cfg', 36, 'haproxy/placeholder-unquoted', 'error'],
  ['docker-compose.prod.yml', 2, 'compose/version-obsolete', 'info'],
  ['docker-compose.prod.yml', 6, 'compose/image-latest', 'warning'],
  ['docker-compose.prod.yml', 14, 'compose/port-published', 'warning'],
  ['docker-compose.prod.yml', 23, 'compose/memory-limit-below-maxmemory', 'error'],
  ['docker-compose.prod.yml', 29, 'compose/password-in-argv', 'warning'],
  ['docker-compose.prod.yml', 50, 'compose/memory-limit-below-maxmemory', 'error'],
  ['docker-compose.prod.yml', 40, 'compose/shared-data-volume', 'error'],
  ['docker-compose.prod.yml', 12, 'compose/redis-config-readonly', 'warning'],
  ['docker-compose.prod.yml', 41, 'compose/redis-config-readonly', 'warning'],
  ['docker-compose.prod.yml', 6, 'compose/short-stop-grace', 'warning'],
  ['docker-compose.prod.yml', 35, 'compose/short-stop-grace', 'warning'],
  ['docker-compose.prod.yml', 64, 'compose/sentinel-config-readonly', 'error'],
  ['docker-compose.prod.yml', 64, 'compose/sentinel-shared-config', 'error'],
  // The ConfigMap's embedded configs, reported at their lines inside the YAML file.
  ['falkordb-production.yaml', 20, 'redis/eviction-deletes-graphs', 'error'],
  ['falkordb-production.yaml', 21, 'redis/placeholder', 'error'],
  ['falkordb-production.yaml', 21, 'redis/requirepass-without-masterauth', 'error'],
  ['falkordb-production.yaml', 27, 'cross/maxmemory-differs', 'error'],
  ['falkordb-production.yaml', 24, 'cross/settings-differ', 'warning'], // save
  ['falkordb-production.yaml', 28, 'redis/eviction-deletes-graphs', 'error'],
  ['falkordb-production.yaml', 30, 'redis/placeholder', 'error'],
  ['falkordb-production.yaml', 40, 'kubernetes/missing-service', 'warning'],
  ['falkordb-production.yaml', 52, 'kubernetes/image-latest', 'warning'],
  ['falkordb-production.yaml', 64, 'kubernetes/config-not-used', 'warning'],
  ['falkordb-production.yaml', 127, 'kubernetes/config-not-used', 'warning'],
  ['falkordb-production.yaml', 72, 'kubernetes/memory-limit-below-maxmemory', 'error'],
  ['falkordb-production.yaml', 75, 'kubernetes/liveness-during-load', 'warning'],
  ['falkordb-production.yaml', 77, 'kubernetes/password-in-argv', 'warning'],
  ['falkordb-production.yaml', 79, 'kubernetes/probe-var-not-expanded', 'error'], // $(REDIS_PASSWORD) from a secretKeyRef
  ['falkordb-production.yaml', 35, 'kubernetes/short-termination-grace', 'warning'],
  ['falkordb-production.yaml', 99, 'kubernetes/short-termination-grace', 'warning'],
  ['falkordb-production.yaml', 99, 'kubernetes/database-in-deployment', 'warning'],
  ['falkordb-production.yaml', 99, 'kubernetes/no-pod-disruption-budget', 'warning'],
  ['falkordb-production.yaml', 99, 'kubernetes/no-anti-affinity', 'warning'],
  ['falkordb-production.yaml', 114, 'kubernetes/no-readiness-probe', 'warning'],
  ['falkordb-production.yaml', 135, 'kubernetes/memory-limit-below-maxmemory', 'error'],
  ['falkordb-production.yaml', 142, 'kubernetes/emptydir-data', 'error'],
  ['falkordb-production.yaml', 35, 'kubernetes/no-failover', 'warning'],
  ['tls.conf', 2, 'redis/tls-replication-off', 'warning'],
  ['acl.conf', 2, 'redis/placeholder', 'error'],
  ['acl.conf', 2, 'redis/wrong-arity', 'error'],
  ['acl.conf', 5, 'redis/acl-default-off-no-masteruser', 'warning'],
  ['acl.conf', 6, 'redis/placeholder', 'error'],
  ['monitoring-stack.yml', 25, 'compose/image-latest', 'warning'],
  ['monitoring-stack.yml', 27, 'compose/exporter-single-node', 'warning'],
  ['production-alerts.yml', 14, 'prometheus/ratio-over-maxmemory', 'warning'],
  ['production-alerts.yml', 22, 'prometheus/unknown-metric', 'error'],
];

describe('the seed guide, linted together', async () => {
  const findings = await lintFiles(FILES, undefined, { cwd: SEED });

  it.each(EXPECTED)('%s:%i %s (%s)', (file, line, rule, severity) => {
    const hit = findings.filter((f) => f.file === file && f.line === line && f.rule === rule);
    expect(
      hit.map((f) => f.severity),
      JSON.stringify(findings.filter((f) => f.file === file).map((f) => `${f.line} ${f.rule}`)),
    ).toContain(severity);
  });

  it('reports the headline mistakes named in the issue', () => {
    const ids = new Set(findings.map((f) => f.rule));
    for (const r of [
      'redis/eviction-deletes-graphs',
      'compose/sentinel-config-readonly',
      'haproxy/write-check-no-role',
      'redis/placeholder',
    ])
      expect(ids).toContain(r);
  });

  it('every finding carries a message, why and fix, and points inside its file', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const f of findings) {
      expect(f.message.length).toBeGreaterThan(5);
      expect(f.why && f.fix).toBeTruthy();
      const lines = (await readFile(`${SEED}/${f.file}`, 'utf8')).split('\n').length;
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.line).toBeLessThanOrEqual(lines);
    }
  });

  it('keeps the bare-metal and the Kubernetes deployments apart in cross-file rules', () => {
    const cross = findings.filter((f) => f.rule.startsWith('cross/'));
    // The ConfigMap is compared only with the ConfigMap, never with redis-master.conf.
    expect(
      cross
        .filter((f) => f.file === 'falkordb-production.yaml')
        .every((f) => !f.message.includes('redis-master.conf (') && !/\(redis-master\.conf\)/.test(f.message)),
    ).toBe(true);
    expect(
      cross
        .filter((f) => f.file === 'falkordb-production.yaml')
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['cross/maxmemory-differs', 'cross/settings-differ']);
  });
});

describe('a hand-written good setup', async () => {
  const good = [
    'falkordb.conf',
    'falkordb-replica.conf',
    'sentinel-1.conf',
    'sentinel-2.conf',
    'sentinel-3.conf',
    'haproxy.cfg',
    'alerts.yml',
    'compose.yml',
    'k8s.yaml',
  ];
  const { GOOD } = await import('./helpers.js');
  it('has no findings at all', async () => {
    expect(await lintFiles(good, undefined, { cwd: GOOD })).toEqual([]);
  });
});
