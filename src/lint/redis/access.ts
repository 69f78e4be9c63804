// Authentication, exposure and the commands Sentinel needs: what keeps the cluster reachable and safe.
import { placeholderIn, report, rule } from '../rule.js';
import type { Finding } from '../types.js';
import { all, arg, canJudgeAbsence, isMainConfig, last, type ConfUnit } from '../conf/unit.js';

export const R = {
  noMasterauth: rule(
    'redis/requirepass-without-masterauth',
    'error',
    'Sentinel turns any node into a replica after a failover (the old master included). A node that requires a password but has no masterauth cannot authenticate to the new master, so it never resyncs.',
    'Set `masterauth` (and `masteruser` with ACLs) to the cluster password on every node, master included.',
  ),
  renamed: rule(
    'redis/rename-breaks-sentinel',
    'error',
    'Sentinel reconfigures nodes with REPLICAOF, CONFIG REWRITE, CLIENT KILL, INFO and ROLE; a renamed or disabled command makes failover fail half-way unless every Sentinel is told the new name.',
    'Do not rename these commands (restrict them with ACLs instead), or add `sentinel rename-command <master> <COMMAND> <new-name>` to every Sentinel.',
  ),
  openNoAuth: rule(
    'redis/bind-all-no-auth',
    'error',
    'The server listens on every interface and asks no password: anyone who can reach the port can read, change or delete every graph.',
    'Set `requirepass` (or ACL users with `user default off`) and bind only the interfaces clients use.',
  ),
  protectedOff: rule(
    'redis/protected-mode-off',
    'warning',
    "`protected-mode no` removes Redis' last guard against accepting unauthenticated remote clients.",
    'Keep `protected-mode yes` and configure authentication.',
  ),
  tlsPortOpen: rule(
    'redis/tls-plaintext-port-open',
    'warning',
    'TLS is enabled but the plaintext port still accepts clients, so anyone can skip TLS.',
    'Set `port 0` once every client, replica and Sentinel uses TLS.',
  ),
  tlsReplication: rule(
    'redis/tls-replication-off',
    'error',
    'With `port 0` the only way in is TLS, but without `tls-replication yes` replicas connect to their master in plaintext and replication never starts.',
    'Add `tls-replication yes` (and configure TLS for Sentinel and HAProxy health checks too).',
  ),
  defaultOff: rule(
    'redis/acl-default-off-no-masteruser',
    'error',
    'With `user default off`, replicas and Sentinel authenticate as "default" unless told otherwise, and are refused: replication and failover stop.',
    'Create a replication user and set `masteruser`/`masterauth` on every node and `sentinel auth-user`/`auth-pass` on every Sentinel.',
  ),
  weakPassword: rule(
    'redis/weak-password',
    'warning',
    'Redis answers hundreds of thousands of AUTH attempts per second; a short password is guessed quickly.',
    'Use a random password of at least 32 characters, kept out of version control (e.g. an included file with mode 0600).',
  ),
  inlinePassword: rule(
    'redis/password-in-config',
    'info',
    'The password sits in the main config, which is copied, diffed, reviewed and often committed; Redis also rewrites it into the file on CONFIG REWRITE.',
    'Keep requirepass/masterauth in a separate file with mode 0600 and `include` it (falkorctl render does this).',
  ),
  nopassUser: rule(
    'redis/acl-nopass',
    'warning',
    'An ACL user with `nopass` accepts any password.',
    'Give every user a strong password (>secret or #sha256).',
  ),
};

const SENTINEL_USES = new Set([
  'config',
  'replicaof',
  'slaveof',
  'client',
  'info',
  'role',
  'ping',
  'multi',
  'exec',
  'script',
  'publish',
  'subscribe',
]);

