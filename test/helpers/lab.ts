// The lab for tests: brings it up through scripts/lab (idempotent: a whole lab is only verified) and
// gives tests its inventory, its recorded state, and ways to run commands on a host (nsenter) or over ssh.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const LAB_SCRIPT = resolve(fileURLToPath(new URL('../../scripts/lab', import.meta.url)));
/** Which of several side-by-side labs (scripts/lab.d/common.sh): LAB_ID 0 (default) keeps the old names. */
export const labId = (): number => Number(process.env.LAB_ID ?? '0') || 0;
const suffix = (): string => (labId() === 0 ? '' : String(labId()));
export const labDir = (): string => process.env.LAB_DIR ?? `/var/tmp/falkorctl-lab${suffix()}`;
/** The lab's /24 without the last octet, e.g. `10.89.0`. */
export const labNet = (): string => `10.89.${labId()}`;
/** The claim name that makes lab test files take turns with the one cluster their lab runs. */
export const labClusterClaim = (): string => `falkorctl-lab${suffix()}-cluster`;

export interface LabHost {
  name: string;
  address: string;
  /** The host's root as seen from this machine (its overlay mount). */
  root: string;
  disk?: { device: string; image: string; size: string };
}

export interface LabState {
  dir: string;
  rootfs: string;
  inventory: string;
  hosts: LabHost[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Lab {
  inventoryPath: string;
  state: LabState;
  /** `scripts/lab exec NAME -- argv…`: runs inside the host's namespaces as its root; never throws on exit code. */
  exec(host: string, argv: readonly string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Real `ssh` with the lab key, BatchMode and strict host-key checking against `knownHosts`. */
  ssh(host: string, command: string, opts?: { knownHosts?: string }): Promise<RunResult>;
  host(name: string): LabHost;
  password(): string;
}

/** `scripts/lab ARGS…`, output captured; a non-zero exit is returned, not thrown. */
export async function labScript(
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const r = await execa(LAB_SCRIPT, args, {
    reject: false,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    timeout: opts.timeoutMs ?? 900_000,
    env: { LAB_DIR: labDir() },
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
}

export function readLabState(dir = labDir()): LabState {
  return JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabState;
}

/** Brings the lab up (or verifies the one that is up) and describes it. */
export async function labUp(): Promise<Lab> {
  const r = await labScript(['up']);
  if (r.exitCode !== 0) throw new Error(`scripts/lab up failed (exit ${r.exitCode}):\n${r.stderr}`);
  return describeLab(r.stdout.trim().split('\n').pop() ?? '');
}

/** Where the lab inventory mounts each database host's disk (scripts/lab.d/inventory.sh): redis.dataDir. */
export const LAB_DATA_MOUNT = '/var/lib/falkordb/data';

/**
 * Frees a database host's disk for a test that formats it itself: FalkorDB stopped (its files are on it), the
 * data volume unmounted and out of /etc/fstab (a boot would wait for it), every signature erased. The deploy
 * fixture's wipe provisions it again.
 */
export async function releaseDisk(lab: Lab, host: string): Promise<void> {
  const dev = lab.host(host).disk?.device;
  if (!dev) throw new Error(`${host} has no lab disk`);
  const script = [
    'systemctl stop falkordb.service 2>/dev/null',
    `if findmnt -n ${LAB_DATA_MOUNT} >/dev/null; then umount ${LAB_DATA_MOUNT} || exit 1; fi`,
    `sed -i '\\# ${LAB_DATA_MOUNT} #d' /etc/fstab`,
    `wipefs -a -q ${dev}`,
  ].join('\n');
  const r = await lab.exec(host, ['sh', '-c', script]);
  if (r.exitCode !== 0) throw new Error(`releasing ${host}'s disk ${dev} failed (exit ${r.exitCode}): ${r.stderr}`);
}

export async function labDown(): Promise<RunResult> {
  return labScript(['down']);
}

function describeLab(inventoryPath: string): Lab {
  const state = readLabState();
  const host = (name: string): LabHost => {
    const h = state.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no lab host ${name}; hosts: ${state.hosts.map((x) => x.name).join(' ')}`);
    return h;
  };
  return {
    inventoryPath,
    state,
    host,
    password: () => readFileSync(join(state.dir, 'password'), 'utf8').trim(),
    exec: (name, argv, opts) => labScript(['exec', name, '--', ...argv], { timeoutMs: 120_000, ...opts }),
    ssh: async (name, command, opts) => {
      const r = await execa(
        'ssh',
        [
          '-i',
          join(state.dir, 'id_ed25519'),
          '-o',
          'IdentitiesOnly=yes',
          '-o',
          `UserKnownHostsFile=${opts?.knownHosts ?? join(state.dir, 'known_hosts')}`,
          '-o',
          'GlobalKnownHostsFile=/dev/null',
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'BatchMode=yes',
          '-o',
          'ConnectTimeout=5',
          `root@${host(name).address}`,
          command,
        ],
        { reject: false, stdin: 'ignore', timeout: 60_000 },
      );
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
    },
  };
}
