// The inventory `scripts/lab up` writes is valid against the contract and describes the lab as it is.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { inventorySchema } from '../../src/inventory/schema.js';
import { labNet, labScript, labUp, type Lab } from '../helpers/lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await labUp();
});

describe('lab inventory', () => {
  it('is printed by `scripts/lab inventory` and passes the inventory schema', async () => {
    const r = await labScript(['inventory']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(lab.inventoryPath);
    const inv = inventorySchema.parse(parse(readFileSync(lab.inventoryPath, 'utf8')));
    expect(inv.cluster).toBe('lab');
    expect(inv.hosts.map((h) => [h.name, h.role, h.address])).toEqual([
      ['db1', 'master', `${labNet()}.11`],
      ['db2', 'replica', `${labNet()}.12`],
      ['db3', 'replica', `${labNet()}.13`],
      ['lb1', 'haproxy', `${labNet()}.21`],
    ]);
    // each database host's loop disk, plain-device layout, holding redis.dataDir (provision makes it XFS)
    expect(inv.hosts.map((h) => h.storage)).toEqual([
      ...['db1', 'db2', 'db3'].map((n) => ({
        device: lab.host(n).disk!.device,
        mount: inv.redis.dataDir,
        filesystem: 'xfs',
        label: 'falkordata',
        options: ['noatime'],
      })),
      undefined,
    ]);
    expect(inv.ssh.knownHosts).toBe(join(lab.state.dir, 'known_hosts'));
    expect(inv.redis.maxmemory).toBe('256mb');
  });

  it('records the hardware each host reports from inside', async () => {
    const inv = inventorySchema.parse(parse(readFileSync(lab.inventoryPath, 'utf8')));
    for (const h of inv.hosts) {
      const kb = Number(/MemTotal:\s+(\d+)/.exec((await lab.exec(h.name, ['cat', '/proc/meminfo'])).stdout)?.[1]);
      expect(h.hardware?.memory).toBe(`${Math.floor(kb / 1024)}mb`);
      expect(h.hardware?.cpus).toBe(Number((await lab.exec(h.name, ['nproc'])).stdout.trim()));
    }
  });

  it('keeps secrets in 0600 files referenced by path, never in the inventory', () => {
    const text = readFileSync(lab.inventoryPath, 'utf8');
    const password = lab.password();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(text).not.toContain(password);
    expect(text).toContain(`password: file:${join(lab.state.dir, 'password')}`);
    for (const f of ['password', 'id_ed25519']) expect(statSync(join(lab.state.dir, f)).mode & 0o777).toBe(0o600);
  });
});
