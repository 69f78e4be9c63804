// The kernel settings Redis needs on a database host, read live (not from the files deploy writes: a file
// that failed to apply, or a container whose /proc/sys is read-only, leaves the running kernel as it was).
// One remote command; shared by deploy (plan the step while the live value is wrong) and status (report it).
import { TCP_BACKLOG } from '../templates/falkordb-conf.js';

export const KERNEL_PROBE = [
  'for k in vm.overcommit_memory net.core.somaxconn vm.swappiness; do printf "%s=%s\\n" "$k" "$(sysctl -n "$k" 2>/dev/null)"; done',
  'for f in enabled defrag; do printf "thp.%s=%s\\n" "$f" "$(cat /sys/kernel/mm/transparent_hugepage/$f 2>/dev/null)"; done',
  'if [ -w /proc/sys/vm/swappiness ]; then echo sysctl.writable=1; else echo sysctl.writable=0; fi',
  'if [ -w /sys/kernel/mm/transparent_hugepage/enabled ]; then echo thp.writable=1; else echo thp.writable=0; fi',
  // THP per process: a huge page already mapped stays after THP is turned off, until Redis restarts. Each
  // running redis-server but Sentinels (no fork, no dataset), its proc title, then its smaps_rollup (smaps's
  // AnonHugePages lines on kernels before 4.14)
  'echo redis.scan=1',
  'for p in $(pgrep -x redis-server 2>/dev/null); do t=$(tr "\\0" " " < /proc/$p/cmdline 2>/dev/null)',
  '  case "$t" in *"[sentinel]"*) continue ;; esac',
  '  echo "redis.pid=$p $t"',
  "  cat /proc/$p/smaps_rollup 2>/dev/null || grep '^AnonHugePages:' /proc/$p/smaps 2>/dev/null",
  'done',
].join('\n');

/** The exact command that reads one process's huge pages (the evidence the checklist shows). */
export const smapsCommand = (pid: number): string => `cat /proc/${pid}/smaps_rollup`;

export interface RedisHugePages {
  pid: number;
  /** Its proc title ("/opt/falkordb/bin/redis-server 10.0.0.11:6379"). */
  title: string;
  /** AnonHugePages summed over its smaps_rollup (or smaps); undefined when unreadable. */
  anonHugePagesKb?: number;
}

export interface KernelFacts {
  overcommit?: number;
  somaxconn?: number;
  swappiness?: number;
  /** The selected value of /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never" → madvise). */
  thpEnabled?: string;
  thpDefrag?: string;
  /** /proc/sys and the THP files can be written (not a container with read-only mounts). */
  sysctlWritable: boolean;
  thpWritable: boolean;
  /** Every running redis-server but Sentinels; undefined when the probe did not look (an older probe). */
  redis?: RedisHugePages[];
}

const selected = (v: string | undefined) => (v ? (/\[(\w[\w+]*)\]/.exec(v)?.[1] ?? v.trim()) : undefined);
const num = (v: string | undefined) =>
  v !== undefined && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;

export function parseKernel(out: string): KernelFacts {
  const kv: Record<string, string> = {};
  const redis: RedisHugePages[] = [];
  for (const line of out.split('\n')) {
    const proc = /^redis\.pid=(\d+) ?(.*)$/.exec(line);
    const huge = /^AnonHugePages:\s+(\d+) kB/.exec(line);
    if (proc) redis.push({ pid: Number(proc[1]), title: proc[2]!.trim() });
    else if (huge && redis.length) {
      const r = redis[redis.length - 1]!;
      r.anonHugePagesKb = (r.anonHugePagesKb ?? 0) + Number(huge[1]);
    }
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  return {
    ...(kv['redis.scan'] === '1' ? { redis } : {}),
    overcommit: num(kv['vm.overcommit_memory']),
    somaxconn: num(kv['net.core.somaxconn']),
    swappiness: num(kv['vm.swappiness']),
    thpEnabled: selected(kv['thp.enabled']),
    thpDefrag: selected(kv['thp.defrag']),
    sysctlWritable: kv['sysctl.writable'] === '1',
    thpWritable: kv['thp.writable'] === '1',
  };
}

export interface KernelFinding {
  /** Which deploy step fixes it. */
  via: 'sysctl' | 'thp';
  setting: string;
  seen: string;
  want: string;
  why: string;
}

/** Every live setting that is not what Redis needs, with why it matters. Unknown values are not findings. */
export function kernelFindings(k: KernelFacts, backlog = Math.max(4096, TCP_BACKLOG)): KernelFinding[] {
  const out: KernelFinding[] = [];
  if (k.overcommit !== undefined && k.overcommit !== 1)
    out.push({
      via: 'sysctl',
      setting: 'vm.overcommit_memory',
      seen: String(k.overcommit),
      want: '1',
      why: 'fork() for BGSAVE and AOF rewrites can fail under memory pressure, and persistence stops',
    });
  if (k.somaxconn !== undefined && k.somaxconn < TCP_BACKLOG)
    out.push({
      via: 'sysctl',
      setting: 'net.core.somaxconn',
      seen: String(k.somaxconn),
      want: `≥ ${backlog}`,
      why: `the kernel silently truncates Redis's tcp-backlog ${TCP_BACKLOG}; connection bursts are dropped`,
    });
  if (k.swappiness !== undefined && k.swappiness > 1)
    out.push({
      via: 'sysctl',
      setting: 'vm.swappiness',
      seen: String(k.swappiness),
      want: '≤ 1',
      why: 'a swapped-out page turns a sub-millisecond command into a disk read',
    });
  for (const [setting, v] of [
    ['transparent_hugepage/enabled', k.thpEnabled],
    ['transparent_hugepage/defrag', k.thpDefrag],
  ] as const)
    if (v !== undefined && v !== 'never')
      out.push({
        via: 'thp',
        setting,
        seen: v,
        want: 'never',
        why: 'huge pages make copy-on-write after fork() copy 2 MB per touched page: latency spikes and memory blow-up',
      });
  return out;
}
