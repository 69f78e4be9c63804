// Issue 8's benchmark P5 (not a test: it reports, it does not gate): the lab's plain-device layout (each db
// host's loop disk: XFS labelled falkordata on redis.dataDir, noatime, fstab by UUID, the data directory
// falkordb:falkordb 0750) made from blank disks and then re-applied with nothing to do, two ways in one run:
//   falkorctl  falkorctl -i INV provision --limit db1,db2,db3 --yes
//   ansible    ansible-playbook bench/provision.yml (community.general.filesystem, ansible.posix.mount,
//              ansible.builtin user/group/file), PyPI ansible 14.x in a venv under the bench's cache dir
// Per run: wall time, and SSH connections per host counted on the hosts themselves: sshd's "Accepted
// publickey" lines in each host's journal before and after (the bench reads them through nsenter, which opens
// no SSH connection). Ansible runs with its defaults (ControlMaster=auto, ControlPersist=60s: one TCP
// connection per host carries all its tasks) plus pipelining and a fixed interpreter, which only make it
// faster; each run gets a fresh ControlPath directory so it cannot reuse the previous run's connection.
// Both end states are read back per host and compared (filesystem, label, mount source/options, the fstab
// line with the UUID as blkid reports it, owner and mode, the service user and group), and each tool is run on
// the other's end state: falkorctl must plan nothing, Ansible must change nothing.
//
//   node bench/lab-provision.mjs [--json]        (root; npm run bench:provision builds first)
// Env: BENCH_ROUNDS (3) rounds of first + no-op per tool; BENCH_LAB_ID (7); BENCH_KEEP_LAB=1 leaves the lab
//      up (default: down at the end, unless it was already up); BENCH_OUT=FILE also writes the JSON summary;
//      BENCH_CACHE (~/.cache/falkorctl-bench) holds the Ansible venv; BENCH_PYTHON a python >= 3.12 for it.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import {
  BIN,
  benchContext,
  CACHE,
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

const LAB = join(ROOT, 'scripts/lab');
const PLAYBOOK = join(ROOT, 'bench/provision.yml');
const DB = ['db1', 'db2', 'db3'];
const MNT = '/var/lib/falkordb/data';

const { work, run } = benchContext('falkorctl-bench-provision-', { LAB_VM: '0' }, 900_000);
const lab = (...args) => run('bash', [LAB, ...args]);
/** A shell script on a lab host through nsenter (scripts/lab exec): no SSH connection is opened. */
const sh = (host, script) => must(`${host}: ${script.split('\n')[0]}`, lab('exec', host, '--', 'sh', '-c', script));

let state;
const disk = (h) => state.hosts.find((x) => x.name === h).disk.device;

/** Blank disk, nothing mounted or in fstab, no service user: what both tools start from. */
async function reset() {
  await Promise.all(
    DB.map((h) =>
      sh(
        h,
        [
          // a cluster deployed on the lab (a lab test's) holds the volume: the bench takes the disks back
          'systemctl stop falkordb.service falkordb-sentinel.service 2>/dev/null',
          `if findmnt -n ${MNT} >/dev/null; then umount ${MNT} || exit 1; fi`,
          `sed -i '\\# ${MNT} #d' /etc/fstab`,
          `wipefs -a -q ${disk(h)}`,
          'userdel falkordb 2>/dev/null; groupdel falkordb 2>/dev/null; rm -rf /var/lib/falkordb; true',
        ].join('\n'),
      ),
    ),
  );
}

/** sshd's accepted connections so far on each host (journald flushed first, so none is still queued). */
async function sshAccepted() {
  const counts = await Promise.all(
    DB.map(async (h) => {
      const r = await sh(
        h,
        "journalctl --sync; journalctl -q --no-pager _COMM=sshd | grep -c 'Accepted publickey' || true",
      );
      return [h, Number(r.stdout.trim())];
    }),
  );
  return Object.fromEntries(counts);
}

