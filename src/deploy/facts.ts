// Facts first: every selected host is asked, read-only, what it has (files, directories, units, the
// service user). Any host that cannot be reached (address, host key, authentication) stops the run
// here, before anything has changed anywhere.
import { FalkorError } from '../errors.js';
import type { Host, Inventory } from '../inventory/schema.js';
import type { RemoteFileState } from '../remote/file-scripts.js';
import { runParallel, type Settled } from '../remote/parallel.js';
import type { Transport } from '../remote/transport.js';
import type { RenderedFile } from '../render/index.js';
import { serviceUser } from '../templates/common.js';
import { noNotifyProbe } from './notify.js';
import { KERNEL_PROBE, parseKernel } from '../facts/kernel.js';
import { dirsOf, isUnitFile, pathsOf, presenceOnlyPaths, rolesOf, UNITS } from './layout.js';
import { sha } from './plan.js';
import { DAEMONS, daemonsOf } from './plan-monitoring.js';
import type { DirState, HostFacts, UnitState } from './types.js';

/** Opens the connection to every host with one harmless command; any failure stops the run, all named. */
export async function connectAll(hosts: readonly Host[], t: Transport, forks: number): Promise<void> {
  orFail(hosts, await runParallel(hosts, forks, (h) => t.exec(h.name, ['true'])));
}

export async function gatherFacts(
  inv: Inventory,
  hosts: readonly Host[],
  files: readonly RenderedFile[],
  t: Transport,
  o: { forks: number; readAll?: boolean },
): Promise<Map<string, HostFacts>> {
  const res = await runParallel(hosts, o.forks, (h) =>
    hostFacts(
      inv,
      h,
      files.filter((f) => f.host === h.name),
      t,
      o.readAll ?? false,
    ),
  );
  orFail(hosts, res);
  return new Map(res.map((r, i) => [hosts[i]!.name, (r as { value: HostFacts }).value]));
}

function orFail(hosts: readonly Host[], res: Settled<unknown>[]): void {
  const failed = res.flatMap((r, i) => (r.status === 'rejected' ? [{ host: hosts[i]!.name, reason: r.reason }] : []));
  if (failed.length) {
    const lines = failed.map((f) => `  ${f.reason instanceof Error ? f.reason.message : String(f.reason)}`);
    const hint = failed.some((f) => /host key/i.test(String((f.reason as Error)?.message)))
      ? 'a changed host key is never accepted: check the host, then fix known_hosts'
      : undefined;
    throw new FalkorError(
      'REMOTE',
      `cannot deploy: ${failed.length} of ${hosts.length} host(s) could not be asked; nothing was changed on any host\n${lines.join('\n')}`,
      { hint },
    );
  }
}

