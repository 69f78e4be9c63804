// The secret include files: the only rendered files that hold passwords (mode 0600, git-ignored).
import { userError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { createHash } from 'node:crypto';
import { ADMIN_USER, SYSTEM_ROLES, systemUser } from '../inventory/acl.js';
import { header, lines, paths, type Secrets } from './common.js';
import { redisLine } from './quote.js';

export function sentinelSecretsPath(inv: Inventory): string {
  return `${paths(inv).configDir}/sentinel-secrets.conf`;
}

function password(label: string, v: string | undefined): string {
  if (v === undefined || v === '') throw userError(`${label} is empty`);
  if (/[\r\n\0]/.test(v)) throw userError(`${label} contains a line break or NUL byte, which no config file can hold`);
  return v;
}

/** The ACL file (aclfile) of ACL mode: secret (password hashes), the service user's, 0600. */
export function aclFilePath(inv: Inventory): string {
  return `${paths(inv).configDir}/users.acl`;
}

function systemPassword(s: Secrets, role: (typeof SYSTEM_ROLES)[number]): string {
  return password(systemUser(role).keyPath, s.acl?.[role]);
}

/** `#<sha256>`: the file and ACL LIST then hold hashes, and a password may hold spaces (ACL files split on them). */
const hashed = (pw: string) => `#${createHash('sha256').update(pw, 'utf8').digest('hex')}`;

/**
 * users.acl: `user default off` (the seed's: no client gets in without a user name), falkorctl's own admin user
 * with the cluster password, the inventory's users, and the cluster's restricted users. Redis reads ACL files
 * without quoting or comments (acl.c ACLLoadFromFile splits each line on single spaces), so no header.
 */
export function aclFile(inv: Inventory, s: Secrets): string {
  const line = (name: string, pw: string, rules: string) =>
    ['user', name, 'reset', 'on', hashed(pw), ...rules.split(/\s+/).filter(Boolean)].join(' ');
  return lines(
    'user default off',
    line(ADMIN_USER, password('auth.password', s.password), '~* &* +@all'),
    inv.auth.users.map((u) => line(u.name, password(`password of ACL user ${u.name}`, s.users[u.name]), u.rules)),
    SYSTEM_ROLES.map((r) => line(systemUser(r).name, systemPassword(s, r), systemUser(r).rules)),
  );
}

/** requirepass and masterauth are the same value on every node: any node can become master. */
export function redisSecretsConf(inv: Inventory, s: Secrets): string {
  if (inv.auth.acl)
    return lines(
      header(inv, 'FalkorDB secrets (included by falkordb.conf). SECRET: mode 0600, never commit.'),
      '# ACL mode: the users are in the ACL file (ACL LOAD applies it at runtime); replicas log in as the replication user',
      redisLine('aclfile', aclFilePath(inv)),
      redisLine('masteruser', systemUser('replication').name),
      redisLine('masterauth', systemPassword(s, 'replication')),
    );
  const pw = password('auth.password', s.password);
  const users = inv.auth.users.map((u) => {
    const upw = password(`password of ACL user ${u.name}`, s.users[u.name]);
    const rules = u.rules.split(/\s+/).filter(Boolean);
    return redisLine('user', u.name, 'reset', 'on', `>${upw}`, ...rules);
  });
  return lines(
    header(inv, 'FalkorDB secrets (included by falkordb.conf). SECRET: mode 0600, never commit.'),
    redisLine('requirepass', pw),
    redisLine('masterauth', pw),
    users,
  );
}

export function sentinelSecretsConf(inv: Inventory, s: Secrets): string {
  const name = inv.sentinel.masterName;
  const spw = s.sentinelPassword === undefined ? undefined : password('auth.sentinelPassword', s.sentinelPassword);
  const login = inv.auth.acl
    ? [
        redisLine('sentinel', 'auth-user', name, systemUser('sentinel').name),
        redisLine('sentinel', 'auth-pass', name, systemPassword(s, 'sentinel')),
      ]
    : [redisLine('sentinel', 'auth-pass', name, password('auth.password', s.password))];
  return lines(
    header(inv, 'Sentinel secrets (included by sentinel.conf). SECRET: mode 0600, never commit.'),
    login,
    spw !== undefined && [
      '# Sentinels require this password from clients and use it with each other',
      redisLine('requirepass', spw),
      redisLine('sentinel', 'sentinel-pass', spw),
    ],
  );
}
