// The cluster lock: one mutating command at a time per cluster. It is a file on the inventory's master host,
// created atomically with the shell's noclobber (O_EXCL), never check-then-write. It lives in
// /var/lib/falkorctl, not /run: the holder runs on the operator's machine, so a reboot of the master does not
// end it, and a tmpfs would drop a live lock at boot. Not in FalkorDB's data dir either: that belongs to the
// database (restores and reprovisioning replace it). Expiry is measured on the host's own clock (the file's
// mtime, touched by renewals), so clock skew between operator and host does not matter.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../context.js';
import { realClock } from '../context.js';
import { FalkorError, refusal } from '../errors.js';
import type { Transport } from '../remote/transport.js';

export const LOCK_DIR = '/var/lib/falkorctl';
export const LOCK_TTL_MS = 5 * 60_000;

export interface LockInfo {
  cluster: string;
  /** user@host of the operator. */
  owner: string;
  /** The command line, secrets masked. */
  command: string;
  pid: number;
  /** ISO time the lock was taken (operator's clock: for people, not for expiry). */
  started: string;
  ttlSeconds: number;
  /** Proves ownership on renew and release; not a secret. */
  token: string;
}

export interface LockState {
  info?: LockInfo;
  /** Seconds since the holder last renewed (host clock). */
  ageSeconds: number;
  stale: boolean;
}

export interface LockTarget {
  transport: Transport;
  host: string;
  cluster: string;
  dir?: string;
}

export interface ClusterLock {
  readonly info: LockInfo;
  /** Touches the lock (extends its expiry); false when it is no longer ours (force-unlocked). */
  renew(): Promise<boolean>;
  /** Stops renewing and removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

const file = (t: LockTarget) => `${t.dir ?? LOCK_DIR}/cluster.lock`;

// $1 dir, $2 file. Prints "acquired", or "held <age seconds>" and the holder's JSON.
const ACQUIRE = [
  'umask 077; mkdir -p "$1" || exit 1',
  'if (set -C; cat > "$2") 2>/dev/null; then echo acquired; exit 0; fi',
  'cat > /dev/null',
  'echo "held $(( $(date +%s) - $(stat -c %Y "$2" 2>/dev/null || date +%s) ))"; cat "$2" 2>/dev/null; exit 0',
].join('\n');
const READ = '[ -e "$1" ] || { echo none; exit 0; }; echo "held $(( $(date +%s) - $(stat -c %Y "$1") ))"; cat "$1"';
const RENEW = 'grep -qF "\\"token\\":\\"$2\\"" "$1" 2>/dev/null || { echo lost; exit 0; }; touch "$1"; echo ok';
const RELEASE = 'grep -qF "\\"token\\":\\"$2\\"" "$1" 2>/dev/null && rm -f "$1"; exit 0';

/** The lock file as written by acquireLock, or undefined: it is read back from a host and may be anything. */
export function lockInfo(v: unknown): LockInfo | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const strs = ['cluster', 'owner', 'command', 'started', 'token'] as const;
  if (!strs.every((k) => typeof o[k] === 'string' && o[k].length <= 4096)) return undefined;
  if (!Number.isSafeInteger(o.pid) || !Number.isSafeInteger(o.ttlSeconds) || (o.ttlSeconds as number) <= 0)
    return undefined;
  return Object.fromEntries([...strs, 'pid', 'ttlSeconds'].map((k) => [k, o[k]])) as unknown as LockInfo;
}

function parseHeld(out: string): LockState | undefined {
  const m = /^held (-?\d+)\n?([\s\S]*)$/m.exec(out);
  if (!m) return undefined;
  const ageSeconds = Math.max(0, Number(m[1]));
  let info: LockInfo | undefined;
  try {
    info = m[2]!.trim() ? lockInfo(JSON.parse(m[2]!)) : undefined;
  } catch {
    info = undefined;
  }
  const ttl = info?.ttlSeconds ?? LOCK_TTL_MS / 1000;
  return { info, ageSeconds, stale: ageSeconds > ttl };
}

