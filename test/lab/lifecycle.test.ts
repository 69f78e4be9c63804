// The lab's own lifecycle: a second `up` only verifies, concurrent `up`s serialise, a crashed host is
// repaired by `up`, and `down` leaves no process, mount, loop device or namespace behind.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { labId, labNet, LAB_SCRIPT, labDir, labScript, labUp, readLabState } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';

const leftovers = async () => (await labScript(['leftovers'])).stdout.trim();
const sshAll = async () => {
  const lab = await labUp();
  return Promise.all(lab.state.hosts.map(async (h) => (await lab.ssh(h.name, 'hostname')).stdout.trim()));
};

afterAll(async () => {
  await labUp(); // leave the lab as the other files expect it
});

describe('lab lifecycle', () => {
  it('a second `up` verifies the running lab instead of rebuilding it', async () => {
    await labUp();
    const before = readFileSync(join(labDir(), 'known_hosts'), 'utf8');
    const r = await labScript(['up']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/already up and verified/);
    expect(readFileSync(join(labDir(), 'known_hosts'), 'utf8')).toBe(before);
  });

  it('`up` over a crashed host (nspawn killed, mounts and loops left behind) rebuilds a whole lab', async () => {
    const db2 = join(labDir(), 'hosts', 'db2', 'nspawn.pid');
    process.kill(Number(readFileSync(db2, 'utf8')), 'SIGKILL');
    const r = await labScript(['up']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not whole: cleaning it first/);
    expect(await sshAll()).toEqual(['db1', 'db2', 'db3', 'lb1']);
  });

  it('`up` after an `up` killed half-way (hosts booting, no inventory yet) cleans and builds a whole lab', async () => {
    await labScript(['down']);
    const first = execa(LAB_SCRIPT, ['up'], { reject: false, env: { LAB_DIR: labDir() } });
    await waitFor(
      () => existsSync(join(labDir(), 'hosts', 'lb1', 'nspawn.pid')),
      (v) => v,
      { what: 'lb1 started by the first up', timeoutMs: 300_000 },
    );
    first.kill('SIGKILL');
    await first;
    expect(existsSync(join(labDir(), 'falkorctl.yaml'))).toBe(false);
    const r = await labScript(['up']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not whole: cleaning it first/);
    expect(await sshAll()).toEqual(['db1', 'db2', 'db3', 'lb1']);
  });

  it('concurrent `up`s take turns on the lock and agree on one lab', async () => {
    await labScript(['down']);
    const [a, b] = await Promise.all([labScript(['up']), labScript(['up'])]);
    expect([a.exitCode, b.exitCode], `${a.stderr}\n---\n${b.stderr}`).toEqual([0, 0]);
    expect([a.stderr, b.stderr].filter((e) => /already up and verified/.test(e))).toHaveLength(1);
    expect(await sshAll()).toEqual(['db1', 'db2', 'db3', 'lb1']);
  });

  it('`down` leaves nothing behind, and `down` again is a no-op', async () => {
    const state = readLabState();
    const r = await labScript(['down']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await leftovers()).toBe('');
    expect(existsSync(labDir())).toBe(false);
    const netns = (await execa('ip', ['netns', 'list'])).stdout;
    expect(netns).not.toMatch(/^fctl-/m);
    const loops = (await execa('losetup', ['-n', '-l', '-O', 'BACK-FILE'])).stdout;
    // with the trailing slash: another lab on this machine (LAB_ID=7: /var/tmp/falkorctl-lab7) is not ours
    expect(loops).not.toContain(`${labDir()}/`);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`${labDir()}/`);
    // No way into the lab remains, and a lab address cannot leak out by the default route either
    // (asked of the routing table, no packet sent).
    expect((await execa('ip', ['-o', 'route', 'show', 'dev', 'fctl-h0'], { reject: false })).stderr).toMatch(
      /Cannot find device/,
    );
    for (const h of state.hosts) {
      const route = await execa('ip', ['route', 'get', h.address], { reject: false });
      expect(route.exitCode).not.toBe(0);
      expect(route.stderr).toMatch(/No route to host|unreachable/i);
    }
    expect((await execa('ip', ['-o', 'addr', 'show'])).stdout).not.toContain(` ${labNet()}.1/24`);
    expect(state.hosts.length).toBe(4);
    expect((await labScript(['down'])).exitCode).toBe(0);
  });

  it('says clearly what is wrong with a bad command, exit code non-zero, no trace', async () => {
    const bad = await labScript(['exec', 'db9', '--', 'true']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.trim()).toBe("lab: error: no lab host named 'db9' (hosts: db1 db2 db3 lb1)");
    const down = await labScript(['exec', 'db1', '--', 'true']);
    expect(down.stderr.trim()).toBe('lab: error: host db1 is not running (scripts/lab up)');
    // Without the sbin directories, debootstrap, losetup and mkfs.xfs are "missing": one message naming
    // each with its Debian package, and nothing started.
    const bare = await execa(LAB_SCRIPT, ['up'], {
      reject: false,
      env: { PATH: '/usr/bin:/bin', LAB_DIR: labDir(), LAB_ID: String(labId()) },
      extendEnv: false,
    });
    expect(bare.exitCode).toBe(1);
    expect(bare.stderr.trim().split('\n')).toHaveLength(1);
    expect(bare.stderr).toMatch(
      /^lab: error: missing prerequisites: debootstrap \(debootstrap\), mount \(losetup\), xfsprogs \(mkfs\.xfs\) — run: bash scripts\/setup$/,
    );
    expect(await leftovers()).toBe('');
    const unknown = await labScript(['frobnicate']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
