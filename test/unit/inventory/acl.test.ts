// ACL mode (auth.acl): bad input is a line-numbered error before any host is touched; render gives users.acl,
// the replication login, Sentinel's auth-user and HAProxy's check user; deploy loads a changed file live.
import { describe, expect, it } from 'vitest';
import { exporterUser, RESERVED_USERS } from '../../../src/inventory/acl.js';
import { plan } from '../../../src/deploy/plan.js';
import { renderAll } from '../../../src/render/index.js';
import { EXPORTER_UNIT } from '../../../src/templates/exporter.js';
import type { Secrets } from '../../../src/render/index.js';
import { smallInventory } from '../render/fixture.js';
import { desiredFacts } from '../deploy/helpers.js';
import { BASE, brief, check, lineOf } from './helpers.js';

const ACL = `  users:
    - name: app
      password: env:APP
    - name: reader
      password: env:READER
      rules: "~* -@all +@read +graph.ro_query"
  acl:
    replication: { password: env:REPL }
    sentinel: { password: env:SENT }
    healthcheck: { password: env:CHECK }
    exporter: { password: env:EXP }
`;
const withAcl = (acl = ACL) => BASE.replace('  password: env:FALKORDB_PASSWORD\n', (m) => `${m}${acl}`);

describe('ACL inventory: bad input names its line', () => {
  it('accepts the ACL section', () => {
    const r = check(withAcl());
    expect(brief(r.errors)).toEqual([]);
    expect(r.inventory?.auth.acl?.sentinel.password).toBe('env:SENT');
  });

  it('an ACL rule typo', () => {
    const text = withAcl(ACL.replace('+graph.ro_query', 'graph.ro_query'));
    const r = check(text);
    expect(brief(r.errors)).toEqual([
      expect.objectContaining({ path: 'auth.users[1].rules', line: lineOf(text, 'graph.ro_query') }),
    ]);
    expect(r.errors[0]!.message).toMatch(/"graph.ro_query": not an ACL rule/);
  });

  it('a missing secret for a system user', () => {
    const text = withAcl(ACL.replace('    exporter: { password: env:EXP }\n', ''));
    const r = check(text);
    // the acl mapping's line (where the key belongs), as for any missing key
    expect(brief(r.errors)).toEqual([
      { path: 'auth.acl.exporter', line: lineOf(text, 'replication:'), message: 'required key is missing' },
    ]);
  });

  it("a user name taken by the cluster's own users", () => {
    for (const name of RESERVED_USERS.filter((n) => n !== 'default')) {
      const text = withAcl(ACL.replace('name: reader', `name: ${name}`));
      const r = check(text);
      expect(brief(r.errors), name).toEqual([
        expect.objectContaining({ path: 'auth.users[1].name', line: lineOf(text, `name: ${name}`) }),
      ]);
    }
    // without ACL mode the names are free (only `default` is taken)
    expect(
      check(
        BASE.replace(
          '  password: env:FALKORDB_PASSWORD\n',
          (m) => `${m}  users:\n    - name: sentinel\n      password: env:S\n`,
        ),
      ).errors,
    ).toEqual([]);
  });
});

const inv = smallInventory((i) => {
  i.auth.users = [{ name: 'app', password: 'env:APP' }];
  i.auth.acl = {
    replication: { password: 'env:R' },
    sentinel: { password: 'env:S' },
    healthcheck: { password: 'env:H' },
    exporter: { password: 'env:E' },
  };
});
const S: Secrets = {
  password: 'admin-password-0123456789abcdef',
  users: { app: 'app password with spaces' },
  acl: {
    replication: 'repl-0123456789abcdef',
    sentinel: 'sent-0123456789abcdef',
    healthcheck: 'check-0123456789abcdef',
    exporter: 'exp-0123456789abcdef',
  },
};
const file = (host: string, path: string) => {
  const f = renderAll(inv, S).find((x) => x.host === host && x.path === path);
  if (!f) throw new Error(`no ${path} on ${host}`);
  return f;
};

