// Streams to a port or a unix socket *on a host*, carried by SSH (direct-tcpip / streamlocal channels),
// so Redis, Sentinel and HAProxy's stats socket are reachable where only SSH is open (a bastion).
// The channels ride the host's pooled SSH connection (src/remote/ssh-pool.ts), shared with the command
// transport when a command passes the same pool; each open stream holds one of the host's channel slots.
import type { Duplex } from 'node:stream';
import { FalkorError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { CHANNELS_PER_HOST, createSshPool, type SshPool, type SshPoolOpts } from '../remote/ssh-pool.js';

export type Target = { port: number } | { path: string };

export interface Tunnels {
  /** A byte stream to 127.0.0.1:port, or to a unix socket, as seen on the host. */
  stream(host: string, target: Target, timeoutMs?: number): Promise<Duplex>;
  close(): Promise<void>;
}

export interface TunnelOpts extends SshPoolOpts {
  /** The connections to use (shared with the command transport); closed with the tunnels. Default: a pool of its own. */
  pool?: SshPool;
}

const describeTarget = (t: Target) => ('port' in t ? `port ${t.port}` : t.path);

export function createSshTunnels(inv: Inventory, o: TunnelOpts = {}): Tunnels {
  const pool = o.pool ?? createSshPool(inv, o);
  return {
    async stream(host, target, timeoutMs = 10_000) {
      const c = await pool.client(host);
      return new Promise<Duplex>((resolve, reject) => {
        let release: (() => void) | undefined;
        let timedOut = false;
        // The wait for a free channel slot counts too: streams held open elsewhere must not hang this one.
        const timer = setTimeout(() => {
          timedOut = true;
          release?.();
          const why = release ? 'no SSH channel to' : `all ${CHANNELS_PER_HOST} SSH channels busy, none free for`;
          reject(new FalkorError('TIMEOUT', `${host}: ${why} ${describeTarget(target)} within ${timeoutMs / 1000}s`));
        }, timeoutMs);
        const done = (err: Error | undefined, ch: Duplex) => {
          if (timedOut) {
            ch?.destroy();
            return;
          }
          clearTimeout(timer);
          if (err) {
            release?.();
            return reject(
              new FalkorError('REMOTE', `${host}: ${describeTarget(target)}: ${channelReason(err, 'path' in target)}`),
            );
          }
          ch.once('close', () => release?.());
          // ssh2 emits 'close' only after 'end', which an unread channel never reaches: drain a destroyed
          // one, so a stream dropped unread (a Redis client that never connected) still frees its slot.
          const destroy = ch.destroy.bind(ch);
          ch.destroy = (e?: Error) => (destroy(e), ch.resume());
          resolve(ch);
        };
        void pool.acquire(host).then((r) => {
          release = r;
          if (timedOut) return r();
          o.log?.(`${host}: tunnel to ${'port' in target ? `127.0.0.1:${target.port}` : target.path}`);
          if ('port' in target) c.forwardOut('127.0.0.1', 0, '127.0.0.1', target.port, done);
          else c.openssh_forwardOutStreamLocal(target.path, done);
        });
      });
    },
    close: () => pool.close(),
  };
}

/** sshd says "Connection refused" for a closed port, "open failed" for a missing/forbidden socket. */
function channelReason(err: Error, socket: boolean): string {
  const m = err.message.replace(/^\(SSH\) /, '').replace(/^Channel open failure: /, '');
  if (/refused/i.test(m)) return 'connection refused (nothing listening)';
  if (socket && /open failed/i.test(m))
    return 'cannot open the socket (no such file: is the service running? or no permission for the SSH user)';
  if (/administratively prohibited/i.test(m))
    return 'sshd forbids forwarding (AllowTcpForwarding / AllowStreamLocalForwarding)';
  return m || 'the host refused the channel';
}
