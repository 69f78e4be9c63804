// deploy refuses to start when any host cannot be asked (changed host key, nothing at the address, an
// identity the host does not accept, sshd stopped) or a running node refuses the inventory's password:
// one clear error naming the host, exit 1, and not one file changed anywhere. A step failing midway
// stops the run at that step and lists the hosts done; the live haproxy.cfg is never replaced by a file
// HAProxy rejects.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labNet, labUp, type Lab } from '../helpers/lab.js';
import { closeClients, falkorctl, inventoryCopy, mtimes, redis, setupDeploy, wipe } from './deploy-fixture.js';

let lab: Lab;
let tmp: string;
/** An inventory that would change falkordb.conf on every node: a refused run must not apply it. */
let changing: string;

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  tmp = mkdtempSync(join(tmpdir(), 'falkorctl-deploy-fail-'));
  await wipe(lab);
  await setupDeploy(lab.inventoryPath);
  changing = inventoryCopy(lab, (d) => (d.redis.maxclients = 9000), tmp);
});
afterAll(async () => {
  closeClients();
  if (lab) await lab.exec('db3', ['systemctl', 'start', 'ssh']);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  await cleanupAll();
});

async function refusedWithoutChange(inv: string, pattern: RegExp): Promise<string> {
  const before = await mtimes(lab);
  const r = await falkorctl(['-i', inv, 'deploy', '--yes']);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).toContain('nothing was changed');
  expect(r.stderr).not.toMatch(/\n\s+at .+\(.*\.js:\d+:\d+\)/); // no stack trace
  expect(r.stdout + r.stderr).not.toContain(lab.password());
  expect(await mtimes(lab)).toEqual(before);
  return r.stderr;
}

describe('deploy refuses before changing anything', () => {
  it('a host whose key changed', async () => {
    const kh = join(tmp, 'known_hosts');
    copyFileSync(join(lab.state.dir, 'known_hosts'), kh);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'fake'), '-C', 'fake']);
    const fake = readFileSync(join(tmp, 'fake.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const db2 = lab.host('db2').address;
    writeFileSync(
      kh,
      readFileSync(kh, 'utf8')
        .split('\n')
        .map((l) => (l.startsWith(`${db2} `) ? `${db2} ${fake}` : l))
        .join('\n'),
    );
    const inv = inventoryCopy(lab, (d) => ((d.redis = { ...d.redis, maxclients: 9000 }), (d.ssh.knownHosts = kh)), tmp);
    const err = await refusedWithoutChange(inv, /db2.*host key/i);
    expect(err).not.toMatch(/^\s+db1:/m);
  });

  it('a host with nothing at its address', async () => {
    const inv = inventoryCopy(
      lab,
      (d) => (
        (d.redis.maxclients = 9000),
        d.hosts.push({ name: 'db4', address: `${labNet()}.14`, role: 'replica', hardware: { memory: '1gb' } }),
        (d.sentinel = { hosts: ['db1', 'db2', 'db3'] })
      ),
      tmp,
    );
    await refusedWithoutChange(inv, /db4/);
  });

  it('an identity file the hosts do not authorise', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'stranger'), '-C', 'stranger']);
    const inv = inventoryCopy(
      lab,
      (d) => ((d.redis.maxclients = 9000), (d.ssh.identityFile = join(tmp, 'stranger'))),
      tmp,
    );
    await refusedWithoutChange(inv, /authentication failed/);
  });

  it('a running node that refuses the inventory password', async () => {
    const pw = join(tmp, 'wrong-password');
    writeFileSync(pw, 'not-the-cluster-password-0123456789\n', { mode: 0o600 });
    const inv = inventoryCopy(lab, (d) => ((d.redis.maxclients = 9000), (d.auth.password = `file:${pw}`)), tmp);
    await refusedWithoutChange(inv, /does not accept the inventory's password/);
  });

  it('a host whose sshd is stopped', async () => {
    expect((await lab.exec('db3', ['systemctl', 'stop', 'ssh'])).exitCode).toBe(0);
    try {
      await refusedWithoutChange(changing, /db3.*(refused|sshd)/);
    } finally {
      await lab.exec('db3', ['systemctl', 'start', 'ssh']);
    }
  });
});

