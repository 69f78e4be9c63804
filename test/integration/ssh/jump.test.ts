// A jump host: the target's connection is a channel forwarded through sshd A (ssh2 forwardOut).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSshTransport } from '../../../src/remote/ssh.js';
import { startSshd, type Sshd } from '../../helpers/sshd.js';
import { clientSide, inventory, noAgent, trust, type ClientSide } from './fixture.js';

let a: Sshd;
let b: Sshd;
let c: ClientSide;

beforeAll(async () => {
  c = clientSide();
  // DEBUG1 makes A log each forwarded channel and its target.
  a = await startSshd({ address: '127.0.3.1', authorizedKeys: { root: [c.key.publicLine] }, logLevel: 'DEBUG1' });
  b = await startSshd({ address: '127.0.3.2', authorizedKeys: { root: [c.key.publicLine] } });
});
afterAll(async () => {
  c?.dispose();
  await a?.dispose();
  await b?.dispose();
});

const viaA = () => ({ jumpHost: { host: a.address, port: a.port } });

describe('jump host', () => {
  test('steps on the target run through one connection to the jump host', async () => {
    trust(c, a, b);
    const [aBefore, bBefore] = [a.connectionCount(), b.connectionCount()];
    const t = createSshTransport(inventory(c, [{ name: 'db2', sshd: b }], viaA()), noAgent);
    const outs = await Promise.all(
      [1, 2, 3].map((i) => t.exec('db2', ['sh', '-c', `echo $i${i}; cat /proc/sys/kernel/hostname >/dev/null`])),
    );
    expect(outs.map((o) => o.code)).toEqual([0, 0, 0]);
    await t.exec('db2', ['true']);
    await t.close();
    expect(a.connectionCount() - aBefore).toBe(1);
    expect(b.connectionCount() - bBefore).toBe(1);
    expect(a.log()).toMatch(new RegExp(`direct_tcpip: .*target ${b.address.replace(/\./g, '\\.')} port ${b.port}`));
  });

  test('the jump host key is checked too (unknown → refused, named "jump host")', async () => {
    trust(c, b); // only the target is known
    const t = createSshTransport(inventory(c, [{ name: 'db2', sshd: b }], viaA()), noAgent);
    const err = await t.exec('db2', ['true']).catch((e) => e);
    await t.close();
    expect(err.code).toBe('REFUSED');
    expect(err.message).toContain(`jump host (${a.address}:${a.port}): host key is not known`);
  });

  test('a target the jump host cannot reach → clear error naming both', async () => {
    trust(c, a, b);
    const dead = { ...b, port: 1 };
    const t = createSshTransport(inventory(c, [{ name: 'db2', sshd: dead }], viaA()), noAgent);
    const err = await t.exec('db2', ['true']).catch((e) => e);
    await t.close();
    expect(err.code).toBe('REMOTE');
    expect(err.message).toMatch(
      new RegExp(`^db2 \\(root@127\\.0\\.3\\.2:1 via 127\\.0\\.3\\.1:${a.port}\\): the jump host could not connect`),
    );
  });
});
