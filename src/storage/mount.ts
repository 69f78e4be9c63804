// Mounting a filesystem the way every layout does: a test mount first (or a remount when the options drifted),
// then exactly one /etc/fstab line by UUID, written atomically with a backup. Pure: it only plans steps.
import { quote } from '../remote/quote.js';
import type { MountFact, StorageFacts } from './discover.js';

/** Options compared as sets, ignoring what the kernel adds (rw, seclabel, attr2, inode64, …). */
export function optionDrift(wanted: readonly string[], live: readonly string[]): string[] {
  const have = new Set(live);
  const missing = wanted.filter((o) => !have.has(o));
  // The atime family is exclusive: the kernel shows relatime unless noatime/strictatime is set.
  return missing;
}

export type StepFn = (what: string, describe: string, argv: [string, ...string[]], destructive?: boolean) => void;

export interface MountTarget {
  host: string;
  /** The device the filesystem is on (as mount and blkid take it). */
  dev: string;
  mount: string;
  options: readonly string[];
  /** The XFS filesystem's UUID when it exists already. */
  uuid: string | undefined;
  /** Its live mount on the mount point, when it is mounted there. */
  here: MountFact | undefined;
}

/** Mounted with the declared options (test mount first, or remount on drift), then one fstab line by UUID. */
export function planMount(t: MountTarget, facts: StorageFacts, step: StepFn, notes: string[], stamp: string): void {
  const { host, dev, here } = t;
  const options = t.options.join(',');
  if (!here) {
    step(`mkdir${t.mount}`, `create the mount point ${t.mount}`, ['mkdir', '-p', t.mount]);
    // The test mount: a filesystem the kernel refuses never reaches /etc/fstab.
    step(`mount${t.mount}`, `mount ${dev} on ${t.mount} (${options})`, [
      'mount',
      '-t',
      'xfs',
      '-o',
      options,
      dev,
      t.mount,
    ]);
  } else {
    const drift = optionDrift(t.options, here.options);
    if (drift.length > 0) {
      notes.push(`${host}: ${t.mount} is mounted without ${drift.join(',')} (live: ${here.options.join(',')})`);
      step(`remount${t.mount}`, `remount ${t.mount} with ${options} (drift: ${drift.join(',')})`, [
        'mount',
        '-o',
        `remount,${options}`,
        t.mount,
      ]);
    }
  }
  const lines = facts.fstab.filter((l) => norm(l.file) === norm(t.mount));
  const good =
    t.uuid !== undefined &&
    lines.length === 1 &&
    lines[0]?.spec === `UUID=${t.uuid}` &&
    lines[0].vfstype === 'xfs' &&
    sameSet(lines[0].options, t.options);
  if (!good) {
    if (lines.length > 1) notes.push(`${host}: /etc/fstab has ${lines.length} lines for ${t.mount}; one is kept`);
    step(
      `fstab${t.mount}`,
      `back up /etc/fstab, then one line for ${t.mount} by UUID (no nofail: the database needs it)`,
      ['sh', '-c', fstabScript(dev, t.mount, options, stamp)],
    );
  }
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

/** A mount point without trailing slashes ("/" stays "/"). */
export const norm = (p: string) => p.replace(/\/+$/, '') || '/';
const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));
