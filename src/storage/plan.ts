// The provision planner for one host: inventory storage + discovered facts → core steps, or refusals with
// the evidence. Pure: no I/O. This round plans the plain-device layout; LVM is refused as not yet planned.
import { isPlainStorage, type PlainStorage, type Storage } from '../inventory/schema.js';
import type { Step } from '../core/types.js';
import { quote } from '../remote/quote.js';
import type { BlockDevice, DeviceProbe, StorageFacts } from './discover.js';

export const PHASE = 'storage';

export interface Refusal {
  host: string;
  device?: string;
  reason: string;
  /** What discovery saw, verbatim enough to check by hand. */
  evidence: string[];
  /** `--wipe HOST` (and the typed host name) would allow going on. */
  wipeable: boolean;
}

export interface HostStoragePlan {
  host: string;
  steps: Step[];
  refusals: Refusal[];
  notes: string[];
}

export interface PlanOptions {
  /** The operator named this host in --wipe and confirmed it. */
  wipe: boolean;
  /** Stamp for the fstab backup name (the command passes the UTC time; tests a constant). */
  stamp: string;
}

/** Options compared as sets, ignoring what the kernel adds (rw, seclabel, attr2, inode64, …). */
export function optionDrift(wanted: readonly string[], live: readonly string[]): string[] {
  const have = new Set(live);
  const missing = wanted.filter((o) => !have.has(o));
  // The atime family is exclusive: the kernel shows relatime unless noatime/strictatime is set.
  return missing;
}

const flat = (b: readonly BlockDevice[]): BlockDevice[] => b.flatMap((d) => [d, ...flat(d.children)]);

export function planHostStorage(host: string, s: Storage, facts: StorageFacts, opts: PlanOptions): HostStoragePlan {
  if (!isPlainStorage(s))
    return {
      host,
      steps: [],
      notes: [],
      refusals: [
        {
          host,
          reason: 'the LVM layout is not planned by this version of provision (plain device only)',
          evidence: [],
          wipeable: false,
        },
      ],
    };
  return planPlain(host, s, facts, opts);
}

