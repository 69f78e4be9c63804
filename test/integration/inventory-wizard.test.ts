// `falkorctl init` through a real pseudo-terminal (Python's pty module drives the built binary):
// the wizard's prompts, defaults and arrow-key selection, end to end.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/index.js';

const bin = new URL('../../bin/falkorctl.js', import.meta.url).pathname;
const driver = new URL('../fixtures/inventory/pty-drive.py', import.meta.url).pathname;
const ENTER = '\r';
const DOWN = '\x1b[B';
const UP = '\x1b[A';

describe('init wizard on a terminal (built binary)', () => {
  it('asks for what the flags left out and writes a valid inventory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'falkorctl-wizard-'));
    const host = (n: number, address: string, role: string, more: boolean) => [
      [`Host ${n}: name`, ENTER],
      [`Host ${n}: address`, `${address}${ENTER}`],
      [`Host ${n}: role`, `${role}${ENTER}`],
      // The default is "add another host" until there are 3 hosts, "done" after.
      ['Another host', more ? (n < 3 ? ENTER : `${UP}${ENTER}`) : n < 3 ? `${DOWN}${ENTER}` : ENTER],
    ];
    const steps = [
      ['Cluster name', `lab${ENTER}`],
      ...host(1, '127.0.4.1', '', true),
      ...host(2, '127.0.4.2', '', true),
      ...host(3, '127.0.4.3', '', true),
      ...host(4, '127.0.4.9', DOWN.repeat(2), false), // replica (default) → sentinel → haproxy
      ['RAM of each database host', `4gb${ENTER}`],
    ];
    const r = await execa(
      'python3',
      [driver, JSON.stringify(['node', bin, 'init', '--password', 'env:PW']), JSON.stringify(steps)],
      {
        cwd: dir,
        reject: false,
        timeout: 60_000,
        env: { NO_COLOR: '1' },
      },
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote falkorctl.yaml (cluster lab, 4 hosts)');
    const inv = parseInventory(readFileSync(join(dir, 'falkorctl.yaml'), 'utf8'), 'falkorctl.yaml');
    expect(inv.warnings).toEqual([]);
    expect(inv.inventory.hosts.map((h) => `${h.name} ${h.address} ${h.role} ${h.hardware?.memory ?? '-'}`)).toEqual([
      'db1 127.0.4.1 master 4gb',
      'db2 127.0.4.2 replica 4gb',
      'db3 127.0.4.3 replica 4gb',
      'db4 127.0.4.9 haproxy -',
    ]);
    expect(inv.inventory.auth.password).toBe('env:PW');
  });
});
