// Every way a connection can fail gives one clear line naming host and address.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSshTransport } from '../../../src/remote/ssh.js';
import { freePort, makeKeyPair, startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

let sshd: Sshd;
let c: ClientSide;
let silent: Server;

beforeAll(async () => {
  c = clientSide();
  sshd = await startSshd({ address: '127.0.3.3', authorizedKeys: { root: [c.key.publicLine] } });
  trust(c, sshd);
  // Accepts TCP and never speaks SSH: a hung host.
  silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.3.3', r));
});
afterAll(async () => {
  c?.dispose();
  await sshd?.dispose();
  silent?.close();
});

async function attempt(inv: ReturnType<typeof inventory>, host = inv.hosts[0]!.name) {
  const t = createSshTransport(inv, noAgent);
  try {
    await t.exec(host, ['true']);
    return undefined;
  } catch (e) {
    return e as { code: string; message: string; hint?: string; exitCode: number };
  } finally {
    await t.close();
  }
}

describe('connection errors', () => {
  test('a key the host does not accept → authentication failed', async () => {
    const other = makeKeyPair(c.dir, 'id_other');
    const err = await attempt(inventory(c, [{ name: 'db3', sshd }], { identityFile: other.privatePath }));
    expect(err?.code).toBe('REMOTE');
    expect(err?.message).toBe(
      `db3 (root@${sshd.address}:${sshd.port}): authentication failed (tried key ${other.privatePath})`,
    );
    expect(err?.hint).toContain('authorized_keys');
  });

  test('a user the host does not know → authentication failed', async () => {
    const err = await attempt(inventory(c, [{ name: 'db3', sshd, user: 'nosuchuser' }]));
    expect(err?.message).toMatch(/^db3 \(nosuchuser@127\.0\.3\.3:\d+\): authentication failed/);
  });

  test('nothing listening → connection refused', async () => {
    const port = await freePort('127.0.3.3');
    const inv = inventory(c, [{ name: 'db3', sshd: { ...sshd, port } }]);
    const err = await attempt(inv);
    expect(err?.code).toBe('REMOTE');
    expect(err?.message).toBe(
      `db3 (root@127.0.3.3:${port}): connection refused — is sshd running and listening on port ${port}?`,
    );
  });

  test('a stopped sshd → connection refused; started again → works', async () => {
    await sshd.stop();
    const err = await attempt(inventory(c, [{ name: 'db3', sshd }]));
    expect(err?.message).toContain('connection refused');
    await sshd.start();
    expect(await attempt(inventory(c, [{ name: 'db3', sshd }]))).toBeUndefined();
  });

  test('a host that never answers the handshake → TIMEOUT after connectTimeoutMs', async () => {
    const port = (silent.address() as { port: number }).port;
    const err = await attempt(inventory(c, [{ name: 'db3', sshd: { ...sshd, port } }], { connectTimeoutMs: 1000 }));
    expect(err?.code).toBe('TIMEOUT');
    expect(err?.message).toBe(`db3 (root@127.0.3.3:${port}): no SSH handshake within 1s (ssh.connectTimeoutMs)`);
  });

  test('a missing identity file is a usage error (exit 2)', async () => {
    const err = await attempt(inventory(c, [{ name: 'db3', sshd }], { identityFile: `${c.dir}/missing` }));
    expect(err?.code).toBe('USER');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain(`ssh.identityFile ${c.dir}/missing cannot be read`);
  });

  test('an encrypted key without a terminal is a usage error naming ssh-agent', async () => {
    const enc = makeKeyPair(c.dir, 'id_enc', 'a passphrase');
    const err = await attempt(inventory(c, [{ name: 'db3', sshd }], { identityFile: enc.privatePath }));
    expect(err?.code).toBe('USER');
    expect(err?.message).toContain('is encrypted');
    expect(err?.hint).toContain('ssh-agent');
  });

  test('~ in identityFile and knownHosts is expanded', async () => {
    const home = process.env.HOME;
    process.env.HOME = c.dir;
    try {
      const inv = inventory(c, [{ name: 'db3', sshd }], { identityFile: '~/id_test', knownHosts: '~/known_hosts' });
      const t = createSshTransport(inv, noAgent);
      // os.homedir() follows $HOME on Linux
      expect((await t.exec('db3', ['echo', 'hi'])).stdout).toBe('hi\n');
      await t.close();
    } finally {
      process.env.HOME = home;
    }
  });
});
