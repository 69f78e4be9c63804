// Where deploy's files belong: which component each rendered file serves, which directories and
// binaries a host needs. Shared by the fact gathering (what to look at) and the planner (what to change).
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, sentinelHosts } from '../inventory/topology.js';
import type { RenderedFile } from '../render/index.js';
import { paths, serviceUser, SERVICE_DIR_MODE } from '../templates/common.js';
import { falkordbConfPath, secretsConfPath } from '../templates/falkordb-conf.js';
import { HAPROXY_CFG, HAPROXY_DROPIN, HAPROXY_ENV } from '../templates/haproxy.js';
import { SYSCTL_PATH, THP_PATH } from '../templates/host-tuning.js';
import { aclFilePath, sentinelSecretsPath } from '../templates/secrets-conf.js';
import { sentinelRuntimePath, sentinelTemplatePath } from '../templates/sentinel-conf.js';
import { notifyScriptPath, webhookUrlPath } from '../templates/sentinel-notify.js';
import { FALKORDB_UNIT, SENTINEL_UNIT } from '../templates/systemd.js';
import { EXPORTER_UNIT, exporterPasswordsPath } from '../templates/exporter.js';
import {
  ALERTMANAGER_UNIT,
  ALERTMANAGER_YML,
  PROMETHEUS_UNIT,
  PROMETHEUS_YML,
  RULES_YML,
} from '../templates/monitoring.js';
import { NO_NOTIFY, noNotifyPaths } from './notify.js';
import { haproxyTlsPaths, nodeTlsPaths } from '../tls/files.js';
import { DAEMONS, daemonsOf } from './plan-monitoring.js';

export type Component = 'falkordb' | 'kernel' | 'sentinel' | 'haproxy' | 'exporter' | 'prometheus' | 'alertmanager';

export const UNITS = {
  falkordb: 'falkordb.service',
  sentinel: 'falkordb-sentinel.service',
  haproxy: 'haproxy.service',
  exporter: 'falkordb-exporter.service',
  prometheus: 'falkorctl-prometheus.service',
  alertmanager: 'falkorctl-alertmanager.service',
} as const;

export function componentOf(inv: Inventory, path: string): Component {
  if (path === SYSCTL_PATH || path === THP_PATH) return 'kernel';
  if ([falkordbConfPath(inv), secretsConfPath(inv), aclFilePath(inv), FALKORDB_UNIT, NO_NOTIFY.falkordb].includes(path))
    return 'falkordb';
  if ([sentinelTemplatePath(inv), sentinelSecretsPath(inv), SENTINEL_UNIT, NO_NOTIFY.sentinel].includes(path))
    return 'sentinel';
  if (execedPerEvent(inv, path)) return 'sentinel';
  if ([HAPROXY_CFG, HAPROXY_ENV, HAPROXY_DROPIN, ...haproxyTlsPaths].includes(path)) return 'haproxy';
  // the certificates on a node: FalkorDB reads them at start (its Sentinel too; it keeps working with old ones)
  if (nodeTlsPaths(inv).includes(path)) return 'falkordb';
  if (path === EXPORTER_UNIT || path === exporterPasswordsPath(inv)) return 'exporter';
  if ([PROMETHEUS_YML, RULES_YML, PROMETHEUS_UNIT].includes(path)) return 'prometheus';
  if (path === ALERTMANAGER_YML || path === ALERTMANAGER_UNIT) return 'alertmanager';
  throw new Error(`deploy does not know where ${path} belongs`);
}

/** Sentinel runs its notification script (which reads the webhook file) afresh per event: no restart. */
export const execedPerEvent = (inv: Inventory, path: string) =>
  path === notifyScriptPath(inv) || path === webhookUrlPath(inv);

export const isUnitFile = (path: string) => path.startsWith('/etc/systemd/system/');

export interface HostRoles {
  db: boolean;
  sentinel: boolean;
  haproxy: boolean;
}

export function rolesOf(inv: Inventory, h: Host): HostRoles {
  return {
    db: dbHosts(inv).some((x) => x.name === h.name),
    sentinel: sentinelHosts(inv).some((x) => x.name === h.name),
    haproxy: haproxyHosts(inv).some((x) => x.name === h.name),
  };
}

/** The binaries a host runs: redis-server for nodes and Sentinels, the module for nodes. */
export function binariesOf(inv: Inventory, h: Host): { path: string; key: 'redisServer' | 'module' }[] {
  const r = rolesOf(inv, h);
  const p = paths(inv);
  return [
    ...(r.db || r.sentinel ? [{ path: p.redisServer, key: 'redisServer' as const }] : []),
    ...(r.db ? [{ path: p.modulePath, key: 'module' as const }] : []),
  ];
}

export interface DirSpec {
  path: string;
  mode: number;
  /** The service user owns its directories; other parents are root's and only created when missing. */
  owner?: string;
}

export function dirsOf(inv: Inventory, h: Host, files: readonly RenderedFile[]): DirSpec[] {
  const r = rolesOf(inv, h);
  const p = paths(inv);
  const svc = serviceUser(inv);
  const own = new Set<string>();
  if (r.db) [p.configDir, p.dataDir, p.logDir].forEach((d) => own.add(d));
  if (r.sentinel) [p.configDir, p.sentinelDir, p.logDir].forEach((d) => own.add(d));
  const parents = new Set<string>();
  for (const f of files) parents.add(dirname(f.path));
  for (const p of noNotifyPaths(r)) parents.add(dirname(p));
  for (const b of binariesOf(inv, h)) parents.add(dirname(b.path));
  const out: DirSpec[] = [...own].map((d) => ({ path: d, mode: SERVICE_DIR_MODE, owner: svc }));
  for (const d of parents) if (!own.has(d)) out.push({ path: d, mode: 0o755 });
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const dirname = (p: string) => p.replace(/\/[^/]*$/, '') || '/';

/**
 * The paths of pathsOf that deploy only needs to find, never to compare by content: a FalkorDB binary the
 * inventory gives no source for (deploy can only require it is there) and the monitoring daemons' binaries
 * (installed from packages when missing). Hashing them, ~70 MB a host, was most of a no-op plan's time
 * (`checklist`'s config.drift on every host, every run: bench/lab-checklist.mjs).
 */
export function presenceOnlyPaths(inv: Inventory, h: Host): string[] {
  const binaries = binariesOf(inv, h).filter((b) => !inv.falkordb.binaries?.[b.key]);
  return [...binaries.map((b) => b.path), ...daemonsOf(inv, h).map((d) => DAEMONS[d].binary(inv))];
}

/** Every file path deploy compares on a host. */
export function pathsOf(inv: Inventory, h: Host, files: readonly RenderedFile[]): string[] {
  const r = rolesOf(inv, h);
  const daemons = daemonsOf(inv, h).map((d) => DAEMONS[d].binary(inv));
  const extra = [...(r.sentinel ? [sentinelRuntimePath(inv)] : []), ...noNotifyPaths(r), ...daemons];
  return [...new Set([...files.map((f) => f.path), ...binariesOf(inv, h).map((b) => b.path), ...extra])].sort();
}
