// Issue 8's benchmark P5, the LVM path (not a test): the QEMU guest of scripts/lab-vm (the host kernel has no
// device-mapper), its vm.yaml layout — /dev/vdb and /dev/vdc as PVs of falkordb-vg, LVs data and backup of 1G,
// XFS, mounted by UUID with noatime, the data directory falkordb:falkordb 0750 — from blank disks and then again
// with nothing to do, by `falkorctl provision` and by Ansible (bench/provision-lvm.yml: community.general lvg,
// lvol, filesystem, ansible.posix.mount), in one run. Same measures as bench/lab-provision.mjs: wall time, and
// SSH connections counted from sshd's "Accepted publickey" lines in the guest's journal. The guest is only
// reachable over SSH, so each count is read over a connection of its own (ControlMaster off) and that one
// connection is subtracted; a calibration (2 plain ssh → 2) checks the arithmetic. End states are compared.
//
//   node bench/lab-provision-vm.mjs [--json]     (root; after bench/lab-provision.mjs, which installs Ansible)
// Env: BENCH_ROUNDS (3); BENCH_LAB_ID (7); BENCH_KEEP_LAB=1 leaves the guest up (default: down at the end,
//      unless it was already up); BENCH_OUT=FILE; BENCH_CACHE as in bench/lab-provision.mjs.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  BIN,
  benchContext,
  KEEP_LAB,
  LAB_ID,
  log,
  median,
  must,
  now,
  out,
  ROOT,
  ROUNDS,
  runBench,
  VENV,
  writeSummary,
} from './provision-common.mjs';

const LAB_VM = join(ROOT, 'scripts/lab-vm');
const PLAYBOOK = join(ROOT, 'bench/provision-lvm.yml');
const ANSIBLE = join(VENV, 'bin/ansible-playbook');
const LAB_DIR = `/var/tmp/falkorctl-lab${LAB_ID}`;
const MOUNTS = ['/var/lib/falkordb/data', '/var/lib/falkordb/backup'];

const { work, run } = benchContext('falkorctl-bench-provision-vm-', {}, 1_800_000);

let port;
const sshArgs = () => [
  '-i',
  join(LAB_DIR, 'id_ed25519'),
  '-o',
  'IdentitiesOnly=yes',
  '-o',
  `UserKnownHostsFile=${join(LAB_DIR, 'known_hosts')}`,
  '-o',
  'GlobalKnownHostsFile=/dev/null',
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'BatchMode=yes',
  '-o',
  'ControlMaster=no',
  '-o',
  'ControlPath=none',
  '-p',
  String(port),
  'root@127.0.5.1',
];
/** One script on the guest over one fresh SSH connection. */
const onGuest = (script) => must(`guest: ${script.split('\n')[0]}`, run('ssh', [...sshArgs(), script]));

/** sshd's accepted connections, read over one connection of its own (which the count includes). */
async function accepted() {
  const r = await onGuest(
    "journalctl --sync; journalctl -q --no-pager _COMM=sshd | grep -c 'Accepted publickey' || true",
  );
  return Number(r.stdout.trim());
}
async function counted(fn) {
  const before = await accepted();
  const t0 = now();
  const r = await fn();
  const wallMs = Math.round(now() - t0);
  const after = await accepted();
  return { ...r, wallMs, connections: after - before - 1 }; // minus the "after" reading's own connection
}
async function calibrate() {
  const c = await counted(async () => {
    await onGuest('true');
    await onGuest('true');
    return {};
  });
  if (c.connections !== 2) throw new Error(`the guest's SSH counter saw ${c.connections} for 2 connections`);
}

async function blank() {
  await onGuest(
    [
      ...MOUNTS.map((m) => `umount ${m} 2>/dev/null`),
      "sed -i '\\# /var/lib/falkordb/#d' /etc/fstab",
      'lvremove -q -y falkordb-vg 2>/dev/null',
      'vgremove -q -y falkordb-vg 2>/dev/null',
      'pvremove -q -y /dev/vdb /dev/vdc 2>/dev/null',
      'wipefs -a -q /dev/vdb /dev/vdc',
      'userdel falkordb 2>/dev/null; groupdel falkordb 2>/dev/null; rm -rf /var/lib/falkordb; true',
    ].join('\n'),
  );
}

let inv;
async function falkorctl() {
  return counted(async () => {
    const r = await must(
      'falkorctl provision',
      run(process.execPath, [BIN, '-i', inv, 'provision', '--yes', '--json']),
    );
    return { changed: JSON.parse(r.stdout).hosts[0].steps.length };
  });
}

let ansibleInv;
let cpRuns = 0;
async function ansible() {
  const cp = join(work, `cp-${++cpRuns}`);
  mkdirSync(cp);
  const r = await counted(async () => {
    const a = await must(
      'ansible-playbook',
      run(ANSIBLE, ['-i', ansibleInv, PLAYBOOK], {
        extraEnv: {
          ANSIBLE_PIPELINING: 'True',
          ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
          ANSIBLE_HOME: join(work, 'ansible-home'),
          ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
          ANSIBLE_RETRY_FILES_ENABLED: 'False',
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_TIMEOUT: '60',
        },
      }),
    );
    const m = /^vm1\s+:\s+ok=\d+\s+changed=(\d+)/m.exec(a.stdout);
    if (!m) throw new Error(`no PLAY RECAP line:\n${a.stdout}`);
    return { changed: Number(m[1]) };
  });
  for (const s of readdirSync(cp)) await run('ssh', ['-o', `ControlPath=${join(cp, s)}`, '-O', 'exit', 'x']);
  return r;
}

