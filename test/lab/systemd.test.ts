// Real systemd runs inside a lab host, and FalkorDB starts under a unit installed there, answering on
// the host's own address.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { FALKOR_PORT, FALKOR_UNIT as UNIT, installFalkor, removeFalkor } from './falkor-unit.js';

let lab: Lab;

beforeAll(async () => {
  lab = await labUp();
});
afterAll(async () => {
  if (lab) await removeFalkor(lab, 'db1');
});

describe('lab systemd', () => {
  it('runs systemd as PID 1, fully booted, with no failed units', async () => {
    for (const h of lab.state.hosts) {
      const r = await lab.exec(h.name, ['systemctl', 'is-system-running', '--wait']);
      expect(r.stdout.trim(), `${h.name}: ${(await lab.exec(h.name, ['systemctl', '--failed'])).stdout}`).toBe(
        'running',
      );
    }
  });

  it('starts, restarts and stops a unit', async () => {
    const run = await lab.exec('db2', ['systemd-run', '--unit=labtest-sleep', 'sleep', '600']);
    expect(run.exitCode).toBe(0);
    expect((await lab.exec('db2', ['systemctl', 'is-active', 'labtest-sleep'])).stdout.trim()).toBe('active');
    await lab.exec('db2', ['systemctl', 'stop', 'labtest-sleep']);
    expect((await lab.exec('db2', ['systemctl', 'is-active', 'labtest-sleep'])).stdout.trim()).not.toBe('active');
  });

  it('runs FalkorDB under a unit, reachable from this machine on the host address', async () => {
    await installFalkor(lab, 'db1');
    const h = lab.host('db1');
    const client = new Redis({
      host: h.address,
      port: FALKOR_PORT,
      password: lab.password(),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => {}); // refused until the unit is up; waitFor reports the last error
    try {
      await waitFor(
        () => client.ping().catch((e: Error) => e.message),
        (v) => v === 'PONG',
        { what: `PONG from db1 ${h.address}`, timeoutMs: 20_000, intervalMs: 200 },
      );
      const modules = JSON.stringify(await client.call('MODULE', 'LIST'));
      expect(modules).toMatch(/graph/);
      const res = (await client.call('GRAPH.QUERY', 'lab', "CREATE (:Host {name:'db1'}) RETURN 1")) as unknown[];
      expect(JSON.stringify(res)).toMatch(/Nodes created: 1/);
      const pid = (
        await lab.exec('db1', ['systemctl', 'show', '-p', 'MainPID', '--value', `${UNIT}.service`])
      ).stdout.trim();
      const restart = await lab.exec('db1', ['systemctl', 'restart', `${UNIT}.service`]);
      expect(restart.exitCode).toBe(0);
      const pid2 = (
        await lab.exec('db1', ['systemctl', 'show', '-p', 'MainPID', '--value', `${UNIT}.service`])
      ).stdout.trim();
      expect(pid2).not.toBe(pid);
    } finally {
      client.disconnect();
    }
  });
});
