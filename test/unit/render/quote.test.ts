// The quoting helpers against the real parsers: systemd-escape for unit names, and redis-server
// reading a rendered secrets.conf whose passwords hold every character that needs quoting.
import { execa, execaSync } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { renderAll } from '../../../src/render/index.js';
import { findFalkorBinaries } from '../../helpers/bins.js';
import { smallInventory } from './fixture.js';
import { describe, expect, it } from 'vitest';
import { envFileValue, haproxyAddr, isIp, mountUnitName, redisArg } from '../../../src/templates/quote.js';

/** sdssplitargs, for one double-quoted argument (the only quoted form redisArg produces). */
function unquoteRedis(a: string): string {
  if (!a.startsWith('"')) return a;
  let out = '';
  for (let i = 1; i < a.length - 1; i++) {
    const c = a[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = a[++i] as string;
    if (n === 'x') {
      out += String.fromCharCode(parseInt(a.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' }[n] ?? n;
  }
  return out;
}

describe('mountUnitName', () => {
  it('matches systemd-escape --path --suffix=mount', () => {
    for (const p of [
      '/var/lib/falkordb',
      '/srv/my data/x-y.z',
      '/',
      '/data/',
      '//a//b',
      '/.hidden/x',
      '/var/lib/fälkor',
    ]) {
      const want = execaSync('systemd-escape', ['--path', '--suffix=mount', p]).stdout.trim();
      expect(mountUnitName(p), p).toBe(want);
    }
  });
});

describe('redisArg', () => {
  it('leaves plain words bare and round-trips everything else', () => {
    expect(redisArg('/etc/falkordb/secrets.conf')).toBe('/etc/falkordb/secrets.conf');
    expect(redisArg('>pw')).toBe('>pw');
    for (const v of ['', 'a b', 'q"uote', 'back\\slash', "it's", 'tab\there', 'nl\nx', '\x01ctl', 'ünï', '#hash']) {
      const q = redisArg(v);
      expect(q.startsWith('"'), v).toBe(true);
      expect(unquoteRedis(q), v).toBe(v);
    }
  });
});

describe('envFileValue and addresses', () => {
  it('escapes what systemd unescapes inside double quotes', () => {
    expect(envFileValue('a$b`c')).toBe('"a\\$b\\`c"');
  });
  it('tells IP literals from names, and brackets nothing for HAProxy', () => {
    expect(['10.0.0.1', '::1', '2001:db8::5'].every(isIp)).toBe(true);
    expect(['db1', 'db1.example.com', '999.1.1.1'].some(isIp)).toBe(false);
    expect(haproxyAddr('2001:db8::5', 6379)).toBe('ipv6@2001:db8::5:6379');
    expect(haproxyAddr('10.0.0.1', 6379)).toBe('10.0.0.1:6379');
  });
});

const bins = findFalkorBinaries();
const stop: (() => void)[] = [];
afterAll(() => stop.forEach((f) => f()));

describe.skipIf(!bins)('a rendered secrets.conf read by redis-server', { timeout: 30_000 }, () => {
  it('every awkward password authenticates exactly as written', async () => {
    const odd = [
      'a b',
      'q"uote',
      'back\\slash',
      "it's",
      'tab\there',
      '#hash',
      'dollar$HOME',
      'ünïcode',
      ' lead',
      'trail ',
    ];
    const users = odd.map((_, i) => ({ name: `u${i}`, password: `env:U${i}` }));
    const inv = smallInventory((i) => void (i.auth = { password: 'env:P', users }));
    const secrets = { password: 'main"pass word', users: Object.fromEntries(odd.map((v, i) => [`u${i}`, v])) };
    const conf =
      renderAll(inv, secrets, { hosts: ['m1'] }).find((f) => f.path.endsWith('/secrets.conf'))?.content ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-quote-'));
    const sock = join(dir, 'redis.sock');
    writeFileSync(join(dir, 'secrets.conf'), conf);
    writeFileSync(
      join(dir, 'main.conf'),
      `port 0\nunixsocket ${sock}\ndir ${dir}\ninclude ${join(dir, 'secrets.conf')}\n`,
    );
    const p = execa(bins!.redisServer, [join(dir, 'main.conf')], { reject: false });
    stop.push(() => p.kill());
    const client = (username: string | undefined, password: string) =>
      new Redis({
        path: sock,
        username,
        password,
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
    let main: Redis | undefined;
    for (let t = 0; t < 50 && !main; t++) {
      const c = client(undefined, secrets.password);
      try {
        await c.connect();
        main = c;
      } catch {
        c.disconnect();
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(await main?.ping()).toBe('PONG');
    main?.disconnect();
    for (const [i, v] of odd.entries()) {
      const c = client(`u${i}`, v);
      await c.connect();
      expect(await c.call('ACL', 'WHOAMI'), JSON.stringify(v)).toBe(`u${i}`);
      c.disconnect();
    }
  });
});
