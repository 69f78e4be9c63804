// The premises behind lint rules, checked against the real programs: what redis-server 8 refuses,
// what eviction does to a FalkorDB graph, what Sentinel and HAProxy do with the seed's mistakes.
// Each case also asserts that lint reports the mistake, so a rule and its reason cannot drift apart.
import { createServer, type Socket } from 'node:net';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../../src/lint/index.js';
import type { FileKind } from '../../../src/lint/types.js';
import {
  checkHAProxyConfig,
  checkPromRules,
  redisClient,
  requireFalkorBinaries,
  runOnce,
  startHAProxy,
  startProcess,
  startRedis,
  startSentinel,
  tempDir,
  useCleanup,
  waitFor,
} from '../../helpers/index.js';

useCleanup();
const dir = tempDir('lint-premises');
const bins = requireFalkorBinaries();
const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
let n = 0;
const conf = (text: string, name = `c${++n}.conf`) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const rulesOf = (kind: FileKind, text: string) =>
  lintText(`/etc/falkordb/${kind}.conf`, text, kind, () => undefined).map((f) => `${f.rule}:${f.severity}`);
const HOST = '127.0.42.1';

describe('redis-server 8 refuses to start where lint reports it', () => {
  const base = `bind ${HOST}\nport 17001\ndir ${dir}\n`;
  it.each([
    ['maxmemroy-policy noeviction', 'redis/unknown-directive', 'unresolved configuration'],
    ['maxmemory 48GiB', 'redis/maxmemory-unit', 'argument must be a memory value'],
    ['maxmemory 48 gb', 'redis/wrong-arity', 'wrong number of arguments'],
    ['requirepass $(openssl rand -base64 32)', 'redis/wrong-arity', 'wrong number of arguments'],
    ['requirepass "abc', 'redis/syntax', 'Unbalanced quotes'],
    ['save 900', 'redis/save-syntax', 'FATAL CONFIG FILE ERROR'],
    ['sentinel monitor m 127.0.0.1 6379 2', 'redis/unknown-directive', 'sentinel directive while not in sentinel mode'],
    ['loadmodule falkordb.so', 'redis/module-path-relative', 'failed to load'],
  ])('%s', async (line, rule, said) => {
    const text = `${base}${line}\n`;
    expect(rulesOf('redis', text).map((r) => r.split(':')[0])).toContain(rule);
    const r = await runOnce({ argv: [bins.redisServer, conf(text)], cwd: '/', timeoutMs: 10_000 });
    expect(r.code, r.output).toBe(1);
    expect(r.output.toLowerCase()).toContain(said.toLowerCase());
  });

  it('accepts several save points on one line, and reads 48g as 48×10⁹ bytes but 48gb as 48 GiB', async () => {
    const text = `${base}save 900 1 300 10 60 10000\nmaxmemory 48g\n`;
    expect(rulesOf('redis', text)).not.toContain('redis/save-syntax:error');
    expect(rulesOf('redis', text)).toContain('redis/maxmemory-unit:warning');
    const db = await startRedis({ conf: conf(text), host: HOST, port: 17001 });
    const r = await redisClient(db.host, db.port);
    expect(await r.config('GET', 'save')).toEqual(['save', '900 1 300 10 60 10000']);
    expect(await r.config('GET', 'maxmemory')).toEqual(['maxmemory', '48000000000']);
    await r.config('SET', 'maxmemory', '48gb');
    expect(await r.config('GET', 'maxmemory')).toEqual(['maxmemory', String(48 * 1024 ** 3)]);
    await db.proc.stop();
  });
});

describe('eviction and FalkorDB graphs', () => {
  // One graph is one key: LRU eviction removes all 20 000 nodes at once.
  async function fill(policy: string): Promise<{ survived: boolean; oom: boolean }> {
    const text = `bind ${HOST}\nport 17002\ndir ${dir}\nsave ""\nloadmodule ${bins.module}\n`;
    const db = await startRedis({ conf: conf(text), host: HOST, port: 17002 });
    const r = await redisClient(db.host, db.port);
    await r.call(
      'GRAPH.QUERY',
      'a',
      'UNWIND range(1, 20000) AS i CREATE (:N {v: i, s: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})',
    );
    expect(await r.type('a')).toBe('graphdata');
    const used = Number(/used_memory:(\d+)/.exec(await r.info('memory'))![1]);
    await r.config('SET', 'maxmemory', String(used + 2_000_000));
    await r.config('SET', 'maxmemory-policy', policy);
    let oom = false;
    for (let i = 0; i < 10 && !oom && (await r.exists('a')); i++) {
      await r
        .call(
          'GRAPH.QUERY',
          'b',
          'UNWIND range(1, 5000) AS i CREATE (:M {v: i, s: "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"})',
        )
        .catch((e: Error) => {
          oom = /OOM|maxmemory/i.test(e.message);
          if (!oom) throw e;
        });
    }
    const survived = (await r.exists('a')) === 1;
    await db.proc.stop();
    return { survived, oom };
  }

  it('allkeys-lru deletes a whole graph; noeviction refuses the write and keeps it', async () => {
    expect(rulesOf('redis', '# falkordb\nmaxmemory-policy allkeys-lru\n')).toContain(
      'redis/eviction-deletes-graphs:error',
    );
    expect(await fill('allkeys-lru')).toEqual({ survived: false, oom: false });
    expect(await fill('noeviction')).toEqual({ survived: true, oom: true });
  });
});

