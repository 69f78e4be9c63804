// Exclusive use of a named resource (an address block such as "127.0.2.20-23") across test processes
// running at the same time: two runs of the same suite (yours and a colleague's, or CI's) would
// otherwise fight over the same loopback addresses and ports. A claim is a directory created
// atomically under os.tmpdir()/falkorctl-claims, holding the owner's pid; it is released by
// cleanupAll or at exit, and a claim whose owner has died is taken over.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addClaim } from './cleanup.js';
import { waitFor } from './wait.js';

// machine-wide, not per run: test/tmpdir-setup.ts gives each run its own TMPDIR and keeps the shared one here
const ROOT = join(process.env.FALKORCTL_SHARED_TMPDIR ?? tmpdir(), 'falkorctl-claims');

/** Waits (up to timeoutMs) until `name` is free, then holds it until cleanup. */
export async function claim(name: string, timeoutMs = 150_000): Promise<void> {
  mkdirSync(ROOT, { recursive: true });
  const dir = join(ROOT, name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  await waitFor(
    () => tryTake(dir),
    (r) => r === 'taken',
    {
      what: `the claim on ${name} (held by another test run; see ${dir}/owner)`,
      timeoutMs,
      intervalMs: 250,
    },
  );
  addClaim(dir);
}

function tryTake(dir: string): string {
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'owner'), String(process.pid));
    return 'taken';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = ownerOf(dir);
  if (owner === process.pid) throw new Error(`${dir} is already claimed by this process: two claims of one name`);
  if (owner === undefined ? ageMs(dir) > 10_000 : !alive(owner)) {
    rmSync(dir, { recursive: true, force: true }); // its owner died without releasing it
    return 'stale claim removed';
  }
  return `held by pid ${owner ?? '(starting)'}`;
}

function ownerOf(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'owner'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

function ageMs(dir: string): number {
  try {
    return Date.now() - statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
