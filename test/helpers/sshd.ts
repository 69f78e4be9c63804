// A real OpenSSH sshd on a loopback address, for integration tests. Everything it needs (config,
// host key, authorized_keys, pid file) lives in a temp dir; key-only auth; its log is kept in memory.
//   const d = await startSshd({ address: '127.0.3.1', authorizedKeys: { root: [pubLine] } });
//   ... d.port, d.knownHostsLine(), d.log(), d.connectionCount(); await d.rotateHostKey(); await d.stop();
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SshdOptions {
  /** A loopback address; tests of the SSH transport use 127.0.3.0/24. */
  address: string;
  port?: number;
  /** Login user → public key lines that may log in as that user. */
  authorizedKeys: Record<string, string[]>;
  logLevel?: 'INFO' | 'VERBOSE' | 'DEBUG1' | 'DEBUG2';
  /** Host key types, in sshd's order. Default: ed25519 only (fast to generate). */
  hostKeyTypes?: HostKeyType[];
  /** More sshd_config lines (before any Match block). */
  extraConfig?: string[];
}

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface Sshd {
  address: string;
  port: number;
  dir: string;
  /** A public host key: "ssh-ed25519 AAAA..." (default: the first configured type). */
  hostKey(type?: HostKeyType): string;
  /** A known_hosts line for this server, as ssh would write it. */
  knownHostsLine(type?: HostKeyType): string;
  /** SHA256 fingerprint as ssh-keygen -l prints it. */
  fingerprint(type?: HostKeyType): string;
  log(): string;
  /** TCP connections accepted so far, the helper's own readiness probes included (needs logLevel VERBOSE or more). */
  connectionCount(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stop, and remove the temp dir. */
  dispose(): Promise<void>;
  /** New host keys, then restart: what a reinstalled host looks like. */
  rotateHostKey(): Promise<void>;
  /** SIGKILL the per-connection sshd processes (the listener stays): a dropped network path. */
  killConnections(): number;
}

export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, address, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** An ed25519 key pair (no passphrase unless given) in `dir`. */
export function makeKeyPair(dir: string, name: string, passphrase = ''): { privatePath: string; publicLine: string } {
  const privatePath = join(dir, name);
  rmSync(privatePath, { force: true });
  rmSync(`${privatePath}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', privatePath]);
  return { privatePath, publicLine: readFileSync(`${privatePath}.pub`, 'utf8').trim() };
}

/** A local login user (no password, not locked, /bin/sh), created once; for sudo tests. */
export function ensureUser(name: string): void {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/sh', name]);
  }
  // "!" in shadow means locked, and sshd refuses locked accounts even for key logins.
  execFileSync('usermod', ['-p', '*', name]);
}

function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port }, () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startSshd(o: SshdOptions): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'falkorctl-sshd-'));
  chmodSync(dir, 0o755); // sshd reads a non-root user's authorized_keys as that user
  const port = o.port ?? (await freePort(o.address));
  const types = o.hostKeyTypes ?? ['ed25519'];
  const keyPath = (t: HostKeyType = types[0]!) => join(dir, `ssh_host_${t}_key`);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation dir
  mkdirSync(join(dir, 'authorized_keys'), { mode: 0o755 });
  for (const [user, keys] of Object.entries(o.authorizedKeys)) {
    writeFileSync(join(dir, 'authorized_keys', user), keys.join('\n') + '\n', { mode: 0o644 });
  }
  const newHostKey = () => {
    for (const t of types) {
      rmSync(keyPath(t), { force: true });
      rmSync(`${keyPath(t)}.pub`, { force: true });
      execFileSync('ssh-keygen', [
        '-q',
        '-t',
        t,
        ...(t === 'rsa' ? ['-b', '2048'] : []),
        '-N',
        '',
        '-C',
        '',
        '-f',
        keyPath(t),
      ]);
    }
  };
  newHostKey();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress ${o.address}:${port}`,
      ...types.map((t) => `HostKey ${keyPath(t)}`),
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}/%u`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no', // the temp dir lives under world-writable /tmp
      'AllowTcpForwarding yes',
      'MaxStartups 100',
      `LogLevel ${o.logLevel ?? 'VERBOSE'}`,
      ...(o.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  let log = '';
  const hostKey = (t?: HostKeyType) =>
    readFileSync(`${keyPath(t)}.pub`, 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
  const name = port === 22 ? o.address : `[${o.address}]:${port}`;

  const start = async () => {
    const started = log.length;
    const p = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = p;
    p.stderr.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(
      () => log.indexOf('Server listening', started) >= 0 || p.exitCode !== null,
      `sshd on ${o.address}:${port}`,
    );
    if (p.exitCode !== null) throw new Error(`sshd exited (${p.exitCode}):\n${log.slice(started)}`);
    const seen = countConnections(log);
    if (!(await canConnect(o.address, port)))
      throw new Error(`sshd on ${o.address}:${port} does not accept connections`);
    // Wait for the probe's own log line, so connectionCount() taken after start() is stable.
    if ((o.logLevel ?? 'VERBOSE') !== 'INFO')
      await waitFor(() => countConnections(log) > seen, 'the probe connection in the sshd log');
  };

  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    // Per-connection children outlive the listener; end them by pid, then the listener.
    for (const pid of childPids(p.pid!)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    address: o.address,
    port,
    dir,
    hostKey,
    knownHostsLine: (t) => `${name} ${hostKey(t)}`,
    fingerprint: (t) =>
      execFileSync('ssh-keygen', ['-l', '-f', `${keyPath(t)}.pub`], { encoding: 'utf8' }).split(/\s+/)[1]!,
    log: () => log,
    connectionCount: () => countConnections(log),
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    killConnections() {
      const pids = proc?.pid ? childPids(proc.pid) : [];
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      return pids.length;
    },
    async rotateHostKey() {
      await stop();
      newHostKey();
      await start();
    },
  };
}

const countConnections = (log: string) => (log.match(/^Connection from /gm) ?? []).length;

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}
