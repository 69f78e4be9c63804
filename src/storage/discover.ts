// Storage discovery: ONE shell command per host prints everything the provision planner needs, each
// section between markers, and a pure parser turns that text into typed facts. No I/O in the parser,
// so recorded real outputs (test/fixtures/storage/) drive the unit tests.
import { FalkorError } from '../errors.js';
import { quote, type Argv } from '../remote/quote.js';
import type { Transport } from '../remote/transport.js';
import { sectionMark, splitSections } from '../remote/sections.js';

export const MARK = '@@falkorctl-storage@@';

/** lsblk -J -b -O: the fields the planner reads (lsblk prints many more). */
export interface BlockDevice {
  name: string;
  path: string;
  kname?: string;
  type: string;
  size: number;
  fstype: string | null;
  uuid: string | null;
  label: string | null;
  pttype: string | null;
  mountpoints: string[];
  /** Stripe geometry for mkfs.xfs su/sw (bytes); 0 when the device reports none. */
  minIo: number;
  optIo: number;
  children: BlockDevice[];
}

export interface Pv {
  pv_name: string;
  vg_name: string;
  pv_size?: string;
  pv_free?: string;
}
export interface Vg {
  vg_name: string;
  pv_count?: string;
  vg_size: string;
  vg_free: string;
  vg_extent_size?: string;
}
export interface Lv {
  lv_name: string;
  vg_name: string;
  lv_size: string;
  lv_path?: string;
  lv_dm_path?: string;
}

export interface MountFact {
  target: string;
  source: string;
  fstype: string;
  options: string[];
}

export interface FstabLine {
  /** 1-based line in /etc/fstab. */
  line: number;
  spec: string;
  file: string;
  vfstype: string;
  options: string[];
  raw: string;
}

/** What one candidate device (from the inventory) looks like. */
export interface DeviceProbe {
  /** As written in the inventory. */
  given: string;
  /** readlink -f: /dev/disk/by-id/… and /dev/mapper links resolve to /dev/sdX, /dev/dm-N. */
  canonical: string;
  exists: boolean;
  /** blkid -p -o export: TYPE, UUID, LABEL, PTTYPE, USAGE… (empty when blkid finds nothing). */
  blkid: Record<string, string>;
  /** wipefs -n -J signatures: type and offset of every signature found. */
  signatures: { type: string; offset: string }[];
  /** Names in /sys/class/block/<kname>/holders (device-mapper, md, …). */
  holders: string[];
}

/** The service user and its data directory as they are now (before any mount this plan makes). */
export interface ServiceFacts {
  user: string;
  /** getent passwd found the user. */
  userExists: boolean;
  dir: string;
  /** stat of the directory; undefined when it does not exist. */
  stat?: { owner: string; group: string; mode: number };
}

export interface StorageFacts {
  kernel: string;
  tools: { lvm: boolean; xfsprogs: boolean };
  blockdevices: BlockDevice[];
  pvs: Pv[];
  vgs: Vg[];
  lvs: Lv[];
  mounts: MountFact[];
  swaps: string[];
  fstab: FstabLine[];
  devices: DeviceProbe[];
  /** Present when discovery was asked about a service user (database hosts). */
  service?: ServiceFacts;
}

/** Whose data directory discovery also reports: names validated by the inventory, single-quoted here. */
export interface ServiceQuery {
  user: string;
  dir: string;
}

/** A JSON field as text: strings as they are, anything else empty. */
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

const section = (name: string, cmd: string) => `${sectionMark(MARK, name)}; ${cmd}`;

