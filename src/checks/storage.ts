// Storage: the data directory of each database host on XFS, on its own volume; every filesystem the inventory
// declares (hosts[].storage) mounted with the declared options (compared as sets, live from the kernel's
// mountinfo via findmnt), in /etc/fstab once, by UUID, without nofail; and room on the data volume for a fork's
// RDB or an AOF rewrite (free space ≥ the node's used memory).
import { storageMounts } from '../inventory/schema.js';
import { MARK, parseFstab, sections } from '../storage/discover.js';
import { norm, optionDrift } from '../storage/mount.js';
import { bytes } from '../facts/table.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckEnv, type CheckResult } from './types.js';

// One round trip per host: $1 the data directory, then the declared mount points.
const PROBE = [
  'd=$1; shift',
  `echo '${MARK} data'; findmnt -n -P -o FSTYPE,TARGET,OPTIONS -T "$d"`,
  `echo '${MARK} df'; df -B1 --output=avail "$d" | tail -n 1`,
  `for m; do echo "${MARK} mount $m"; findmnt -n -P -o SOURCE,FSTYPE,OPTIONS,UUID --mountpoint "$m"; done`,
  `echo '${MARK} fstab'; cat /etc/fstab 2>/dev/null`,
].join('\n');

/** findmnt -P: KEY="value" pairs (values are \x-escaped by findmnt, never contain a raw quote). */
export function pairs(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/([A-Z:%-]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

export const storage: Area = {
  name: 'storage',
  phases: ['pre'],
  async run(env) {
    const dir = env.inv.redis.dataDir;
    const declaredOf = (host: string) => storageMounts(env.inv.hosts.find((x) => x.name === host)!.storage);
    const probed = await eachHost(env, env.dbHosts, (host) =>
      env.sh(host, PROBE, [dir, ...declaredOf(host).map((m) => m.mount)]),
    );
    const out: CheckResult[] = [];
    for (const [i, host] of env.dbHosts.entries()) {
      const declared = declaredOf(host);
      const r = probed[i]!;
      const s = sections(r.stdout);
      out.push(dataOnXfs(host, dir, pairs(s.get('data') ?? ''), r.code));
      const fstab = parseFstab(s.get('fstab') ?? '');
      for (const m of declared) {
        const live = pairs(s.get(`mount ${m.mount}`) ?? '');
        const base = { item: ITEMS.storage, phase: 'pre' as const, host };
        const mid = `${host}:${m.mount}`;
        const evidence = `findmnt -P -o SOURCE,FSTYPE,OPTIONS,UUID --mountpoint ${m.mount}`;
        const options = (live.OPTIONS ?? '').split(',').filter(Boolean);
        const drift = optionDrift(
          m.options.filter((o) => o !== 'defaults'),
          options,
        );
        const want = `xfs with ${m.options.join(',')}`;
        if (!live.SOURCE)
          out.push({
            ...base,
            id: `storage.mount:${mid}`,
            title: `${host}: ${m.mount} mounted`,
            outcome: 'fail',
            found: 'not mounted',
            expected: want,
            evidence,
            reason: 'run falkorctl provision (or mount it): the database must not write to the root filesystem',
          });
        else
          out.push({
            ...base,
            id: `storage.mount:${mid}`,
            title: `${host}: ${m.mount} mounted`,
            outcome: live.FSTYPE === 'xfs' && !drift.length ? 'pass' : 'fail',
            found: `${live.SOURCE} ${live.FSTYPE} (${options.join(',')})`,
            ...(live.FSTYPE === 'xfs' && !drift.length
              ? {}
              : {
                  expected: want,
                  reason: drift.length ? `mounted without ${drift.join(',')}` : 'not XFS',
                }),
            evidence,
          });
        out.push(fstabCheck(host, m.mount, m.options, fstab, live.UUID));
      }
      out.push(await freeSpace(env, host, dir, Number((s.get('df') ?? '').trim())));
    }
    return out;
  },
};

function dataOnXfs(host: string, dir: string, live: Record<string, string>, code: number | null): CheckResult {
  const base = {
    id: `storage.xfs:${host}`,
    title: `${host}: ${dir} on XFS`,
    item: ITEMS.storage,
    phase: 'pre' as const,
    host,
    evidence: `findmnt -n -o FSTYPE,TARGET,OPTIONS -T ${dir}`,
  };
  if (live.FSTYPE === 'xfs' && live.TARGET !== '/')
    return { ...base, outcome: 'pass', found: `xfs at ${live.TARGET} (${live.OPTIONS})` };
  return {
    ...base,
    outcome: 'fail',
    found: live.FSTYPE ? `${live.FSTYPE} at ${live.TARGET}` : `findmnt exit ${code}`,
    expected: 'xfs, a data volume of its own',
    reason: 'the data set, its RDB snapshots and AOF belong on the provisioned XFS volume',
  };
}

export function fstabCheck(
  host: string,
  mount: string,
  options: readonly string[],
  fstab: ReturnType<typeof parseFstab>,
  uuid: string | undefined,
): CheckResult {
  const lines = fstab.filter((l) => norm(l.file) === norm(mount));
  const base = {
    id: `storage.fstab:${host}:${mount}`,
    title: `${host}: ${mount} in /etc/fstab by UUID, without nofail`,
    item: ITEMS.storage,
    phase: 'pre' as const,
    host,
    evidence: `grep ${mount} /etc/fstab; findmnt -o UUID --mountpoint ${mount}`,
    expected: `one line: UUID=${uuid ?? '<the mounted filesystem>'} ${mount} xfs ${options.join(',')}`,
  };
  const found = lines.length ? lines.map((l) => `line ${l.line}: ${l.raw.trim()}`).join(' | ') : 'no line';
  const problem =
    lines.length === 0
      ? 'not in /etc/fstab: it will not be mounted at boot'
      : lines.length > 1
        ? `${lines.length} lines for one mount point`
        : !lines[0]!.spec.startsWith('UUID=')
          ? 'not by UUID: device names change between boots'
          : uuid && lines[0]!.spec !== `UUID=${uuid}`
            ? 'the UUID is not the mounted filesystem'
            : lines[0]!.options.includes('nofail')
              ? 'nofail: the host would boot and start the database without its data volume'
              : undefined;
  return problem ? { ...base, outcome: 'fail', found, reason: problem } : { ...base, outcome: 'pass', found };
}

async function freeSpace(env: CheckEnv, host: string, dir: string, avail: number): Promise<CheckResult> {
  const base = {
    id: `storage.free:${host}`,
    title: `${host}: free space on the data volume ≥ used memory (a fork's RDB or an AOF rewrite must fit)`,
    item: ITEMS.storage,
    phase: 'pre' as const,
    host,
    evidence: `df -B1 --output=avail ${dir}; INFO memory used_memory`,
  };
  if (!Number.isFinite(avail) || avail <= 0) return { ...base, outcome: 'skip', reason: 'df gave no answer' };
  // a cluster that is not up yet (a pre-deployment run) leaves this one unanswered, not the storage area
  const report = await env.statusOnce().catch(() => undefined);
  const node = report?.nodes.find((n) => n.host === host);
  const used = node?.memory?.used;
  if (used === undefined)
    return { ...base, outcome: 'skip', found: `${bytes(avail)} free`, reason: 'the node did not answer INFO' };
  const ok = avail >= used;
  return {
    ...base,
    outcome: ok ? 'pass' : 'fail',
    found: `${bytes(avail)} free, ${bytes(used)} used`,
    ...(ok ? {} : { expected: `≥ ${bytes(used)} free`, reason: 'the next BGSAVE or AOF rewrite can fill the volume' }),
  };
}
