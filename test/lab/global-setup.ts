// The lab project's run-wide teardown: a lab this run brought up comes down when the run ends, unless
// KEEP_LAB=1. A lab that was already up before the run (someone is using it) is left as it was.
// Bringing it up is left to the test files (test/helpers/lab.ts labUp), so a run that needs no lab
// (e.g. only the VM tests) pays nothing for it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { labDir, labDown } from '../helpers/lab.js';

let upBefore = false;

export function setup(): void {
  upBefore = existsSync(join(labDir(), 'lab.json'));
}

export async function teardown(): Promise<void> {
  if (process.env.KEEP_LAB === '1' || upBefore) return;
  const r = await labDown();
  if (r.exitCode !== 0) throw new Error(`scripts/lab down failed:\n${r.stderr}`);
}
