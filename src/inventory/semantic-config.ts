// Redis settings, storage layout, TLS, SSH and ACL checks: what a careful operator would catch in review.
import { posix } from 'node:path';
import { RESERVED_USERS } from './acl.js';
import { echo } from './fields.js';
import type { KeyPath } from './locate.js';
import { isPlainStorage, storageMounts, type Inventory } from './schema.js';
import { error, warning, type Finding } from './semantic.js';

/** Commands the cluster's own machinery sends; renaming or disabling one breaks it quietly. */
export const REQUIRED_COMMANDS: Record<string, string> = {
  CONFIG: 'Sentinel runs CONFIG REWRITE after a failover and falkorctl applies settings with CONFIG SET',
  REPLICAOF: 'Sentinel promotes and re-points nodes with REPLICAOF',
  SLAVEOF: 'Sentinel promotes and re-points nodes with SLAVEOF (the older name of REPLICAOF)',
  INFO: 'Sentinel discovers replicas and roles through INFO, and health checks read INFO replication',
  ROLE: 'health checks and falkorctl status ask ROLE who is master',
  PING: 'Sentinel and HAProxy decide a node is alive with PING',
  CLIENT: 'Sentinel names its connections and disconnects clients on failover with CLIENT',
  MULTI: 'Sentinel reconfigures a node inside MULTI/EXEC',
  EXEC: 'Sentinel reconfigures a node inside MULTI/EXEC',
  PUBLISH: 'Sentinels find each other by PUBLISH on __sentinel__:hello',
  SUBSCRIBE: 'Sentinels find each other by SUBSCRIBE to __sentinel__:hello',
  SCRIPT: 'Sentinel sends SCRIPT KILL to a master stuck in a script',
  SHUTDOWN: 'rolling restarts stop a node in order (save, then exit) with SHUTDOWN',
  AUTH: 'every client, replica and Sentinel authenticates with AUTH',
  HELLO: 'clients and Sentinels negotiate the protocol with HELLO',
  PSYNC: 'replicas synchronise with PSYNC',
  SYNC: 'replicas synchronise with SYNC',
  REPLCONF: 'replicas report their offset with REPLCONF',
};

const absolute = (p: string) => posix.isAbsolute(p);
const norm = (p: string) => posix.normalize(p).replace(/\/+$/, '') || '/';
const within = (dir: string, mount: string) => {
  const d = norm(dir);
  const m = norm(mount);
  return d === m || d.startsWith(m === '/' ? '/' : `${m}/`);
};

export function configFindings(inv: Inventory): Finding[] {
  return [...redisFindings(inv), ...storageFindings(inv), ...accessFindings(inv)];
}

function redisFindings(inv: Inventory): Finding[] {
  const out: Finding[] = [];
  const r = inv.redis;
  r.disabledCommands.forEach((c, i) => {
    const name = c.trim().toUpperCase();
    const why = REQUIRED_COMMANDS[name];
    if (why) out.push(error(['redis', 'disabledCommands', i], `${name} must stay enabled: ${why}`));
    else if (!/^[A-Za-z][A-Za-z0-9_.|-]*$/.test(c))
      out.push(error(['redis', 'disabledCommands', i], `${echo(c)} is not a single command name`));
    else if (name.startsWith('GRAPH.'))
      out.push(
        warning(
          ['redis', 'disabledCommands', i],
          `${name} is a FalkorDB command: disabling it removes graph functionality`,
        ),
      );
    if (r.disabledCommands.findIndex((d) => d.trim().toUpperCase() === name) !== i)
      out.push(warning(['redis', 'disabledCommands', i], `${name} is listed twice`));
  });
  if (r.maxmemoryPolicy !== 'noeviction')
    out.push(
      error(
        ['redis', 'maxmemoryPolicy'],
        `${r.maxmemoryPolicy} evicts whole graph keys: a full server would silently drop entire graphs; use noeviction (writes fail instead)`,
      ),
    );
  if (r.persistence === 'none')
    out.push(warning(['redis', 'persistence'], 'none: a restart of every node loses every graph'));
  if (r.persistence === 'rdb' && r.save.length === 0)
    out.push(
      warning(
        ['redis', 'save'],
        'rdb persistence without save points writes a snapshot only at shutdown: a crash loses everything since start',
      ),
    );
  if (r.user === 'root')
    out.push(
      warning(['redis', 'user'], 'running Redis as root gives any RCE full control of the host; use a service user'),
    );
  r.bind.forEach((b, i) => {
    if (b === '0.0.0.0' || b === '*' || b === '::' || b === '-::*')
      out.push(
        warning(['redis', 'bind', i], `${b} listens on every interface; bind the private network address instead`),
      );
  });
  const paths: [string[], string][] = [
    [['redis', 'dataDir'], r.dataDir],
    [['redis', 'logDir'], r.logDir],
    [['redis', 'configDir'], r.configDir],
    [['sentinel', 'dataDir'], inv.sentinel.dataDir],
    [['falkordb', 'modulePath'], inv.falkordb.modulePath],
    [['falkordb', 'redisServer'], inv.falkordb.redisServer],
  ];
  for (const [path, p] of paths) if (!absolute(p)) out.push(error(path, `"${p}" must be an absolute path`));
  if (inv.sentinel.downAfterMs < 10_000)
    out.push(
      warning(
        ['sentinel', 'downAfterMs'],
        `${inv.sentinel.downAfterMs} ms: a node saving during a graceful restart can stay silent longer and trigger a needless failover`,
      ),
    );
  return out;
}

