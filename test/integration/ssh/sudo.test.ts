// sudo for a non-root login: `sudo -n --` in front of steps; env and uploads work through it; a
// user without sudo rights fails at once (-n: never waits for a password).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSshTransport } from '../../../src/remote/ssh.js';
import type { Transport } from '../../../src/remote/transport.js';
import { ensureUser, startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

const SUDOER = 'fctl-sudoer';
const PLAIN = 'fctl-plain';
const SUDOERS_FILE = '/etc/sudoers.d/falkorctl-test';
let c: ClientSide;
let sshd: Sshd;
let t: Transport;
let rootDir: string;

beforeAll(async () => {
  ensureUser(SUDOER);
  ensureUser(PLAIN);
  writeFileSync(SUDOERS_FILE, `${SUDOER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  execFileSync('visudo', ['-cf', SUDOERS_FILE]);
  c = clientSide();
  sshd = await startSshd({
    address: '127.0.3.2',
    authorizedKeys: { [SUDOER]: [c.key.publicLine], [PLAIN]: [c.key.publicLine] },
  });
  trust(c, sshd);
  const inv = inventory(
    c,
    [
      { name: 'db1', sshd, user: SUDOER },
      { name: 'db2', sshd, user: PLAIN },
    ],
    { sudo: true },
  );
  t = createSshTransport(inv, noAgent);
  rootDir = mkdtempSync(join(tmpdir(), 'falkorctl-sudo-'));
  chmodSync(rootDir, 0o700); // only root may write here
});
afterAll(async () => {
  c?.dispose();
  await t?.close();
  await sshd?.dispose();
  rmSync(SUDOERS_FILE, { force: true });
  if (rootDir) rmSync(rootDir, { recursive: true, force: true });
});

describe('sudo for a non-root user', () => {
  test('steps run as root through sudo -n, unless the step says sudo:false', async () => {
    expect((await t.exec('db1', ['id', '-un'])).stdout).toBe('root\n');
    expect((await t.exec('db1', ['id', '-un'], { sudo: false })).stdout).toBe(`${SUDOER}\n`);
  });

  test('signals are reported through a dash login shell and through sudo', async () => {
    for (const sudo of [false, true]) {
      const r = await t.exec('db1', ['sh', '-c', 'kill -TERM $$'], { sudo, check: false });
      expect([r.code, r.signal]).toEqual([null, 'SIGTERM']);
    }
  });

  test('nasty arguments survive sudo unchanged', async () => {
    const args = ['a b', "it's", '$(id)', 'l1\nl2', '', '; true', '*'];
    expect((await t.exec('db1', ['printf', '%s\\0', ...args])).stdout.split('\0').slice(0, -1)).toEqual(args);
  });

  test('env and stdin pass through sudo (env_reset does not eat them)', async () => {
    const r = await t.exec('db1', ['sh', '-c', 'printf "%s:%s:" "$(id -u)" "$TOKEN"; cat'], {
      env: { TOKEN: 't0k en' },
      stdin: 'in',
    });
    expect(r.stdout).toBe('0:t0k en:in');
  });

  test('upload and read of a root-only path work through sudo', async () => {
    const p = join(rootDir, 'secret.conf');
    expect((await t.upload('db1', p, 'requirepass x\n', { mode: 0o600, owner: 'root' })).changed).toBe(true);
    expect(statSync(p).uid).toBe(0);
    expect(readFileSync(p, 'utf8')).toBe('requirepass x\n');
    expect((await t.read('db1', p))?.toString()).toBe('requirepass x\n');
    expect(await t.read('db1', join(rootDir, 'missing'))).toBeUndefined();
    const err = await t.exec('db1', ['cat', p], { sudo: false }).catch((e) => e);
    expect(err.code).toBe('REMOTE'); // proves the path really is root-only
  });

  test("a user without sudo rights fails at once with sudo's own message", async () => {
    // sudo -n: no password prompt that could hang; the error is sudo's own message
    const err = await t.exec('db2', ['id', '-u']).catch((e) => e);
    expect(err.code).toBe('REMOTE');
    expect(err.message).toMatch(/^db2: `sudo id -u` failed \(exit 1\)/);
    expect(err.message).toMatch(/password is required|not in the sudoers|may not run sudo/);
  });
});