/** Runs one tool invocation; returns wall time, connections per host and its output. */
async function measured(name, cmd, args, extraEnv) {
  const before = await sshAccepted();
  const t0 = now();
  const r = await run(cmd, args, { extraEnv });
  const wallMs = Math.round(now() - t0);
  const after = await sshAccepted();
  if (r.code !== 0) throw new Error(`${name} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  const connections = Object.fromEntries(DB.map((h) => [h, after[h] - before[h]]));
  return { wallMs, connections, stdout: r.stdout, stderr: r.stderr };
}

/** The counter sees what it should: two plain `ssh true` to db1 must count 2 there and 0 elsewhere. */
async function calibrate() {
  const before = await sshAccepted();
  const a = state.hosts.find((x) => x.name === 'db1').address;
  const args = ['-i', join(state.dir, 'id_ed25519'), '-o', 'IdentitiesOnly=yes', '-o', 'ControlMaster=no'];
  args.push('-o', `UserKnownHostsFile=${join(state.dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes');
  for (let i = 0; i < 2; i++) await must('ssh true', run('ssh', [...args, `root@${a}`, 'true']));
  const after = await sshAccepted();
  const seen = DB.map((h) => after[h] - before[h]);
  if (!same(seen, [2, 0, 0])) throw new Error(`the SSH connection counter saw ${seen} for 2 connections to db1`);
}

// ---- falkorctl -----------------------------------------------------------------------------------
let inv;
async function falkorctl(limit = DB) {
  const r = await measured('falkorctl provision', process.execPath, [
    BIN,
    '-i',
    inv,
    'provision',
    '--limit',
    limit.join(','),
    '--yes',
    '--json',
  ]);
  const hosts = JSON.parse(r.stdout).hosts;
  return { ...r, steps: Object.fromEntries(hosts.map((h) => [h.host, h.steps.length])) };
}

// ---- ansible -------------------------------------------------------------------------------------
async function ensureAnsible() {
  const playbook = join(VENV, 'bin/ansible-playbook');
  if (!existsSync(playbook)) {
    const py = process.env.BENCH_PYTHON ?? 'python3.12';
    log(`installing ansible 14.x into ${VENV} (${py})...`);
    mkdirSync(CACHE, { recursive: true });
    await must(`${py} -m venv`, run(py, ['-m', 'venv', VENV]));
    await must('pip install ansible', run(join(VENV, 'bin/pip'), ['install', '-q', 'ansible>=14,<15']));
  }
  const v = await must('ansible --version', run(join(VENV, 'bin/ansible'), ['--version']));
  const pkg = await must(
    'pip show ansible',
    run(join(VENV, 'bin/python'), ['-c', 'import importlib.metadata as m; print(m.version("ansible"))']),
  );
  return { playbook, core: v.stdout.split('\n')[0].trim(), ansible: pkg.stdout.trim() };
}

let ansibleBin;
let ansibleInv;
let controlRuns = 0;
function writeAnsibleInventory() {
  const dir = state.dir;
  const hosts = Object.fromEntries(
    DB.map((h) => [h, { ansible_host: state.hosts.find((x) => x.name === h).address, disk: disk(h) }]),
  );
  const doc = {
    all: {
      children: { db: { hosts } },
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: join(dir, 'id_ed25519'),
        ansible_ssh_common_args:
          `-o IdentitiesOnly=yes -o UserKnownHostsFile=${join(dir, 'known_hosts')} ` +
          '-o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null',
        ansible_python_interpreter: '/usr/bin/python3',
      },
    },
  };
  ansibleInv = join(work, 'ansible-inventory.yml');
  writeFileSync(ansibleInv, stringifyYaml(doc));
}

/** Closes the ControlMaster connections a run left (ControlPersist would keep them 60 s). */
async function closeMasters(dir) {
  for (const s of readdirSync(dir))
    await run('ssh', ['-o', `ControlPath=${join(dir, s)}`, '-O', 'exit', 'placeholder']);
}

async function ansible(limit = DB) {
  const cp = join(work, `cp-${++controlRuns}`);
  mkdirSync(cp);
  const r = await measured('ansible-playbook', ansibleBin, ['-i', ansibleInv, '--limit', limit.join(','), PLAYBOOK], {
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
    ANSIBLE_HOME: join(work, 'ansible-home'),
    ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
  });
  await closeMasters(cp);
  const recap = {};
  for (const m of r.stdout.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm))
    recap[m[1]] = { ok: Number(m[2]), changed: Number(m[3]) };
  for (const h of limit) if (!recap[h]) throw new Error(`no PLAY RECAP line for ${h}:\n${r.stdout}`);
  return { ...r, steps: Object.fromEntries(limit.map((h) => [h, recap[h].changed])) };
}

// ---- end state -----------------------------------------------------------------------------------
/** What provisioning left on each host, UUID replaced by a marker once checked against blkid. */
async function endState() {
  const rows = await Promise.all(
    DB.map(async (h) => {
      const d = disk(h);
      const r = await sh(
        h,
        [
          `u=$(blkid -p -s UUID -o value ${d})`,
          `echo "fs=$(blkid -p -s TYPE -o value ${d}) label=$(blkid -p -s LABEL -o value ${d})"`,
          `echo "mount=$(findmnt -n -o SOURCE,FSTYPE,OPTIONS ${MNT})"`,
          `grep -v '^#' /etc/fstab | awk -v m=${MNT} '$2 == m' | sed "s#$u#<UUID>#" | sed 's/^/fstab=/'`,
          `echo "dir=$(stat -c '%U:%G %a' ${MNT})"`,
          'echo "user=$(getent passwd falkordb | cut -d: -f1,6,7) group=$(id -gn falkordb)"',
          `echo "system=$([ "$(id -u falkordb)" -lt 1000 ] && echo yes || echo no)"`,
        ].join('\n'),
      );
      const lines = r.stdout.trim().split('\n');
      // the comparison must not pass on two empty reads: the fstab line is there, by the UUID blkid reports
      if (!lines.includes(`fstab=UUID=<UUID> ${MNT} xfs noatime 0 2`))
        throw new Error(`${h}: no fstab line for ${MNT} by its filesystem's UUID:\n${r.stdout}`);
      return [h, lines];
    }),
  );
  return Object.fromEntries(rows);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// ---- the run -------------------------------------------------------------------------------------
const perHostMax = (c) => Math.max(...Object.values(c));

async function round(i) {
  const row = {};
  for (const tool of ['falkorctl', 'ansible']) {
    const go = tool === 'falkorctl' ? falkorctl : ansible;
    await reset();
    const first = await go();
    const noop = await go();
    const single = await go(['db1']); // a one-host no-op: the per-host time without the others in parallel
    const end = await endState();
    for (const [what, r] of [
      ['first', first],
      ['noop', noop],
      ['noop db1', single],
    ])
      log(
        `round ${i} ${tool} ${what}: ${r.wallMs} ms, connections ${JSON.stringify(r.connections)}, ` +
          `steps/changed ${JSON.stringify(r.steps)}`,
      );
    if (Object.values(noop.steps).some((n) => n !== 0))
      throw new Error(`${tool}'s second run still changed something: ${JSON.stringify(noop.steps)}`);
    row[tool] = { first, noop, single, end };
  }
  if (!same(row.falkorctl.end, row.ansible.end))
    throw new Error(
      `end states differ:\nfalkorctl ${JSON.stringify(row.falkorctl.end, null, 1)}\n` +
        `ansible ${JSON.stringify(row.ansible.end, null, 1)}`,
    );
  // each tool on the other's end state (Ansible's is on the hosts now): nothing to do for falkorctl
  const cross = await falkorctl();
  if (Object.values(cross.steps).some((n) => n !== 0))
    throw new Error(`falkorctl plans steps on Ansible's end state: ${cross.stdout}`);
  return row;
}

async function main() {
  const { playbook, core, ansible: ansibleVersion } = await ensureAnsible();
  ansibleBin = playbook;
  log(`${core}, ansible ${ansibleVersion}; lab ${LAB_ID} up...`);
  const wasUp = (await lab('status')).code === 0;
  const up = await must('scripts/lab up', lab('up'));
  const labInv = up.stdout.trim().split('\n').pop();
  state = JSON.parse(readFileSync(join(labInv.replace(/\/falkorctl\.yaml$/, ''), 'lab.json'), 'utf8'));
  inv = labInv;
  writeAnsibleInventory();
  const rows = [];
  try {
    await calibrate();
    for (let i = 1; i <= ROUNDS; i++) rows.push(await round(i));
    // and Ansible on falkorctl's end state: it must change nothing
    await reset();
    await falkorctl();
    const cross = await ansible();
    if (Object.values(cross.steps).some((n) => n !== 0))
      throw new Error(`Ansible changes falkorctl's end state: ${JSON.stringify(cross.steps)}\n${cross.stdout}`);
  } finally {
    if (!KEEP_LAB && !wasUp) {
      log(`lab ${LAB_ID} down...`);
      await lab('down');
    }
  }
  const pick = (tool, run, f) => rows.map((r) => f(r[tool][run]));
  const summary = { labId: LAB_ID, rounds: ROUNDS, ansibleCore: core, ansible: ansibleVersion, tools: {} };
  for (const tool of ['falkorctl', 'ansible']) {
    const t = {};
    for (const run of ['first', 'noop', 'single']) {
      t[run] = {
        medianWallMs: median(pick(tool, run, (r) => r.wallMs)),
        wallMs: pick(tool, run, (r) => r.wallMs),
        maxConnectionsPerHost: Math.max(...pick(tool, run, (r) => perHostMax(r.connections))),
        connections: pick(tool, run, (r) => r.connections),
      };
    }
    summary.tools[tool] = t;
  }
  const f = summary.tools.falkorctl;
  const a = summary.tools.ansible;
  summary.ratios = {
    noopAllHosts: +(f.noop.medianWallMs / a.noop.medianWallMs).toFixed(3),
    noopOneHost: +(f.single.medianWallMs / a.single.medianWallMs).toFixed(3),
    first: +(f.first.medianWallMs / a.first.medianWallMs).toFixed(3),
  };
  summary.endStatesEqual = true;
  summary.endState = rows[0].falkorctl.end;
  for (const [label, run] of [
    ['first provision (3 hosts)', 'first'],
    ['no-op (3 hosts)', 'noop'],
    ['no-op (db1 alone)', 'single'],
  ])
    out(
      `${label.padEnd(26)} falkorctl ${(f[run].medianWallMs / 1000).toFixed(2)} s, ` +
        `${f[run].maxConnectionsPerHost} conn/host | ansible ${(a[run].medianWallMs / 1000).toFixed(2)} s, ` +
        `${a[run].maxConnectionsPerHost} conn/host | ratio ${(f[run].medianWallMs / a[run].medianWallMs).toFixed(2)}`,
    );
  const goal = f.single.medianWallMs <= 2000 && f.noop.maxConnectionsPerHost === 1 && summary.ratios.noopOneHost < 1;
  out(`goal (no-op <= 2 s per host, 1 connection per host, faster than Ansible): ${goal ? 'met' : 'NOT met'}`);
  out("end states equal; falkorctl plans nothing on Ansible's, Ansible changes nothing on falkorctl's");
  writeSummary(summary);
}

await runBench(main, work);
