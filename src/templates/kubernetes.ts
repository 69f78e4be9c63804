// Kubernetes manifests: StatefulSets with PVCs for the nodes and the Sentinels (the seed ran replicas as
// a Deployment on emptyDir), configs seeded into the volume once (Sentinel rewrites them), passwords from
// a Secret created out of band, exec probes that pass the password via REDISCLI_AUTH, never argv.
import { stringify } from 'yaml';
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts, masterHost } from '../inventory/topology.js';
import { datasetSeconds, header, hostMaxmemory, sentinels, type Secrets } from './common.js';
import {
  DATA,
  IMAGE,
  TLS_DIR,
  cliTarget,
  containerNodeConf,
  containerSentinelConf,
  memoryLimitMiB,
  seedScript,
  serverArgv,
  usesTls,
  volumeGiB,
} from './containers.js';

export const K8S_PATH = '/kubernetes/falkordb.yaml';
const SECRET = 'falkordb-auth';
const TLS_SECRET = 'falkordb-tls';

export function kubernetesManifests(inv: Inventory, s: Secrets): string {
  const ns = `falkordb-${inv.cluster}`;
  const db = dbHosts(inv);
  const nSentinels = Math.max(3, sentinels(inv).length);
  const master = masterHost(inv) as Host;
  const fqdn = (svc: string, pod: string) => `${pod}.${svc}.${ns}.svc.cluster.local`;
  const nodeDns = (h: Host) => fqdn('falkordb', `falkordb-${h === master ? 0 : 1}`);
  const replica = db.find((h) => h.role === 'replica') ?? master;
  const mem = `${memoryLimitMiB(inv)}Mi`;
  const labels = (app: string) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': inv.cluster });
  const meta = (name: string, app: string) => ({ name, namespace: ns, labels: labels(app) });
  const auth = (key: string) => ({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: SECRET, key } } });
  const probeCmd = (args: string) => ['sh', '-c', `redis-cli ${args} ping | grep -q PONG`];
  const node = cliTarget(inv);
  // TLS files from a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt — cert-manager's layout)
  const tlsMount = usesTls(inv) ? [{ name: 'tls', mountPath: TLS_DIR }] : [];
  const tlsVolume = usesTls(inv) ? [{ name: 'tls', secret: { secretName: TLS_SECRET, defaultMode: 0o400 } }] : [];
  const antiAffinity = (app: string) => ({
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: labels(app) }, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  });
  const pvc = (size: string) => [
    {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
    },
  ];
  const secretVolume = (items: string[]) => ({
    name: 'secrets',
    secret: { secretName: SECRET, defaultMode: 0o400, items: items.map((k) => ({ key: k, path: k })) },
  });

  const podName = (svc: string) => `$HOSTNAME.${svc}.${ns}.svc.cluster.local`;
  // ordinal 0 starts as master, the others as replicas of it; afterwards Sentinel decides
  const nodeSeed = [
    'set -e',
    'if [ "${HOSTNAME##*-}" = 0 ]; then t=/config/master.conf; else t=/config/replica.conf; fi',
    seedScript('$t', `replica-announce-ip ${podName('falkordb')}`, false),
  ].join('\n');
  const sentinelSeed = [
    'set -e',
    seedScript('/config/sentinel.conf', `sentinel announce-ip ${podName('sentinel')}`, true),
  ].join('\n');
  // an init step copies the template from the ConfigMap into the data volume, once
  const seeder = (script: string) => ({
    name: 'seed-config',
    image: IMAGE,
    command: ['sh', '-c', script],
    volumeMounts: [
      { name: 'data', mountPath: DATA },
      { name: 'config', mountPath: '/config' },
    ],
  });
  const configVolume = (keys: string[]) => ({
    name: 'config',
    configMap: { name: 'falkordb-config', items: keys.map((k) => ({ key: k, path: k })) },
  });

  const docs: unknown[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('falkordb-config', 'falkordb'),
      data: {
        'master.conf': containerNodeConf(inv, master, nodeDns),
        // One file for every replica pod (they are interchangeable): no host's own replica-priority, or the
        // first replica's 0 would make every pod unpromotable.
        'replica.conf': containerNodeConf(inv, { ...replica, role: 'replica', replicaPriority: undefined }, nodeDns),
        'sentinel.conf': containerSentinelConf(inv, master, nodeDns),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('falkordb', 'falkordb'),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: labels('falkordb'),
        ports: [{ name: 'redis', port: node.port }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('sentinel', 'sentinel'),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: labels('sentinel'),
        ports: [{ name: 'sentinel', port: inv.sentinel.port }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('falkordb', 'falkordb'),
      spec: {
        serviceName: 'falkordb',
        replicas: db.length,
        podManagementPolicy: 'OrderedReady',
        selector: { matchLabels: labels('falkordb') },
        template: {
          metadata: { labels: labels('falkordb') },
          spec: {
            affinity: antiAffinity('falkordb'),
            // the final save on shutdown scales with the dataset
            terminationGracePeriodSeconds: 600,
            initContainers: [seeder(nodeSeed)],
            containers: [
              {
                name: 'falkordb',
                image: IMAGE,
                command: serverArgv(false),
                ports: [{ name: 'redis', containerPort: node.port }],
                env: [auth('password')],
                // requests = limits: Guaranteed QoS, never evicted under node memory pressure
                resources: { requests: { memory: mem, cpu: '1' }, limits: { memory: mem } },
                // ready = answers PING (not while loading the dataset); alive = accepts TCP, so a long load is not killed
                readinessProbe: {
                  exec: { command: probeCmd(node.args) },
                  periodSeconds: 5,
                  timeoutSeconds: 3,
                  failureThreshold: 2,
                },
                // loading a large dataset takes minutes: liveness only starts once the node answered once
                startupProbe: {
                  exec: { command: probeCmd(node.args) },
                  periodSeconds: 10,
                  failureThreshold: Math.ceil(datasetSeconds(hostMaxmemory(inv, master)) / 10),
                },
                livenessProbe: { tcpSocket: { port: node.port }, periodSeconds: 10, failureThreshold: 6 },
                volumeMounts: [
                  { name: 'data', mountPath: DATA },
                  { name: 'secrets', mountPath: '/run/secrets' },
                  ...tlsMount,
                ],
              },
            ],
            volumes: [
              configVolume(['master.conf', 'replica.conf']),
              secretVolume(['falkordb-secrets.conf']),
              ...tlsVolume,
            ],
          },
        },
        volumeClaimTemplates: pvc(`${volumeGiB(inv)}Gi`),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('sentinel', 'sentinel'),
      spec: {
        serviceName: 'sentinel',
        replicas: nSentinels,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: labels('sentinel') },
        template: {
          metadata: { labels: labels('sentinel') },
          spec: {
            affinity: antiAffinity('sentinel'),
            initContainers: [seeder(sentinelSeed)],
            containers: [
              {
                name: 'sentinel',
                image: IMAGE,
                command: serverArgv(true),
                ports: [{ name: 'sentinel', containerPort: inv.sentinel.port }],
                env: s.sentinelPassword ? [auth('sentinel-password')] : [],
                resources: { requests: { memory: '64Mi', cpu: '100m' }, limits: { memory: '256Mi' } },
                readinessProbe: {
                  exec: { command: probeCmd(`-p ${inv.sentinel.port}`) },
                  periodSeconds: 5,
                  timeoutSeconds: 3,
                },
                livenessProbe: { tcpSocket: { port: inv.sentinel.port }, periodSeconds: 10, failureThreshold: 6 },
                volumeMounts: [
                  { name: 'data', mountPath: DATA },
                  { name: 'secrets', mountPath: '/run/secrets' },
                  ...tlsMount,
                ],
              },
            ],
            volumes: [configVolume(['sentinel.conf']), secretVolume(['sentinel-secrets.conf']), ...tlsVolume],
          },
        },
        volumeClaimTemplates: pvc('1Gi'),
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('falkordb', 'falkordb'),
      spec: { maxUnavailable: 1, selector: { matchLabels: labels('falkordb') } },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('sentinel', 'sentinel'),
      spec: { minAvailable: inv.sentinel.quorum, selector: { matchLabels: labels('sentinel') } },
    },
  ];
  const top = [
    header(inv, `Kubernetes manifests — kubectl apply -f ${K8S_PATH.slice(1)}`),
    `# Create the Secret first, from the files render wrote to compose/secrets/ (never commit them):`,
    `#   kubectl -n ${ns} create secret generic ${SECRET} --from-file=compose/secrets/falkordb-secrets.conf \\`,
    `#     --from-file=compose/secrets/sentinel-secrets.conf --from-file=password=compose/secrets/falkordb-password${s.sentinelPassword ? ' \\\n#     --from-file=sentinel-password=compose/secrets/sentinel-password' : ''}`,
    '# Clients find the master through the Sentinels (sentinel service); no Service routes writes by itself.',
    ...(usesTls(inv)
      ? [
          `# TLS: a kubernetes.io/tls Secret ${TLS_SECRET} with tls.crt, tls.key and ca.crt; the certificate must name *.falkordb.${ns}.svc.cluster.local.`,
        ]
      : []),
  ].join('\n');
  return `${top}\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`;
}