describe('Sentinel', () => {
  const text = (extra: string) =>
    `port 17101\nbind ${HOST}\ndir ${dir}\n${extra}sentinel monitor m localhost 17100 2\n`;
  it('refuses a hostname without resolve-hostnames yes, accepts it with', async () => {
    expect(rulesOf('sentinel', text(''))).toContain('sentinel/hostname-without-resolve:error');
    const refused = await runOnce({ argv: [bins.redisServer, conf(text('')), '--sentinel'], timeoutMs: 10_000 });
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toContain("Can't resolve instance hostname");
    expect(rulesOf('sentinel', text('sentinel resolve-hostnames yes\n'))).not.toContain(
      'sentinel/hostname-without-resolve:error',
    );
    const s = await startSentinel({ conf: conf(text('sentinel resolve-hostnames yes\n')), host: HOST, port: 17101 });
    await s.proc.stop();
  });

  it('cannot save its config when the file is bind-mounted on its own, even read-write', async () => {
    const compose =
      'services:\n  sentinel:\n    image: redis:8.2.3\n    command: redis-sentinel /etc/redis/sentinel.conf\n    volumes:\n      - ./sentinel.conf:/etc/redis/sentinel.conf\n';
    expect(lintText('/srv/compose.yml', compose, 'compose', () => undefined).map((f) => f.rule)).toContain(
      'compose/sentinel-config-readonly',
    );
    const host = '127.0.42.3';
    const f = conf(`port 17103\nbind ${host}\ndir ${dir}\nsentinel monitor m ${host} 17100 2\n`);
    const script = 'mount --bind "$1" "$1" && exec "$2" "$1" --sentinel';
    const p = await startProcess({
      name: 'sentinel on a single-file bind mount',
      argv: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', f, bins.redisServer],
      ready: async () => (await (await redisClient(host, 17103)).ping()) === 'PONG',
    });
    const s = await redisClient(host, 17103);
    await expect(s.call('SENTINEL', 'SET', 'm', 'down-after-milliseconds', '20000')).rejects.toThrow(
      /Failed to save config/,
    );
    await p.stop();
    expect(p.output()).toContain('Could not rename tmp config file (Device or resource busy)');
  });

  it('refuses a config file on a read-only mount (compose :ro, a ConfigMap)', async () => {
    const f = conf(`port 17102\nbind ${HOST}\ndir ${dir}\nsentinel monitor m ${HOST} 17100 2\n`);
    chmodSync(f, 0o644);
    // A private mount namespace where the file is bind-mounted read-only, as a container runtime does.
    const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" "$1" --sentinel';
    const r = await runOnce({
      argv: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', f, bins.redisServer],
      timeoutMs: 10_000,
    });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/not writable/i);
  });
});

describe('HAProxy', () => {
  // A stand-in Redis on loopback that records what the health check sends.
  async function recordCheck(cfgText: string, env: Record<string, string>): Promise<string> {
    const got: string[] = [];
    const server = createServer((s: Socket) => s.on('data', (d) => got.push(d.toString())).on('error', () => {}));
    await new Promise<void>((ok) => server.listen(17201, '127.0.42.2', ok));
    try {
      const p = await startHAProxy({ cfg: conf(cfgText, `h${++n}.cfg`), env });
      await waitFor(
        () => got.join(''),
        (t) => t.includes('\n'),
        { what: 'a health check to arrive', timeoutMs: 10_000 },
      );
      await p.stop();
      return got.join('');
    } finally {
      server.close();
    }
  }
  const cfg = (send: string) =>
    `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1h\n    timeout server 1h\nfrontend f\n    bind ${HOST}:17200\n    default_backend be_master\nbackend be_master\n    option tcp-check\n    tcp-check send ${send}\n    tcp-check expect string +OK\n    server db \${DB_HOST}:17201 check inter 300ms\n`;

  it('sends an unquoted ${VAR} literally, expands it in double quotes and in server addresses', async () => {
    const env = { PW: 'sekret-value', DB_HOST: '127.0.42.2' };
    expect(rulesOf('haproxy', cfg('AUTH\\ ${PW}\\r\\n'))).toContain('haproxy/placeholder-unquoted:error');
    expect(await recordCheck(cfg('AUTH\\ ${PW}\\r\\n'), env)).toBe('AUTH ${PW}\r\n');
    expect(rulesOf('haproxy', cfg('"AUTH ${PW}\\r\\n"'))).not.toContain('haproxy/placeholder-unquoted:error');
    expect(await recordCheck(cfg('"AUTH ${PW}\\r\\n"'), env)).toBe('AUTH sekret-value\r\n');
  });

  it('drops tcplog for frontends without a log line, as lint says of the seed', async () => {
    const seed = path.join(FIXTURES, 'seed/haproxy.cfg');
    const env = { REDIS_PASSWORD: 'x', MASTER_HOST: HOST, REPLICA1_HOST: HOST, REPLICA2_HOST: HOST };
    const h = await checkHAProxyConfig(seed, env);
    const lint = lintText(seed, (await import('node:fs')).readFileSync(seed, 'utf8'), 'haproxy').filter(
      (f) => f.rule === 'haproxy/frontend-without-log',
    );
    for (const fe of ['falkordb_master_frontend', 'falkordb_replica_frontend']) {
      expect(h.output).toContain(`log format ignored for frontend '${fe}'`);
      expect(lint.some((f) => f.message.includes(fe))).toBe(true);
    }
  });

  it('haproxy -c accepts the clean fixture; promtool accepts both rule files (their mistakes are semantic)', async () => {
    const h = await checkHAProxyConfig(path.join(FIXTURES, 'lint/good/haproxy.cfg'), { FALKORDB_PASSWORD: 'x' });
    expect(h.code, h.output).toBe(0);
    for (const f of ['lint/good/alerts.yml', 'seed/production-alerts.yml']) {
      const p = await checkPromRules(path.join(FIXTURES, f));
      expect(p.code, p.output).toBe(0);
    }
  });
});
