// `falkorctl firewall` refuses bad input before any host is contacted: exit 2, the reason, no stack trace.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../bin/falkorctl.js', import.meta.url).pathname;
const base = readFileSync(new URL('../fixtures/inventory/valid.yaml', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'falkorctl-fw-cli-'));
const inventory = (extra: string) => {
  const f = join(dir, `inv-${Math.random().toString(36).slice(2, 8)}.yaml`);
  writeFileSync(f, `${base}${extra}`);
  return f;
};
const run = (args: string[]) =>
  execa('node', [bin, ...args], { reject: false, env: { FALKORDB_PASSWORD: 'x'.repeat(32), NO_COLOR: '1' } });

describe('falkorctl firewall (no hosts reached)', () => {
  it('an inventory without network: exit 2, the firewall is off', async () => {
    const r = await run(['-i', inventory(''), 'firewall', 'apply', '--dry-run']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('declares no firewall');
  });
  it('an invalid CIDR: exit 2 with file:line', async () => {
    const f = inventory('network:\n  operator: [10.0.0.7/24]\n');
    const r = await run(['-i', f, 'firewall', 'apply', '--dry-run']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${f}:22:\\d+: network.operator\\[0\\]: "10.0.0.7/24" has host bits set`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it('an unknown action: exit 2', async () => {
    const r = await run(['-i', inventory('network:\n  operator: [10.0.0.7]\n'), 'firewall', 'open']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown action "open"');
  });
});
