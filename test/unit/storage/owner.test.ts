// The data directory's ownership, planned after the mount: the service user made when missing (deploy's own
// useradd), then `install -d -m 750 -o U -g U DIR` only when discovery saw another owner, group or mode.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PlainStorage } from '../../../src/inventory/schema.js';
import { discoveryScript, parseDiscovery, type StorageFacts } from '../../../src/storage/discover.js';
import { planHostStorage } from '../../../src/storage/plan.js';

const M = '@@falkorctl-storage@@';
const DIR = '/var/lib/falkordb';
const svc = { user: 'falkordb', dir: DIR, mount: DIR };
/** A recorded discovery (XFS mounted on /var/lib/falkordb) with the user and dir sections as given. */
const facts = (user: string, dir: string): StorageFacts =>
  parseDiscovery(
    readFileSync(new URL('../../fixtures/storage/nspawn-xfs-mounted.txt', import.meta.url), 'utf8') +
      `${M} user\n${user}\n${M} dir\n${dir}\n`,
    ['/dev/loop6'],
    { user: 'falkordb', dir: DIR },
  );
const S: PlainStorage = { device: '/dev/loop6', mount: DIR, filesystem: 'xfs', options: ['noatime'] };
const withFstab = (f: StorageFacts) => {
  const uuid = f.devices[0]?.blkid.UUID ?? '';
  f.fstab.push({ line: 9, spec: `UUID=${uuid}`, file: DIR, vfstype: 'xfs', options: ['noatime'], raw: '' });
  return f;
};
const plan = (f: StorageFacts, service: typeof svc | null = svc) =>
  planHostStorage('db1', S, f, { wipe: false, stamp: 'T', ...(service ? { service } : {}) });
const ids = (p: ReturnType<typeof plan>) => p.steps.map((s) => s.id.replace('db1:', ''));
const argv = (p: ReturnType<typeof plan>, id: string) => {
  const a = p.steps.find((s) => s.id === `db1:${id}`)?.action;
  return a?.kind === 'exec' ? a.argv : undefined;
};

describe('data directory ownership', () => {
  it('discovery asks in the same one command, the user and the path single-quoted', () => {
    const s = discoveryScript(['/dev/loop6'], { user: 'falkordb', dir: DIR });
    expect(s).toContain(`getent passwd -- falkordb >/dev/null`);
    expect(s).toContain(`stat --printf 'owner=%U\\ngroup=%G\\nmode=%a\\n' -- ${DIR} 2>/dev/null`);
    // the inventory rejects such names; were one to get through, it is still one word to the shell
    const odd = discoveryScript([], { user: 'a;b', dir: '/x $(id)' });
    expect(odd).toContain(`getent passwd -- 'a;b'`);
    expect(odd).toContain(`-- '/x $(id)'`);
    expect(discoveryScript(['/dev/loop6'])).not.toContain('getent');
  });

  it('parses the user and the stat (mode in octal); a missing directory has no stat', () => {
    expect(facts('exists=1', 'owner=falkordb\ngroup=falkordb\nmode=750').service).toEqual({
      user: 'falkordb',
      userExists: true,
      dir: DIR,
      stat: { owner: 'falkordb', group: 'falkordb', mode: 0o750 },
    });
    expect(facts('exists=0', '').service).toEqual({ user: 'falkordb', userExists: false, dir: DIR });
    // a truncated report is no stat, so the step is planned (never skipped on a guess)
    expect(facts('exists=1', 'owner=falkordb\ngroup=falkordb\nmode=7').service?.stat).toBeUndefined();
  });

  it('all correct: an empty plan', () => {
    expect(plan(withFstab(facts('exists=1', 'owner=falkordb\ngroup=falkordb\nmode=750')))).toMatchObject({
      steps: [],
      refusals: [],
    });
  });

  it("no user yet: deploy's useradd, then install -d with owner and mode", () => {
    const p = plan(withFstab(facts('exists=0', 'owner=root\ngroup=root\nmode=755')));
    expect(ids(p)).toEqual(['user', 'owner']);
    expect(argv(p, 'user')).toEqual([
      'useradd',
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      DIR,
      '--shell',
      '/usr/sbin/nologin',
      'falkordb',
    ]);
    expect(argv(p, 'owner')).toEqual(['install', '-d', '-m', '750', '-o', 'falkordb', '-g', 'falkordb', DIR]);
    expect(p.steps.find((s) => s.id === 'db1:owner')?.describe).toMatch(/now root:root 755/);
    expect(p.steps.some((s) => s.destructive)).toBe(false);
  });

  for (const [what, stat] of [
    ['another owner', 'owner=root\ngroup=falkordb\nmode=750'],
    ['another group', 'owner=falkordb\ngroup=root\nmode=750'],
    ['a looser mode', 'owner=falkordb\ngroup=falkordb\nmode=777'],
    ['missing', ''],
  ] as const)
    it(`${what}: only the owner step`, () => {
      expect(ids(plan(withFstab(facts('exists=1', stat))))).toEqual(['owner']);
    });

  it('volume not mounted yet: the owner step follows the mount whatever the directory underneath looked like', () => {
    const f = withFstab(facts('exists=1', 'owner=falkordb\ngroup=falkordb\nmode=750'));
    f.mounts = f.mounts.filter((m) => m.target !== DIR);
    expect(ids(plan(f))).toEqual(['mkdir', 'mount', 'owner']);
  });

  it('refused layout: no ownership steps either; no service (not a database host): none', () => {
    const f = facts('exists=0', '');
    expect(ids(plan(f, null))).toEqual(['fstab']);
    const elsewhere = planHostStorage('db1', { ...S, mount: '/srv/x' }, f, { wipe: false, stamp: 'T', service: svc });
    expect(elsewhere.steps).toEqual([]);
    expect(elsewhere.refusals).toHaveLength(1);
  });
});

describe('recorded: db3 provisioned by falkorctl (loop disk on /var/lib/falkordb/data, user made, owner set)', () => {
  const D = '/var/lib/falkordb/data';
  const f = parseDiscovery(
    readFileSync(new URL('../../fixtures/storage/nspawn-provisioned.txt', import.meta.url), 'utf8'),
    ['/dev/loop11'],
    { user: 'falkordb', dir: D },
  );
  const s: PlainStorage = {
    device: '/dev/loop11',
    mount: D,
    filesystem: 'xfs',
    label: 'falkordata',
    options: ['noatime'],
  };
  const run = (o: Partial<Parameters<typeof planHostStorage>[3]> = {}) =>
    planHostStorage('db3', s, f, { wipe: false, stamp: 'T', service: { user: 'falkordb', dir: D, mount: D }, ...o });

  it('reads the user and the directory', () => {
    expect(f.service).toEqual({
      user: 'falkordb',
      userExists: true,
      dir: D,
      stat: { owner: 'falkordb', group: 'falkordb', mode: 0o750 },
    });
  });
  it('plans nothing; another service user would be made and given the directory', () => {
    expect(run()).toMatchObject({ steps: [], refusals: [] });
    const other = { ...f, service: { ...f.service!, user: 'redis', userExists: false } };
    const p = planHostStorage('db3', s, other, {
      wipe: false,
      stamp: 'T',
      service: { user: 'redis', dir: D, mount: D },
    });
    expect(p.steps.map((x) => x.id)).toEqual(['db3:user', 'db3:owner']);
  });
});
