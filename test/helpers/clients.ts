// ioredis clients for tests: no reconnect storms, no hidden retries, always closed by cleanupAll.
import { Redis } from 'ioredis';
import { connect } from 'node:net';
import { track, untrack } from './cleanup.js';

export interface ClientOptions {
  password?: string;
  username?: string;
}

/**
 * A connected (and, given a password, authenticated) client. Failures surface at once (one try per
 * command, no reconnect), which is what a test that asserts on errors such as READONLY or NOAUTH needs;
 * bad credentials reject with the server's own error (WRONGPASS …).
 */
export async function redisClient(host: string, port: number, o: ClientOptions = {}): Promise<Redis> {
  const r = new Redis({
    host,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 2_000,
    enableReadyCheck: false, // its INFO would fail on a server that wants a password we deliberately lack
  });
  r.on('error', () => {}); // surfaced through the failing command instead
  const handle = {
    name: `client ${host}:${port}`,
    pid: undefined,
    stop: async () => {
      untrack(handle);
      r.disconnect();
    },
    killNow: () => r.disconnect(),
  };
  track(handle);
  await r.connect();
  // AUTH ourselves: ioredis would only emit a failed AUTH as an event, leaving an unauthenticated client
  if (o.password !== undefined) {
    try {
      await r.call('AUTH', ...(o.username ? [o.username, o.password] : [o.password]));
    } catch (err) {
      await handle.stop();
      throw err;
    }
  }
  return r;
}

/** Parses INFO output into a flat map ("role" → "slave", "master_link_status" → "up"). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Sends one HAProxy runtime-API command over its stats socket and returns the reply. */
export function haproxyCommand(socket: string, command: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let out = '';
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`no reply on ${socket} to ${command}`));
    });
    s.on('connect', () => s.write(`${command}\n`));
    s.on('data', (b) => (out += b.toString('utf8')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

/** `show stat` as rows keyed by column name: pxname, svname, status ("UP", "DOWN", …), … */
export async function haproxyStat(socket: string): Promise<Record<string, string>[]> {
  const text = await haproxyCommand(socket, 'show stat');
  const lines = text.split('\n').filter(Boolean);
  const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i] ?? String(i), v])));
}
