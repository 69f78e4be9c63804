// haproxy.cfg, its systemd drop-in and the 0600 environment file with the password.
// The health check asks each node for its replication role, so after a failover writes follow the
// new master (a PING check would happily send writes to a replica).
import { userError } from '../errors.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { systemUser } from '../inventory/acl.js';
import { dbHosts } from '../inventory/topology.js';
import { header, lines, paths, type Secrets } from './common.js';
import { envFileValue, haproxyAddr } from './quote.js';

export const HAPROXY_CFG = '/etc/haproxy/haproxy.cfg';
export const HAPROXY_ENV = '/etc/haproxy/falkordb.env';
export const HAPROXY_DROPIN = '/etc/systemd/system/haproxy.service.d/falkordb.conf';
export const PASSWORD_VAR = 'FALKORDB_PASSWORD';
/** TLS-only: the balancer's certificate and key in one PEM (HAProxy's `crt`), and the CA it verifies nodes with. */
export const HAPROXY_TLS_PEM = '/etc/haproxy/falkordb-tls.pem';
export const HAPROXY_TLS_CA = '/etc/haproxy/falkordb-ca.crt';
/**
 * Server states handed from the running HAProxy to the one a reload starts (config update writes `show servers
 * state` here right before its reload, and "1" — a state file with no server — right after). Without it the new
 * worker starts every server UP until its first check fails, so for a moment new connections to the write port
 * can reach a replica (measured: 1 of ~1100 fresh connections over 7 reloads, closed by on-marked-down).
 */
export const HAPROXY_STATE = '/var/lib/haproxy/server-state';

