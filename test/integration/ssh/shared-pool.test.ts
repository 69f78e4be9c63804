// One SSH connection per host for a whole command: exec steps and Redis tunnels share it, and the
// 8-channel limit per host covers both kinds of channel.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCtx } from '../../../src/context.js';
import { redisFactoryFor } from '../../../src/redis/client.js';
import { createSshTunnels } from '../../../src/redis/tunnel.js';
import { createSshTransport, sshTransportFor } from '../../../src/remote/ssh.js';
import { createSshPool } from '../../../src/remote/ssh-pool.js';
import { startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

let sshd: Sshd;
let c: ClientSide;
let echo: Server;
let echoPort: number;

beforeAll(async () => {
  c = clientSide();
  sshd = await startSshd({ address: '127.0.3.4', authorizedKeys: { root: [c.key.publicLine] } });
  trust(c, sshd);
  // What a tunnel reaches: a TCP echo server on the host's 127.0.0.1 (this machine: the sshd is local).
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => echo?.close(r));
  c?.dispose();
  await sshd?.dispose();
});

const roundTrip = (s: Duplex, text: string) =>
  new Promise<string>((resolve, reject) => {
    s.once('data', (d: Buffer) => resolve(d.toString()));
    s.once('error', reject);
    s.write(text);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function commandCtx() {
  const io = {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: {},
    cwd: process.cwd(),
  };
  return createCtx({ inventory: 'x', json: false, verbose: false, color: false, yes: false, dryRun: false }, io);
}

describe('the factories a command uses (sshTransportFor, redisFactoryFor)', () => {
  test('exec steps and tunnel streams in parallel ride exactly one TCP connection to the host', async () => {
    const inv = inventory(c, [{ name: 'db4', sshd }]);
    const ctx = commandCtx();
    const before = sshd.connectionCount();
    const transport = sshTransportFor(inv, ctx, {});
    const factory = redisFactoryFor(inv, ctx, {});
    const tunnels = factory.tunnels!;
    const [execs, streams] = await Promise.all([
      Promise.all([1, 2, 3, 4].map((n) => transport.exec('db4', ['echo', `step ${n}`]))),
      Promise.all([1, 2, 3].map(() => tunnels.stream('db4', { port: echoPort }))),
    ]);
    expect(execs.map((r) => r.stdout)).toEqual(['step 1\n', 'step 2\n', 'step 3\n', 'step 4\n']);
    expect(await Promise.all(streams.map((s, i) => roundTrip(s, `ping ${i}`)))).toEqual(['ping 0', 'ping 1', 'ping 2']);
    streams.forEach((s) => s.destroy());
    expect(sshd.connectionCount() - before).toBe(1);

    // Closing the factory leaves the transport's connection open; only the last close ends it.
    await factory.close();
    expect((await transport.exec('db4', ['echo', 'still here'])).stdout).toBe('still here\n');
    expect(sshd.connectionCount() - before).toBe(1);
    const disconnects = () => (sshd.log().match(/^Disconnected from user /gm) ?? []).length;
    const closedBefore = disconnects();
    await transport.close();
    await expect.poll(disconnects, { timeout: 5000 }).toBe(closedBefore + 1);

    // The next command run gets a fresh pool of its own.
    const again = sshTransportFor(inv, ctx, {});
    await again.exec('db4', ['true']);
    await again.close();
    expect(sshd.connectionCount() - before).toBe(2);
  });
});

describe('the channel limit', () => {
  test('8 open tunnel streams take every slot: an exec step waits for one, a 9th stream times out clearly', async () => {
    const inv = inventory(c, [{ name: 'db4', sshd }]);
    const pool = createSshPool(inv, noAgent);
    const transport = createSshTransport(inv, { pool });
    const tunnels = createSshTunnels(inv, { pool });
    const before = sshd.connectionCount();
    try {
      const streams = await Promise.all(Array.from({ length: 8 }, () => tunnels.stream('db4', { port: echoPort })));
      expect(await roundTrip(streams[7]!, 'eighth')).toBe('eighth');

      let done = false;
      const step = transport.exec('db4', ['echo', 'waited']).then((r) => ((done = true), r));
      await expect(tunnels.stream('db4', { port: echoPort }, 400)).rejects.toMatchObject({
        code: 'TIMEOUT',
        message: `db4: all 8 SSH channels busy, none free for port ${echoPort} within 0.4s`,
      });
      await sleep(200);
      expect(done).toBe(false);

      streams[0]!.destroy(); // a stream that closes frees its slot
      expect((await step).stdout).toBe('waited\n');
      expect(await roundTrip(streams[1]!, 'others unaffected')).toBe('others unaffected');
      streams.forEach((s) => s.destroy());
      expect(sshd.connectionCount() - before).toBe(1);
    } finally {
      await tunnels.close();
      await transport.close(); // a second close of the same pool is harmless
    }
  });
});