/** The one command (sh -c) that prints every section; device paths are validated and single-quoted. */
export function discoveryScript(devices: readonly string[], service?: ServiceQuery): string {
  const parts = [
    section('kernel', 'uname -r'),
    section(
      'tools',
      'command -v lvm >/dev/null 2>&1 && echo lvm=1 || echo lvm=0; ' +
        'command -v mkfs.xfs >/dev/null 2>&1 && echo xfsprogs=1 || echo xfsprogs=0',
    ),
    section('lsblk', 'lsblk -J -b -O 2>/dev/null || echo "{}"'),
    section('pvs', 'pvs --reportformat json --units b --nosuffix 2>/dev/null || echo "{}"'),
    section('vgs', 'vgs --reportformat json --units b --nosuffix 2>/dev/null || echo "{}"'),
    section('lvs', 'lvs -o +lv_path,lv_dm_path --reportformat json --units b --nosuffix 2>/dev/null || echo "{}"'),
    section('findmnt', 'findmnt -J -o TARGET,SOURCE,FSTYPE,OPTIONS 2>/dev/null || echo "{}"'),
    section('swaps', 'cat /proc/swaps 2>/dev/null'),
    section('fstab', 'cat /etc/fstab 2>/dev/null'),
  ];
  for (const d of devices) {
    const q = quote(d);
    parts.push(
      section(
        `device ${d}`,
        `c=$(readlink -f -- ${q}); echo "canonical=$c"; [ -b "$c" ] && echo exists=1 || echo exists=0`,
      ),
      section(`blkid ${d}`, `blkid -p -o export -- ${q} 2>/dev/null; true`),
      section(`wipefs ${d}`, `wipefs -n -J -- ${q} 2>/dev/null || echo "{}"`),
      section(`holders ${d}`, `ls "/sys/class/block/$(basename "$(readlink -f -- ${q})")/holders" 2>/dev/null; true`),
    );
  }
  if (service) {
    // getent prints nothing (exit 2) for an unknown user; stat nothing for a missing directory
    parts.push(
      section('user', `getent passwd -- ${quote(service.user)} >/dev/null && echo exists=1 || echo exists=0`),
      section('dir', `stat --printf 'owner=%U\\ngroup=%G\\nmode=%a\\n' -- ${quote(service.dir)} 2>/dev/null; true`),
    );
  }
  return parts.join('; ');
}

export const discoveryArgv = (devices: readonly string[], service?: ServiceQuery): Argv => [
  'sh',
  '-c',
  discoveryScript(devices, service),
];

/** Runs the discovery on one host: exactly one exec. */
export async function discover(
  t: Transport,
  host: string,
  devices: readonly string[],
  service?: ServiceQuery,
): Promise<StorageFacts> {
  const r = await t.exec(host, discoveryArgv(devices, service), { check: true });
  try {
    return parseDiscovery(r.stdout, devices, service);
  } catch (e) {
    // truncated or hostile output (a full disk, a wrapped tool, an attacker on the host): a clear remote error
    throw new FalkorError('REMOTE', `${host}: storage discovery output cannot be read: ${(e as Error).message}`);
  }
}

/** Splits the output at the markers: section name → text. */
export const sections = (out: string): Map<string, string> => splitSections(out, MARK);

/** Only the mappings of a list: a hostile or truncated report may hold nulls, numbers, anything. */
const records = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => Boolean(x) && typeof x === 'object') : [];

/** lsblk and findmnt nest children; real trees are a few levels deep, a hostile one could be thousands. */
const MAX_DEPTH = 32;

const json = (text: string | undefined): Record<string, unknown> => {
  const t = (text ?? '').trim();
  if (!t) return {};
  try {
    const v: unknown = JSON.parse(t);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    throw new Error(`unparsable JSON section: ${JSON.stringify(t.slice(0, 80))}${t.length > 80 ? '…' : ''}`);
  }
};

const report = <T>(text: string | undefined, key: string): T[] => {
  const r = json(text).report;
  if (!Array.isArray(r)) return [];
  return records(r).flatMap((x) => records(x[key]) as T[]);
};