function storageFindings(inv: Inventory): Finding[] {
  const out: Finding[] = [];
  inv.hosts.forEach((h, i) => {
    const s = h.storage;
    if (!s) return;
    const base = ['hosts', i, 'storage'];
    if (isPlainStorage(s)) {
      out.push(...mountFindings(s, base));
    } else {
      s.devices.forEach((d, j) => {
        if (s.devices.indexOf(d) !== j) out.push(error([...base, 'devices', j], `${d} is listed twice`));
      });
      s.volumes.forEach((v, j) => {
        const at = [...base, 'volumes', j];
        if (s.volumes.findIndex((o) => o.name === v.name) !== j)
          out.push(error([...at, 'name'], `volume name "${v.name}" is used twice on "${h.name}"`));
        if (s.volumes.findIndex((o) => norm(o.mount) === norm(v.mount)) !== j)
          out.push(error([...at, 'mount'], `mount point ${v.mount} is used twice on "${h.name}"`));
        if (/^100%/i.test(v.size) && j < s.volumes.length - 1)
          out.push(
            error([...at, 'size'], `${v.size} takes all remaining space, so the volumes after it cannot be created`),
          );
        out.push(...mountFindings(v, at));
      });
    }
    const mounts = storageMounts(s);
    if ((h.role === 'master' || h.role === 'replica') && !mounts.some((v) => within(inv.redis.dataDir, v.mount)))
      out.push(
        warning(
          isPlainStorage(s) ? [...base, 'mount'] : [...base, 'volumes'],
          `redis.dataDir ${inv.redis.dataDir} is on none of the volumes of "${h.name}": ` +
            'the data would land on the root filesystem',
        ),
      );
  });
  return out;
}

/** One filesystem's mount point and options (both layouts). */
function mountFindings(v: { mount: string; options: string[] }, at: KeyPath): Finding[] {
  const out: Finding[] = [];
  if (norm(v.mount) === '/') out.push(error([...at, 'mount'], 'a data volume cannot be mounted on /'));
  if (v.mount.split('/').some((seg) => seg === '..' || seg === '.'))
    out.push(error([...at, 'mount'], `${v.mount}: "." and ".." are not allowed in a mount point`));
  v.options.forEach((o, k) => {
    if (/^nobarrier$|^barrier$/i.test(o))
      out.push(
        error(
          [...at, 'options', k],
          `${o}: XFS removed this option (kernel 4.19+), so the mount fails with "Unknown parameter"; ` +
            'drop it (write barriers are always on)',
        ),
      );
    if (/^nodiratime$/i.test(o) && v.options.some((x) => /^noatime$/i.test(x)))
      out.push(warning([...at, 'options', k], 'nodiratime is implied by noatime: it can be dropped'));
  });
  return out;
}

function accessFindings(inv: Inventory): Finding[] {
  const out: Finding[] = [];
  if (inv.ssh.sudo && inv.ssh.user === 'root')
    out.push(
      warning(['ssh', 'sudo'], 'sudo with user root changes nothing; drop sudo or log in as an unprivileged user'),
    );
  inv.hosts.forEach((h, i) => {
    if (inv.ssh.sudo && h.ssh?.user === 'root')
      out.push(warning(['hosts', i, 'ssh', 'user'], `root on "${h.name}" with ssh.sudo: sudo changes nothing here`));
  });
  const tls = inv.tls;
  if (tls) {
    for (const k of ['certFile', 'keyFile', 'caFile'] as const) {
      if (tls.enabled && !absolute(tls[k]))
        out.push(error(['tls', k], `"${tls[k]}" must be an absolute path on the hosts`));
    }
    if (!tls.enabled && tls.allowPlaintext)
      out.push(warning(['tls', 'allowPlaintext'], 'has no effect while tls.enabled is false'));
  }
  const users = inv.auth.users;
  users.forEach((u, i) => {
    if (u.name === 'default')
      out.push(
        error(['auth', 'users', i, 'name'], 'the default user is configured by auth.password; choose another name'),
      );
    else if (inv.auth.acl && RESERVED_USERS.includes(u.name))
      out.push(
        error(
          ['auth', 'users', i, 'name'],
          `"${u.name}" is one of the cluster's own ACL users (${RESERVED_USERS.join(', ')}); choose another name`,
        ),
      );
    if (users.findIndex((o) => o.name === u.name) !== i)
      out.push(error(['auth', 'users', i, 'name'], `user "${u.name}" is defined twice`));
  });
  return out;
}
