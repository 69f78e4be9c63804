// exec over a real sshd: results, quoting, one connection per host, env off argv, timeouts.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSshTransport } from '../../../src/remote/ssh.js';
import type { Transport } from '../../../src/remote/transport.js';
import { startSshd, type Sshd } from '../../helpers/sshd.js';
import { waitFor } from '../../helpers/wait.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

let c: ClientSide;
let sshd: Sshd;
let t: Transport;
const logLines: string[] = [];

beforeAll(async () => {
  c = clientSide();
  sshd = await startSshd({ address: '127.0.3.1', authorizedKeys: { root: [c.key.publicLine] } });
  trust(c, sshd);
  t = createSshTransport(inventory(c, [{ name: 'db1', sshd }]), { ...noAgent, log: (l) => logLines.push(l) });
});
afterAll(async () => {
  c?.dispose();
  await t?.close();
  await sshd?.dispose();
});

describe('exec', () => {
  test('returns stdout, stderr and the exit status', async () => {
    const r = await t.exec('db1', ['sh', '-c', 'echo out; echo err >&2; exit 3'], { check: false });
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', code: 3 });
    expect((await t.exec('db1', ['true'])).code).toBe(0);
  });

  test('a failed step names host, command, exit status and the last stderr lines', async () => {
    const err = await t
      .exec('db1', ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do echo line$i >&2; done; exit 7'])
      .catch((e) => e);
    expect(err.code).toBe('REMOTE');
    expect(err.exitStatus).toBe(7);
    expect(err.host).toBe('db1');
    expect(err.message).toMatch(/^db1: `sh -c .*` failed \(exit 7\)/);
    expect(err.message).toContain('line8');
    expect(err.message).not.toContain('line1'); // only the relevant tail
  });

  test('a step killed by a signal reports the signal, not an exit status', async () => {
    const r = await t.exec('db1', ['sh', '-c', 'kill -TERM $$'], { check: false });
    expect([r.code, r.signal]).toEqual([null, 'SIGTERM']);
    const err = await t.exec('db1', ['sh', '-c', 'echo dying >&2; kill -KILL $$']).catch((e) => e);
    expect(err.message).toBe("db1: `sh -c 'echo dying >&2; kill -KILL $$'` failed (signal SIGKILL)\n    dying");
  });

  test('nasty arguments arrive byte for byte', async () => {
    const args = [
      'a b',
      "it's",
      '"dq"',
      '$HOME',
      '$(id)',
      '`id`',
      '; rm -rf /nonexistent',
      'l1\nl2\n',
      '',
      '*',
      '\\x',
      'tab\there',
      'é✓',
      '-n',
      '--',
      "'",
      '!!',
      '~root',
      '{a,b}',
    ];
    const r = await t.exec('db1', ['printf', '%s\\0', ...args]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
  });

  test('stdin reaches the command, with and without env', async () => {
    expect((await t.exec('db1', ['cat'], { stdin: 'hello\nworld' })).stdout).toBe('hello\nworld');
    const r = await t.exec('db1', ['sh', '-c', 'printf "%s|" "$A"; cat'], { stdin: 'payload\n', env: { A: 'x' } });
    expect(r.stdout).toBe('x|payload\n');
  });

  test('env values reach the command but never any argv or log line', async () => {
    const secret = `s3cr3t-${process.pid}-'"$;\nend\n`;
    const running = t.exec('db1', ['sh', '-c', 'sleep 1.5; printf %s "$FALKOR_SECRET"'], {
      env: { FALKOR_SECRET: secret },
    });
    const scan = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .map((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8');
          } catch {
            return '';
          }
        });
    // poll until the step runs (no fixed sleep), then look at every command line
    const cmdlines = await waitFor(scan, (c) => c.some((x) => x.includes('sleep 1.5')), {
      what: 'the step running on the host',
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    expect(cmdlines.some((c) => c.includes('sleep 1.5'))).toBe(true); // the scan does see the step
    expect(cmdlines.filter((c) => c.includes('s3cr3t-'))).toEqual([]);
    expect((await running).stdout).toBe(secret);
    expect(logLines.join('\n')).not.toContain('s3cr3t');
    expect(logLines.join('\n')).toContain('FALKOR_SECRET=***');
  });

  test('every step of a run reuses one TCP connection', async () => {
    const before = sshd.connectionCount();
    await t.exec('db1', ['true']); // connection exists already from earlier tests
    for (let i = 0; i < 10; i++) await t.exec('db1', ['echo', String(i)]);
    const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => t.exec('db1', ['echo', String(i)])));
    expect(outs.map((o) => o.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(sshd.connectionCount()).toBe(before);
    const established = execFileSync('ss', ['-Htn', 'state', 'established', `dst ${sshd.address}:${sshd.port}`], {
      encoding: 'utf8',
    });
    expect(established.trim().split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('a step past its timeout is killed on the host, with a TIMEOUT error', async () => {
    const marker = `37.${process.pid % 1000}`;
    const err = await t.exec('db1', ['sh', '-c', `sleep ${marker}; echo never`], { timeoutMs: 1500 }).catch((e) => e);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/^db1: `sh -c .*` timed out after 1.5s and was killed/);
    const alive = () => {
      try {
        return execFileSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    };
    expect(alive()).toBe('');
    expect((await t.exec('db1', ['echo', 'still usable'])).stdout).toBe('still usable\n');
  });

  test('an unknown host name is a usage error', async () => {
    const err = await t.exec('nope', ['true']).catch((e) => e);
    expect(err.code).toBe('USER');
    expect(err.message).toContain('unknown host "nope"');
  });
});
