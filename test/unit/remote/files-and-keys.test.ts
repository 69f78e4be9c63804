import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { backupStamp, chownSpec, parseStat, uploadArgv } from '../../../src/remote/file-scripts.js';
import { checkHostKey, hostKeyAlgorithms } from '../../../src/remote/host-key.js';

const temps: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'falkorctl-unit-remote-'));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIGtvuVnXPRfl0DzYPhFKqpJB80f/aoe200TzehRwUgO1';
const EC =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmmXk2W4OibzffoQpVKbngUp4sb3tuTyc0T0yQgGHDaKqkTSJYz4R/GoX9MqeN1Y8jhU4bCVOlBkC0fi7O9Pwo=';

describe('file scripts helpers', () => {
  test('parseStat', () => {
    const sha = 'a'.repeat(64);
    expect(parseStat(`640 falkordb falkordb ${sha}\n`)).toEqual({
      mode: 0o640,
      owner: 'falkordb',
      group: 'falkordb',
      sha256: sha,
    });
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('garbage')).toBeUndefined();
  });
  test('chownSpec', () => {
    expect([chownSpec('u', 'g'), chownSpec('u'), chownSpec(undefined, 'g'), chownSpec()]).toEqual([
      'u:g',
      'u',
      ':g',
      '',
    ]);
  });
  test('backupStamp is sortable and shell-safe', () => {
    expect(backupStamp(new Date('2026-11-27T15:01:02.345Z'))).toBe('20261127T150102.345Z');
  });
  test('uploadArgv passes data only as positional args, mode in octal', () => {
    const a = uploadArgv({
      path: '/etc/x.conf',
      sha256: 'f'.repeat(64),
      mode: 0o640,
      owner: 'falkordb',
      backupPath: '/etc/x.conf.1.bak',
    });
    expect(a.slice(0, 2)).toEqual(['sh', '-c']);
    expect(a.slice(3)).toEqual(['sh', '/etc/x.conf', 'f'.repeat(64), '0640', 'falkordb', '/etc/x.conf.1.bak']);
  });
});

describe('checkHostKey', () => {
  const ep = { label: 'db1', address: '10.0.0.1', port: 2222, user: 'root' };
  const key = Buffer.from(ED, 'base64');
  const fresh = (text?: string) => {
    const p = join(tempDir(), 'known_hosts');
    if (text !== undefined) writeFileSync(p, text);
    return p;
  };

  test('known key passes; unknown refused with fingerprint and nothing written', async () => {
    await expect(
      checkHostKey(ep, key, { knownHostsPath: fresh(`[10.0.0.1]:2222 ssh-ed25519 ${ED}\n`), acceptNew: false }),
    ).resolves.toBeUndefined();
    const p = fresh('');
    const err = await checkHostKey(ep, key, { knownHostsPath: p, acceptNew: false }).catch((e) => e);
    expect(err.code).toBe('REFUSED');
    expect(err.message).toBe(
      'db1 (10.0.0.1:2222): host key is not known — ED25519 key fingerprint is SHA256:3bM+pNJysVxrDYuC4v/Fzluz6ETXVn9EBxlKbJe3etk',
    );
    expect(err.hint).toMatch(/ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key\.pub.*--accept-new/);
    expect(readFileSync(p, 'utf8')).toBe('');
  });

  test('acceptNew appends and logs; ask() is used only without acceptNew', async () => {
    const p = fresh();
    const logs: string[] = [];
    await checkHostKey(ep, key, {
      knownHostsPath: p,
      acceptNew: true,
      log: (l) => logs.push(l),
      ask: async () => false,
    });
    expect(readFileSync(p, 'utf8')).toBe(`[10.0.0.1]:2222 ssh-ed25519 ${ED}\n`);
    expect(logs[0]).toContain('SHA256:3bM+');
  });

  test('a known_hosts that cannot be written is a usage error, not a crash', async () => {
    const dir = tempDir();
    const p = join(dir, 'known_hosts');
    mkdirSync(p); // a directory where the file should be
    const err = await checkHostKey(ep, key, { knownHostsPath: p, acceptNew: true }).catch((e) => e);
    expect(err.code).toBe('USER');
    expect(err.message).toContain(`cannot read known_hosts ${p}: EISDIR`);
    // readable but in a directory that cannot be created: recording fails cleanly
    const blocker = join(dir, 'file');
    writeFileSync(blocker, '');
    const err2 = await checkHostKey(ep, key, { knownHostsPath: join(blocker, 'known_hosts'), acceptNew: true }).catch(
      (e) => e,
    );
    expect(err2.code).toBe('USER');
    expect(err2.message).toContain('cannot record its host key in');
  });

  test('changed and revoked keys are refused even with acceptNew', async () => {
    const changed = fresh(`[10.0.0.1]:2222 ecdsa-sha2-nistp256 ${EC}\n`);
    const e1 = await checkHostKey(ep, key, { knownHostsPath: changed, acceptNew: true }).catch((e) => e);
    expect(e1.code).toBe('REFUSED');
    expect(e1.message).toContain('HOST KEY CHANGED');
    expect(e1.message).toContain('line 1');
    expect(e1.hint).toContain(`ssh-keygen -R '[10.0.0.1]:2222' -f ${changed}`);
    const revoked = fresh(`@revoked [10.0.0.1]:2222 ssh-ed25519 ${ED}\n`);
    const e2 = await checkHostKey(ep, key, { knownHostsPath: revoked, acceptNew: true }).catch((e) => e);
    expect(e2.message).toContain('@revoked');
  });

  test('hostKeyAlgorithms puts the known types first', () => {
    const p = fresh(`[10.0.0.1]:2222 ssh-rsa AAAAB3NzaC1yc2EAAAAA\n`);
    expect(hostKeyAlgorithms(p, ep).slice(0, 4)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
    expect(hostKeyAlgorithms(fresh(), ep)[0]).toBe('ssh-ed25519');
  });
});