describe('ACL render', () => {
  it('users.acl: default off, hashes only, every user, secret 0600 owned by the service user', () => {
    const f = file('m1', '/etc/falkordb/users.acl');
    expect(f).toMatchObject({ mode: 0o600, owner: 'falkordb:falkordb', secret: true });
    const lines = f.content.trim().split('\n');
    expect(lines[0]).toBe('user default off');
    expect(lines.map((l) => l.split(' ')[1])).toEqual([
      'default',
      'falkorctl',
      'app',
      'replication',
      'sentinel',
      'haproxy-check',
      'exporter',
    ]);
    for (const v of [S.password, ...Object.values(S.users), ...Object.values(S.acl!)])
      expect(f.content).not.toContain(v);
    expect(lines[5]).toMatch(/^user haproxy-check reset on #[0-9a-f]{64} -@all \+info \+ping$/);
  });

  it('secrets.conf: aclfile and the replication login, no requirepass; Sentinel logs in as its user', () => {
    const c = file('m1', '/etc/falkordb/secrets.conf').content;
    expect(c).toMatch(/^aclfile \/etc\/falkordb\/users.acl$/m);
    expect(c).toMatch(/^masteruser replication$/m);
    expect(c).toMatch(/^masterauth repl-0123456789abcdef$/m);
    expect(c).not.toMatch(/requirepass|^user /m);
    const s = file('s1', '/etc/falkordb/sentinel-secrets.conf').content;
    expect(s).toMatch(/^sentinel auth-user falkordb-master sentinel$/m);
    expect(s).toMatch(/^sentinel auth-pass falkordb-master sent-0123456789abcdef$/m);
  });

  it('redis_exporter logs in as the exporter user; its password only in the 0600 file', () => {
    const mon = smallInventory((i) => {
      i.auth.acl = inv.auth.acl;
      i.monitoring = { ...i.monitoring, hosts: ['lb'] };
    });
    const f = (path: string) => renderAll(mon, S).find((x) => x.host === 'm1' && x.path === path)!;
    expect(f(EXPORTER_UNIT).content).toContain(' -redis.user=exporter ');
    expect(f(EXPORTER_UNIT).content).not.toContain(S.acl!.exporter);
    expect(JSON.parse(f('/etc/falkordb/redis-exporter.json').content)).toEqual({
      'redis://127.0.0.1:6379': S.acl!.exporter,
    });
  });

  it("HAProxy's check logs in as haproxy-check; its password only in the 0600 env file", () => {
    expect(file('lb', '/etc/haproxy/haproxy.cfg').content).toContain('AUTH haproxy-check ${FALKORDB_PASSWORD}');
    expect(file('lb', '/etc/haproxy/haproxy.cfg').content).not.toContain(S.acl!.healthcheck);
    expect(file('lb', '/etc/haproxy/falkordb.env').content).toContain(`FALKORDB_PASSWORD="${S.acl!.healthcheck}"`);
  });

  it('exporterUser gives the name and the reference, never the value', () => {
    expect(exporterUser(inv)).toEqual({ name: 'exporter', password: 'env:E', keyPath: 'auth.acl.exporter.password' });
    expect(exporterUser(smallInventory())).toEqual({ name: 'default', password: 'env:P', keyPath: 'auth.password' });
  });
});

describe('ACL deploy plan', () => {
  it('a changed users.acl on a running node: keep the old copy, write, ACL LOAD with an undo, no restart', () => {
    const files = renderAll(inv, S).filter((f) => f.host !== 'cluster');
    const facts = desiredFacts(inv, files);
    facts.get('m1')!.files['/etc/falkordb/users.acl']!.sha256 = 'f'.repeat(64);
    const p = plan({ inv, hosts: inv.hosts, files, facts });
    expect(p.steps.map((s) => s.id)).toEqual([
      'm1:keep:/etc/falkordb/users.acl',
      'm1:file:/etc/falkordb/users.acl',
      'm1:acl-load',
    ]);
    const load = p.steps[2]!;
    expect(load.action).toEqual({ kind: 'redis', port: 6379, sentinel: false, args: ['ACL', 'LOAD'] });
    expect(load.undo).toEqual({
      kind: 'exec',
      argv: ['mv', '-f', '--', '/etc/falkordb/users.acl.prev', '/etc/falkordb/users.acl'],
    });
    expect(p.steps.some((s) => s.destructive)).toBe(false);
  });

  it('users.acl with a changed falkordb.conf: one restart reads both, no ACL LOAD', () => {
    const files = renderAll(inv, S).filter((f) => f.host !== 'cluster');
    const facts = desiredFacts(inv, files);
    facts.get('r1')!.files['/etc/falkordb/users.acl']!.sha256 = 'f'.repeat(64);
    facts.get('r1')!.files['/etc/falkordb/falkordb.conf']!.sha256 = 'f'.repeat(64);
    const ids = plan({ inv, hosts: inv.hosts, files, facts }).steps.map((s) => s.id);
    expect(ids).toContain('r1:restart:falkordb.service');
    expect(ids).not.toContain('r1:acl-load');
  });
});
