// The cluster lock through the local transport (real sh, real files, real O_EXCL): one winner among
// concurrent takers, the holder named in the refusal, stale locks refused, typed force-unlock, release.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, forceUnlock, readLock, withLock } from '../../../src/core/lock.js';
import { commandLine, maskArgv } from '../../../src/core/operator.js';
import { createLocalTransport } from '../../../src/remote/local.js';

const root = mkdtempSync(join(tmpdir(), 'falkorctl-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const transport = createLocalTransport();
let n = 0;
const target = () => ({ transport, host: 'db1', cluster: 'prod', dir: join(root, `d${++n}`, 'falkorctl') });
const who = (owner: string) => ({ owner, command: 'falkorctl deploy --yes' });

describe('cluster lock', () => {
  it('of concurrent takers exactly one wins; the others are refused (exit 3) naming the holder', async () => {
    const t = target();
    const got = await Promise.allSettled(['a', 'b', 'c', 'd'].map((o) => acquireLock({ ...t, ...who(`${o}@ops`) })));
    const won = got.filter((g) => g.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const holder = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
    for (const g of got.filter((x) => x.status === 'rejected')) {
      const e = g.reason;
      expect(e).toMatchObject({ code: 'REFUSED', exitCode: 3 });
      expect(e.message).toContain(`cluster prod is locked by ${holder.info.owner} (pid ${process.pid}`);
      expect(e.message).toContain('`falkorctl deploy --yes`');
    }
    const f = join(t.dir, 'cluster.lock');
    expect(JSON.parse(readFileSync(f, 'utf8'))).toMatchObject({ cluster: 'prod', owner: holder.info.owner });
    expect(execFileSync('stat', ['-c', '%a', t.dir]).toString().trim()).toBe('700');
    await holder.release();
    expect(existsSync(f)).toBe(false);
    const again = await acquireLock({ ...t, ...who('e@ops') });
    await again.release();
  });

  it('a lock past its expiry is reported stale and still refuses; renewal extends it', async () => {
    const t = target();
    const lock = await acquireLock({ ...t, ...who('a@ops'), ttlMs: 2000 });
    execFileSync('touch', ['-d', '-30 seconds', join(t.dir, 'cluster.lock')]);
    expect((await readLock(t))?.stale).toBe(true);
    await expect(acquireLock({ ...t, ...who('b@ops') })).rejects.toThrow(/has a stale lock by a@ops .*STALE: expired/);
    expect(await lock.renew()).toBe(true);
    expect((await readLock(t))?.stale).toBe(false);
    await lock.release();
  });

  it('--force-unlock needs the cluster name; then the lock is gone and its old holder cannot renew it', async () => {
    const t = target();
    const lock = await acquireLock({ ...t, ...who('a@ops') });
    await expect(forceUnlock({ ...t, typed: undefined })).rejects.toMatchObject({ code: 'REFUSED' });
    await expect(forceUnlock({ ...t, typed: 'staging' })).rejects.toThrow('"staging" is not the cluster name');
    expect(await readLock(t)).toBeDefined();
    const asked: string[] = [];
    const removed = await forceUnlock({ ...t, typed: undefined, ask: async (h) => (asked.push(h), 'prod') });
    expect(removed?.info?.owner).toBe('a@ops');
    expect(asked[0]).toContain('a@ops');
    expect(await readLock(t)).toBeUndefined();
    expect(await lock.renew()).toBe(false);
    // A new holder's lock survives the old holder's release.
    const next = await acquireLock({ ...t, ...who('b@ops') });
    await lock.release();
    expect((await readLock(t))?.info?.owner).toBe('b@ops');
    await next.release();
    expect(await forceUnlock({ ...t, typed: 'prod' })).toBeUndefined();
  });

  it('withLock releases on failure', async () => {
    const t = target();
    await expect(
      withLock({ ...t, ...who('a@ops') }, async () => Promise.reject(new Error('step failed'))),
    ).rejects.toThrow('step failed');
    expect(await readLock(t)).toBeUndefined();
  });
});

describe('command line masking', () => {
  it('masks values of secret-named options and URL credentials, keeps references', () => {
    expect(
      maskArgv([
        'deploy',
        '--password',
        'hunter2',
        '--token=abc',
        '--auth',
        'env:PW',
        'redis://u:pw@h:1',
        '--limit',
        'db1',
      ]),
    ).toEqual([
      'deploy',
      '--password',
      '***',
      '--token=***',
      '--auth',
      'env:PW',
      'redis://u:***@h:1',
      '--limit',
      'db1',
    ]);
    expect(commandLine(['init', '--password', 'file:/etc/pw', '--yes'])).toBe('init --password file:/etc/pw --yes');
  });
});
