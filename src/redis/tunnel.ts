// Streams to a port or a unix socket *on a host*, carried by SSH (direct-tcpip / streamlocal channels),
// so Redis, Sentinel and HAProxy's stats socket are reachable where only SSH is open (a bastion).
// One SSH connection per host, opened on first use; the same settings, keys and host-key policy as the
// command transport (src/remote), but a connection of its own so a slow query never holds a step's channel.
import type { Duplex } from 'node:stream';
import { FalkorError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';
import { loadAuth, type AuthMethods } from '../remote/ssh-auth.js';
import { connect, forward, type SshClient } from '../remote/ssh-connect.js';
import { resolveHostSettings } from '../remote/ssh-settings.js';
import type { Prompter } from '../ui/prompt.js';

export type Target = { port: number } | { path: string };

export interface Tunnels {
  /** A byte stream to 127.0.0.1:port, or to a unix socket, as seen on the host. */
  stream(host: string, target: Target, timeoutMs?: number): Promise<Duplex>;
  close(): Promise<void>;
}

export interface TunnelOpts {
  acceptNew?: boolean;
  knownHostsPath?: string;
  prompt?: Prompter;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  notice?: (line: string) => void;
}

const describeTarget = (t: Target) => ('port' in t ? `port ${t.port}` : t.path);

export function createSshTunnels(inv: Inventory, o: TunnelOpts = {}): Tunnels {
  const conns = new Map<string, Promise<SshClient>>();
  let jump: Promise<SshClient> | undefined;
  let auth: Promise<AuthMethods> | undefined;
  const interactive = o.prompt?.interactive ? o.prompt : undefined;
  // Connections to several hosts may meet unknown keys at once; ask one question at a time.
  let asking: Promise<unknown> = Promise.resolve();
  const ask = interactive
    ? (q: string) => {
        const answer = asking.then(() => interactive.select(q, ['no', 'yes'] as const, 'no')).then((a) => a === 'yes');
        asking = answer.catch(() => undefined);
        return answer;
      }
    : undefined;

  async function open(name: string): Promise<SshClient> {
    const s = resolveHostSettings(inv, name, { env: o.env, knownHostsPath: o.knownHostsPath });
    auth ??= loadAuth(s, interactive ? (file) => interactive.password(`passphrase for ${file}`) : undefined);
    const common = {
      auth: await auth,
      hostKeys: { knownHostsPath: s.knownHostsPath, acceptNew: o.acceptNew ?? false, ask, log: o.notice ?? o.log },
      timeoutMs: s.connectTimeoutMs,
    };
    if (!s.jump) {
      const c = await connect(s, common);
      o.log?.(`${name}: SSH connected for tunnels (${s.user}@${s.address}:${s.port})`);
      return c;
    }
    const j = s.jump;
    jump ??= connect(j, common);
    const c = await connect(s, { ...common, sock: await forward(await jump, s, j), via: j });
    o.log?.(`${name}: SSH connected for tunnels (${s.user}@${s.address}:${s.port} via ${j.address}:${j.port})`);
    return c;
  }

  function client(name: string): Promise<SshClient> {
    let c = conns.get(name);
    if (!c) {
      const opened = open(name);
      conns.set(name, opened);
      // forget a failed or dropped connection so the next call (e.g. the next --watch round) reconnects
      opened.then(
        (cl) => cl.once('close', () => conns.get(name) === opened && conns.delete(name)),
        () => conns.get(name) === opened && conns.delete(name),
      );
      c = opened;
    }
    return c;
  }

  return {
    async stream(host, target, timeoutMs = 10_000) {
      const c = await client(host);
      return new Promise<Duplex>((resolve, reject) => {
        const timer = setTimeout(() => reject(new FalkorError('TIMEOUT', `${host}: no SSH channel to ${describeTarget(target)} within ${timeoutMs / 1000}s`)), timeoutMs);
        const done = (err: Error | undefined, ch: Duplex) => {
          clearTimeout(timer);
          if (err) reject(new FalkorError('REMOTE', `${host}: ${describeTarget(target)}: ${channelReason(err, 'path' in target)}`));
          else resolve(ch);
        };
        o.log?.(`${host}: tunnel to ${'port' in target ? `127.0.0.1:${target.port}` : target.path}`);
        if ('port' in target) c.forwardOut('127.0.0.1', 0, '127.0.0.1', target.port, done);
        else c.openssh_forwardOutStreamLocal(target.path, done);
      });
    },
    async close() {
      const all = [...conns.values()];
      conns.clear();
      await Promise.all(all.map((p) => p.then((c) => c.end(), () => undefined)));
      if (jump) await jump.then((c) => c.end(), () => undefined);
      jump = undefined;
    },
  };
}

/** sshd says "Connection refused" for a closed port, "open failed" for a missing/forbidden socket. */
function channelReason(err: Error, socket: boolean): string {
  const m = err.message.replace(/^\(SSH\) /, '').replace(/^Channel open failure: /, '');
  if (/refused/i.test(m)) return 'connection refused (nothing listening)';
  if (socket && /open failed/i.test(m)) return 'cannot open the socket (no such file: is the service running? or no permission for the SSH user)';
  if (/administratively prohibited/i.test(m)) return 'sshd forbids forwarding (AllowTcpForwarding / AllowStreamLocalForwarding)';
  return m || 'the host refused the channel';
}