/** The check logs in with an inline command, so the password must be one plain word. */
function checkPassword(pw: string, keyPath = 'auth.password'): string {
  if (!/^[\x21-\x7e]+$/.test(pw) || /["'\\]/.test(pw)) {
    throw userError(
      `${keyPath} cannot be used by the HAProxy health check: it contains a space, a quote, a backslash or a non-ASCII character`,
      'use a password of printable ASCII without spaces, quotes or backslashes (e.g. openssl rand -hex 32)',
    );
  }
  return pw;
}

/**
 * An INFO replication reply is a few hundred bytes in one segment. With min-recv, a reply that does
 * not match fails the check at once; without it HAProxy waits for more data until `timeout check`,
 * and a demoted master would keep the write port for fall × that timeout.
 */
const MIN_RECV = 200;

/** ACL mode: the check logs in as its own user (INFO and PING only); the password stays in the env file. */
const checkUser = (inv: Inventory) => (inv.auth.acl ? `${systemUser('healthcheck').name} ` : '');

function checkRules(inv: Inventory, expect: string): string[] {
  return [
    '    option tcp-check',
    // `default`: connect as the server line says (with TLS when it has ssl/check-ssl)
    '    tcp-check connect default',
    `    tcp-check send "AUTH ${checkUser(inv)}\${${PASSWORD_VAR}}\\r\\n"`,
    '    tcp-check expect string +OK',
    '    tcp-check send "INFO replication\\r\\n"',
    `    tcp-check expect min-recv ${MIN_RECV} ${expect}`,
    '    tcp-check send "QUIT\\r\\n"',
    '    tcp-check expect string +OK',
  ];
}

/** The host's own address (HAProxy resolves a name at start) and loopback. */
function binds(h: Host, port: number, tls: boolean): string[] {
  const ssl = tls ? ` ssl crt ${HAPROXY_TLS_PEM}` : '';
  return [...new Set([h.address, '127.0.0.1'])].map((a) => `    bind ${haproxyAddr(a, port)}${ssl}`);
}

export function haproxyCfg(inv: Inventory, h: Host): string {
  const x = inv.haproxy;
  const db = dbHosts(inv);
  // with TLS and no plaintext port, HAProxy talks TLS to the nodes and verifies them against the CA
  const tls = inv.tls?.enabled && !inv.tls.allowPlaintext ? inv.tls : undefined;
  const port = tls ? tls.port : inv.redis.port;
  const serverLine = (d: Host, backup = false) =>
    `    server ${d.name} ${haproxyAddr(d.address, port)}${backup ? ' backup' : ''}`;
  const replicas = db.filter((d) => d.role === 'replica');
  const master = db.filter((d) => d.role === 'master');
  // clients reach the balancer over TLS too (its own certificate), so no hop is plaintext
  const ssl = tls ? ` ssl verify required ca-file ${HAPROXY_TLS_CA} check-ssl` : '';
  const defaultServer = `    default-server check inter ${x.checkIntervalMs}ms fall 2 rise 2 on-marked-down shutdown-sessions${ssl}`;
  return lines(
    header(inv, `HAProxy on ${h.name} — ${HAPROXY_CFG}`),
    `# ${PASSWORD_VAR} comes from ${HAPROXY_ENV} (see the haproxy.service drop-in); HAProxy expands it only inside double quotes.`,
    '',
    'global',
    '    log /dev/log local0',
    '    chroot /var/lib/haproxy',
    '    user haproxy',
    '    group haproxy',
    `    maxconn ${x.maxconn}`,
    `    stats socket ${paths(inv).statsSocket} mode 660 level admin`,
    '    stats timeout 30s',
    `    server-state-file ${HAPROXY_STATE}`,
    '',
    'defaults',
    '    mode tcp',
    '    log global',
    '    option tcplog',
    '    option dontlognull',
    '    # Redis clients idle for long stretches: keep their connections and probe them with TCP keepalives',
    '    option tcpka',
    `    timeout connect ${x.timeoutConnectMs}ms`,
    `    timeout client ${x.timeoutClientMs}ms`,
    `    timeout server ${x.timeoutServerMs}ms`,
    '    timeout check 2s',
    '    # the server states the running HAProxy left (see server-state-file): a reload keeps who is UP',
    '    load-server-state-from-file global',
    '',
    'frontend falkordb_write',
    binds(h, x.writePort, tls !== undefined),
    '    default_backend falkordb_write',
    '',
    '# Every database node is listed; only the one reporting role:master passes the check.',
    'backend falkordb_write',
    '    balance first',
    checkRules(inv, 'string role:master'),
    defaultServer,
    db.map((d) => serverLine(d)),
    '',
    'frontend falkordb_read',
    binds(h, x.readPort, tls !== undefined),
    '    default_backend falkordb_read',
    '',
    '# Replicas with a live link to their master (or a master, e.g. a promoted replica) take reads.',
    'backend falkordb_read',
    '    balance leastconn',
    checkRules(inv, 'rstring "role:master|master_link_status:up"'),
    defaultServer,
    x.readFallbackToMaster &&
      '    # the master serves reads only while no replica is up; clients move back when one returns',
    replicas.map((d) =>
      x.readFallbackToMaster ? `${serverLine(d)} on-marked-up shutdown-backup-sessions` : serverLine(d),
    ),
    x.readFallbackToMaster && master.map((d) => serverLine(d, true)),
  );
}

export function haproxyEnv(inv: Inventory, s: Secrets): string {
  return lines(
    header(inv, `HAProxy environment — ${HAPROXY_ENV}. SECRET: mode 0600, never commit.`),
    `${PASSWORD_VAR}=${envFileValue(
      inv.auth.acl
        ? checkPassword(s.acl?.healthcheck ?? '', 'auth.acl.healthcheck.password')
        : checkPassword(s.password),
    )}`,
  );
}

export function haproxyDropin(inv: Inventory): string {
  return lines(
    header(inv, `haproxy.service drop-in — ${HAPROXY_DROPIN}`),
    '[Service]',
    `# the health checks log in with ${PASSWORD_VAR}; a missing file must stop HAProxy, not run it without`,
    `EnvironmentFile=${HAPROXY_ENV}`,
    '# a state file with no server in it, so the first start has one to read (HAProxy warns when it is missing)',
    `ExecStartPre=/bin/sh -c 'test -e ${HAPROXY_STATE} || echo 1 > ${HAPROXY_STATE}'`,
  );
}
