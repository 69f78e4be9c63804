// status's one SSH command per database host: the kernel settings, the backups with their timer, and
// falkordb.conf (for pending restarts), each in a section of its own, in one round trip. Each probe runs in a
// subshell (the backup probe's `set --` stays its own); the file's section is printed only when it was read
// whole, so a missing or unreadable file is "not known", never an empty configuration.
import { BACKUP_PROBE } from '../backup/freshness.js';
import type { Inventory } from '../inventory/schema.js';
import { quote } from '../remote/quote.js';
import { sectionMark, splitSections } from '../remote/sections.js';
import { falkordbConfPath } from '../templates/falkordb-conf.js';
import { KERNEL_PROBE } from './kernel.js';

const MARK = '@@falkorctl-status@@';

export function hostProbe(inv: Inventory): string {
  return [
    sectionMark(MARK, 'kernel'),
    `(\n${KERNEL_PROBE}\n)`,
    sectionMark(MARK, 'backup'),
    `(\nset -- ${quote(inv.backup.dir)}\n${BACKUP_PROBE}\n)`,
    `f=${quote(falkordbConfPath(inv))}`,
    `if [ -f "$f" ] && c=$(cat -- "$f"); then ${sectionMark(MARK, 'conf')}; printf '%s\\n' "$c"; fi`,
    'exit 0',
  ].join('\n');
}

export interface HostProbe {
  /** KERNEL_PROBE's output; undefined when the host did not answer. */
  kernel?: string;
  backup?: string;
  /** falkordb.conf as read; undefined when absent or unreadable. */
  conf?: string;
}

export function parseHostProbe(out: string): HostProbe {
  const s = splitSections(out, MARK);
  return { kernel: s.get('kernel'), backup: s.get('backup'), conf: s.get('conf') };
}
