import { describe, expect, it } from 'vitest';
import { parseConf, redisBytes, splitArgs } from '../../../src/lint/conf/tokenize.js';
import { buildUnit, isMainConfig } from '../../../src/lint/conf/unit.js';
import { haproxyMs, parseHaproxy, splitWords } from '../../../src/lint/haproxy/parse.js';
import { dockerBytes, floatingTag, k8sBytes, passwordInArgv } from '../../../src/lint/yaml/units.js';
import { placeholderIn } from '../../../src/lint/rule.js';

describe('redis config tokenizer (sdssplitargs rules)', () => {
  it.each([
    ['save 900 1', ['save', '900', '1']],
    ['  requirepass   "a b"  ', ['requirepass', 'a b']],
    ['requirepass "tab\\there\\x41"', ['requirepass', 'tab\there\x41']],
    ["requirepass 'it\\'s'", ['requirepass', "it's"]],
    ["requirepass 'no\\nescape'", ['requirepass', 'no\\nescape']],
    ['save ""', ['save', '']],
    ['rename-command CONFIG ""', ['rename-command', 'CONFIG', '']],
  ])('%s', (line, expected) => {
    expect(splitArgs(line)).toEqual(expected);
  });
  it.each(['requirepass "abc', "requirepass 'abc", 'logfile "a"b'])('rejects %s', (line) => {
    expect(splitArgs(line)).toBeUndefined();
  });
  it('keeps line numbers, lower-cases names, skips comments and blank lines', () => {
    const p = parseConf('# c\n\nMaxMemory 1gb\n  # indented comment\nbind 1.2.3.4 -::1\nbad "x\n', 'f.conf');
    expect(p.directives.map((d) => [d.line, d.name, d.args])).toEqual([
      [3, 'maxmemory', ['1gb']],
      [5, 'bind', ['1.2.3.4', '-::1']],
    ]);
    expect(p.comments).toEqual(['# c', '# indented comment']);
    expect(p.errors).toEqual([{ line: 6, message: 'unbalanced quotes in a "bad" line' }]);
  });
  it('maps lines of an embedded block', () => {
    expect(parseConf('a 1\n\nb 2', 'x.yaml', (i) => 40 + i).directives.map((d) => d.line)).toEqual([40, 42]);
  });
});

describe('redis sizes (memtoll)', () => {
  it.each([
    ['48gb', 48 * 1024 ** 3, 'gb'],
    ['48GB', 48 * 1024 ** 3, 'gb'],
    ['48g', 48e9, 'g'],
    ['100mb', 100 * 1024 ** 2, 'mb'],
    ['1k', 1000, 'k'],
    ['12345', 12345, ''],
  ])('%s', (v, bytes, unit) => expect(redisBytes(v)).toEqual({ bytes, unit }));
  it.each(['48GiB', '48 gb', '-1', 'lots'])('rejects %s', (v) => expect(redisBytes(v)).toBeUndefined());
});

describe('includes', () => {
  const files: Record<string, string> = {
    'secrets.conf': 'requirepass p\ninclude /etc/falkordb/more.conf\n',
    'more.conf': 'maxmemory 1gb\ninclude /etc/falkordb/secrets.conf\n',
  };
  const read = (p: string) => files[p.split('/').at(-1)!];
  it('reads an include by basename next to the file, recursively, without looping', () => {
    const u = buildUnit('redis', '/x/main.conf', 'dir /d\ninclude /etc/falkordb/secrets.conf\n', read);
    expect(u.directives.map((d) => `${d.file}:${d.line} ${d.name}`)).toEqual([
      '/x/main.conf:1 dir',
      '/x/main.conf:2 include',
      '/x/secrets.conf:1 requirepass',
      '/x/secrets.conf:2 include',
      '/x/more.conf:1 maxmemory',
      '/x/more.conf:2 include',
    ]);
    expect(u.unresolvedInclude).toBe(false);
  });
  it('marks a missing include or a glob as unresolved', () => {
    expect(buildUnit('redis', '/x/a.conf', 'include /etc/nope.conf\n', read).unresolvedInclude).toBe(true);
    expect(buildUnit('redis', '/x/a.conf', 'include /etc/falkordb/*.conf\n', read).unresolvedInclude).toBe(true);
  });
  it('tells a full config from a fragment', () => {
    expect(isMainConfig(buildUnit('redis', 'a.conf', 'port 0\ntls-port 6380\n', read))).toBe(false);
    expect(isMainConfig(buildUnit('redis', 'a.conf', 'dir /data\n', read))).toBe(true);
  });
});

