// The public API render and the command use: kind detection, formatting, lintText/lintFiles over real files.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectKind, formatFindings, lintFiles, lintText } from '../../../src/lint/index.js';
import type { Finding } from '../../../src/lint/types.js';
import { SEED } from './helpers.js';
import { readFileSync } from 'node:fs';

describe('detectKind', () => {
  const seed = (f: string) => readFileSync(path.join(SEED, f), 'utf8');
  it.each([
    ['redis-master.conf', 'redis'],
    ['redis-replica.conf', 'redis'],
    ['sentinel.conf', 'sentinel'],
    ['haproxy.cfg', 'haproxy'],
    ['docker-compose.prod.yml', 'compose'],
    ['monitoring-stack.yml', 'compose'],
    ['falkordb-production.yaml', 'kubernetes'],
    ['production-alerts.yml', 'prometheus'],
    ['tls.conf', 'redis'],
    ['sentinel-notify.sh', undefined],
  ])('seed %s → %s', (f, kind) => expect(detectKind(f, seed(f))).toBe(kind));
  it('looks at content when the name says nothing', () => {
    expect(detectKind('node-a', 'sentinel monitor m 10.0.0.1 6379 2\n')).toBe('sentinel');
    expect(detectKind('lb', 'global\n  daemon\nbackend x\n')).toBe('haproxy');
    expect(detectKind('db1', 'maxmemory 1gb\n')).toBe('redis');
    expect(detectKind('x.yaml', 'apiVersion: v1\nkind: ConfigMap\n')).toBe('kubernetes');
    expect(detectKind('notes.txt', 'hello')).toBeUndefined();
  });
});

describe('formatFindings', () => {
  const f = (file: string, line: number, severity: Finding['severity']): Finding => ({
    file,
    line,
    rule: `redis/r${line}`,
    severity,
    message: `m${line}`,
    why: 'because',
    fix: 'do this',
  });
  const findings = [f('b.conf', 3, 'info'), f('a.conf', 9, 'warning'), f('a.conf', 2, 'error')];
  it('groups by file, orders by line, shows why and fix, and counts', () => {
    const out = formatFindings(findings, false);
    expect(out).toBe(
      [
        'a.conf',
        '  a.conf:2  error   m2  [redis/r2]',
        '      why: because',
        '      fix: do this',
        '  a.conf:9  warning m9  [redis/r9]',
        '      why: because',
        '      fix: do this',
        '',
        'b.conf',
        '  b.conf:3  info    m3  [redis/r3]',
        '      why: because',
        '      fix: do this',
        '',
        '1 error(s), 1 warning(s), 1 info in 2 file(s)',
      ].join('\n'),
    );
  });
  it('colours only when asked', () => {
    expect(formatFindings(findings, true)).toContain('\u001b[');
    expect(formatFindings(findings, false)).not.toContain('\u001b[');
    expect(formatFindings([], false)).toBe('no findings');
  });
});

describe('lintText', () => {
  it('detects the kind itself, or refuses with a usage error naming --kind', () => {
    expect(lintText('x.conf', 'maxmemory-policy allkeys-lru\n').map((x) => x.rule)).toContain(
      'redis/eviction-deletes-graphs',
    );
    expect(() => lintText('notes.txt', 'hello')).toThrowError(
      expect.objectContaining({ code: 'USER', exitCode: 2, hint: expect.stringContaining('--kind') }),
    );
  });
  it('honours an explicit kind over the name', () => {
    expect(lintText('whatever.txt', 'sentinel monitor m 10.0.0.1 6379 2\n', 'sentinel').map((x) => x.rule)).toContain(
      'sentinel/no-auth',
    );
  });
});

