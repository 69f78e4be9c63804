// The pure planner of `falkorctl render`: inventory + secrets → every file each host needs.
// No I/O here; the command writes, diffs and lints the result.
import { userError } from '../errors.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, hostByName } from '../inventory/topology.js';
import type { FileKind } from '../lint/types.js';
import { clusterFiles } from './cluster.js';
import { monitoringFiles } from './monitoring.js';
import { paths, sentinels, serviceUser, type Secrets } from '../templates/common.js';
import { falkordbConf, falkordbConfPath, secretsConfPath } from '../templates/falkordb-conf.js';
import {
  HAPROXY_CFG,
  HAPROXY_DROPIN,
  HAPROXY_ENV,
  haproxyCfg,
  haproxyDropin,
  haproxyEnv,
} from '../templates/haproxy.js';
import { SYSCTL_PATH, THP_PATH, sysctlConf, thpTmpfiles } from '../templates/host-tuning.js';
import {
  aclFile,
  aclFilePath,
  redisSecretsConf,
  sentinelSecretsConf,
  sentinelSecretsPath,
} from '../templates/secrets-conf.js';
import { sentinelConf, sentinelTemplatePath } from '../templates/sentinel-conf.js';
import { FIREWALL_PATH, firewallRuleset } from '../templates/nftables.js';
import { firewallEnabled } from '../firewall/model.js';
import { tlsHostFiles } from '../tls/files.js';
import { FALKORDB_UNIT, SENTINEL_UNIT, falkordbUnit, sentinelUnit } from '../templates/systemd.js';
import {
  notifyScriptPath,
  sentinelNotifyScript,
  webhookUrl,
  webhookUrlFile,
  webhookUrlPath,
} from '../templates/sentinel-notify.js';

export type { Secrets } from '../templates/common.js';

export interface RenderedFile {
  /** Host name, or "cluster" for cluster-wide artifacts. */
  host: string;
  /** Target absolute path on the host (for "cluster": a path inside the output directory). */
  path: string;
  content: string;
  mode: number;
  /** chown spec, user[:group]; absent means root. */
  owner?: string;
  secret: boolean;
  kind?: FileKind;
}

export const CLUSTER = 'cluster';

export function renderHost(inv: Inventory, hostName: string, secrets: Secrets): RenderedFile[] {
  const h = hostByName(inv, hostName);
  if (!h)
    throw userError(
      `no host named "${hostName}" in the inventory`,
      `hosts: ${inv.hosts.map((x) => x.name).join(', ')}`,
    );
  const user = serviceUser(inv);
  const svc = `${user}:${user}`;
  const out: RenderedFile[] = [];
  const add = (f: Omit<RenderedFile, 'host' | 'secret'> & { secret?: boolean }) =>
    out.push({ host: h.name, secret: false, ...f });

  if (dbHosts(inv).some((d) => d.name === h.name)) {
    add({ path: falkordbConfPath(inv), content: falkordbConf(inv, h), mode: 0o640, owner: svc, kind: 'redis' });
    add({ path: secretsConfPath(inv), content: redisSecretsConf(inv, secrets), mode: 0o600, owner: svc, secret: true });
    if (inv.auth.acl)
      add({ path: aclFilePath(inv), content: aclFile(inv, secrets), mode: 0o600, owner: svc, secret: true });
    add({ path: FALKORDB_UNIT, content: falkordbUnit(inv, h), mode: 0o644 });
    add({ path: SYSCTL_PATH, content: sysctlConf(inv), mode: 0o644 });
    add({ path: THP_PATH, content: thpTmpfiles(inv), mode: 0o644 });
  }
  if (sentinels(inv).some((s) => s.name === h.name)) {
    add({ path: sentinelTemplatePath(inv), content: sentinelConf(inv, h), mode: 0o644, kind: 'sentinel' });
    add({
      path: sentinelSecretsPath(inv),
      content: sentinelSecretsConf(inv, secrets),
      mode: 0o600,
      owner: svc,
      secret: true,
    });
    add({ path: SENTINEL_UNIT, content: sentinelUnit(inv, h), mode: 0o644 });
    // root's, so the service cannot rewrite what it executes; its group may read and run it
    add({ path: notifyScriptPath(inv), content: sentinelNotifyScript(inv), mode: 0o750, owner: `root:${user}` });
    if (inv.sentinel.webhook !== undefined)
      add({
        path: webhookUrlPath(inv),
        content: webhookUrlFile(webhookUrl(secrets.webhook)),
        mode: 0o600,
        owner: svc,
        secret: true,
      });
  }
  if (haproxyHosts(inv).some((x) => x.name === h.name)) {
    add({ path: HAPROXY_CFG, content: haproxyCfg(inv, h), mode: 0o644, kind: 'haproxy' });
    add({ path: HAPROXY_ENV, content: haproxyEnv(inv, secrets), mode: 0o600, secret: true });
    add({ path: HAPROXY_DROPIN, content: haproxyDropin(inv), mode: 0o644 });
  }
  const roles = {
    node: out.some((f) => f.kind === 'redis' || f.kind === 'sentinel'),
    haproxy: out.some((f) => f.kind === 'haproxy'),
  };
  out.push(...tlsHostFiles(inv, h, secrets.tls, roles, user));
  if (firewallEnabled(inv))
    add({ path: FIREWALL_PATH, content: firewallRuleset(inv, h), mode: 0o644, kind: 'nftables' });
  out.push(...monitoringFiles(inv, h, secrets));
  return sortFiles(out);
}

export function renderAll(inv: Inventory, secrets: Secrets, opts: { hosts?: string[] } = {}): RenderedFile[] {
  if (inv.hosts.some((h) => h.name === CLUSTER)) {
    throw userError(`a host may not be named "${CLUSTER}": render uses that name for cluster-wide files`);
  }
  paths(inv); // every path checked up front, whichever hosts are rendered
  const wanted = opts.hosts?.length ? [...new Set(opts.hosts)] : inv.hosts.map((h: Host) => h.name);
  const files = wanted.flatMap((n) => (n === CLUSTER ? [] : renderHost(inv, n, secrets)));
  if (!opts.hosts?.length || wanted.includes(CLUSTER)) files.push(...clusterFiles(inv, secrets));
  return sortFiles(files);
}

export function sortFiles(files: RenderedFile[]): RenderedFile[] {
  const key = (f: RenderedFile) => `${f.host}\u0000${f.path}`;
  return [...files].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Where a rendered file goes inside the output directory. */
export const outputPath = (f: RenderedFile): string => `${f.host}${f.path.startsWith('/') ? '' : '/'}${f.path}`;
