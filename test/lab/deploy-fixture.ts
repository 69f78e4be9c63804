// The lab for the deploy tests: hosts wiped back to bare (only /opt/falkordb, as an operator would have
// installed it) and given their data volumes by `falkorctl provision` as an operator would before a deploy (the
// lab inventory declares each database host's loop disk; the falkordb unit requires that mount), falkorctl run
// as the built CLI, and the cluster asked directly with ioredis over the lab
// network (10.89.0.x), independently of falkorctl's own checks.
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../helpers/lab.js';

export const BIN = resolve(fileURLToPath(new URL('../../bin/falkorctl.js', import.meta.url)));

/** The operator's XDG_STATE_HOME for every run here: the local audit log lands in it, not in ~root. */
export const STATE_HOME = mkdtempSync(join(tmpdir(), 'falkorctl-lab-state-'));
process.once('exit', () => rmSync(STATE_HOME, { recursive: true, force: true }));
export const LOCAL_AUDIT = join(STATE_HOME, 'falkorctl', 'audit.jsonl');
const PROVISION_STATE_HOME = mkdtempSync(join(tmpdir(), 'falkorctl-lab-provision-'));
process.once('exit', () => rmSync(PROVISION_STATE_HOME, { recursive: true, force: true }));

const WIPE_DB = [
  // the exporter runs as the service user too: stopped before userdel, which refuses a user with processes
  'systemctl disable --now falkordb-exporter.service 2>/dev/null',
  'systemctl stop falkordb-sentinel.service falkordb.service 2>/dev/null',
  'systemctl disable falkordb-sentinel.service falkordb.service 2>/dev/null',
  'rm -rf /etc/falkordb /var/lib/falkordb /var/log/falkordb /etc/systemd/system/falkordb.service /etc/systemd/system/falkordb-sentinel.service /etc/systemd/system/falkordb.service.d /etc/systemd/system/falkordb-sentinel.service.d /etc/sysctl.d/60-falkordb.conf /etc/tmpfiles.d/falkordb-thp.conf /etc/systemd/system/falkordb*.bak',
  'userdel falkordb 2>/dev/null',
  // the backup timer (falkorctl backup schedule) and its program
  'systemctl disable --now falkorctl-backup.timer 2>/dev/null',
  'rm -rf /etc/systemd/system/falkorctl-backup.service /etc/systemd/system/falkorctl-backup.timer /usr/local/lib/falkorctl',
  'rm -rf /var/backups/falkordb /var/backups/falkordb.aside',
  'rm -rf /var/lib/falkorctl /var/log/falkorctl', // the cluster lock and the host's audit log
  'rm -f /etc/systemd/system/falkordb-exporter.service',
  'systemctl daemon-reload',
  'true',
].join('\n');

const WIPE_LB = [
  'systemctl stop haproxy.service',
  'systemctl disable haproxy.service 2>/dev/null',
  'rm -rf /etc/systemd/system/haproxy.service.d /etc/haproxy/falkordb.env /etc/haproxy/*.bak /etc/haproxy/.haproxy*',
  'rm -f /etc/haproxy/falkordb-tls.pem /etc/haproxy/falkordb-ca.crt', // a TLS deploy's (test/lab/tls.test.ts)
  // the monitoring stack (Prometheus + Alertmanager on lb1)
  'systemctl disable --now falkorctl-prometheus.service falkorctl-alertmanager.service 2>/dev/null',
  'rm -rf /etc/systemd/system/falkorctl-prometheus.service /etc/systemd/system/falkorctl-alertmanager.service',
  'rm -rf /etc/falkorctl/prometheus /etc/falkorctl/alertmanager',
  'rm -rf /var/lib/falkorctl-prometheus /var/lib/falkorctl-alertmanager',
  'systemctl daemon-reload',
].join('\n');

/**
 * Bare hosts with their storage: everything deploy made is removed (the data volume stays mounted, emptied),
 * then `provision --yes` puts back what the wipe took (the service user, the data directory's owner) and
 * anything a storage test left (a released disk is formatted again).
 */
export async function wipe(lab: Lab): Promise<void> {
  await wipeDeployed(lab);
  // The tests read the audit logs of the runs they make: this one's stays out of both (its own state dir here,
  // its lines on the hosts removed as the wipe removed every earlier one).
  const r = await falkorctl(['-i', lab.inventoryPath, 'provision', '--yes'], { stateHome: PROVISION_STATE_HOME });
  if (r.code !== 0) throw new Error(`provisioning the lab's data volumes failed (exit ${r.code}):\n${r.stderr}`);
  await Promise.all(lab.state.hosts.map((h) => lab.exec(h.name, ['rm', '-rf', '/var/log/falkorctl'])));
}