describe('a running master whose files changed', () => {
  it('at a terminal, answering no to the restart refuses (exit 3) and changes nothing', async () => {
    const before = await mtimes(lab);
    const driver = fileURLToPath(new URL('../fixtures/inventory/pty-drive.py', import.meta.url));
    const bin = fileURLToPath(new URL('../../bin/falkorctl.js', import.meta.url));
    const r = await execa(
      'python3',
      [driver, JSON.stringify(['node', bin, '-i', changing, 'deploy']), JSON.stringify([['Proceed\\?', 'n\r']])],
      { reject: false, env: { NO_COLOR: '1' }, timeout: 120_000 },
    );
    expect(r.exitCode, r.stdout).toBe(3);
    expect(r.stdout).toMatch(/deploy would db1: restart falkordb.service/);
    expect(r.stdout).toMatch(/not confirmed: db1: restart falkordb.service.*nothing was changed/);
    expect(await mtimes(lab)).toEqual(before);
  });

  it('is not restarted without --yes (exit 3, nothing changed); with --yes it is, and stays master', async () => {
    const before = await mtimes(lab);
    const r = await falkorctl(['-i', changing, 'deploy']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(3);
    expect(r.stderr).toMatch(/db1 +restart falkordb.service .*the running MASTER.*\[DESTRUCTIVE\]/);
    expect(r.stderr).toMatch(/not confirmed.*\n\s+hint: re-run with --yes/);
    expect(await mtimes(lab)).toEqual(before);

    const y = await falkorctl(['-i', changing, 'deploy', '--yes']);
    expect(y.code, `${y.stdout}\n${y.stderr}`).toBe(0);
    const c = redis(lab, 'db1', 6379);
    await c.connect();
    expect(await c.call('CONFIG', 'GET', 'maxclients')).toEqual(['maxclients', '9000']);
    expect(((await c.call('ROLE')) as string[])[0]).toBe('master');
    const back = await falkorctl(['-i', lab.inventoryPath, 'deploy', '--yes']);
    expect(back.code, back.stderr).toBe(0);
  });
});

describe('a failing step midway', () => {
  it('stops there, lists the hosts done and what was not done, and keeps the live haproxy.cfg', async () => {
    const inv = inventoryCopy(lab, (d) => ((d.redis.tcpKeepalive = 301), (d.haproxy = { checkIntervalMs: 2000 })), tmp);
    const cfgBefore = (await lab.exec('lb1', ['sha256sum', '/etc/haproxy/haproxy.cfg'])).stdout;
    // HAProxy cannot run on lb1 now: its check of the new file fails
    expect((await lab.exec('lb1', ['chmod', '-x', '/usr/sbin/haproxy'])).exitCode).toBe(0);
    try {
      const r = await falkorctl(['-i', inv, 'deploy', '--limit', 'db2,db3,lb1']);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/deploy stopped: lb1: check it with haproxy -c/);
      expect(r.stderr).toMatch(/\(exit 127\)\n\s+haproxy-check: 1: haproxy: Permission denied/);
      expect(r.stderr).toMatch(/hosts done: db2, db3/);
      expect(r.stderr).toMatch(/not done \(\d+ step\(s\)\):\n(.*\n)*\s+lb1: update \/etc\/haproxy\/haproxy.cfg/);
      expect((await lab.exec('lb1', ['sha256sum', '/etc/haproxy/haproxy.cfg'])).stdout).toBe(cfgBefore);
      expect((await lab.exec('lb1', ['ls', '/etc/haproxy'])).stdout).not.toContain('falkorctl-new');
      const c = redis(lab, 'db2', 6379);
      await c.connect();
      expect(await c.call('CONFIG', 'GET', 'tcp-keepalive')).toEqual(['tcp-keepalive', '301']);
    } finally {
      await lab.exec('lb1', ['chmod', '+x', '/usr/sbin/haproxy']);
    }
    // with HAProxy back, the same inventory converges, and the lab's own inventory brings it back
    const again = await falkorctl(['-i', inv, 'deploy', '--limit', 'db2,db3,lb1']);
    expect(again.code, again.stderr).toBe(0);
    const back = await falkorctl(['-i', lab.inventoryPath, 'deploy']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/ok {2}lb1: write port 6380 → db1/);
  });
});