/** What a person reads about the holder: "alice@laptop (pid 42, `falkorctl deploy`, since …)". */
export function describeHolder(s: LockState): string {
  if (!s.info) return `an unreadable or half-written lock (last touched ${s.ageSeconds} s ago)`;
  const i = s.info;
  const left = i.ttlSeconds - s.ageSeconds;
  const when = s.stale ? `STALE: expired ${-left} s ago` : `expires in ${left} s unless renewed`;
  return `${i.owner} (pid ${i.pid}, \`${i.command}\`, since ${i.started}; ${when})`;
}

export async function readLock(t: LockTarget): Promise<LockState | undefined> {
  const r = await t.transport.exec(t.host, ['sh', '-c', READ, 'lock', file(t)]);
  return r.stdout.startsWith('none') ? undefined : parseHeld(r.stdout);
}

/**
 * Takes the lock or refuses (exit 3) naming the holder. A stale lock still refuses: its holder may be alive
 * behind a broken link, so only a person may break it (--force-unlock CLUSTER). Renewed every ttl/3 until
 * released.
 */
export async function acquireLock(
  t: LockTarget & { owner: string; command: string; ttlMs?: number; clock?: Clock; onLost?: (why: string) => void },
): Promise<ClusterLock> {
  const ttlMs = t.ttlMs ?? LOCK_TTL_MS;
  const clock = t.clock ?? realClock;
  const info: LockInfo = {
    cluster: t.cluster,
    owner: t.owner,
    command: t.command,
    pid: process.pid,
    started: new Date(clock.now()).toISOString(),
    ttlSeconds: Math.ceil(ttlMs / 1000),
    token: randomUUID(),
  };
  const dir = t.dir ?? LOCK_DIR;
  const r = await t.transport.exec(t.host, ['sh', '-c', ACQUIRE, 'lock', dir, file(t)], {
    stdin: `${JSON.stringify(info)}\n`,
  });
  if (!r.stdout.startsWith('acquired')) {
    const held = parseHeld(r.stdout);
    if (!held) throw new FalkorError('REMOTE', `${t.host}: could not take the cluster lock: ${r.stdout || r.stderr}`);
    const what = held.stale ? 'has a stale lock' : 'is locked';
    throw refusal(
      `cluster ${t.cluster} ${what} by ${describeHolder(held)} on ${t.host}:${file(t)}`,
      held.stale
        ? `make sure that run is gone, then re-run with --force-unlock ${t.cluster}`
        : `wait for it to finish; if it is gone, re-run with --force-unlock ${t.cluster}`,
    );
  }
  let released = false;
  const renew = async () => {
    if (released) return false;
    const x = await t.transport.exec(t.host, ['sh', '-c', RENEW, 'lock', file(t), info.token]);
    return x.stdout.startsWith('ok');
  };
  const timer = setInterval(
    () => {
      renew().then(
        (ok) => {
          if (!ok && !released) t.onLost?.(`the cluster lock on ${t.host} is no longer ours (force-unlocked?)`);
        },
        (e: unknown) => t.onLost?.(`could not renew the cluster lock on ${t.host}: ${(e as Error).message}`),
      );
    },
    Math.max(1000, ttlMs / 3),
  );
  timer.unref();
  return {
    info,
    renew,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await t.transport.exec(t.host, ['sh', '-c', RELEASE, 'lock', file(t), info.token]);
    },
  };
}

/** Runs `fn` under the lock; released on success, failure and Ctrl-C (the caller's abort ends `fn`). */
export async function withLock<T>(
  t: Parameters<typeof acquireLock>[0],
  fn: (lock: ClusterLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(t);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

/**
 * Removes the lock whoever holds it, only after the operator named the cluster: `typed` is the value of
 * `--force-unlock CLUSTER`, or what they typed at the prompt. Returns the state that was removed.
 */
export async function forceUnlock(
  t: LockTarget & { typed: string | undefined; ask?: (holder: string) => Promise<string> },
): Promise<LockState | undefined> {
  const held = await readLock(t);
  if (!held) return undefined;
  const typed = t.typed ?? (t.ask ? await t.ask(describeHolder(held)) : undefined);
  if (typed !== t.cluster)
    throw refusal(
      `not removing the lock on cluster ${t.cluster} held by ${describeHolder(held)}: ` +
        (typed === undefined ? 'the cluster name was not given' : `"${typed}" is not the cluster name`),
      `re-run with --force-unlock ${t.cluster}`,
    );
  await t.transport.exec(t.host, ['rm', '-f', file(t)]);
  return held;
}