export function accessRules(u: ConfUnit): Finding[] {
  const out: Finding[] = [];
  const auth = hasAuth(u);
  const rp = last(u, 'requirepass');
  if (rp && rp.args[0] && !last(u, 'masterauth') && !u.unresolvedInclude && isMainConfig(u)) {
    out.push(
      report(
        R.noMasterauth,
        rp.file,
        rp.line,
        'requirepass is set but masterauth is not: this node cannot rejoin as a replica after a failover',
      ),
    );
  }
  if (rp?.args.length === 1 && rp.args[0] && !placeholderIn(rp.args) && rp.args[0].length < 16) {
    out.push(report(R.weakPassword, rp.file, rp.line, `requirepass is only ${rp.args[0].length} characters`));
  }
  for (const d of all(u, 'requirepass', 'masterauth')) {
    if (d.file === u.file && d.args[0] && !placeholderIn(d.args) && isMainConfig(u))
      out.push(report(R.inlinePassword, d.file, d.line, `${d.name} is written in ${u.label}`));
  }
  for (const d of all(u, 'rename-command')) {
    const cmd = d.args[0]?.toLowerCase() ?? '';
    const to = d.args[1] === '' ? 'disabled' : 'renamed'; // the new name is a secret of sorts: not echoed
    if (SENTINEL_USES.has(cmd))
      out.push(report(R.renamed, d.file, d.line, `${cmd.toUpperCase()} is ${to}; Sentinel uses it during failover`));
    else if (cmd === 'shutdown')
      out.push(
        report(
          R.renamed,
          d.file,
          d.line,
          `SHUTDOWN is ${to}; Sentinel scripts and operators' tooling (redis-cli shutdown) stop working`,
          'warning',
        ),
      );
  }
  const bind = last(u, 'bind');
  if (
    bind &&
    bind.args.some((a) => ['0.0.0.0', '*', '::', '::*'].includes(a.replace(/^-/, ''))) &&
    !auth &&
    canJudgeAbsence(u)
  ) {
    out.push(report(R.openNoAuth, bind.file, bind.line, `bind ${bind.args.join(' ')} with no password`));
  }
  const pm = last(u, 'protected-mode');
  if (pm?.args[0]?.toLowerCase() === 'no')
    out.push(
      report(R.protectedOff, pm.file, pm.line, 'protected-mode no', auth || !canJudgeAbsence(u) ? 'warning' : 'error'),
    );
  out.push(...tlsRules(u), ...aclRules(u));
  return out;
}

function tlsRules(u: ConfUnit): Finding[] {
  const tls = last(u, 'tls-port');
  if (!tls || tls.args[0] === '0') return [];
  const port = last(u, 'port');
  if (port?.args[0] !== '0') {
    return [
      report(
        R.tlsPortOpen,
        port?.file ?? tls.file,
        port?.line ?? tls.line,
        `tls-port ${tls.args[0]} is set but port ${port?.args[0] ?? '6379 (default)'} is still open`,
      ),
    ];
  }
  if (u.kind === 'redis' && arg(u, 'tls-replication')?.toLowerCase() !== 'yes' && !u.unresolvedInclude) {
    // In a fragment meant to be pasted into redis.conf the setting may live elsewhere: warn, do not fail.
    return [
      report(
        R.tlsReplication,
        port.file,
        port.line,
        'port 0 without tls-replication yes: replicas cannot connect',
        isMainConfig(u) ? 'error' : 'warning',
      ),
    ];
  }
  return [];
}

function aclRules(u: ConfUnit): Finding[] {
  const out: Finding[] = [];
  for (const d of all(u, 'user')) {
    const name = d.args[0];
    const rules = d.args.slice(1).map((a) => a.toLowerCase());
    if (name === 'default' && rules.includes('off') && !last(u, 'masteruser') && !u.unresolvedInclude) {
      out.push(
        report(
          R.defaultOff,
          d.file,
          d.line,
          'user default is off but no masteruser is set',
          isMainConfig(u) ? 'error' : 'warning',
        ),
      );
    }
    if (rules.includes('on') && rules.includes('nopass'))
      out.push(report(R.nopassUser, d.file, d.line, `user ${name} has nopass`));
  }
  return out;
}

/** A password or an ACL that disables passwordless default access. */
export function hasAuth(u: ConfUnit): boolean {
  if (last(u, 'requirepass')?.args[0]) return true;
  if (last(u, 'aclfile')) return true;
  return all(u, 'user').some(
    (d) =>
      d.args[0] === 'default' && d.args.slice(1).some((a) => a === 'off' || a.startsWith('>') || a.startsWith('#')),
  );
}
