// Redis connections to the hosts. By default each one rides an SSH channel to 127.0.0.1:<port> on the
// host, handed to ioredis through a one-shot loopback listener (so any RESP client works unchanged);
// `direct` connects to the host's address instead. Every failure is one line naming host and port.
import { createServer, isIP, type AddressInfo } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Redis } from 'ioredis';
import type { Ctx } from '../context.js';
import { FalkorError, isFalkorError } from '../errors.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { adminUser } from '../inventory/acl.js';
import { haproxyHosts } from '../inventory/topology.js';
import { sshPoolFor } from '../remote/ssh-pool.js';
import { createSshTunnels, type Tunnels } from './tunnel.js';
import { clientCa, tlsOnly } from '../tls/material.js';

export interface RedisLike {
  /** Any command, as ioredis's `call`: nested arrays of strings/numbers, null, or an error thrown. */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  info(section?: string): Promise<string>;
  /** The underlying ioredis client, for pipelines or subscriptions. */
  readonly client: Redis;
  /** "db2:6379 (via SSH)": how messages name this connection. */
  readonly label: string;
  close(): Promise<void>;
}

export interface OpenOpts {
  password?: string;
  username?: string;
  timeoutMs?: number;
}

export interface RedisFactory {
  open(host: Host, port: number, opts?: OpenOpts): Promise<RedisLike>;
  /** The SSH channels (also used for HAProxy's stats socket); undefined in direct mode. */
  readonly tunnels?: Tunnels;
  close(): Promise<void>;
}

export interface FactoryOpts {
  /** 'ssh' (default): through SSH to 127.0.0.1 on the host. 'direct': to host.address from here. */
  mode?: 'ssh' | 'direct';
  tunnels?: Tunnels;
}

/**
 * In ACL mode `default` is off: falkorctl's own clients (status, deploy, switchover, backup, config update…)
 * log in to a node's port (or HAProxy's ports to them) as its admin user, with the cluster password they already
 * pass. Other ports (Sentinel,
 * a throwaway trial or verify server with its own password) keep `default`.
 */
function nodeLogin(inv: Inventory, host: Host, port: number): string | undefined {
  const nodePort = inv.tls?.enabled && !inv.tls.allowPlaintext ? inv.tls.port : inv.redis.port;
  const db = host.role === 'master' || host.role === 'replica';
  // HAProxy's write and read ports lead to the nodes: the same login
  const lb = haproxyHosts(inv).some((h) => h.name === host.name);
  const proxied = lb && (port === inv.haproxy.writePort || port === inv.haproxy.readPort);
  return (db && port === nodePort) || proxied ? adminUser(inv) : undefined;
}

