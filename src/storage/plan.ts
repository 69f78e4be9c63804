// The provision planner for one host: inventory storage + discovered facts → core steps, or refusals with
// the evidence. Pure: no I/O. The plain-device layout is here; the LVM layout is in lvm.ts.
import { isPlainStorage, type PlainStorage, type Storage } from '../inventory/schema.js';
import type { Step } from '../core/types.js';
import { norm, planMount, type StepFn } from './mount.js';
import { planLvm } from './lvm.js';
import { planOwnership, type ServiceDir } from './owner.js';
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
  /** A database host whose data directory is on one of its volumes: who must own it. */
  service?: ServiceDir;
}

export const flat = (b: readonly BlockDevice[]): BlockDevice[] => b.flatMap((d) => [d, ...flat(d.children)]);

/** What says a device holds something: every signature blkid and wipefs see, and its partitions. */
export function dataEvidence(probe: DeviceProbe, bd: BlockDevice | undefined): string[] {
  return [
    ...Object.entries(probe.blkid)
      .filter(([k]) => k !== 'DEVNAME')
      .map(([k, v]) => `blkid -p: ${k}=${v}`),
    ...probe.signatures.map((x) => `wipefs -n: ${x.type} at ${x.offset}`),
    ...(bd?.children ?? []).map((k) => `lsblk: partition ${k.path}`),
  ];
}

export function planHostStorage(host: string, s: Storage, facts: StorageFacts, opts: PlanOptions): HostStoragePlan {
  const p = isPlainStorage(s) ? planPlain(host, s, facts, opts) : planLvm(host, s, facts, opts);
  if (p.refusals.length || !opts.service) return p;
  // after every layout step: the data directory's volume is mounted by then
  planOwnership(opts.service, facts, (what, describe, argv) =>
    p.steps.push({ id: `${host}:${what}`, host, phase: PHASE, describe, action: { kind: 'exec', argv } }),
  );
  return p;
}

function planPlain(host: string, s: PlainStorage, facts: StorageFacts, opts: PlanOptions): HostStoragePlan {
  const steps: Step[] = [];
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const refuse = (reason: string, evidence: string[], wipeable = false) =>
    refusals.push({ host, device: s.device, reason, evidence, wipeable });
  const step: StepFn = (what, describe, argv, destructive = false) =>
    steps.push({
      // one filesystem: the step ids need no mount point in them (mkdir, mount, fstab)
      id: `${host}:${what.replace(/\/.*$/, '')}`,
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
    const evidence = dataEvidence(probe, bd);
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

  planMount(
    { host, dev, mount: s.mount, options: s.options, uuid: isXfs ? probe.blkid.UUID : undefined, here },
    facts,
    step,
    notes,
    opts.stamp,
  );
  return { host, steps, refusals, notes };
}

export const mountLine = (m: { source: string; target: string; fstype: string; options: string[] }) =>
  `findmnt: ${m.source} on ${m.target} type ${m.fstype} (${m.options.join(',')})`;
