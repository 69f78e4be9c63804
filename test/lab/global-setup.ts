// The lab project's run-wide teardown: the lab comes down when the run ends, unless KEEP_LAB=1.
// Bringing it up is left to the test files (test/helpers/lab.ts labUp), so a run that needs no lab
// (e.g. only the VM tests) pays nothing for it.
import { labDown } from '../helpers/lab.js';

export async function teardown(): Promise<void> {
  if (process.env.KEEP_LAB === '1') return;
  const r = await labDown();
  if (r.exitCode !== 0) throw new Error(`scripts/lab down failed:\n${r.stderr}`);
}
