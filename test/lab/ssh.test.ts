// Each lab host is reachable over real ssh with strict host-key checking, serves its own key, and a
// known_hosts entry with the wrong key is refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { labNet, labScript, labUp, type Lab } from '../helpers/lab.js';

const NET = `${labNet()}.`.replace(/\./g, '\\.'); // the lab's /24 prefix, as a regex

let lab: Lab;
beforeAll(async () => {
  lab = await labUp();
});

describe('lab ssh', () => {
  it('logs in to every host with BatchMode and StrictHostKeyChecking=yes', async () => {
    for (const h of lab.state.hosts) {
      const r = await lab.ssh(h.name, 'hostname; cat /proc/1/comm');
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout.split('\n')).toEqual([h.name, 'systemd']);
    }
  });

  it('`scripts/lab ssh NAME CMD` runs CMD over ssh on that host', async () => {
    const r = await labScript(['ssh', 'lb1', 'hostname; ip -4 -o addr show eth0']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^lb1\\n.*inet ${NET}21\\/24`));
  });

  it('known_hosts holds each host its own key, the one on its disk', async () => {
    const known = readFileSync(join(lab.state.dir, 'known_hosts'), 'utf8').trim().split('\n');
    expect(known).toHaveLength(lab.state.hosts.length);
    const keys = new Set<string>();
    for (const h of lab.state.hosts) {
      const onHost = await lab.exec(h.name, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']);
      const [type, key] = onHost.stdout.trim().split(' ');
      expect(known).toContain(`${h.address} ${type} ${key}`);
      keys.add(key ?? '');
    }
    expect(keys.size).toBe(lab.state.hosts.length);
  });

  it('refuses a host whose known_hosts entry carries another key', async () => {
    const [a, b] = lab.state.hosts;
    if (!a || !b) throw new Error('the lab needs two hosts');
    const bKey = (await lab.exec(b.name, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).stdout.trim().split(' ');
    const wrong = join(mkdtempSync(join(tmpdir(), 'lab-kh-')), 'known_hosts');
    writeFileSync(wrong, `${a.address} ${bKey[0]} ${bKey[1]}\n`);
    const r = await lab.ssh(a.name, 'true', { knownHosts: wrong });
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('offers public-key login only, with one ed25519 host key', async () => {
    const h = lab.state.hosts[0]!;
    const cfg = await lab.exec(h.name, ['sshd', '-T']);
    expect(cfg.stdout).toMatch(/^passwordauthentication no$/m);
    expect(cfg.stdout.match(/^hostkey .*$/gm)).toEqual(['hostkey /etc/ssh/ssh_host_ed25519_key']);
    // What the server itself offers a client that has no key to show.
    const r = await execa(
      'ssh',
      [
        '-v',
        '-o',
        'BatchMode=yes',
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        `UserKnownHostsFile=${join(lab.state.dir, 'known_hosts')}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'ConnectTimeout=5',
        `root@${h.address}`,
        'true',
      ],
      { reject: false, stdin: 'ignore' },
    );
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/Authentications that can continue: publickey\r?\n/);
    expect(r.stderr).not.toMatch(/can continue: .*password/);
  });
});
