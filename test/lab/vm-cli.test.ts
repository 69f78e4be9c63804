// scripts/lab-vm's handling of bad input, which needs no guest: one clear line, exit 2, nothing created.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('../../scripts/lab-vm', import.meta.url).pathname;

/** Runs the script against a fresh LAB_DIR; `left` is what it left there (null: not even the dir). */
async function run(args: string[], env: Record<string, string> = {}) {
  const parent = await mkdtemp(join(tmpdir(), 'lab-vm-cli-'));
  const labDir = join(parent, 'lab');
  try {
    const r = await execa(script, args, { env: { LAB_DIR: labDir, ...env }, reject: false, stdin: 'ignore' });
    return { ...r, left: existsSync(labDir) ? await readdir(labDir) : null };
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

describe('scripts/lab-vm input handling', () => {
  it.each([
    [{ LAB_VM_PORT: 'abc' }, /LAB_VM_PORT must be a positive whole number, not 'abc'/],
    [{ LAB_VM_PORT: '70000' }, /LAB_VM_PORT must be a TCP port \(1-65535\), not 70000/],
    [{ LAB_VM_DISKS: '0' }, /LAB_VM_DISKS must be a positive whole number, not '0'/],
    [{ LAB_VM_DISKS: '21' }, /LAB_VM_DISKS must be at most 20/],
    [{ LAB_VM_DISK_SIZE: '2 GB' }, /LAB_VM_DISK_SIZE must be a size like 2G, not '2 GB'/],
    [{ LAB_VM_NAME: 'Bad_Name' }, /LAB_VM_NAME must be a lowercase DNS label, not 'Bad_Name'/],
    [{ LAB_VM_MEM: '1g' }, /LAB_VM_MEM must be a positive whole number, not '1g'/],
  ])('up with %o: exit 2, one line, no state', async (env, message) => {
    const r = await run(['up'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(r.left).toBeNull();
  });

  it('an unknown command exits 2 with the usage; --help exits 0', async () => {
    const bad = await run(['bogus']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'bogus'[\s\S]*scripts\/lab-vm up \| down \| status/);
    const help = await run(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/scripts\/lab-vm up \| down \| status \| ssh/);
  });

  it('status and ssh on a lab without a guest say so (exit 1); down there is a harmless no-op', async () => {
    const status = await run(['status']);
    expect(status.exitCode).toBe(1);
    expect(status.stdout.trim()).toBe('vm1 stopped');
    const ssh = await run(['ssh', 'true']);
    expect(ssh.exitCode).toBe(1);
    expect(ssh.stderr).toMatch(/vm1 is not running \(scripts\/lab-vm up\)/);
    const down = await run(['down']);
    expect(down.exitCode).toBe(0);
    expect(down.left).toEqual([]);
  });
});
