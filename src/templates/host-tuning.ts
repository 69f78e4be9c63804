// Kernel settings the Redis administration guide asks for on a database host.
import type { Inventory } from '../inventory/schema.js';
import { header, lines } from './common.js';
import { TCP_BACKLOG } from './falkordb-conf.js';

export const SYSCTL_PATH = '/etc/sysctl.d/60-falkordb.conf';
export const THP_PATH = '/etc/tmpfiles.d/falkordb-thp.conf';

export function sysctlConf(inv: Inventory): string {
  // 4096 is the kernel default since 5.4: never lower it, only raise it to tcp-backlog
  const backlog = Math.max(4096, TCP_BACKLOG);
  return lines(
    header(inv, `Kernel settings for FalkorDB — ${SYSCTL_PATH} (apply: sysctl --system)`),
    '# fork() for BGSAVE / AOF rewrite must not fail when memory is overcommitted',
    'vm.overcommit_memory = 1',
    '# at least Redis tcp-backlog, else the kernel silently truncates it',
    `net.core.somaxconn = ${backlog}`,
    `net.ipv4.tcp_max_syn_backlog = ${backlog}`,
    '# swap only to avoid the OOM killer, never as routine',
    'vm.swappiness = 1',
  );
}

/** Transparent huge pages make fork() copy-on-write slow and memory-hungry: off at every boot. */
export function thpTmpfiles(inv: Inventory): string {
  return lines(
    header(
      inv,
      `Disable transparent huge pages at boot — ${THP_PATH} (apply now: systemd-tmpfiles --create ${THP_PATH})`,
    ),
    'w /sys/kernel/mm/transparent_hugepage/enabled - - - - never',
    'w /sys/kernel/mm/transparent_hugepage/defrag - - - - never',
  );
}
