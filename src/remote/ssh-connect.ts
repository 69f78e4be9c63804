// Opens one authenticated ssh2 connection to an endpoint (directly or over a jump connection's
// forwarded channel), with host-key checking, and turns every way it can fail into one clear line.
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, Client as SshClient } from 'ssh2';
import type { Duplex } from 'node:stream';
import { FalkorError } from '../errors.js';
import { checkHostKey, hostKeyAlgorithms, type HostKeyPolicy } from './host-key.js';
import type { Endpoint } from './ssh-settings.js';
import type { AuthMethods } from './ssh-auth.js';

const { Client } = ssh2;

export type { SshClient, ClientChannel };

export interface ConnectOpts {
  auth: AuthMethods;
  hostKeys: HostKeyPolicy;
  timeoutMs: number;
  /** A forwarded channel through a jump host, used instead of a TCP socket. */
  sock?: Duplex;
  via?: Endpoint;
}

export function describe(ep: Endpoint, via?: Endpoint): string {
  return `${ep.label} (${ep.user}@${ep.address}:${ep.port}${via ? ` via ${via.address}:${via.port}` : ''})`;
}

export function connect(ep: Endpoint, o: ConnectOpts): Promise<SshClient> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let refusedBy: Error | undefined; // the host-key verdict, which ssh2 only reports as "verification failed"
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(refusedBy ?? mapConnectError(e, ep, o));
    };
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', fail);
    client.once('close', () => fail(new Error('connection closed during handshake')));
    const cfg: ConnectConfig = {
      host: ep.address,
      port: ep.port,
      username: ep.user,
      sock: o.sock,
      readyTimeout: o.timeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: hostKeyAlgorithms(o.hostKeys.knownHostsPath, ep) as never },
      authHandler: o.auth.handler(ep.user),
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        checkHostKey(ep, key, o.hostKeys).then(
          () => verify(true),
          (e: unknown) => {
            refusedBy = e instanceof Error ? e : new Error(String(e));
            verify(false);
          },
        );
      },
    };
    try {
      client.connect(cfg);
    } catch (e) {
      fail(e);
    }
  });
}

/** A TCP channel from `through` to the endpoint, for the next hop's handshake. */
export function forward(through: SshClient, ep: Endpoint, via: Endpoint): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    through.forwardOut('127.0.0.1', 0, ep.address, ep.port, (err, ch) => {
      if (err)
        reject(
          new FalkorError(
            'REMOTE',
            `${describe(ep, via)}: the jump host could not connect: ${err.message.replace(/^\(SSH\) /, '')}`,
          ),
        );
      else resolve(ch);
    });
  });
}

export function mapConnectError(
  e: unknown,
  ep: Endpoint,
  o: Pick<ConnectOpts, 'auth' | 'timeoutMs' | 'via'>,
): FalkorError {
  const err = e as NodeJS.ErrnoException & { level?: string };
  const who = describe(ep, o.via);
  const msg = err?.message ?? String(e);
  switch (err?.code) {
    case 'ECONNREFUSED':
      return new FalkorError(
        'REMOTE',
        `${who}: connection refused — is sshd running and listening on port ${ep.port}?`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new FalkorError('REMOTE', `${who}: host unreachable (${err.code})`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FalkorError('REMOTE', `${who}: cannot resolve address "${ep.address}"`);
    case 'ETIMEDOUT':
      return new FalkorError('TIMEOUT', `${who}: connection timed out`);
    case 'ECONNRESET':
      return new FalkorError('REMOTE', `${who}: connection reset by the host`);
  }
  if (err?.level === 'client-timeout' || /Timed out while waiting for handshake/.test(msg)) {
    return new FalkorError('TIMEOUT', `${who}: no SSH handshake within ${o.timeoutMs / 1000}s (ssh.connectTimeoutMs)`);
  }
  if (err?.level === 'client-authentication' || /authentication methods failed/.test(msg)) {
    return new FalkorError(
      'REMOTE',
      `${who}: authentication failed (tried ${o.auth.tried().join(', ') || 'nothing'})`,
      {
        hint: `is the public key in ~${ep.user}/.ssh/authorized_keys on the host, and ssh.user / ssh.identityFile right?`,
      },
    );
  }
  return new FalkorError('REMOTE', `${who}: SSH connection failed: ${msg}`, { cause: e });
}
