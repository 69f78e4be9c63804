// docker-compose for the same topology, correct where the seed was not: pinned image, a writable
// config per node and per Sentinel, passwords only in secret files, health checks that keep the
// password out of argv (REDISCLI_AUTH), memory limits derived from maxmemory.
import { stringify } from 'yaml';
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts } from '../inventory/topology.js';
import { header, sentinels, type Secrets } from './common.js';
import {
  DATA,
  IMAGE,
  SECRETS_DIR,
  TLS_DIR,
  cliTarget,
  containerNodeConf,
  containerSentinelConf,
  memoryLimitMiB,
  seedScript,
  serverArgv,
  usesTls,
} from './containers.js';
import { redisSecretsConf, sentinelSecretsConf } from './secrets-conf.js';

export const COMPOSE_DIR = '/compose';

export interface ComposeFile {
  path: string;
  content: string;
  secret: boolean;
  kind?: 'compose' | 'redis' | 'sentinel';
}

const sentinelService = (h: Host) => `sentinel-${h.name}`;

/** Seed the writable copy, then exec the server so it receives signals directly. */
const start = (template: string, sentinel: boolean) => [
  `${seedScript(template, undefined, sentinel)}; exec ${serverArgv(sentinel).join(' ')}`,
];

function healthcheck(cliArgs: string, passwordSecret: string | undefined) {
  const auth = passwordSecret ? `REDISCLI_AUTH="$$(cat ${SECRETS_DIR}/${passwordSecret})" ` : '';
  return {
    test: ['CMD-SHELL', `${auth}redis-cli ${cliArgs} ping | grep -q PONG`],
    interval: '10s',
    timeout: '5s',
    retries: 3,
    start_period: '5m',
  };
}

export function composeFiles(inv: Inventory, s: Secrets): ComposeFile[] {
  const dns = (h: Host) => h.name;
  const mem = memoryLimitMiB(inv);
  // TLS files come from ./tls (tls.crt, tls.key, ca.crt), read-only
  const tlsVolume = usesTls(inv) ? [`./tls:${TLS_DIR}:ro`] : [];
  const services: Record<string, unknown> = {};
  const configs: Record<string, { file: string }> = {};
  const volumes: Record<string, Record<string, never>> = {};
  const files: ComposeFile[] = [];
  for (const h of dbHosts(inv)) {
    configs[`${h.name}-conf`] = { file: `./config/${h.name}.conf` };
    volumes[`${h.name}-data`] = {};
    files.push({
      path: `${COMPOSE_DIR}/config/${h.name}.conf`,
      content: containerNodeConf(inv, h, dns, h.name),
      secret: false,
      kind: 'redis',
    });
    services[h.name] = {
      image: IMAGE,
      hostname: h.name,
      entrypoint: ['sh', '-c'],
      command: start('/etc/falkordb/falkordb.conf', false),
      configs: [{ source: `${h.name}-conf`, target: '/etc/falkordb/falkordb.conf' }],
      secrets: ['falkordb-secrets.conf', 'falkordb-password'],
      volumes: [`${h.name}-data:${DATA}`, ...tlsVolume],
      restart: 'unless-stopped',
      // the final save on stop scales with the dataset
      stop_grace_period: '10m',
      ulimits: { nofile: { soft: 65536, hard: 65536 } },
      sysctls: { 'net.core.somaxconn': 1024 },
      deploy: { resources: { limits: { memory: `${mem}M` }, reservations: { memory: `${mem}M` } } },
      healthcheck: healthcheck(cliTarget(inv).args, 'falkordb-password'),
    };
  }
  for (const h of sentinels(inv)) {
    const name = sentinelService(h);
    configs[`${name}-conf`] = { file: `./config/${name}.conf` };
    volumes[`${name}-data`] = {};
    files.push({
      path: `${COMPOSE_DIR}/config/${name}.conf`,
      content: containerSentinelConf(inv, h, dns, name),
      secret: false,
      kind: 'sentinel',
    });
    services[name] = {
      image: IMAGE,
      hostname: name,
      entrypoint: ['sh', '-c'],
      command: start('/etc/falkordb/sentinel.conf', true),
      configs: [{ source: `${name}-conf`, target: '/etc/falkordb/sentinel.conf' }],
      secrets: ['sentinel-secrets.conf', ...(s.sentinelPassword ? ['sentinel-password'] : [])],
      volumes: [`${name}-data:${DATA}`, ...tlsVolume],
      restart: 'unless-stopped',
      deploy: { resources: { limits: { memory: '256M' }, reservations: { memory: '64M' } } },
      healthcheck: healthcheck(`-p ${inv.sentinel.port}`, s.sentinelPassword ? 'sentinel-password' : undefined),
    };
  }
  const secretFiles: Record<string, { file: string }> = {
    'falkordb-secrets.conf': { file: './secrets/falkordb-secrets.conf' },
    'falkordb-password': { file: './secrets/falkordb-password' },
    'sentinel-secrets.conf': { file: './secrets/sentinel-secrets.conf' },
  };
  files.push(
    { path: `${COMPOSE_DIR}/secrets/falkordb-secrets.conf`, content: redisSecretsConf(inv, s), secret: true },
    { path: `${COMPOSE_DIR}/secrets/falkordb-password`, content: s.password, secret: true },
    { path: `${COMPOSE_DIR}/secrets/sentinel-secrets.conf`, content: sentinelSecretsConf(inv, s), secret: true },
  );
  if (s.sentinelPassword) {
    secretFiles['sentinel-password'] = { file: './secrets/sentinel-password' };
    files.push({ path: `${COMPOSE_DIR}/secrets/sentinel-password`, content: s.sentinelPassword, secret: true });
  }
  const doc = { name: `falkordb-${inv.cluster}`, services, configs, secrets: secretFiles, volumes };
  const top = [
    header(
      inv,
      `docker compose (${COMPOSE_DIR.slice(1)}/docker-compose.yml): run with \`docker compose up -d\` in this directory`,
    ),
    '# Ports are not published: the nodes announce compose service names, which only resolve on this network.',
    '# Clients run on the same network and use Sentinel to find the master.',
    ...(usesTls(inv)
      ? [
          '# TLS: put tls.crt, tls.key and ca.crt in ./tls; the certificate must name every service (db hosts and sentinels).',
        ]
      : []),
  ].join('\n');
  files.push({
    path: `${COMPOSE_DIR}/docker-compose.yml`,
    content: `${top}\n${stringify(doc, { lineWidth: 0 })}`,
    secret: false,
    kind: 'compose',
  });
  return files;
}
