import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory, resolveSecrets, type Prompter } from '../../../src/inventory/index.js';
import { BASE } from './helpers.js';

const withAuth = (auth: string) => BASE.replace(/^auth:[\s\S]*$/m, auth);

/** A terminal that answers from a script and records what it was asked. */
function scripted(answers: string[], interactive = true): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = async (m: string) => {
    asked.push(m);
    const a = answers.shift();
    if (a === undefined) throw new Error(`unexpected prompt: ${m}`);
    return a;
  };
  return {
    interactive,
    asked,
    confirm: async () => true,
    input: next,
    password: next,
    select: async <T extends string>(m: string, _choices: readonly T[]) => (await next(m)) as T,
  };
}

function dirWith(files: Record<string, { text: string; mode: number }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'falkorctl-secrets-'));
  for (const [name, f] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, f.text);
    chmodSync(p, f.mode);
  }
  return dir;
}

describe('resolveSecrets', () => {
  it('reads env:NAME', async () => {
    const inv = parseInventory(BASE, 'x.yaml').inventory;
    const s = await resolveSecrets(inv, { env: { FALKORDB_PASSWORD: 's3cret pass' }, prompt: scripted([]), cwd: '/' });
    expect(s).toEqual({ password: 's3cret pass', users: {} });
  });
  it('names the key path and variable when env is unset or empty', async () => {
    const inv = parseInventory(BASE, 'x.yaml').inventory;
    for (const env of [{}, { FALKORDB_PASSWORD: '' }]) {
      await expect(resolveSecrets(inv, { env, prompt: scripted([]), cwd: '/' })).rejects.toMatchObject({
        code: 'USER',
        exitCode: 2,
        message: 'auth.password: environment variable FALKORDB_PASSWORD is not set (or empty)',
      });
    }
  });
  it('reads file: relative to the inventory directory (a bare Inventory: to cwd), without the trailing newline', async () => {
    const dir = dirWith({
      'conf/secrets/sentinel.pass': { text: 'sentinel-pw\n', mode: 0o600 },
      'conf/app.pass': { text: 'app-pw', mode: 0o400 },
    });
    const text = withAuth(
      'auth:\n  password: env:P\n  sentinelPassword: file:secrets/sentinel.pass\n  users:\n    - { name: app, password: file:app.pass }\n',
    );
    const loaded = parseInventory(text, 'conf/inv.yaml');
    const s = await resolveSecrets(loaded, { env: { P: 'p' }, prompt: scripted([]), cwd: dir });
    expect(s).toEqual({ password: 'p', sentinelPassword: 'sentinel-pw', users: { app: 'app-pw' } });
    await expect(
      resolveSecrets(loaded.inventory, { env: { P: 'p' }, prompt: scripted([]), cwd: dir }),
    ).rejects.toMatchObject({
      // every reference that fails is named at once, not only the first
      message:
        '2 secret references cannot be resolved:\n' +
        `  auth.sentinelPassword: secret file ${join(dir, 'secrets/sentinel.pass')} does not exist\n` +
        `  auth.users[0].password: secret file ${join(dir, 'app.pass')} does not exist`,
    });
    expect(
      await resolveSecrets(loaded.inventory, { env: { P: 'p' }, prompt: scripted([]), cwd: join(dir, 'conf') }),
    ).toEqual(s);
  });
  it('refuses a group- or world-readable secret file, naming the key and the fix', async () => {
    const dir = dirWith({ 'pw.txt': { text: 'pw', mode: 0o644 }, 'g.txt': { text: 'pw', mode: 0o640 } });
    for (const f of ['pw.txt', 'g.txt']) {
      const loaded = parseInventory(withAuth(`auth:\n  password: file:${join(dir, f)}\n`), 'x.yaml');
      const e = await resolveSecrets(loaded, { env: {}, prompt: scripted([]), cwd: dir }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'USER', hint: `chmod 600 ${join(dir, f)}` });
      expect((e as Error).message).toMatch(
        new RegExp(`^auth.password: secret file .*${f} is readable by group or others \\(mode 06(44|40)\\)`),
      );
    }
  });
  it('reports a missing file, a directory, an empty file and a multi-line value', async () => {
    const dir = dirWith({ 'empty.txt': { text: '\n', mode: 0o600 }, 'two.txt': { text: 'a\nb\n', mode: 0o600 } });
    mkdirSync(join(dir, 'adir'), { mode: 0o700 });
    const cases: [string, RegExp][] = [
      ['missing.txt', /auth.password: secret file .*missing.txt does not exist/],
      ['adir', /is not a regular file/],
      ['empty.txt', /auth.password: file:empty.txt is empty/],
      ['two.txt', /contains a line break or control character/],
    ];
    for (const [f, msg] of cases) {
      const loaded = {
        ...parseInventory(withAuth(`auth:\n  password: file:${f}\n`), 'x.yaml'),
        file: join(dir, 'inv.yaml'),
      };
      await expect(resolveSecrets(loaded, { env: {}, prompt: scripted([]), cwd: '/' })).rejects.toMatchObject({
        code: 'USER',
        message: expect.stringMatching(msg),
      });
    }
  });
  it('asks once per prompt reference on a terminal, naming the key', async () => {
    const text = withAuth(
      'auth:\n  password: prompt\n  sentinelPassword: prompt\n  users:\n    - { name: app, password: env:APP }\n',
    );
    const p = scripted(['typed-pw']);
    const s = await resolveSecrets(parseInventory(text, 'x.yaml'), { env: { APP: 'a' }, prompt: p, cwd: '/' });
    expect(s).toEqual({ password: 'typed-pw', sentinelPassword: 'typed-pw', users: { app: 'a' } });
    expect(p.asked).toEqual(['auth.password:']);
  });
  it('prompt without a terminal → user error naming the key, and the user key path for users', async () => {
    const text = withAuth('auth:\n  password: env:P\n  users:\n    - { name: app, password: prompt }\n');
    await expect(
      resolveSecrets(parseInventory(text, 'x.yaml'), { env: { P: 'p' }, prompt: scripted([], false), cwd: '/' }),
    ).rejects.toMatchObject({
      code: 'USER',
      exitCode: 2,
      message: 'auth.users[0].password is "prompt" but there is no terminal to ask on',
    });
  });
});