function blockDevice(raw: Record<string, unknown>, depth = 0): BlockDevice {
  if (depth > MAX_DEPTH) throw new Error(`lsblk: devices nested deeper than ${MAX_DEPTH} levels`);
  const s = (k: string) => (typeof raw[k] === 'string' ? raw[k] : null);
  const n = (k: string) => Number(raw[k] ?? 0) || 0;
  const mps = Array.isArray(raw.mountpoints) ? raw.mountpoints : raw.mountpoint ? [raw.mountpoint] : [];
  return {
    name: s('name') ?? '',
    path: s('path') ?? `/dev/${s('name') ?? ''}`,
    ...(s('kname') ? { kname: s('kname') ?? '' } : {}),
    type: s('type') ?? '',
    size: n('size'),
    fstype: s('fstype'),
    uuid: s('uuid'),
    label: s('label'),
    pttype: s('pttype'),
    mountpoints: mps.filter((x): x is string => typeof x === 'string'),
    minIo: n('min-io'),
    optIo: n('opt-io'),
    children: records(raw.children).map((c) => blockDevice(c, depth + 1)),
  };
}

function mounts(raw: unknown, depth = 0): MountFact[] {
  if (depth > MAX_DEPTH) throw new Error(`findmnt: mounts nested deeper than ${MAX_DEPTH} levels`);
  return records(raw).flatMap((f) => [
    {
      target: str(f.target),
      source: str(f.source),
      fstype: str(f.fstype),
      options: str(f.options).split(',').filter(Boolean),
    },
    ...mounts(f.children, depth + 1),
  ]);
}

export function parseFstab(text: string): FstabLine[] {
  return text.split('\n').flatMap((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#')) return [];
    const [spec = '', file = '', vfstype = '', options = ''] = t.split(/\s+/);
    return [{ line: i + 1, spec, file, vfstype, options: options.split(',').filter(Boolean), raw }];
  });
}

const keyValues = (text: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (text ?? '').split('\n').flatMap((l) => {
      const i = l.indexOf('=');
      return i > 0 ? [[l.slice(0, i).trim(), l.slice(i + 1).trim()]] : [];
    }),
  );

export function parseDiscovery(out: string, devices: readonly string[], service?: ServiceQuery): StorageFacts {
  const s = sections(out);
  const tools = keyValues(s.get('tools'));
  const bd = json(s.get('lsblk')).blockdevices;
  return {
    kernel: (s.get('kernel') ?? '').trim(),
    tools: { lvm: tools.lvm === '1', xfsprogs: tools.xfsprogs === '1' },
    blockdevices: records(bd).map((b) => blockDevice(b)),
    pvs: report<Pv>(s.get('pvs'), 'pv'),
    vgs: report<Vg>(s.get('vgs'), 'vg'),
    lvs: report<Lv>(s.get('lvs'), 'lv'),
    mounts: mounts(json(s.get('findmnt')).filesystems),
    swaps: (s.get('swaps') ?? '')
      .split('\n')
      .slice(1)
      .flatMap((l) => l.split(/\s+/)[0] || []),
    fstab: parseFstab(s.get('fstab') ?? ''),
    devices: devices.map((given) => {
      const d = keyValues(s.get(`device ${given}`));
      const wipe = json(s.get(`wipefs ${given}`)).signatures;
      return {
        given,
        canonical: d.canonical || given,
        exists: d.exists === '1',
        blkid: keyValues(s.get(`blkid ${given}`)),
        signatures: records(wipe).map((w) => ({ type: str(w.type), offset: str(w.offset) })),
        holders: (s.get(`holders ${given}`) ?? '').split(/\s+/).filter(Boolean),
      };
    }),
    ...(service ? { service: serviceFacts(service, s) } : {}),
  };
}

function serviceFacts(q: ServiceQuery, s: Map<string, string>): ServiceFacts {
  const user = keyValues(s.get('user'));
  const dir = keyValues(s.get('dir'));
  // %a is octal without a leading 0 (750, 2775); anything else (a truncated report) reads as missing
  const mode = /^[0-7]{3,4}$/.test(dir.mode ?? '') ? parseInt(dir.mode!, 8) : undefined;
  return {
    user: q.user,
    userExists: user.exists === '1',
    dir: q.dir,
    ...(dir.owner && dir.group && mode !== undefined ? { stat: { owner: dir.owner, group: dir.group, mode } } : {}),
  };
}
