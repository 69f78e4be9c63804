// Issue 14's hostile inventories, one class per block: each was accepted (or hung, or rendered garbage) before
// the bounded field types; each must now be one error at the offending key's line, and its repair must pass.
import { describe, expect, it } from 'vitest';
import { aclRuleError } from '../../../src/inventory/acl-rules.js';
import { echo, sizeBytes } from '../../../src/inventory/fields.js';
import { BASE, check, lineOf, withBase } from './helpers.js';

/** The errors as [path, line] pairs: exactly one per hostile value. */
const errs = (t: string) => check(t).errors.map((e) => [e.path, e.line]);
const messages = (t: string) => check(t).errors.map((e) => e.message);

describe('sizes: linear, Redis units, 1 byte to 1 PiB', () => {
  it('parses Redis units (1k = 1000, 1kb = 1024) and one optional space', () => {
    expect(sizeBytes('1k')).toBe(1000);
    expect(sizeBytes('1kb')).toBe(1024);
    expect(sizeBytes('1.5gb')).toBe(1.5 * 1024 ** 3);
    expect(sizeBytes(' 64 Mb ')).toBe(64 * 1024 ** 2);
    expect(sizeBytes('48 gbx')).toBeUndefined();
    expect(sizeBytes('1e3')).toBeUndefined();
  });
  it('"1" and 200,000 spaces (or tabs) is refused by its length, at once', () => {
    for (const pad of [' ', '\t']) {
      const t = withBase(`redis:\n  maxmemory: "1${pad.repeat(200_000)}"\n`);
      expect(errs(t)).toEqual([['redis.maxmemory', lineOf(t, 'maxmemory')]]);
      expect(messages(t)[0]).toMatch(/at most 32 characters \(got 200001\)/);
    }
  });
  it('above 1 PiB, 0, and unknown units are errors; the repair passes', () => {
    for (const bad of ['"2048tb"', '"0"', '"5pb"', '1e+308']) {
      const t = withBase(`redis:\n  replBacklogSize: ${bad}\n`);
      expect(errs(t), bad).toEqual([['redis.replBacklogSize', lineOf(t, 'replBacklogSize')]]);
    }
    expect(check(withBase('redis:\n  replBacklogSize: 512mb\n')).errors).toEqual([]);
  });
});

describe('numbers: integers in the range the server accepts', () => {
  const cases: [string, string, string][] = [
    ['falkordb:\n  params:\n    THREAD_COUNT: 1e+308\n', 'falkordb.params.THREAD_COUNT', 'THREAD_COUNT'],
    ['falkordb:\n  params:\n    CACHE_SIZE: 1000000000000000000000000000000\n', 'falkordb.params.CACHE_SIZE', 'CACHE'],
    ['falkordb:\n  params:\n    TIMEOUT_MAX: 1e+30\n', 'falkordb.params.TIMEOUT_MAX', 'TIMEOUT_MAX'],
    ['falkordb:\n  params:\n    QUERY_MEM_CAPACITY: 1.5\n', 'falkordb.params.QUERY_MEM_CAPACITY', 'QUERY_MEM'],
    ['redis:\n  minReplicasMaxLag: 1e+308\n', 'redis.minReplicasMaxLag', 'minReplicasMaxLag'],
    ['sentinel:\n  downAfterMs: 2147483648\n', 'sentinel.downAfterMs', 'downAfterMs'],
    ['sentinel:\n  failoverTimeoutMs: 1e+308\n', 'sentinel.failoverTimeoutMs', 'failoverTimeoutMs'],
    ['monitoring:\n  exporterPort: -1\n', 'monitoring.exporterPort', 'exporterPort'],
    ['monitoring:\n  exporterPort: 65536\n', 'monitoring.exporterPort', 'exporterPort'],
    ['ssh:\n  jumpHost: { host: bastion.example, port: 65536 }\n', 'ssh.jumpHost.port', 'jumpHost'],
  ];
  for (const [extra, path, needle] of cases)
    it(`${path}: ${extra.split(': ').at(-1)!.trim()} → error at its line`, () => {
      const t = withBase(extra);
      expect(errs(t)).toEqual([[path, lineOf(t, needle)]]);
    });
  it('values at the edges pass', () => {
    const t = withBase(
      'sentinel:\n  downAfterMs: 2147483647\nfalkordb:\n  params:\n    THREAD_COUNT: 8\n    TIMEOUT_MAX: 9007199254740991\n',
    );
    expect(check(t).errors).toEqual([]);
  });
});

describe('addresses: an IP address or a DNS name, for every role', () => {
  const lb = (a: string) => BASE.replace('address: 10.0.0.9', `address: ${JSON.stringify(a)}`);
  for (const bad of ['-oProxyCommand=id', '*', 'a"b', '10.0.10.11#', '10.0.10.20\u0000', 'lb 1', '', 'a..b'])
    it(`load balancer address ${JSON.stringify(bad)} → error`, () => {
      const t = lb(bad);
      expect(errs(t)).toEqual([['hosts[3].address', lineOf(t, 'address: "')]]);
    });
  it('a DNS name passes for the load balancer (HAProxy binds its own address: "*" is never written)', () => {
    expect(check(lb('lb1.internal.example')).errors).toEqual([]);
  });
  it('redis.bind takes IP addresses only', () => {
    const t = withBase('redis:\n  bind: [10.0.0.50, "0.0.0.0 6379"]\n');
    expect(errs(t)).toEqual([['redis.bind[1]', lineOf(t, 'bind')]]);
  });
});