async function hostFacts(
  inv: Inventory,
  h: Host,
  files: readonly RenderedFile[],
  t: Transport,
  readAll: boolean,
): Promise<HostFacts> {
  const paths = pathsOf(inv, h, files);
  const bare = new Set(presenceOnlyPaths(inv, h));
  const r = rolesOf(inv, h);
  const units = [
    ...(r.db ? [UNITS.falkordb] : []),
    ...(r.sentinel ? [UNITS.sentinel] : []),
    ...(r.haproxy ? [UNITS.haproxy] : []),
    ...daemonsOf(inv, h).flatMap((d) => [UNITS[d], DAEMONS[d].debianUnit]),
  ];
  const dirs = dirsOf(inv, h, files).map((d) => d.path);
  // A few commands in sequence, not one per file: sshd refuses channels beyond its MaxSessions.
  const argv = [...paths.filter((p) => !bare.has(p)), '--', ...paths.filter((p) => bare.has(p))];
  const stats = parseStats((await t.exec(h.name, ['sh', '-c', STAT_ALL, 'sh', ...argv])).stdout, paths);
  const dirOut = await t.exec(h.name, ['stat', '-c', '%n|%a|%U|%G', ...dirs], { check: false });
  const unitOut = units.length
    ? await t.exec(h.name, ['systemctl', 'show', '--property=Id,ActiveState,UnitFileState', ...units], { check: false })
    : undefined;
  const user = r.db || r.sentinel ? await t.exec(h.name, ['id', '-u', serviceUser(inv)], { check: false }) : undefined;
  const bin =
    stats[inv.falkordb.redisServer] && (r.db || r.sentinel)
      ? await t.exec(h.name, noNotifyProbe(inv), { check: false })
      : undefined;
  const kernel = r.db ? await t.exec(h.name, ['sh', '-c', KERNEL_PROBE], { check: false }) : undefined;
  const facts: HostFacts = {
    host: h.name,
    files: stats,
    contents: {},
    dirs: parseDirs(dirOut.stdout),
    units: unitOut ? parseUnits(unitOut.stdout, units) : {},
    userExists: user?.code === 0,
    noNotify: bin ? bin.code === 0 : undefined,
    ...(kernel ? { kernel: parseKernel(kernel.stdout) } : {}),
  };
  // Live contents only where they differ and may be shown or compared: never a secret file.
  const differ = files.filter((f) => !f.secret && facts.files[f.path] && facts.files[f.path]!.sha256 !== sha(f));
  // falkordb.conf: for its meaning after a CONFIG REWRITE; units: is only [Unit] different?
  const wanted = readAll ? differ : differ.filter((f) => f.path.endsWith('/falkordb.conf') || isUnitFile(f.path));
  for (const f of wanted) {
    const b = await t.read(h.name, f.path);
    if (b !== undefined) facts.contents[f.path] = b.toString('utf8');
  }
  return facts;
}

// file-scripts' STAT over many paths: "<mode> <user> <group> <sha256> <path>" for each regular file
// (or symlink to one) that exists; the paths after a `--` argument are not hashed ("-" in place of the sum).
const STAT_ALL = [
  'hash=1; for p; do [ "$p" = -- ] && { hash=; continue; }; [ -f "$p" ] || continue',
  's=$(stat -L -c "%a %U %G" -- "$p") || continue',
  'if [ -n "$hash" ]; then h=$(sha256sum < "$p") && echo "$s ${h%% *} $p"; else echo "$s - $p"; fi; done',
].join('\n');

/** A path listed unhashed ("-") gets sha256 '': present, with its mode and owner, and equal to no content. */
export function parseStats(out: string, paths: readonly string[]): Record<string, RemoteFileState | undefined> {
  const res: Record<string, RemoteFileState | undefined> = Object.fromEntries(paths.map((p) => [p, undefined]));
  for (const line of out.split('\n')) {
    const m = /^([0-7]+) (\S+) (\S+) ([a-f0-9]{64}|-) (\/.*)$/.exec(line.trim());
    if (m && paths.includes(m[5]!))
      res[m[5]!] = { mode: parseInt(m[1]!, 8), owner: m[2]!, group: m[3]!, sha256: m[4] === '-' ? '' : m[4]! };
  }
  return res;
}

export function parseDirs(out: string): Record<string, DirState | undefined> {
  const dirs: Record<string, DirState> = {};
  for (const line of out.split('\n')) {
    const m = /^(.+)\|([0-7]+)\|(\S+)\|(\S+)$/.exec(line.trim());
    if (m) dirs[m[1]!] = { mode: parseInt(m[2]!, 8), owner: m[3]!, group: m[4]! };
  }
  return dirs;
}

/** `systemctl show` prints one block per unit, blank-line separated, in the order asked. */
export function parseUnits(out: string, units: readonly string[]): Record<string, UnitState> {
  const res: Record<string, UnitState> = {};
  for (const block of out.split(/\n\s*\n/)) {
    const kv = Object.fromEntries(
      block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const id = kv.Id;
    if (id && units.includes(id))
      res[id] = { active: kv.ActiveState ?? 'unknown', enabled: kv.UnitFileState || 'not-found' };
  }
  return res;
}
