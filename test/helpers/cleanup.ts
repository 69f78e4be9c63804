// One registry of everything a test started or created, torn down in three situations:
//  - normally, by `cleanupAll()` (tests call it from afterAll, see harness.ts);
//  - when the worker exits or is told to stop (SIGINT/SIGTERM/SIGHUP): processes SIGKILLed, temp dirs removed;
//  - when the worker dies by SIGKILL: children were started under `setpriv --pdeathsig SIGKILL` (process.ts),
//    so the kernel kills them. Temp dirs can then remain; they are named falkorctl-it-* in os.tmpdir().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Stoppable {
  readonly name: string;
  readonly pid: number | undefined;
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Synchronous last resort, for exit handlers. */
  killNow(): void;
}

const live = new Set<Stoppable>();
const dirs = new Set<string>();
const claims = new Set<string>();
let hooked = false;

export function track(p: Stoppable): void {
  hookExit();
  live.add(p);
}

export function untrack(p: Stoppable): void {
  live.delete(p);
}

/** Registers a claim directory (claim.ts), released after every process has stopped. */
export function addClaim(dir: string): void {
  hookExit();
  claims.add(dir);
}

/** A fresh private directory (mode 0700), removed by cleanupAll or at exit. */
export function tempDir(label = 'tmp'): string {
  hookExit();
  const safe = label.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  const dir = mkdtempSync(join(tmpdir(), `falkorctl-it-${safe}-`));
  dirs.add(dir);
  return dir;
}

/** Stops every tracked process (in reverse start order, so clients go before servers), then removes temp dirs. */
export async function cleanupAll(): Promise<void> {
  const procs = [...live].reverse();
  const results = await Promise.allSettled(procs.map((p) => p.stop()));
  for (const p of procs) live.delete(p);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
  for (const c of claims) rmSync(c, { recursive: true, force: true });
  claims.clear();
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length)
    throw new AggregateError(
      failed.map((f) => f.reason),
      'cleanup: some processes did not stop',
    );
}

function cleanupNow(): void {
  for (const p of live) p.killNow();
  live.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
  for (const c of claims) rmSync(c, { recursive: true, force: true });
  claims.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanupNow();
      // Re-raise with the default disposition so the exit status still says "killed by signal".
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}