describe('lintFiles over real files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'falkorctl-lint-'));
  const write = (f: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
    return f;
  };
  const pw = 'k7Qw9vXz2LmN4pR8sT1uY6bC3dF5gH0a';
  const node = `loadmodule /usr/lib/falkordb/falkordb.so\ndir /var/lib/falkordb\nmaxmemory 4gb\nappendonly yes\ninclude /etc/falkordb/auth.conf\n`;
  write('auth.conf', `requirepass ${pw}\nmasterauth ${pw}\n`);
  write('master.conf', node);
  write('replica.conf', `${node}replicaof 10.0.0.11 6379\n`);
  write('other/replica.conf', `${node.replace('4gb', '2gb')}replicaof 10.0.0.11 6379\n`);
  const sentinel = (q: number) =>
    `bind 10.0.0.2\nrequirepass ${pw}\nsentinel monitor fk 10.0.0.11 6379 ${q}\nsentinel down-after-milliseconds fk 30000\nsentinel auth-pass fk ${pw}\n`;
  for (const i of [1, 2, 3]) write(`s${i}.conf`, sentinel(2));
  for (const i of [1, 2, 3]) write(`q1-${i}.conf`, sentinel(1));
  for (const i of [1, 2]) write(`q3-${i}.conf`, sentinel(3));

  it('reads includes next to each file and keeps relative names as given', async () => {
    const fs = await lintFiles(['master.conf', 'replica.conf'], undefined, { cwd: dir });
    expect(fs.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(new Set(fs.map((f) => f.file))).toEqual(new Set(['master.conf', 'replica.conf']));
  });
  it('compares nodes across files (a smaller replica elsewhere)', async () => {
    const fs = await lintFiles(['master.conf', 'other/replica.conf'], undefined, { cwd: dir });
    expect(fs.find((f) => f.rule === 'cross/maxmemory-differs')).toMatchObject({ file: 'other/replica.conf', line: 3 });
  });
  it('judges the quorum against the number of Sentinel files', async () => {
    expect(
      (await lintFiles(['s1.conf', 's2.conf', 's3.conf'], undefined, { cwd: dir })).filter(
        (f) => f.rule === 'sentinel/quorum',
      ),
    ).toEqual([]);
    const minority = (await lintFiles(['q1-1.conf', 'q1-2.conf', 'q1-3.conf'], undefined, { cwd: dir })).filter(
      (f) => f.rule === 'sentinel/quorum',
    );
    expect(minority.some((f) => f.message.includes('of 3 Sentinels is not a majority'))).toBe(true);
    const unreachable = (await lintFiles(['q3-1.conf', 'q3-2.conf'], undefined, { cwd: dir })).filter(
      (f) => f.rule === 'sentinel/quorum',
    );
    expect(unreachable.map((f) => f.severity)).toEqual(['error', 'error']);
  });
  it('a missing file or a directory is a usage error (exit 2) naming the path', async () => {
    await expect(lintFiles(['master.conf', 'nope.conf'], undefined, { cwd: dir })).rejects.toMatchObject({
      exitCode: 2,
      message: 'cannot read nope.conf: no such file',
    });
    await expect(lintFiles(['other'], undefined, { cwd: dir })).rejects.toMatchObject({
      exitCode: 2,
      message: 'cannot read other: is a directory',
    });
  });
  it('returns each finding once even when a file is linted twice', async () => {
    const once = await lintFiles(['master.conf'], undefined, { cwd: dir });
    const twice = await lintFiles(['master.conf', 'master.conf'], undefined, { cwd: dir });
    expect(twice).toEqual(once);
  });
});

