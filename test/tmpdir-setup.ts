// Every test run gets a temporary directory of its own: TMPDIR points into it for the workers (os.tmpdir()
// reads it), and teardown removes it whole — so a run leaves nothing behind (rendered secrets included),
// even from a test that forgot to clean up or died half-way, and two runs on one machine never share files.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const shared = process.env.FALKORCTL_SHARED_TMPDIR ?? tmpdir();
  const dir = mkdtempSync(join(shared, 'falkorctl-run-'));
  // traversable like /tmp itself: sshd's StrictModes walks it for a test user's authorized_keys
  chmodSync(dir, 0o755);
  const before = process.env.TMPDIR;
  // what must be shared between runs (address claims: test/helpers/claim.ts) stays in the machine's TMPDIR
  process.env.FALKORCTL_SHARED_TMPDIR = shared;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