describe('hostile secret files and short secrets (issue 14)', () => {
  const inv = (ref: string) => parseInventory(withAuth(`auth:\n  password: ${ref}\n`), 'inv.yaml');
  it('refuses a file over 64 KiB, one that is not UTF-8, and one with a control character, naming the file', async () => {
    const dir = dirWith({
      big: { text: 'x'.repeat(64 * 1024 + 1), mode: 0o600 },
      bin: { text: '', mode: 0o600 },
      nul: { text: 'abc\u0000defghij', mode: 0o600 },
    });
    writeFileSync(join(dir, 'bin'), Buffer.from([0xff, 0xfe, 0x41]));
    const run = (f: string) => resolveSecrets(inv(`file:${f}`), { env: {}, prompt: scripted([]), cwd: dir });
    await expect(run('big')).rejects.toThrow(/has 65537 bytes: a secret file holds one value/);
    await expect(run('bin')).rejects.toThrow(/is not UTF-8 text/);
    await expect(run('nul')).rejects.toThrow(/control character \(0x00 at 4\)/);
    for (const f of ['big', 'bin', 'nul']) await expect(run(f)).rejects.not.toThrow(/xxxx|defghij/);
  });
  it('warns about a secret shorter than 8 characters, and not about a long one', async () => {
    const warned: string[] = [];
    const ctx = (P: string) => ({ env: { P }, prompt: scripted([]), cwd: '/', warn: (m: string) => warned.push(m) });
    await resolveSecrets(inv('env:P'), ctx('y'));
    expect(warned).toEqual([expect.stringMatching(/^auth.password is shorter than 8 characters/)]);
    await resolveSecrets(inv('env:P'), ctx('a-long-enough-secret'));
    expect(warned).toHaveLength(1);
  });
  it('keeps ACL user passwords in a null-prototype map (a user name is inventory text)', async () => {
    const loaded = parseInventory(
      withAuth('auth:\n  password: env:P\n  users:\n    - { name: app, password: env:A }\n'),
      'inv.yaml',
    );
    const s = await resolveSecrets(loaded, {
      env: { P: 'p-long-secret', A: 'a-long-secret' },
      prompt: scripted([]),
      cwd: '/',
    });
    expect(Object.getPrototypeOf(s.users)).toBeNull();
    expect(s.users.app).toBe('a-long-secret');
  });
});
