// The secret include files: the only rendered files that hold passwords (mode 0600, git-ignored).
import { userError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
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

/** requirepass and masterauth are the same value on every node: any node can become master. */
export function redisSecretsConf(inv: Inventory, s: Secrets): string {
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
  return lines(
    header(inv, 'Sentinel secrets (included by sentinel.conf). SECRET: mode 0600, never commit.'),
    redisLine('sentinel', 'auth-pass', name, password('auth.password', s.password)),
    spw !== undefined && [
      '# Sentinels require this password from clients and use it with each other',
      redisLine('requirepass', spw),
      redisLine('sentinel', 'sentinel-pass', spw),
    ],
  );
}