export function createRedisFactory(
  inv: Inventory,
  o: FactoryOpts & Parameters<typeof createSshTunnels>[1] = {},
): RedisFactory {
  const mode = o.mode ?? 'ssh';
  const tunnels = mode === 'ssh' ? (o.tunnels ?? createSshTunnels(inv, o)) : undefined;
  const open = new Set<RedisLike>();
  let ca: Promise<string | undefined> | undefined;
  return {
    tunnels,
    async open(host, requested, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 5_000;
      // TLS-only: the node's plaintext port is closed, its TLS port is the one to ask (Sentinel's port speaks TLS)
      const port = tlsOnly(inv) && inv.tls && requested === inv.redis.port ? inv.tls.port : requested;
      const tls = await (ca ??= clientCa(inv)).then((c) => (c === undefined ? undefined : tlsOptions(host, c)));
      const label = `${host.name}:${port}${tls ? ' (TLS)' : ''}${tunnels ? ' (via SSH)' : ''}`;
      let endpoint = { host: host.address, port };
      let release = () => {};
      if (tunnels) {
        const ch = await tunnels.stream(host.name, { port }, timeoutMs);
        const l = await oneShotListener(ch);
        endpoint = { host: '127.0.0.1', port: l.port };
        release = l.close;
      }
      const client = new Redis({
        ...endpoint,
        ...(tls ? { tls } : {}),
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        enableReadyCheck: false, // its INFO would run before our AUTH
        retryStrategy: () => null,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
      });
      client.on('error', () => {}); // surfaced by the failing command instead
      const r: RedisLike = {
        client,
        label,
        call: (cmd, ...args) => client.call(cmd, ...args).catch((e: unknown) => Promise.reject(mapError(e, label))),
        info: (section) =>
          (section ? client.info(section) : client.info()).catch((e: unknown) => Promise.reject(mapError(e, label))),
        close() {
          open.delete(r);
          client.disconnect();
          release();
          return Promise.resolve();
        },
      };
      open.add(r);
      try {
        await client.connect();
        if (opts.password !== undefined) {
          const username = opts.username ?? nodeLogin(inv, host, port);
          const pw = opts.password;
          await client.call('AUTH', ...(username ? [username, pw] : [pw])).catch((e: unknown) => {
            // a node not yet in ACL mode (deploy is about to convert it) has no admin user: `default` then
            if (!username || opts.username || !/WRONGPASS/.test(String((e as Error).message))) throw e;
            return client.call('AUTH', pw);
          });
        }
      } catch (e) {
        await r.close();
        throw mapError(e, label);
      }
      return r;
    },
    async close() {
      await Promise.all([...open].map((r) => r.close()));
      await tunnels?.close();
    },
  };
}

/**
 * Verified against the CA and against *this* host's name or address (the certificate's SANs), wherever the
 * bytes travel: through the SSH tunnel the peer is 127.0.0.1, which every host's certificate also names.
 */
function tlsOptions(host: Host, ca: string): ConnectionOptions {
  return {
    ca,
    rejectUnauthorized: true,
    ...(isIP(host.address) ? {} : { servername: host.address }),
    checkServerIdentity: (_name, cert) => checkServerIdentity(host.address, cert),
  };
}

/** The factory a command uses: its --direct, and through SSH the command run's shared pool (sshPoolFor), logs with -v. */
export function redisFactoryFor(
  inv: Inventory,
  ctx: Ctx,
  cmdOpts: { acceptNew?: unknown; direct?: unknown },
): RedisFactory {
  if (cmdOpts.direct === true) return createRedisFactory(inv, { mode: 'direct' });
  return createRedisFactory(inv, { mode: 'ssh', pool: sshPoolFor(inv, ctx, cmdOpts), log: (l) => ctx.out.verbose(l) });
}

/** A loopback listener that hands one already-open channel to the first client that connects, then closes. */
function oneShotListener(ch: Duplex): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: false }, (sock) => {
      server.close();
      sock.pipe(ch).pipe(sock);
      const end = () => {
        sock.destroy();
        ch.destroy();
      };
      sock.on('error', end).on('close', end);
      ch.on('error', end).on('close', end);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const close = () => {
        server.close();
        ch.destroy();
      };
      resolve({ port: (server.address() as AddressInfo).port, close });
    });
  });
}

/** ioredis errors → one line naming the connection; server replies (WRONGPASS, NOAUTH…) kept verbatim. */
export function mapError(e: unknown, label: string): FalkorError {
  if (isFalkorError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const msg = err?.message ?? String(e);
  if (err?.code === 'ECONNREFUSED') return new FalkorError('REMOTE', `${label}: connection refused`, { cause: e });
  if (/ETIMEDOUT|timed? ?out/i.test(msg))
    return new FalkorError('TIMEOUT', `${label}: no answer (${msg})`, { cause: e });
  if (/Connection is closed|ECONNRESET|Stream isn't writeable/i.test(msg))
    return new FalkorError('REMOTE', `${label}: connection closed by the server`, { cause: e });
  return new FalkorError('REMOTE', `${label}: ${msg}`, { cause: e });
}
