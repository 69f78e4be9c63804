// One connection per stretch of success. The client never queues or retries on its own: a command
// either gets a reply within the timeout or fails now, so an outage shows up as failed attempts with
// their real timestamps instead of being absorbed by an offline queue or silent reconnects.
import { Redis } from 'ioredis';
import type { Target } from './types.js';

/** `timeoutMs` bounds connecting (TCP, AUTH, first PING); `commandTimeoutMs` each later command. */
export async function openConnection(t: Target, timeoutMs: number, commandTimeoutMs = timeoutMs): Promise<Redis> {
  const c = new Redis({
    host: t.host,
    port: t.port,
    password: t.password,
    ...(t.username ? { username: t.username } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: commandTimeoutMs,
    disableClientInfo: true,
    disconnectTimeout: timeoutMs,
  });
  // A rejected AUTH closes the connection and arrives only as an 'error' event: keep it for the message.
  let fatal: unknown;
  c.on('error', (e) => (fatal ??= e));
  // A proxy may accept the TCP connection and then hold it while it looks for a backend.
  let late = false;
  try {
    const deadline = setTimeout(() => {
      late = true;
      c.disconnect();
    }, timeoutMs);
    try {
      await c.connect();
      // Proves the endpoint serves (AUTH accepted, backend reachable, not LOADING) before writes count.
      await c.ping();
    } finally {
      clearTimeout(deadline);
    }
    return c;
  } catch (e) {
    close(c);
    throw late ? new Error(`no answer within ${timeoutMs} ms`) : (fatal ?? e);
  }
}

/** Disconnect unless already closed: ioredis arms a destroy timer that a closed socket never clears,
 *  which would keep the process alive for a while after the run. */
export function close(c: Redis): void {
  if (c.status !== 'end') c.disconnect();
}

/** Error text without the client library's stack or noise. */
export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}
