// ssh-agent authentication, a passphrase asked on a terminal, and reconnecting after a drop.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSshTransport } from '../../../src/remote/ssh.js';
import type { Prompter } from '../../../src/ui/prompt.js';
import { makeKeyPair, startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

let sshd: Sshd;
let c: ClientSide;
let agent: ChildProcess;
let agentSock: string;
let enc: { privatePath: string; publicLine: string };

beforeAll(async () => {
  c = clientSide();
  enc = makeKeyPair(c.dir, 'id_enc', 'correct horse');
  const agentKey = makeKeyPair(c.dir, 'id_agent');
  sshd = await startSshd({
    address: '127.0.3.3',
    authorizedKeys: { root: [c.key.publicLine, enc.publicLine, agentKey.publicLine] },
  });
  trust(c, sshd);
  agentSock = join(c.dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!existsSync(agentSock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  execFileSync('ssh-add', [agentKey.privatePath], { env: { SSH_AUTH_SOCK: agentSock }, stdio: 'ignore' });
});
afterAll(async () => {
  c?.dispose();
  agent?.kill();
  await sshd?.dispose();
});

describe('authentication sources', () => {
  test('ssh-agent via SSH_AUTH_SOCK, with no key file at all', async () => {
    const inv = inventory(c, [{ name: 'db3', sshd }], { identityFile: undefined });
    expect(inv.ssh.identityFile).toBeUndefined();
    const home = process.env.HOME;
    process.env.HOME = join(c.dir, 'empty-home'); // no ~/.ssh/id_* to fall back on
    try {
      const t = createSshTransport(inv, { env: { SSH_AUTH_SOCK: agentSock } });
      expect((await t.exec('db3', ['echo', 'via agent'])).stdout).toBe('via agent\n');
      await t.close();
      const none = createSshTransport(inv, noAgent);
      const err = await none.exec('db3', ['true']).catch((e) => e);
      expect(err.code).toBe('USER');
      expect(err.message).toBe('no SSH credentials: no private key found and no ssh-agent');
    } finally {
      process.env.HOME = home;
    }
  });

  test('an encrypted key: the passphrase is asked once on a terminal', async () => {
    const asked: string[] = [];
    const prompt: Prompter = {
      interactive: true,
      confirm: async () => false,
      input: async () => '',
      password: async (m) => (asked.push(m), 'correct horse'),
      select: (async () => 'no') as Prompter['select'],
    };
    const t = createSshTransport(
      inventory(
        c,
        [
          { name: 'db3', sshd },
          { name: 'db3b', sshd },
        ],
        { identityFile: enc.privatePath },
      ),
      { ...noAgent, prompt },
    );
    await Promise.all([t.exec('db3', ['true']), t.exec('db3b', ['true'])]);
    await t.close();
    expect(asked).toEqual([`passphrase for ${enc.privatePath}`]);
  });

  test('an encrypted key is skipped (not fatal) when ssh-agent can log in instead', async () => {
    const t = createSshTransport(inventory(c, [{ name: 'db3', sshd }], { identityFile: enc.privatePath }), {
      env: { SSH_AUTH_SOCK: agentSock },
    });
    expect((await t.exec('db3', ['echo', 'ok'])).stdout).toBe('ok\n');
    await t.close();
  });
});

describe('a dropped connection', () => {
  test('the running step fails clearly; the next step reconnects', async () => {
    const t = createSshTransport(inventory(c, [{ name: 'db3', sshd }]), noAgent);
    await t.exec('db3', ['true']);
    const before = sshd.connectionCount();
    const running = t.exec('db3', ['sleep', '20']).catch((e) => e);
    await new Promise((r) => setTimeout(r, 500));
    expect(sshd.killConnections()).toBeGreaterThan(0);
    const err = await running;
    expect(err.code).toBe('REMOTE');
    expect(err.message).toBe('db3: connection lost while running `sleep 20`');
    expect((await t.exec('db3', ['echo', 'back'])).stdout).toBe('back\n');
    expect(sshd.connectionCount()).toBe(before + 1);
    await t.close();
  });
});
