// The LVM layout for one host: whole disks → physical volumes → one volume group → logical volumes, each with
// an XFS filesystem mounted and in fstab by UUID. Pure: facts in, steps or refusals out. What exists and matches
// is left alone (a second run plans nothing); a volume smaller than declared grows online (lvextend, then
// xfs_growfs); one larger than declared is refused, since XFS cannot shrink.
import type { LogicalVolume, LvmStorage } from '../inventory/schema.js';
import type { Step } from '../core/types.js';
import type { StorageFacts } from './discover.js';
import { norm, planMount, type StepFn } from './mount.js';
import { PHASE, dataEvidence, flat, mountLine, type HostStoragePlan, type PlanOptions, type Refusal } from './plan.js';

const UNITS: Record<string, number> = { '': 2 ** 20, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/** lvcreate -L's size in bytes (its units are powers of 1024; no unit is MiB); undefined for an extent share. */
export function lvBytes(size: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]?)$/i.exec(size);
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!) : undefined;
}

/** /dev/mapper names double every hyphen of the VG and LV names. */
const mapperPath = (vg: string, lv: string) => `/dev/mapper/${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;

export function planLvm(host: string, s: LvmStorage, facts: StorageFacts, opts: PlanOptions): HostStoragePlan {
  const steps: Step[] = [];
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const refuse = (reason: string, evidence: string[], device?: string, wipeable = false) =>
    refusals.push({ host, ...(device ? { device } : {}), reason, evidence, wipeable });
  const step: StepFn = (what, describe, argv, destructive = false) =>
    steps.push({
      id: `${host}:${what}`,
      host,
      phase: PHASE,
      describe,
      action: { kind: 'exec', argv },
      ...(destructive ? { destructive: true } : {}),
    });
  const vg = s.volumeGroup;
  const all = flat(facts.blockdevices);
  const liveVg = facts.vgs.find((v) => v.vg_name === vg);

  if (!facts.tools.lvm)
    step('install-lvm2', 'install lvm2 (pvcreate, vgcreate, lvcreate)', [
      'env',
      'DEBIAN_FRONTEND=noninteractive',
      'apt-get',
      'install',
      '-y',
      'lvm2',
    ]);

  // Physical volumes: a disk already in this VG is fine; in another VG, refused; blank, made a PV.
  const join: string[] = [];
  for (const given of s.devices) {
    const probe = facts.devices.find((d) => d.given === given);
    if (!probe?.exists) {
      refuse(
        `${given} does not exist on ${host} (not a block device)`,
        [`readlink -f: ${probe?.canonical ?? '?'}`],
        given,
      );
      continue;
    }
    const dev = probe.canonical;
    const pv = facts.pvs.find((p) => p.pv_name === dev || p.pv_name === given);
    if (pv?.vg_name === vg) continue;
    if (pv?.vg_name) {
      refuse(
        `${dev} on ${host} belongs to the volume group ${pv.vg_name}, not ${vg}`,
        [`pvs: ${pv.pv_name} ${pv.vg_name}`],
        dev,
      );
      continue;
    }
    const mounted = facts.mounts.filter((m) => m.source === dev || m.source === given);
    if (mounted.length) {
      refuse(`${dev} is mounted on ${host}`, mounted.map(mountLine), dev);
      continue;
    }
    if (facts.swaps.includes(dev)) {
      refuse(`${dev} is swap space on ${host}`, [`/proc/swaps: ${dev}`], dev);
      continue;
    }
    if (probe.holders.length) {
      refuse(`${dev} has holders on ${host}`, [`holders: ${probe.holders.join(' ')}`], dev);
      continue;
    }
    if (!pv) {
      const bd = all.find((b) => b.path === dev || `/dev/${b.kname ?? b.name}` === dev);
      const evidence = dataEvidence(probe, bd);
      if (evidence.length && !opts.wipe) {
        refuse(
          `${dev} on ${host} carries data (a signature or partitions): refusing to use it for LVM`,
          evidence,
          dev,
          true,
        );
        continue;
      }
      if (evidence.length)
        step(`wipefs:${dev}`, `erase every signature on ${dev} (--wipe ${host})`, ['wipefs', '-a', dev], true);
      step(`pvcreate:${dev}`, `make ${dev} an LVM physical volume`, ['pvcreate', '-q', dev], true);
    }
    join.push(dev);
  }
  if (refusals.length) return { host, steps: [], refusals, notes };

  if (!liveVg) {
    if (!join.length) refuse(`no device to build the volume group ${vg} from`, []);
    else step(`vgcreate:${vg}`, `create the volume group ${vg} on ${join.join(' ')}`, ['vgcreate', '-q', vg, ...join]);
  } else if (join.length)
    step(`vgextend:${vg}`, `add ${join.join(' ')} to the volume group ${vg}`, ['vgextend', '-q', vg, ...join]);

  // Room: what new and grown fixed-size volumes need against what the group has (plus the disks joining it).
  const extent = Number(liveVg?.vg_extent_size ?? 4 * 2 ** 20) || 4 * 2 ** 20;
  const joining = join.reduce((n, d) => n + (all.find((b) => b.path === d)?.size ?? 0), 0);
  let free = Number(liveVg?.vg_free ?? 0) + joining;
  for (const v of s.volumes) {
    const lv = facts.lvs.find((l) => l.vg_name === vg && l.lv_name === v.name);
    const want = lvBytes(v.size);
    const have = lv ? Number(lv.lv_size) : 0;
    if (want !== undefined && want > have + extent) free -= want - have;
    if (lv && want !== undefined && have > want + extent)
      refuse(`${vg}/${v.name} on ${host} is ${gib(have)}, the inventory says ${v.size}: XFS cannot shrink`, [
        `lvs: ${vg}/${v.name} ${have} bytes`,
      ]);
  }
  if (free < 0)
    refuse(`the volumes need ${gib(-free)} more than the volume group ${vg} has free on ${host}`, [
      `vgs: ${vg} free ${liveVg?.vg_free ?? 0} bytes${joining ? ` + ${joining} joining` : ''}`,
    ]);
  if (refusals.length) return { host, steps: [], refusals, notes };

  for (const v of s.volumes) planVolume(host, vg, extent, v, facts, step, notes, refuse, opts);
  // An extent share (100%FREE) is resolved once, by lvcreate: re-applying it would grow the volume into every
  // disk added later, on every run. Say what is left unused instead.
  const spare = Number(liveVg?.vg_free ?? 0) + joining;
  for (const v of s.volumes)
    if (lvBytes(v.size) === undefined && facts.lvs.some((l) => l.vg_name === vg && l.lv_name === v.name))
      if (spare >= extent)
        notes.push(
          `${host}: ${vg}/${v.name} was sized ${v.size} when it was created; the ${gib(spare)} free in ${vg} ` +
            'stay free (give it a fixed size to grow it)',
        );
  return refusals.length ? { host, steps: [], refusals, notes } : { host, steps, refusals, notes };
}

function planVolume(
  host: string,
  vg: string,
  extent: number,
  v: LogicalVolume,
  facts: StorageFacts,
  step: StepFn,
  notes: string[],
  refuse: (reason: string, evidence: string[], device?: string, wipeable?: boolean) => void,
  opts: PlanOptions,
): void {
  const path = `/dev/${vg}/${v.name}`;
  const lv = facts.lvs.find((l) => l.vg_name === vg && l.lv_name === v.name);
  const probe = facts.devices.find((d) => d.given === path);
  const sizeArg = lvBytes(v.size) === undefined ? ['-l', v.size] : ['-L', v.size];
  const sources = new Set([path, mapperPath(vg, v.name), ...(probe?.exists ? [probe.canonical] : [])]);
  const here = facts.mounts.find((m) => m.target === norm(v.mount) && sources.has(m.source));
  const onTarget = facts.mounts.find((m) => m.target === norm(v.mount));
  if (onTarget && !here) {
    refuse(`${v.mount} already has another filesystem mounted on ${host}`, [mountLine(onTarget)]);
    return;
  }
  let uuid: string | undefined;
  if (!lv) {
    // -W y: a new volume starts blank even where an old one's signature lingers on the extents
    step(`lvcreate:${v.name}`, `create the logical volume ${vg}/${v.name} (${v.size})`, [
      'lvcreate',
      '-q',
      '-y',
      '-W',
      'y',
      ...sizeArg,
      '-n',
      v.name,
      vg,
    ]);
    step(`mkfs:${v.name}`, `make an XFS filesystem on ${path}`, [
      'mkfs.xfs',
      ...(v.label ? ['-L', v.label] : []),
      path,
    ]);
  } else {
    const isXfs = probe?.blkid.TYPE === 'xfs';
    if (!isXfs) {
      const evidence = probe ? dataEvidence(probe, undefined) : [];
      if (evidence.length) {
        if (!opts.wipe) {
          refuse(`${path} on ${host} carries data that is not XFS: refusing to format it`, evidence, path, true);
          return;
        }
        step(`wipefs:${v.name}`, `erase every signature on ${path} (--wipe ${host})`, ['wipefs', '-a', path], true);
      }
      step(`mkfs:${v.name}`, `make an XFS filesystem on ${path}`, [
        'mkfs.xfs',
        ...(v.label ? ['-L', v.label] : []),
        path,
      ]);
    } else uuid = probe.blkid.UUID;
    const want = lvBytes(v.size);
    if (want !== undefined && want > Number(lv.lv_size) + extent) {
      step(`lvextend:${v.name}`, `grow ${vg}/${v.name} to ${v.size}`, ['lvextend', '-q', '-L', v.size, path]);
      if (isXfs) {
        if (here)
          step(`xfs_growfs:${v.name}`, `grow the XFS filesystem on ${v.mount} (online)`, ['xfs_growfs', v.mount]);
        else notes.push(`${host}: ${v.mount} grows to its volume at the next mount (xfs_growfs needs it mounted)`);
      }
    }
  }
  planMount({ host, dev: path, mount: v.mount, options: v.options, uuid, here }, facts, step, notes, opts.stamp);
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
