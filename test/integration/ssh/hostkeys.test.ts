// Host-key checking against a real sshd: unknown refused, --accept-new records, changed always refused.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PassThrough } from 'node:stream';
import { createCtx } from '../../../src/context.js';
import { createSshTransport, sshTransportFor } from '../../../src/remote/ssh.js';
import type { Prompter } from '../../../src/ui/prompt.js';
import { startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, type ClientSide } from './fixture.js';

let sshd: Sshd;
let c: ClientSide;

beforeAll(async () => {
  c = clientSide();
  sshd = await startSshd({ address: '127.0.3.2', authorizedKeys: { root: [c.key.publicLine] } });
});
afterAll(async () => {
  c?.dispose();
  await sshd?.dispose();
});

const run = async (o: { acceptNew?: boolean; prompt?: Prompter } = {}) => {
  const t = createSshTransport(inventory(c, [{ name: 'db2', sshd }]), { ...noAgent, ...o });
  try {
    return await t.exec('db2', ['echo', 'ok']);
  } finally {
    await t.close();
  }
};

describe('host keys', () => {
  test('an unknown key is refused with its fingerprint and how to accept it', async () => {
    const err = await run().catch((e) => e);
    expect(err.code).toBe('REFUSED');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(
      `db2 (${sshd.address}:${sshd.port}): host key is not known — ED25519 key fingerprint is ${sshd.fingerprint()}`,
    );
    expect(err.hint).toContain('--accept-new');
    expect(existsSync(c.knownHosts)).toBe(false);
  });

  test('--accept-new records the key; the next run verifies it without the flag', async () => {
    expect((await run({ acceptNew: true })).stdout).toBe('ok\n');
    expect(readFileSync(c.knownHosts, 'utf8')).toBe(`${sshd.knownHostsLine()}\n`);
    // ssh itself finds the entry we wrote
    const found = execFileSync('ssh-keygen', ['-F', `[${sshd.address}]:${sshd.port}`, '-f', c.knownHosts], {
      encoding: 'utf8',
    });
    expect(found).toContain(sshd.hostKey());
    expect((await run()).stdout).toBe('ok\n');
    expect(readFileSync(c.knownHosts, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('hashed known_hosts entries (ssh-keygen -H) are honoured', async () => {
    writeFileSync(c.knownHosts, `${sshd.knownHostsLine()}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', c.knownHosts], { stdio: 'ignore' });
    const text = readFileSync(c.knownHosts, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    expect(text).not.toContain(sshd.address);
    expect((await run()).stdout).toBe('ok\n');
  });

  test('an interactive "yes" trusts the key; "no" refuses', async () => {
    writeFileSync(c.knownHosts, '');
    const asked: string[] = [];
    const prompter = (answer: 'yes' | 'no'): Prompter => ({
      interactive: true,
      confirm: async () => false,
      input: async () => '',
      password: async () => '',
      select: (async (q: string) => (asked.push(q), answer)) as Prompter['select'],
    });
    expect((await run({ prompt: prompter('no') }).catch((e) => e)).code).toBe('REFUSED');
    expect(readFileSync(c.knownHosts, 'utf8')).toBe('');
    expect((await run({ prompt: prompter('yes') })).stdout).toBe('ok\n');
    expect(asked[0]).toContain(sshd.fingerprint());
    expect(readFileSync(c.knownHosts, 'utf8')).toContain(sshd.hostKey());
  });

  test('a changed key is refused, even with --accept-new, and known_hosts is left alone', async () => {
    const before = `${sshd.knownHostsLine()}\n`;
    writeFileSync(c.knownHosts, before);
    const oldFingerprint = sshd.fingerprint();
    await sshd.rotateHostKey();
    expect(sshd.fingerprint()).not.toBe(oldFingerprint);
    for (const acceptNew of [false, true]) {
      const err = await run({ acceptNew }).catch((e) => e);
      expect(err.code).toBe('REFUSED');
      expect(err.message).toContain('HOST KEY CHANGED');
      expect(err.message).toContain(sshd.fingerprint());
      expect(err.hint).toContain('ssh-keygen -R');
    }
    expect(readFileSync(c.knownHosts, 'utf8')).toBe(before);
  });
});

describe('sshTransportFor (what commands use)', () => {
  test('--accept-new from the command, the added key shown to the user, steps shown with -v', async () => {
    writeFileSync(c.knownHosts, '');
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (d) => (text += d));
    const io = { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd() };
    const ctx = createCtx({ inventory: 'x', json: false, verbose: true, color: false, yes: false, dryRun: false }, io);
    const t = sshTransportFor(inventory(c, [{ name: 'db2', sshd }]), ctx, { acceptNew: true });
    expect((await t.exec('db2', ['echo', 'a b'])).stdout).toBe('a b\n');
    await t.close();
    expect(text).toContain(`db2: added ED25519 ${sshd.fingerprint()} for [${sshd.address}]:${sshd.port}`);
    expect(text).toContain("db2: $ echo 'a b'");
  });
});

// An RSA public key made with ssh-keygen (any RSA key the test sshd does not have).
const RSA =
  'AAAAB3NzaC1yc2EAAAADAQABAAABAQCvzjf2nhUABUHPBU002FFejAXIUpQwOybaCjJugieSqtTUqltaacMnSbJorEb8lI/gWmb3MaUj8r4d8eVwK7IO/hUaL2LiZldFqYifB/pPvTBg+txkdHpj4USA+D8WR7oGI5aTrDyAXwJLZU8GQx8G2LYFyDBdlSc3/VzYBDn0rQOUAd/t+Bd+lYStIp/YrPoHN+Vs2g5lSS9fllxbVt9cOseM3Tix/IHNS3T65ecVSYWMn28bqwTYxmyNo2g+v3dTSj8FC3ROhQdBiKe1AL2thytLiJAFOJtmlMtOzHNzk4OLUK7g3xWoJhV8Yfxgp/BI28iYyArEPC4XXBA8ix2h';

describe('a host with several key types', () => {
  test('the type on file is negotiated; a key of another type only is "changed"', async () => {
    const multi = await startSshd({
      address: '127.0.3.2',
      authorizedKeys: { root: [c.key.publicLine] },
      hostKeyTypes: ['ed25519', 'ecdsa'],
    });
    try {
      const inv = inventory(c, [{ name: 'db2', sshd: multi }]);
      const once = async () => {
        const t = createSshTransport(inv, noAgent);
        try {
          return await t.exec('db2', ['echo', 'ok']);
        } finally {
          await t.close();
        }
      };
      // sshd prefers ed25519, but known_hosts holds only its ECDSA key: ECDSA must be asked for.
      writeFileSync(c.knownHosts, `${multi.knownHostsLine('ecdsa')}\n`);
      expect((await once()).stdout).toBe('ok\n');
      // Only an RSA key on file, and the host has none: a different type is refused as changed.
      writeFileSync(c.knownHosts, `${multi.knownHostsLine('ecdsa').split(' ')[0]} ssh-rsa ${RSA}\n`);
      const err = await once().catch((e) => e);
      expect(err.code).toBe('REFUSED');
      expect(err.message).toContain('HOST KEY CHANGED');
      expect(err.message).toContain('holds a different RSA key');
    } finally {
      await multi.dispose();
    }
  });
});