describe('__proto__ and other reserved names', () => {
  it('as an ACL user name → error (it rendered a guessable password with full rights)', () => {
    const text = BASE.replace(
      'password: env:FALKORDB_PASSWORD',
      'password: env:FALKORDB_PASSWORD\n  users:\n    - { name: __proto__, password: env:U }',
    );
    expect(errs(text)).toEqual([['auth.users[0].name', lineOf(text, '__proto__')]]);
    expect(messages(text)[0]).toMatch(/reserved name/);
  });
  it('as a key anywhere → error at its line, and its value never reaches the inventory', () => {
    const t = BASE.replace('cluster: prod', 'cluster: prod\n__proto__:\n  cluster: hidden');
    const r = check(t);
    expect(r.inventory).toBeUndefined();
    expect(r.errors.map((e) => [e.path, e.line, e.message])).toEqual([
      ['__proto__', lineOf(t, '__proto__'), '"__proto__" is a reserved name and cannot be a key'],
    ]);
    const nested = BASE.replace('role: master', 'role: master\n    constructor: 1');
    expect(errs(nested)).toEqual([['hosts[0].constructor', lineOf(nested, 'constructor')]]);
  });
});

describe('ACL rules follow ACL SETUSER grammar', () => {
  it('accepts what Redis accepts', () => {
    for (const ok of ['~* &* +@all -@dangerous', 'on resetkeys %R~cache:* +get +config|get -@admin', 'allkeys'])
      expect(aclRuleError(ok), ok).toBeUndefined();
  });
  it('names the offending token', () => {
    expect(aclRuleError('~* ../../etc/passwd')).toMatch(/^"\.\.\/\.\.\/etc\/passwd": not an ACL rule/);
    expect(aclRuleError('~* >secret')).toMatch(/passwords do not go in rules/);
    expect(aclRuleError('(~x +get)')).toMatch(/selectors/);
    expect(aclRuleError('+@all +get;flushall')).toMatch(/not a command name/);
  });
  it('a right-to-left override in rules is an error at its line', () => {
    const t = BASE.replace(
      'password: env:FALKORDB_PASSWORD',
      'password: env:FALKORDB_PASSWORD\n  users:\n    - { name: app, password: env:U, rules: "~* +@all \u202e" }',
    );
    expect(errs(t)).toEqual([['auth.users[0].rules', lineOf(t, 'rules')]]);
    expect(messages(t)[0]).toMatch(/U\+202E/);
  });
});

describe('fields only provision and deploy use', () => {
  const lvm = (vol: string) =>
    BASE.replace(
      'hardware: { memory: 64gb, cpus: 8 }\n  - name: db2',
      `hardware: { memory: 64gb, cpus: 8 }\n    storage:\n      devices: [/dev/vdb]\n      volumes:\n        - ${vol}\n  - name: db2`,
    );
  for (const [vol, path] of [
    ['{ name: data, size: 100%FREE, mount: /var/lib/falkordb/../../etc }', 'mount'],
    ['{ name: data, size: 100%FREE, mount: /etc/passwd }', 'mount'],
    ['{ name: data, size: 100%FREE, mount: /usr }', 'mount'],
    ['{ name: data, size: 101%FREE, mount: /var/lib/falkordb }', 'size'],
    ['{ name: data, size: "0", mount: /var/lib/falkordb }', 'size'],
    ['{ name: data, size: 100%FREE, mount: /var/lib/falkordb, options: ["noatime,nobarrier"] }', 'options[0]'],
  ] as const)
    it(`${vol} → error at ${path}`, () => {
      const t = lvm(vol);
      expect(errs(t)).toEqual([[`hosts[0].storage.volumes[0].${path}`, lineOf(t, 'name: data')]]);
    });
  it('a device with a shell separator → error; the repaired volume passes', () => {
    const t = lvm('{ name: data, size: 100%FREE, mount: /var/lib/falkordb }').replace('/dev/vdb', '"/dev/sda;reboot"');
    expect(errs(t)).toEqual([['hosts[0].storage.devices[0]', lineOf(t, 'devices')]]);
    expect(check(lvm('{ name: data, size: 100%FREE, mount: /var/lib/falkordb }')).errors).toEqual([]);
  });
});

describe('echo: a value quoted in a message', () => {
  it('is capped and its control characters escaped', () => {
    expect(echo('a'.repeat(1_000_000))).toBe(`"${'a'.repeat(60)}…" (1000000 characters)`);
    expect(echo('a\u0000b\nc')).toBe('"a\\u0000b\\nc"');
  });
  it('a 1 MB value is not echoed in full', () => {
    const t = BASE.replace('address: 10.0.0.9', `address: "${'x'.repeat(1_000_000)}"`);
    expect(messages(t).join('\n').length).toBeLessThan(500);
  });
});
