// upload/read through both transports (SSH to a real sshd, and local): atomic replace with mode,
// owner and a kept backup; identical uploads change nothing; missing files read as undefined.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalTransport } from '../../../src/remote/local.js';
import { createSshTransport } from '../../../src/remote/ssh.js';
import type { Transport } from '../../../src/remote/transport.js';
import { startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

let c: ClientSide;
let sshd: Sshd;
const transports: Record<string, Transport> = {};

beforeAll(async () => {
  c = clientSide();
  sshd = await startSshd({ address: '127.0.3.1', authorizedKeys: { root: [c.key.publicLine] } });
  trust(c, sshd);
  transports.ssh = createSshTransport(inventory(c, [{ name: 'db1', sshd }]), noAgent);
  transports.local = createLocalTransport();
});
afterAll(async () => {
  c?.dispose();
  await Promise.all(Object.values(transports).map((t) => t.close()));
  await sshd?.dispose();
});

describe.each(['ssh', 'local'])('files over %s', (kind) => {
  const t = () => transports[kind]!;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `falkorctl-files-${kind}-`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('upload creates the file with mode and owner, no backup, no temp file left', async () => {
    const p = join(dir, 'a.conf');
    expect(await t().upload('db1', p, 'one\n', { mode: 0o640, owner: 'nobody', group: 'nogroup' })).toEqual({
      changed: true,
    });
    const st = statSync(p);
    expect(readFileSync(p, 'utf8')).toBe('one\n');
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.uid).toBe(65534);
    expect(readdirSync(dir)).toEqual(['a.conf']);
  });

  test('an identical upload is a no-op; a mode change is not', async () => {
    const p = join(dir, 'a.conf');
    const ino = statSync(p).ino;
    expect(
      await t().upload('db1', p, Buffer.from('one\n'), { mode: 0o640, owner: 'nobody', group: 'nogroup' }),
    ).toEqual({ changed: false });
    expect(statSync(p).ino).toBe(ino);
    const r = await t().upload('db1', p, 'one\n', { mode: 0o600, owner: 'nobody', group: 'nogroup', backup: false });
    expect(r).toEqual({ changed: true });
    expect(statSync(p).mode & 0o7777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.conf']);
  });

  test('new content replaces the file by rename and keeps the old one as a timestamped backup', async () => {
    const p = join(dir, 'a.conf');
    const oldIno = statSync(p).ino;
    const r = await t().upload('db1', p, 'two\n', { mode: 0o644 });
    expect(r.changed).toBe(true);
    expect(r.backup).toMatch(new RegExp(`^${p}\\.\\d{8}T\\d{6}\\.\\d{3}Z\\.bak$`));
    expect(readFileSync(r.backup!, 'utf8')).toBe('one\n');
    expect(statSync(r.backup!).ino).toBe(oldIno); // the old inode itself, not a rewrite
    expect(statSync(p).ino).not.toBe(oldIno); // the new content arrived by rename
    expect(readFileSync(p, 'utf8')).toBe('two\n');
    expect(statSync(p).mode & 0o7777).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['a.conf', r.backup!.slice(dir.length + 1)].sort());
  });

  test('read returns the exact bytes, and undefined for a missing file', async () => {
    const p = join(dir, 'bin');
    const data = randomBytes(300_000);
    expect((await t().upload('db1', p, data, { mode: 0o755 })).changed).toBe(true);
    expect(Buffer.compare((await t().read('db1', p))!, data)).toBe(0);
    expect(await t().read('db1', join(dir, 'missing'))).toBeUndefined();
    writeFileSync(join(dir, 'empty'), '');
    expect(await t().read('db1', join(dir, 'empty'))).toEqual(Buffer.alloc(0));
  });

  test('reading a directory is a RemoteError, not "absent"', async () => {
    const err = await t()
      .read('db1', dir)
      .catch((e) => e);
    expect(err.code).toBe('REMOTE');
    expect(err.message).toContain(`cat ${dir}`);
  });

  test('upload into a missing directory fails clearly and leaves nothing behind', async () => {
    const err = await t()
      .upload('db1', join(dir, 'nope', 'x.conf'), 'x', { mode: 0o644 })
      .catch((e) => e);
    expect(err.code).toBe('REMOTE');
    expect(err.message).toContain(`upload ${join(dir, 'nope', 'x.conf')}`);
    expect(err.message).toContain('does not exist');
  });

  test('upload with an unknown owner fails and leaves the old file untouched', async () => {
    const p = join(dir, 'a.conf');
    const before = readFileSync(p, 'utf8');
    const entries = readdirSync(dir).sort();
    const err = await t()
      .upload('db1', p, 'three\n', { mode: 0o644, owner: 'no-such-user-x' })
      .catch((e) => e);
    expect(err.code).toBe('REMOTE');
    expect(err.message).toContain('no-such-user-x');
    expect(readFileSync(p, 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(entries);
  });
});
