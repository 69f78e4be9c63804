import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Case } from './cases.js';
import { GOOD } from './helpers.js';

const good = readFileSync(path.join(GOOD, 'k8s.yaml'), 'utf8');
const k = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'kubernetes',
  name,
  bad,
  good,
  ...more,
});
const sub = (from: string | RegExp, to: string, text = good) => {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`case setup: ${from} not found`);
  return out;
};
const asDeployment = sub(/kind: StatefulSet\n/, 'kind: Deployment\n');
const sentinelFromConfigMap = sub(
  '        - name: sentinel\n          mountPath: /sentinel\n        resources:',
  '        - name: config\n          mountPath: /sentinel\n        resources:',
);

export const KUBERNETES: Case[] = [
  k('kubernetes/yaml-syntax', 'broken YAML', 'apiVersion: v1\nkind: [unclosed\n'),
  k(
    'kubernetes/emptydir-data',
    'data on emptyDir',
    sub(/ {2}volumeClaimTemplates:\n {2}- metadata:\n {6}name: data\n[\s\S]*?storage: 100Gi\n/, '').replace(
      '      - name: config\n        configMap:',
      '      - name: data\n        emptyDir: {}\n      - name: config\n        configMap:',
    ),
  ),
  k('kubernetes/database-in-deployment', 'Deployment', asDeployment, { message: 'with 3 replicas' }),
  k('kubernetes/no-readiness-probe', 'no readiness probe', sub(/ {8}readinessProbe:\n.*\n.*\n/, '')),
  k(
    'kubernetes/liveness-during-load',
    'liveness without startup probe',
    sub(/ {8}startupProbe:\n.*\n.*\n.*\n.*\n/, ''),
  ),
  k(
    'kubernetes/probe-var-not-expanded',
    '$(SECRET) in a probe',
    sub(
      '        livenessProbe:\n          exec:\n            command: ["sh", "-c", "REDISCLI_AUTH=\\"$(cat /etc/falkordb/secret/password)\\" redis-cli ping"]',
      '        env:\n        - name: PW\n          valueFrom:\n            secretKeyRef: {name: s, key: p}\n        livenessProbe:\n          exec:\n            command: ["redis-cli", "-a", "$(PW)", "ping"]',
    ),
    {
      message: '"$(PW)"',
    },
  ),
  k(
    'kubernetes/password-in-argv',
    'redis-cli -a in a probe',
    sub(
      'command: ["sh", "-c", "REDISCLI_AUTH=\\"$(cat /etc/falkordb/secret/password)\\" redis-cli ping"]',
      'command: ["redis-cli", "-a", "hunter2", "ping"]',
    ),
  ),
  k(
    'kubernetes/no-pod-disruption-budget',
    'no PDB',
    sub(/apiVersion: policy\/v1\nkind: PodDisruptionBudget\n[\s\S]*?---\n/, ''),
  ),
  k('kubernetes/no-anti-affinity', 'no anti-affinity', sub(/ {6}affinity:\n[\s\S]*?(?= {6}initContainers:)/, '')),
  k(
    'kubernetes/missing-service',
    'serviceName without a Service',
    sub(/apiVersion: v1\nkind: Service\n[\s\S]*?---\n/, ''),
  ),
  k('kubernetes/short-termination-grace', 'the 30 s default', sub('      terminationGracePeriodSeconds: 600\n', ''), {
    message: '30 (default)',
  }),
  k(
    'kubernetes/service-exposed',
    'LoadBalancer on 6379',
    sub('  clusterIP: None\n', '  type: LoadBalancer\n  ports:\n  - port: 6379\n'),
    {
      line: 30,
      good: sub('  clusterIP: None\n', '  clusterIP: None\n  ports:\n  - port: 6379\n'),
    },
  ),
  k(
    'kubernetes/no-failover',
    'replicas without Sentinel',
    sub(/ {6}- name: sentinel\n {8}image: redis:8.2.3\n[\s\S]*?memory: 256Mi\n/, '').replace(
      '    include /etc/falkordb/secret/auth.conf\n',
      '    include /etc/falkordb/secret/auth.conf\n    replicaof falkordb-0.falkordb 6379\n',
    ),
  ),
  k('kubernetes/image-latest', ':latest', sub('image: falkordb/falkordb:v4.10.3', 'image: falkordb/falkordb:latest')),
  k('kubernetes/sentinel-config-readonly', 'Sentinel runs from its ConfigMap', sentinelFromConfigMap, {
    message: '/sentinel',
  }),
  k(
    'kubernetes/no-memory-limit',
    'no limit',
    sub('        resources:\n          limits:\n            memory: 64Gi\n', ''),
  ),
  k(
    'kubernetes/memory-limit-below-maxmemory',
    'limit below maxmemory of the mounted ConfigMap',
    sub('memory: 64Gi', 'memory: 40Gi'),
    { severity: 'error' },
  ),
  k(
    'kubernetes/memory-limit-below-maxmemory',
    'maxmemory from args',
    sub(
      'command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]',
      'command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]\n        args: ["--maxmemory", "70gb"]',
    ),
    { severity: 'error' },
  ),
  k(
    'kubernetes/config-not-used',
    'ConfigMap mounted, command names no config',
    sub(
      '        command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]\n        volumeMounts:\n',
      '        volumeMounts:\n        - name: config\n          mountPath: /etc/redis/redis.conf\n          subPath: falkordb.conf\n',
    ),
    { line: 83 },
  ),
  k(
    'kubernetes/redis-config-readonly',
    'redis-server runs from the ConfigMap',
    sub(
      '        command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]\n        volumeMounts:\n',
      '        command: ["redis-server", "/etc/redis/redis.conf"]\n        volumeMounts:\n        - name: config\n          mountPath: /etc/redis/redis.conf\n          subPath: falkordb.conf\n',
    ),
    { line: 84 },
  ),
  // Embedded configs are linted with lines inside the YAML file.
  k(
    'redis/eviction-deletes-graphs',
    'ConfigMap config',
    sub('    maxmemory-policy noeviction', '    maxmemory-policy allkeys-lfu'),
    { line: 11 },
  ),
  k(
    'sentinel/down-after-too-short',
    'ConfigMap Sentinel config',
    sub('sentinel down-after-milliseconds falkordb 30000', 'sentinel down-after-milliseconds falkordb 5000'),
    { line: 22 },
  ),
  k(
    'redis/placeholder',
    '${VAR} in args is not expanded by the kubelet',
    sub(
      'command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]',
      'command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]\n        args: ["--masterauth", "${PW}"]',
    ),
    {
      good: sub(
        'command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]',
        'command: ["redis-server", "/var/lib/falkordb/data/falkordb.conf"]\n        args: ["--masterauth", "$(PW)"]',
      ),
    },
  ),
];
