// ACL mode (auth.acl): which users the cluster itself needs, and what each may run. The command sets are
// taken from the programs that log in, not guessed:
// - replication: a replica sends AUTH, PING, REPLCONF (listening-port, capa, ip-address, ack) and PSYNC
//   (redis src/replication.c syncWithMaster); the master's stream itself runs as the unrestricted master client,
//   so FalkorDB's replicated GRAPH.* effects need nothing here.
// - sentinel: the set Redis's Sentinel documentation lists for a restricted Sentinel user ("Redis Access Control
//   List authentication"), matching what src/sentinel.c sends: hello messages on __sentinel__:hello (PUBLISH,
//   SUBSCRIBE), INFO, PING, ROLE, CLIENT SETNAME/KILL, SCRIPT KILL, and the MULTI/SLAVEOF/CONFIG REWRITE/EXEC
//   of a failover. REPLICAOF is added beside SLAVEOF (the same command under its newer name).
// - healthcheck: HAProxy's tcp-check sends AUTH, INFO replication, QUIT; PING for a manual probe. AUTH and QUIT
//   are never subject to ACL rules (no-auth command / handled before the ACL check), so only INFO and PING.
// - exporter: what oliver006/redis_exporter runs against a node (exporter/*.go): CLIENT SETNAME at connect,
//   INFO ALL, CONFIG GET *, SLOWLOG, LATENCY, CLIENT LIST, COMMAND INFO (its COMMANDLOG probe), PING, SELECT.
//   Its README's list adds key-reading commands for --check-keys, which falkorctl does not configure; no keys.
// Every command named must exist in the running Redis (ACL LOAD refuses an unknown one), so only commands
// Redis 7.0 already had are used.
import type { Inventory } from './schema.js';

export type SystemRole = 'replication' | 'sentinel' | 'healthcheck' | 'exporter';

export interface SystemUser {
  role: SystemRole;
  /** The ACL user name. */
  name: string;
  /** Rules after `reset on #<hash>`: nothing is granted that is not named. */
  rules: string;
  /** Where its secret is referenced in the inventory (for messages). */
  keyPath: string;
}

/** falkorctl's own user: every command, every key. Its password is auth.password (the cluster password). */
export const ADMIN_USER = 'falkorctl';

const RULES: Record<SystemRole, { name: string; rules: string }> = {
  replication: { name: 'replication', rules: '-@all +psync +replconf +ping' },
  sentinel: {
    name: 'sentinel',
    rules:
      '&__sentinel__:hello -@all +multi +slaveof +replicaof +ping +exec +subscribe +config|rewrite +role ' +
      '+publish +info +client|setname +client|kill +script|kill',
  },
  healthcheck: { name: 'haproxy-check', rules: '-@all +info +ping' },
  exporter: {
    name: 'exporter',
    rules:
      '-@all +ping +info +config|get +client|setname +client|list +client|info +slowlog +latency +select ' +
      '+command|info',
  },
};

export const SYSTEM_ROLES: readonly SystemRole[] = ['replication', 'sentinel', 'healthcheck', 'exporter'];

export const aclEnabled = (inv: Inventory): boolean => inv.auth.acl !== undefined;

export function systemUser(role: SystemRole): SystemUser {
  return { role, ...RULES[role], keyPath: `auth.acl.${role}.password` };
}

/** Names no inventory user may take in ACL mode. */
export const RESERVED_USERS: readonly string[] = ['default', ADMIN_USER, ...SYSTEM_ROLES.map((r) => RULES[r].name)];

/** The user falkorctl's own clients log in as on the nodes; undefined without ACL mode (`default`). */
export const adminUser = (inv: Inventory): string | undefined => (aclEnabled(inv) ? ADMIN_USER : undefined);

/**
 * The exporter's login, for the monitoring side: the user name and the inventory's reference to its secret
 * (resolve it with resolveRef; never write the value anywhere but a 0600 file). Without ACL mode the exporter
 * logs in as `default` with the cluster password.
 */
export function exporterUser(inv: Inventory): { name: string; password: string; keyPath: string } {
  const acl = inv.auth.acl;
  if (!acl) return { name: 'default', password: inv.auth.password, keyPath: 'auth.password' };
  const u = systemUser('exporter');
  return { name: u.name, password: acl.exporter.password, keyPath: u.keyPath };
}
