import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { inventorySchema, type InventoryInput } from '../../../src/inventory/schema.js';
import { mapConnectError } from '../../../src/remote/ssh-connect.js';
import { expandHome, resolveHostSettings } from '../../../src/remote/ssh-settings.js';

const temps: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'falkorctl-unit-remote-'));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const inv = (ssh: InventoryInput['ssh'] = {}) =>
  inventorySchema.parse({
    cluster: 'c',
    ssh,
    hosts: [
      { name: 'db1', address: '10.0.0.1', role: 'master' },
      { name: 'db2', address: '10.0.0.2', role: 'replica', ssh: { user: 'deploy', port: 2200 } },
    ],
    auth: { password: 'env:P' },
  });

describe('resolveHostSettings', () => {
  const home = tempDir();

  test('defaults: root@address:22, ~/.ssh/known_hosts, no keys when none exist, agent from env', () => {
    const s = resolveHostSettings(inv(), 'db1', { home, env: { SSH_AUTH_SOCK: '/run/agent.sock' } });
    expect(s).toMatchObject({
      name: 'db1',
      address: '10.0.0.1',
      port: 22,
      user: 'root',
      identityFiles: [],
      agentSocket: '/run/agent.sock',
      knownHostsPath: join(home, '.ssh/known_hosts'),
      sudo: false,
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 120_000,
    });
    expect(s.jump).toBeUndefined();
  });

  test('per-host user and port override the defaults', () => {
    expect(resolveHostSettings(inv({ user: 'ops', port: 22022 }), 'db2', { home, env: {} })).toMatchObject({
      user: 'deploy',
      port: 2200,
      agentSocket: undefined,
    });
    expect(resolveHostSettings(inv({ user: 'ops', port: 22022 }), 'db1', { home, env: {} })).toMatchObject({
      user: 'ops',
      port: 22022,
    });
  });

  test("ssh's default key files are offered when they exist, in ssh's order", () => {
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh/id_rsa'), 'x');
    writeFileSync(join(home, '.ssh/id_ed25519'), 'x');
    expect(resolveHostSettings(inv(), 'db1', { home, env: {} }).identityFiles).toEqual([
      join(home, '.ssh/id_ed25519'),
      join(home, '.ssh/id_rsa'),
    ]);
  });

  test('an explicit identityFile and knownHosts, with ~ expanded; an override path wins', () => {
    const s = resolveHostSettings(inv({ identityFile: '~/keys/deploy', knownHosts: '~/kh' }), 'db1', { home, env: {} });
    expect(s.identityFiles).toEqual([join(home, 'keys/deploy')]);
    expect(s.identityExplicit).toBe(true);
    expect(s.knownHostsPath).toBe(join(home, 'kh'));
    expect(resolveHostSettings(inv(), 'db1', { home, env: {}, knownHostsPath: '/tmp/kh' }).knownHostsPath).toBe(
      '/tmp/kh',
    );
  });

  test('the jump host takes the default user unless it names one', () => {
    expect(resolveHostSettings(inv({ user: 'ops', jumpHost: { host: 'bastion' } }), 'db1', { home }).jump).toEqual({
      label: 'jump host',
      address: 'bastion',
      port: 22,
      user: 'ops',
    });
    expect(
      resolveHostSettings(inv({ jumpHost: { host: 'b', port: 2222, user: 'j' } }), 'db1', { home }).jump,
    ).toMatchObject({ port: 2222, user: 'j' });
  });

  test('an unknown host name is a usage error', () => {
    expect(() => resolveHostSettings(inv(), 'db9')).toThrow(/unknown host "db9"/);
  });

  test('expandHome', () => {
    expect(expandHome('~', '/h')).toBe('/h');
    expect(expandHome('~/a', '/h')).toBe('/h/a');
    expect(expandHome('/abs/~/x', '/h')).toBe('/abs/~/x');
    expect(expandHome('~other/x', '/h')).toBe('~other/x');
  });
});

describe('mapConnectError', () => {
  const ep = { label: 'db1', address: '10.0.0.1', port: 22, user: 'root' };
  const o = { auth: { tried: () => ['key /k'], handler: () => () => undefined }, timeoutMs: 3000 };
  const errno = (code: string) => Object.assign(new Error(code), { code });
  test.each([
    [
      'ECONNREFUSED',
      'REMOTE',
      'db1 (root@10.0.0.1:22): connection refused — is sshd running and listening on port 22?',
    ],
    ['EHOSTUNREACH', 'REMOTE', 'db1 (root@10.0.0.1:22): host unreachable (EHOSTUNREACH)'],
    ['ENETUNREACH', 'REMOTE', 'db1 (root@10.0.0.1:22): host unreachable (ENETUNREACH)'],
    ['ENOTFOUND', 'REMOTE', 'db1 (root@10.0.0.1:22): cannot resolve address "10.0.0.1"'],
    ['ETIMEDOUT', 'TIMEOUT', 'db1 (root@10.0.0.1:22): connection timed out'],
    ['ECONNRESET', 'REMOTE', 'db1 (root@10.0.0.1:22): connection reset by the host'],
  ])('%s', (code, kind, message) => {
    const e = mapConnectError(errno(code), ep, o);
    expect([e.code, e.message]).toEqual([kind, message]);
  });
  test('handshake timeout and auth failure (ssh2 error levels)', () => {
    const t = mapConnectError(
      Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }),
      ep,
      o,
    );
    expect([t.code, t.message]).toEqual([
      'TIMEOUT',
      'db1 (root@10.0.0.1:22): no SSH handshake within 3s (ssh.connectTimeoutMs)',
    ]);
    const a = mapConnectError(
      Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }),
      ep,
      o,
    );
    expect(a.message).toBe('db1 (root@10.0.0.1:22): authentication failed (tried key /k)');
  });
  test('the jump host appears in the address', () => {
    const e = mapConnectError(errno('ECONNREFUSED'), ep, {
      ...o,
      via: { label: 'jump host', address: 'b', port: 2222, user: 'j' },
    });
    expect(e.message).toMatch(/^db1 \(root@10\.0\.0\.1:22 via b:2222\): connection refused/);
  });
});
