// systemd units for FalkorDB and Sentinel. Both run in the foreground (Type=notify with
// `supervised systemd`), as the service user, with only their own directories writable.
import { storageMounts, type Host, type Inventory } from '../inventory/schema.js';
import { falkordbConfPath } from './falkordb-conf.js';
import { datasetSeconds, header, hostMaxmemory, lines, paths, serviceUser } from './common.js';
import { mountUnitName } from './quote.js';
import { sentinelRuntimePath, sentinelTemplatePath } from './sentinel-conf.js';

export const FALKORDB_UNIT = '/etc/systemd/system/falkordb.service';
export const SENTINEL_UNIT = '/etc/systemd/system/falkordb-sentinel.service';

const within = (dir: string, mount: string) =>
  mount === '/' || dir === mount || dir.startsWith(`${mount.replace(/\/$/, '')}/`);

/** The volume (from hosts[].storage) whose mount point holds `dir`, the deepest one if nested. */
export function volumeMountFor(h: Host, dir: string): string | undefined {
  const mounts = storageMounts(h.storage)
    .map((v) => v.mount)
    .filter((m) => within(dir, m));
  return mounts.sort((a, b) => b.length - a.length)[0];
}

export function falkordbUnit(inv: Inventory, h: Host): string {
  const p = paths(inv);
  const user = serviceUser(inv);
  const mount = volumeMountFor(h, p.dataDir);
  const secs = datasetSeconds(hostMaxmemory(inv, h));
  return lines(
    header(inv, `FalkorDB on ${h.name} — ${FALKORDB_UNIT}`),
    '[Unit]',
    `Description=FalkorDB ${h.role} (cluster ${inv.cluster})`,
    'Documentation=https://docs.falkordb.com',
    'Wants=network-online.target',
    'After=network-online.target',
    '# never start on an empty directory where the data volume should be',
    `RequiresMountsFor=${p.dataDir}`,
    mount && `Requires=${mountUnitName(mount)}`,
    mount && `After=${mountUnitName(mount)}`,
    '',
    '[Service]',
    'Type=notify',
    `User=${user}`,
    `Group=${user}`,
    `ExecStart=${p.redisServer} ${falkordbConfPath(inv)}`,
    'Restart=on-failure',
    'RestartSec=5s',
    '# loading the dataset at start and the final save at stop both scale with its size',
    `TimeoutStartSec=${secs}`,
    `TimeoutStopSec=${secs}`,
    '# Redis keeps 32 descriptors for itself beyond maxclients',
    `LimitNOFILE=${Math.max(65536, inv.redis.maxclients + 32)}`,
    'UMask=0077',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    'ProtectHome=yes',
    'ProtectSystem=full',
    '# CONFIG REWRITE (sent by Sentinel after a failover) replaces falkordb.conf in its directory',
    `ReadWritePaths=${p.configDir} ${p.dataDir} ${p.logDir}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  );
}

export function sentinelUnit(inv: Inventory, _h: Host): string {
  const p = paths(inv);
  const user = serviceUser(inv);
  const runtime = sentinelRuntimePath(inv);
  return lines(
    header(inv, `Sentinel — ${SENTINEL_UNIT}`),
    '[Unit]',
    `Description=FalkorDB Sentinel (cluster ${inv.cluster})`,
    'Wants=network-online.target',
    'After=network-online.target falkordb.service',
    `RequiresMountsFor=${p.sentinelDir}`,
    '',
    '[Service]',
    'Type=notify',
    `User=${user}`,
    `Group=${user}`,
    '# Sentinel rewrites its config: run from a private copy, seeded from the template only once',
    `ExecStartPre=/bin/sh -c 'test -e ${runtime} || install -m 0600 ${sentinelTemplatePath(inv)} ${runtime}'`,
    `ExecStart=${p.redisServer} ${runtime} --sentinel`,
    'Restart=on-failure',
    'RestartSec=5s',
    'LimitNOFILE=65536',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    'ProtectHome=yes',
    'ProtectSystem=full',
    `ReadWritePaths=${p.sentinelDir} ${p.logDir}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  );
}