async function endState() {
  const script = [
    'echo "lvs=$(lvs --noheadings -o lv_name,lv_size --units b falkordb-vg | tr -s " " | sort | tr "\\n" ";")"',
    'echo "pvs=$(pvs --noheadings -o pv_name,vg_name | tr -s " " | sort | tr "\\n" ";")"',
    ...MOUNTS.flatMap((m) => [
      `u=$(blkid -p -s UUID -o value /dev/falkordb-vg/${m.split('/').pop()})`,
      `echo "${m} type=$(blkid -p -s TYPE -o value /dev/falkordb-vg/${m.split('/').pop()})"`,
      `echo "${m} mount=$(findmnt -n -o SOURCE,FSTYPE,OPTIONS ${m} | tr -s " ")"`,
      `grep -v '^#' /etc/fstab | awk -v m=${m} '$2 == m' | sed "s#$u#<UUID>#" | sed 's#^#fstab=#'`,
      `echo "${m} dir=$(stat -c '%U:%G %a' ${m})"`,
    ]),
    'echo "user=$(getent passwd falkordb | cut -d: -f1,6,7) group=$(id -gn falkordb)"',
  ].join('\n');
  const lines = (await onGuest(script)).stdout.trim().split('\n');
  for (const m of MOUNTS)
    if (!lines.includes(`fstab=UUID=<UUID> ${m} xfs noatime 0 2`))
      throw new Error(`no fstab line for ${m} by its filesystem's UUID:\n${lines.join('\n')}`);
  return lines;
}

async function main() {
  if (!existsSync(ANSIBLE)) throw new Error(`no ${ANSIBLE}: run bench/lab-provision.mjs first (it installs Ansible)`);
  const wasUp = (await run('bash', [LAB_VM, 'status'])).code === 0;
  log(`lab ${LAB_ID} guest up (QEMU)...`);
  await must('scripts/lab-vm up', run('bash', [LAB_VM, 'up']));
  inv = join(LAB_DIR, 'vm.yaml');
  const h = parseYaml(readFileSync(inv, 'utf8')).hosts[0];
  port = h.ssh.port;
  ansibleInv = join(work, 'inventory.yml');
  writeFileSync(
    ansibleInv,
    stringifyYaml({
      all: {
        children: { vm: { hosts: { vm1: { ansible_host: h.address, ansible_port: port } } } },
        vars: {
          ansible_user: 'root',
          ansible_ssh_private_key_file: join(LAB_DIR, 'id_ed25519'),
          ansible_ssh_common_args:
            `-o IdentitiesOnly=yes -o UserKnownHostsFile=${join(LAB_DIR, 'known_hosts')} ` +
            '-o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null',
          ansible_python_interpreter: '/usr/bin/python3',
        },
      },
    }),
  );
  const rows = [];
  try {
    await calibrate();
    for (let i = 1; i <= ROUNDS; i++) {
      const row = {};
      for (const [tool, go] of [
        ['falkorctl', falkorctl],
        ['ansible', ansible],
      ]) {
        await blank();
        const first = await go();
        const noop = await go();
        const end = await endState();
        for (const [what, r] of [
          ['first', first],
          ['noop', noop],
        ])
          log(`round ${i} ${tool} ${what}: ${r.wallMs} ms, ${r.connections} connection(s), changed ${r.changed}`);
        if (noop.changed !== 0) throw new Error(`${tool}'s second run changed ${noop.changed}`);
        row[tool] = { first, noop, end };
      }
      if (JSON.stringify(row.falkorctl.end) !== JSON.stringify(row.ansible.end))
        throw new Error(`end states differ:\n${row.falkorctl.end.join('\n')}\n---\n${row.ansible.end.join('\n')}`);
      const cross = await falkorctl(); // on Ansible's end state
      if (cross.changed !== 0) throw new Error(`falkorctl plans ${cross.changed} step(s) on Ansible's end state`);
      rows.push(row);
    }
  } finally {
    if (!KEEP_LAB && !wasUp) {
      log('guest down...');
      await run('bash', [LAB_VM, 'down']);
    }
  }
  const summary = { labId: LAB_ID, rounds: ROUNDS, tools: {}, endState: rows[0].falkorctl.end };
  for (const tool of ['falkorctl', 'ansible'])
    summary.tools[tool] = Object.fromEntries(
      ['first', 'noop'].map((r) => [
        r,
        {
          medianWallMs: median(rows.map((x) => x[tool][r].wallMs)),
          wallMs: rows.map((x) => x[tool][r].wallMs),
          connections: rows.map((x) => x[tool][r].connections),
        },
      ]),
    );
  const f = summary.tools.falkorctl;
  const a = summary.tools.ansible;
  summary.ratios = {
    first: +(f.first.medianWallMs / a.first.medianWallMs).toFixed(3),
    noop: +(f.noop.medianWallMs / a.noop.medianWallMs).toFixed(3),
  };
  for (const r of ['first', 'noop'])
    out(
      `LVM ${r.padEnd(5)} falkorctl ${(f[r].medianWallMs / 1000).toFixed(2)} s, ${Math.max(...f[r].connections)} conn | ` +
        `ansible ${(a[r].medianWallMs / 1000).toFixed(2)} s, ${Math.max(...a[r].connections)} conn | ` +
        `ratio ${summary.ratios[r]}`,
    );
  out("end states equal; falkorctl plans nothing on Ansible's");
  writeSummary(summary);
}

await runBench(main, work);