function planPlain(host: string, s: PlainStorage, facts: StorageFacts, opts: PlanOptions): HostStoragePlan {
  const steps: Step[] = [];
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const refuse = (reason: string, evidence: string[], wipeable = false) =>
    refusals.push({ host, device: s.device, reason, evidence, wipeable });
  const step = (what: string, describe: string, argv: [string, ...string[]], destructive = false) =>
    steps.push({
      id: `${host}:${what}`,
      host,
      phase: PHASE,
      describe,
      action: { kind: 'exec', argv },
      ...(destructive ? { destructive: true } : {}),
    });

  const probe: DeviceProbe | undefined = facts.devices.find((d) => d.given === s.device);
  if (!probe || !probe.exists) {
    refuse(`${s.device} does not exist on ${host} (not a block device)`, [`readlink -f: ${probe?.canonical ?? '?'}`]);
    return { host, steps, refusals, notes };
  }
  const dev = probe.canonical;
  const all = flat(facts.blockdevices);
  const bd = all.find((b) => b.path === dev || `/dev/${b.kname ?? b.name}` === dev);
  const same = (src: string) => src === dev || src === s.device || (bd !== undefined && src === bd.path);
  const mounts = facts.mounts.filter((m) => same(m.source));
  const here = mounts.find((m) => m.target === norm(s.mount));
  const elsewhere = mounts.filter((m) => m.target !== norm(s.mount));
  const onTarget = facts.mounts.find((m) => m.target === norm(s.mount));

  if (elsewhere.some((m) => m.target === '/')) refuse(`${dev} backs / on ${host}`, elsewhere.map(mountLine));
  else if (elsewhere.length > 0) refuse(`${dev} is mounted elsewhere on ${host}`, elsewhere.map(mountLine));
  if (facts.swaps.some(same)) refuse(`${dev} is swap space on ${host}`, [`/proc/swaps: ${dev}`]);
  if (probe.holders.length > 0) refuse(`${dev} has holders on ${host}`, [`holders: ${probe.holders.join(' ')}`]);
  if (onTarget && !here) refuse(`${s.mount} already has another filesystem mounted on ${host}`, [mountLine(onTarget)]);
  if (refusals.length > 0) return { host, steps, refusals, notes };

  const isXfs = probe.blkid.TYPE === 'xfs' && probe.signatures.every((x) => x.type === 'xfs');
  if (!facts.tools.xfsprogs)
    step('install-xfsprogs', 'install xfsprogs (mkfs.xfs, xfs_growfs)', [
      'env',
      'DEBIAN_FRONTEND=noninteractive',
      'apt-get',
      'install',
      '-y',
      'xfsprogs',
    ]);
  if (!isXfs) {
    const kids = bd?.children ?? [];
    const evidence = [
      ...Object.entries(probe.blkid)
        .filter(([k]) => k !== 'DEVNAME')
        .map(([k, v]) => `blkid -p: ${k}=${v}`),
      ...probe.signatures.map((x) => `wipefs -n: ${x.type} at ${x.offset}`),
      ...kids.map((k) => `lsblk: partition ${k.path}`),
    ];
    if (evidence.length > 0) {
      if (!opts.wipe) {
        refuse(`${dev} on ${host} carries data (a signature or partitions): refusing to format it`, evidence, true);
        return { host, steps, refusals, notes };
      }
      step('wipefs', `erase every signature on ${dev} (--wipe ${host})`, ['wipefs', '-a', dev], true);
    }
    const stripe =
      bd && bd.minIo > 0 && bd.optIo > bd.minIo && bd.optIo % bd.minIo === 0
        ? ['-d', `su=${bd.minIo},sw=${bd.optIo / bd.minIo}`]
        : [];
    step(
      'mkfs',
      `make an XFS filesystem on ${dev}`,
      ['mkfs.xfs', ...(s.label ? ['-L', s.label] : []), ...stripe, dev],
      true,
    );
  }

  const options = s.options.join(',');
  if (!here) {
    step('mkdir', `create the mount point ${s.mount}`, ['mkdir', '-p', s.mount]);
    // The test mount: a filesystem the kernel refuses never reaches /etc/fstab.
    step('mount', `mount ${dev} on ${s.mount} (${options})`, ['mount', '-t', 'xfs', '-o', options, dev, s.mount]);
  } else {
    const drift = optionDrift(s.options, here.options);
    if (drift.length > 0) {
      notes.push(`${host}: ${s.mount} is mounted without ${drift.join(',')} (live: ${here.options.join(',')})`);
      step('remount', `remount ${s.mount} with ${options} (drift: ${drift.join(',')})`, [
        'mount',
        '-o',
        `remount,${options}`,
        s.mount,
      ]);
    }
  }

  const uuid = isXfs ? probe.blkid.UUID : undefined;
  const lines = facts.fstab.filter((l) => norm(l.file) === norm(s.mount));
  const good =
    uuid !== undefined &&
    lines.length === 1 &&
    lines[0]?.spec === `UUID=${uuid}` &&
    lines[0].vfstype === 'xfs' &&
    sameSet(lines[0].options, s.options);
  if (!good) {
    if (lines.length > 1) notes.push(`${host}: /etc/fstab has ${lines.length} lines for ${s.mount}; one is kept`);
    step('fstab', `back up /etc/fstab, then one line for ${s.mount} by UUID (no nofail: the database needs it)`, [
      'sh',
      '-c',
      fstabScript(dev, s.mount, options, opts.stamp),
    ]);
  }
  return { host, steps, refusals, notes };
}

/** Backs up fstab, drops every line for the mount point, appends one by UUID; atomically (mv). */
export function fstabScript(dev: string, mount: string, options: string, stamp: string): string {
  const m = norm(mount);
  return [
    'set -e',
    `uuid=$(blkid -p -s UUID -o value -- ${quote(dev)})`,
    '[ -n "$uuid" ]',
    `cp -p /etc/fstab ${quote(`/etc/fstab.${stamp}.bak`)}`,
    `awk -v m=${quote(m)} '$0 ~ /^[[:space:]]*#/ || $2 != m && $2 != m "/"' /etc/fstab > /etc/fstab.falkorctl.tmp`,
    `printf '%s\\n' "UUID=$uuid ${m} xfs ${options} 0 2" >> /etc/fstab.falkorctl.tmp`,
    'mv /etc/fstab.falkorctl.tmp /etc/fstab',
  ].join('; ');
}

const norm = (p: string) => p.replace(/\/+$/, '') || '/';
const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));
const mountLine = (m: { source: string; target: string; fstype: string; options: string[] }) =>
  `findmnt: ${m.source} on ${m.target} type ${m.fstype} (${m.options.join(',')})`;