async function wipeDeployed(lab: Lab): Promise<void> {
  await Promise.all(
    lab.state.hosts.map(async (h) => {
      const db = h.name.startsWith('db');
      const r = await lab.exec(h.name, ['sh', '-c', db ? WIPE_DB : WIPE_LB]);
      if (r.exitCode !== 0) throw new Error(`wiping ${h.name}: ${r.stderr}`);
      if (!db) {
        // Debian's own haproxy.cfg, as on a fresh host (from the lab's root filesystem)
        const cfg = readFileSync(join(lab.state.rootfs, 'etc/haproxy/haproxy.cfg'), 'utf8');
        const w = await lab.exec(h.name, ['sh', '-c', 'cat > /etc/haproxy/haproxy.cfg'], { input: cfg });
        if (w.exitCode !== 0) throw new Error(`restoring haproxy.cfg on ${h.name}: ${w.stderr}`);
      }
    }),
  );
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** falkorctl started, not awaited: for a test that acts while it runs (on its output, its pid). */
export const startFalkorctl = (args: readonly string[]) =>
  execa('node', [BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1', XDG_STATE_HOME: STATE_HOME },
  });

export async function falkorctl(
  args: readonly string[],
  o: { timeoutMs?: number; stateHome?: string } = {},
): Promise<CliResult> {
  const r = await execa('node', [BIN, ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: o.timeoutMs ?? 400_000,
    env: { NO_COLOR: '1', XDG_STATE_HOME: o.stateHome ?? STATE_HOME },
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Modification times (ns) of every file and directory deploy manages, per host: a no-op deploy must
 * leave them all. Only deploy's own paths: other tests may install their own units on the lab meanwhile.
 */
const MANAGED = [
  'set -e',
  // missing paths are skipped explicitly, so any other failure of find is an error (never a silent "same")
  'each() { fmt=$1; depth=$2; shift 2; for p in "$@"; do if [ -e "$p" ]; then find "$p" -maxdepth "$depth" -printf "$fmt"; fi; done; }',
  'each "%p %T@\\n" 1 /etc/falkordb /etc/haproxy /etc/systemd/system/haproxy.service.d /opt/falkordb',
  // the service's own directories themselves, not what Redis and Sentinel write inside them
  'each "%p %T@ %m %u\\n" 0 /var/lib/falkordb /var/log/falkordb',
  'find /etc/systemd/system -maxdepth 1 \\( -name "falkordb.service*" -o -name "falkordb-sentinel.service*" \\) -printf "%p %T@\\n"',
  'each "%p %T@\\n" 0 /etc/sysctl.d/60-falkordb.conf /etc/tmpfiles.d/falkordb-thp.conf',
].join('\n');

/** `falkorctl deploy` for a test's setup: a failure throws with the CLI's output. */
export async function setupDeploy(inventory: string): Promise<void> {
  const r = await falkorctl(['-i', inventory, 'deploy']);
  if (r.code !== 0) throw new Error(`setup deploy failed:\n${r.stdout}\n${r.stderr}`);
}

export async function mtimes(lab: Lab): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of lab.state.hosts) {
    const r = await lab.exec(h.name, ['sh', '-c', MANAGED]);
    if (r.exitCode !== 0)
      throw new Error(`listing what deploy manages on ${h.name} failed (exit ${r.exitCode}): ${r.stderr}`);
    out[h.name] = r.stdout.split('\n').sort().join('\n');
  }
  return out;
}

const clients: Redis[] = [];
/**
 * A lazy client to one lab host: the lab password by default, `null` for no login at all; `username` logs in as
 * an ACL user, `readyCheck: false` skips ioredis's INFO (a restricted user may not run it).
 */
export function redis(
  lab: Lab,
  host: string,
  port: number,
  password: string | null = lab.password(),
  o: { username?: string; readyCheck?: boolean } = {},
): Redis {
  const c = new Redis({
    host: lab.host(host).address,
    port,
    ...(password === null ? {} : { password }),
    ...(o.username ? { username: o.username } : {}),
    ...(o.readyCheck === false ? { enableReadyCheck: false } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 3000,
  });
  c.on('error', () => {});
  clients.push(c);
  return c;
}
export const closeClients = () => clients.splice(0).forEach((c) => c.disconnect());

export async function role(lab: Lab, host: string): Promise<string[]> {
  const c = redis(lab, host, 6379);
  try {
    await c.connect();
    return ((await c.call('ROLE')) as unknown[]).map(String);
  } finally {
    c.disconnect();
  }
}

/** A copy of the lab inventory with `edit` applied, in a temp dir; returns its path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an inventory document of any shape, edited by tests
type Doc = Record<string, any>;

export function inventoryCopy(lab: Lab, edit: (doc: Doc) => void, dir: string): string {
  const doc = parseYaml(readFileSync(lab.inventoryPath, 'utf8')) as Doc;
  edit(doc);
  const file = join(dir, `inventory-${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(file, stringifyYaml(doc));
  return file;
}

/** The sentinels' views of the master, from each Sentinel over the lab network. */
export async function sentinelMasters(lab: Lab, hosts = ['db1', 'db2', 'db3']): Promise<string[]> {
  return Promise.all(
    hosts.map(async (h) => {
      const c = redis(lab, h, 26379, undefined);
      try {
        await c.connect();
        const a = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'falkordb-master')) as string[] | null;
        return a ? `${a[0]}:${a[1]}` : 'none';
      } finally {
        c.disconnect();
      }
    }),
  );
}
