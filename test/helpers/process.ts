// A real child process under test: started from an argv (no shell), output captured, readiness polled
// with a deadline, and always cleaned up (see cleanup.ts). Failures carry the process's own words:
// the tail of its stdout/stderr and of any log files it writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { track, untrack, type Stoppable } from './cleanup.js';
import { findTool } from './bins.js';
import { waitFor } from './wait.js';

export type Argv = readonly [program: string, ...args: string[]];

/** Bind-mount `source` over `target` inside the process's private mount namespace. */
export interface Bind {
  source: string;
  target: string;
}

export interface StartOptions {
  /** Label for messages: "redis db-1". */
  name: string;
  argv: Argv;
  cwd?: string;
  /** Added to (not replacing) the inherited environment. The place for secrets: never argv. */
  env?: Record<string, string>;
  /**
   * Give the process its own view of some directories: it runs in a private mount namespace
   * (`unshare --mount`) where each source is bind-mounted over its target. Lets several "hosts" on one
   * machine each see their own files at the same absolute paths. The target must exist.
   */
  binds?: readonly Bind[];
  /**
   * Run inside this network namespace (a path such as /proc/PID/ns/net, see netns.ts) instead of the
   * machine's. Probes must then run inside it too (netns.ts: pingIn).
   */
  netns?: string;
  /** Resolves truthy when the process is ready to serve. Throwing means "not yet". */
  ready: (proc: Managed) => Promise<unknown>;
  readyTimeoutMs?: number;
  /** Files whose tail is shown when the process fails (its logfile). */
  logFiles?: readonly string[];
  /** SIGTERM grace before SIGKILL on stop(). */
  stopGraceMs?: number;
}

const KEEP = 64 * 1024;

export class Managed implements Stoppable {
  readonly name: string;
  readonly argv: Argv;
  private out = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    private readonly child: ChildProcess,
    private readonly opts: StartOptions,
  ) {
    this.name = opts.name;
    this.argv = opts.argv;
    const keep = (b: Buffer): void => {
      this.out = (this.out + b.toString('utf8')).slice(-KEEP);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        untrack(this);
        resolve(this.exitInfo);
      });
      child.on('error', (err) => {
        keep(Buffer.from(`spawn error: ${err.message}\n`));
        this.exitInfo ??= { code: null, signal: null };
        untrack(this);
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Captured stdout+stderr (last 64 KiB). */
  output(): string {
    return this.out;
  }

  /** Everything useful for a failure message: argv, exit status, output tail, log tails. */
  describe(): string {
    const parts = [`[${this.name}] argv: ${this.argv.join(' ')}`];
    if (this.exitInfo) parts.push(`[${this.name}] exited: code=${this.exitInfo.code} signal=${this.exitInfo.signal}`);
    parts.push(`[${this.name}] output:\n${tail(this.out) || '(none)'}`);
    for (const f of this.opts.logFiles ?? []) {
      const text = existsSync(f) ? readFileSync(f, 'utf8') : '(missing)';
      parts.push(`[${this.name}] ${f}:\n${tail(text)}`);
    }
    return parts.join('\n');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const grace = this.opts.stopGraceMs ?? 5_000;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), grace);
    await this.exited;
    clearTimeout(timer);
  }

  /** Hard kill, e.g. to simulate a crash. Resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/**
 * Starts the process and waits until `ready()` holds. If it exits first or the deadline passes, it is
 * stopped and the error carries describe(). Everything started is stopped by cleanupAll() (useCleanup()).
 */
export async function startProcess(opts: StartOptions): Promise<Managed> {
  const argv = wrap(opts);
  const child = spawn(argv[0], argv.slice(1), {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Managed(child, opts);
  track(proc);
  try {
    const gone = new AbortController();
    void proc.exited.then(() => gone.abort(new Error(`${opts.name}: process exited before it was ready`)));
    await waitFor(() => opts.ready(proc), Boolean, {
      what: `${opts.name} to be ready`,
      timeoutMs: opts.readyTimeoutMs ?? 15_000,
      intervalMs: 50,
      signal: gone.signal,
    });
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}\n${proc.describe()}`, { cause: err });
  }
  return proc;
}

// setpriv --pdeathsig: the kernel kills the child if this worker dies (even by SIGKILL), so no orphans.
// unshare --mount + sh: bind the per-host directories, then exec the real program (same pid throughout).
const BIND_SCRIPT = 'set -e; while [ "$1" != "--" ]; do mount --bind "$1" "$2"; shift 2; done; shift; exec "$@"';

/** The argv actually spawned: the program, wrapped for bind mounts and the parent-death signal. */
export function wrap(opts: Pick<StartOptions, 'argv' | 'binds' | 'netns'>): Argv {
  let argv: string[] = [...opts.argv];
  if (opts.binds?.length) {
    const pairs = opts.binds.flatMap((b) => [b.source, b.target]);
    argv = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', BIND_SCRIPT, 'bind', ...pairs, '--', ...argv];
  }
  if (opts.netns) argv = ['nsenter', `--net=${opts.netns}`, '--', ...argv];
  const setpriv = findTool('setpriv');
  if (setpriv) argv = [setpriv, '--pdeathsig', 'SIGKILL', ...argv];
  return argv as unknown as Argv;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
