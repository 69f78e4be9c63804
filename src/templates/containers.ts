// What docker-compose and Kubernetes share: the pinned image, in-container paths, per-node configs
// derived from the same templates as bare metal, and memory sizing derived from maxmemory.
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts } from '../inventory/topology.js';
import { hostMaxmemory, theMaster } from './common.js';
import { falkordbConf } from './falkordb-conf.js';
import { sentinelConf } from './sentinel-conf.js';

/** Pinned, never :latest — an image upgrade must be a reviewed change. Server-only image (no browser). */
export const IMAGE = 'falkordb/falkordb-server:v4.14.5';
export const MODULE_IN_IMAGE = '/var/lib/falkordb/bin/falkordb.so';
export const DATA = '/data';
export const SECRETS_DIR = '/run/secrets';
/** TLS files in a container: the key names of a kubernetes.io/tls Secret with its CA (as cert-manager writes it). */
export const TLS_DIR = '/tls';
const TLS_FILES = { certFile: `${TLS_DIR}/tls.crt`, keyFile: `${TLS_DIR}/tls.key`, caFile: `${TLS_DIR}/ca.crt` };

/** Does a container need the TLS files mounted (the node serves TLS, or its Sentinel speaks it)? */
export const usesTls = (inv: Inventory): boolean => Boolean(inv.tls?.enabled);

/** redis-cli arguments that reach a node from inside its container: TLS when there is no plaintext port. */
export function cliTarget(inv: Inventory): { args: string; port: number } {
  const t = inv.tls;
  if (t?.enabled && !t.allowPlaintext) return { args: `--tls --cacert ${TLS_FILES.caFile} -p ${t.port}`, port: t.port };
  return { args: `-p ${inv.redis.port}`, port: inv.redis.port };
}

/** Container memory limit: maxmemory plus room for fragmentation and copy-on-write while saving. */
export function memoryLimitMiB(inv: Inventory): number {
  const max = Math.max(...dbHosts(inv).map((h) => hostMaxmemory(inv, h)));
  return Math.ceil((max * 1.5) / 1024 ** 2);
}

/** Volume size: the dataset up to three times (RDB snapshot, AOF base, AOF rewrite in progress). */
export function volumeGiB(inv: Inventory): number {
  const max = Math.max(...dbHosts(inv).map((h) => hostMaxmemory(inv, h)));
  return Math.max(10, Math.ceil((max * 3) / 1024 ** 3));
}

/** falkordb.conf for a containerised node; `dns(host)` is how other containers reach that node. */
export function containerNodeConf(inv: Inventory, h: Host, dns: (h: Host) => string, announce?: string): string {
  return falkordbConf(inv, h, {
    bind: ['*', '-::*'],
    modulePath: MODULE_IN_IMAGE,
    dataDir: DATA,
    logfile: '',
    masterAddress: dns(theMaster(inv)),
    announce,
    secretsInclude: `${SECRETS_DIR}/falkordb-secrets.conf`,
    supervised: false,
    tlsFiles: TLS_FILES,
  });
}

export function containerSentinelConf(inv: Inventory, h: Host, dns: (h: Host) => string, announce?: string): string {
  return sentinelConf(inv, h, {
    bind: ['*', '-::*'],
    dir: DATA,
    logfile: '',
    masterAddress: dns(theMaster(inv)),
    announce,
    secretsInclude: `${SECRETS_DIR}/sentinel-secrets.conf`,
    supervised: false,
    hostnames: true,
    tlsFiles: TLS_FILES,
  });
}

/**
 * Seeds a writable config in the data volume once (Redis and Sentinel rewrite their config after a
 * failover, so a read-only mount would lose it); `extraLine` is appended to a fresh copy only.
 */
export function seedScript(template: string, extraLine: string | undefined, sentinel: boolean): string {
  const copy = runtimeConf(sentinel);
  const append = extraLine ? ` && echo "${extraLine}" >> ${copy}` : '';
  return `test -e ${copy} || { cp ${template} ${copy}${append}; }`;
}

export const runtimeConf = (sentinel: boolean) => `${DATA}/${sentinel ? 'sentinel' : 'falkordb'}.conf`;

/** The server's argv, running from the seeded copy. */
export const serverArgv = (sentinel: boolean): string[] => [
  'redis-server',
  runtimeConf(sentinel),
  ...(sentinel ? ['--sentinel'] : []),
];