describe('secrets stay out of findings', () => {
  const secret = 'Hunter2-very-secret-value-0123456789';
  const cm = (master: string[], replica: string[], sentinel: string[]) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n${Object.entries({
      'm.conf': master,
      'r.conf': replica,
      'sentinel.conf': sentinel,
    })
      .map(([k, l]) => `  ${k}: |\n${l.map((x) => `    ${x}`).join('\n')}\n`)
      .join('')}`;
  it('never quotes a password, a renamed command or a line that holds one', () => {
    const text = cm(
      [
        'dir /d',
        `requirepass ${secret}`,
        'rename-command CONFIG CONFIG_s3cr3tname',
        `user app on >${secret}$(x) ~* +@all`,
      ],
      [
        'dir /d',
        'replicaof 10.0.0.1 6379',
        `requirepass ${secret}x`,
        `masterauth ${secret}y`,
        `requirepass "${secret}`,
      ],
      ['sentinel monitor m 10.0.0.1 6379 2', `sentinel auth-pass m ${secret}z`],
    );
    const fs = lintText('/x/k8s.yaml', text, 'kubernetes', () => undefined);
    expect(fs.map((f) => f.rule)).toEqual(
      expect.arrayContaining([
        'cross/masterauth-mismatch',
        'cross/passwords-differ',
        'cross/sentinel-auth-pass',
        'redis/placeholder',
        'redis/syntax',
        'redis/rename-breaks-sentinel',
      ]),
    );
    for (const f of fs) expect(`${f.message} ${f.why} ${f.fix}`).not.toMatch(/Hunter2|s3cr3t/);
  });
  it('does name placeholders, which are not secrets', () => {
    const text = cm(
      ['dir /d', 'requirepass ${A_PASS}', 'masterauth ${A_PASS}'],
      ['dir /d', 'replicaof 10.0.0.1 6379', 'requirepass ${B_PASS}', 'masterauth ${A_PASS}'],
      [],
    );
    const differ = lintText('/x/k8s.yaml', text, 'kubernetes', () => undefined).find(
      (f) => f.rule === 'cross/passwords-differ',
    );
    expect(differ?.message).toContain("(${B_PASS}) differs from the master's (${A_PASS})");
  });
});

describe('src/lint/README.md', () => {
  it('lists every rule with its severity', async () => {
    const { ALL_RULES } = await import('../../../src/lint/catalog.js');
    const readme = readFileSync(path.resolve(SEED, '../../../src/lint/README.md'), 'utf8');
    for (const r of ALL_RULES) expect(readme, r.id).toContain(`| \`${r.id}\` | ${r.severity} |`);
  });
});

describe('odd input never crashes the linter (that would be exit 70)', () => {
  const texts = [
    '',
    '\u0000\u0001\u00ff binary',
    '---\n---\n',
    'null',
    '[1,2]',
    'services:\n  a: null\n  c:\n    image: 5\n    volumes: [1, {source: 2}]\n    command: {a: 1}\n    healthcheck: {test: 7}\n    deploy: {replicas: x, resources: {limits: {memory: [1]}}}',
    'apiVersion: v1\nkind: StatefulSet\nspec: null',
    'apiVersion: v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: [null, 3, {image: null}, {name: x, image: redis, volumeMounts: [null, {name: 1}], livenessProbe: {exec: {command: null}}, resources: {limits: {memory: "abc"}}}]\n      volumes: [null]\n',
    'apiVersion: v1\nkind: ConfigMap\ndata:\n  a.conf: 5\n  b.conf: null\n  s.conf: "sentinel monitor"\n',
    'groups:\n  - rules: [null, {expr: 5}, {alert: x}]\n',
    'sentinel\nsentinel monitor\nsentinel down-after-milliseconds\nsentinel monitor m\n',
    'include\nloadmodule\nrename-command\nuser\nsave\nbind\nmaxmemory\nmaxmemory-policy\nrequirepass\n',
    'global\nbackend\n    server\n    tcp-check\n    timeout\nfrontend\n    default_backend\n',
    "'a' 'b",
  ];
  it.each(['redis', 'sentinel', 'haproxy', 'compose', 'kubernetes', 'prometheus'] as const)('%s', (kind) => {
    for (const t of texts)
      expect(() => lintText('/tmp/x/file', t, kind, () => undefined), JSON.stringify(t)).not.toThrow();
  });
});
