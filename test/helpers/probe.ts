// Cheap readiness probes that need no client library and no credentials.
import { connect } from 'node:net';

/**
 * Sends an inline PING and returns the first reply line ("+PONG", "-NOAUTH …", "-LOADING …").
 * Rejects on connection errors or after timeoutMs.
 */
export function pingLine(host: string, port: number, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    let buf = '';
    const done = (err: Error | null, line?: string): void => {
      sock.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    };
    sock.setTimeout(timeoutMs, () => done(new Error(`no reply from ${host}:${port} within ${timeoutMs} ms`)));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (b) => {
      buf += b.toString('utf8');
      const nl = buf.indexOf('\r\n');
      if (nl >= 0) done(null, buf.slice(0, nl));
    });
    sock.on('error', (e) => done(e));
    sock.on('close', () => done(new Error(`${host}:${port} closed the connection without a reply`)));
  });
}

/** A Redis or Sentinel server is up once it answers PING, even if only to say it wants a password. */
export async function redisAnswers(host: string, port: number): Promise<boolean> {
  return answered(await pingLine(host, port));
}

/** Is this first reply line to PING from a server that is up (not -LOADING, not an error)? */
export const answered = (line: string): boolean =>
  line === '+PONG' || line.startsWith('-NOAUTH') || line.startsWith('-AUTH');

/** Resolves true once a TCP connection to host:port is accepted (and closes it at once). */
export function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      reject(new Error(`connect to ${host}:${port} timed out`));
    });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', reject);
  });
}