describe('placeholders', () => {
  it.each([
    [['${X}'], undefined, '${X}'],
    [['$(openssl', 'rand'], undefined, '$('],
    [['$PASSWORD'], undefined, '$PASSWORD'],
    [['pa$sword'], undefined, undefined],
    [['$(PW)'], 'kubernetes', undefined],
    [['${PW}'], 'kubernetes', '${PW}'],
    [['${PW}'], 'compose', undefined],
  ] as const)('%j (expanded by %s) → %s', (args, by, found) => {
    const r = placeholderIn(args, by);
    if (found === undefined) expect(r).toBeUndefined();
    else expect(r).toContain(found);
  });
});

describe('haproxy parser', () => {
  it('splits sections and words; escapes, quotes and comments', () => {
    const s = parseHaproxy(
      'global\n    daemon # bg\n\nbackend be_rw\n    tcp-check send AUTH\\ ${P}\\r\\n\n    server a "${H}:6379" check\n',
    );
    expect(s.map((x) => [x.type, x.name, x.line])).toEqual([
      ['global', '', 1],
      ['backend', 'be_rw', 4],
    ]);
    expect(s[0]!.lines[0]!.words.map((w) => w.text)).toEqual(['daemon']);
    const send = s[1]!.lines[0]!.words;
    expect(send[2]).toMatchObject({ text: 'AUTH ${P}rn', literalVar: true });
    expect(s[1]!.lines[1]!.words[2]).toMatchObject({ text: '${H}:6379', literalVar: false });
    expect(splitWords("x '${A}'")[1]!.literalVar).toBe(true);
  });
  it('reads times', () => {
    expect([haproxyMs('50000'), haproxyMs('50s'), haproxyMs('30m'), haproxyMs('1h'), haproxyMs('x')]).toEqual([
      50000,
      50000,
      1800000,
      3600000,
      undefined,
    ]);
  });
});

describe('compose / kubernetes values', () => {
  it('sizes', () => {
    expect(k8sBytes('48Gi')).toBe(48 * 1024 ** 3);
    expect(k8sBytes('48G')).toBe(48e9);
    expect(k8sBytes('512Mi')).toBe(512 * 1024 ** 2);
    expect(dockerBytes('48G')).toBe(48 * 1024 ** 3);
    expect(dockerBytes('512m')).toBe(512 * 1024 ** 2);
    expect(dockerBytes('junk')).toBeUndefined();
  });
  it('floating image tags', () => {
    expect(['redis', 'redis:latest', 'registry:5000/falkordb/falkordb'].map(floatingTag)).toEqual([true, true, true]);
    expect(['redis:8.2.3', 'registry:5000/falkordb/falkordb:v4', 'redis@sha256:abc'].map(floatingTag)).toEqual([
      false,
      false,
      false,
    ]);
  });
  it('passwords in argv', () => {
    expect(passwordInArgv(['redis-cli', '-a', 'x', 'ping'])).toBe(true);
    expect(passwordInArgv(['redis-cli', '-u', 'redis://:secret@db:6379', 'ping'])).toBe(true);
    expect(passwordInArgv(['redis-cli', '-u', 'redis://db:6379', 'ping'])).toBe(false);
    expect(passwordInArgv(['redis-cli', 'ping'])).toBe(false);
  });
});
