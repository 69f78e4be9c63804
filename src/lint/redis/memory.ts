// Memory, persistence and the graph module: the rules that decide whether data survives.
import path from 'node:path';
import { report, rule } from '../rule.js';
import type { Finding } from '../types.js';
import { redisBytes } from '../conf/tokenize.js';
import { all, arg, canJudgeAbsence, last, type ConfUnit } from '../conf/unit.js';

export const R = {
  eviction: rule(
    'redis/eviction-deletes-graphs',
    'error',
    'Eviction removes whole keys, and every FalkorDB graph is a single key: reaching maxmemory silently deletes an entire graph.',
    'Use `maxmemory-policy noeviction`: writes then fail with an OOM error you can alert on, and no graph disappears.',
  ),
  maxmemoryUnset: rule(
    'redis/maxmemory-unset',
    'warning',
    'With maxmemory 0 Redis grows until the kernel or the container OOM-kills it, mid-write, instead of refusing writes cleanly.',
    'Set maxmemory to about 70–80% of the memory available to the process (leave room for fork copy-on-write and buffers).',
  ),
  maxmemoryUnit: rule(
    'redis/maxmemory-unit',
    'warning',
    'Redis reads k/m/g as powers of 1000 and kb/mb/gb as powers of 1024, so "48g" is 48×10⁹ bytes, about 7% less than 48 GiB; units like "GiB" or "GB" with a space make Redis refuse to start.',
    'Write the unit Redis means unambiguously, e.g. `maxmemory 48gb` (48 GiB) or a byte count.',
  ),
  moduleMissing: rule(
    'redis/module-missing',
    'error',
    'A FalkorDB node without the graph module loaded rejects every GRAPH.* command, and as a replica it cannot load the graph keys it receives.',
    'Add `loadmodule /absolute/path/to/falkordb.so` (the same module on every node).',
  ),
  modulePath: rule(
    'redis/module-path-relative',
    'error',
    'A relative loadmodule path is resolved against the working directory of redis-server (often / under systemd), so the module is not found and the server does not start.',
    'Use an absolute path to falkordb.so.',
  ),
  noPersistence: rule(
    'redis/no-persistence',
    'error',
    'With AOF off and RDB snapshots disabled, a restart starts from an empty dataset, and a replica restarting needs a full copy from the master.',
    'Enable `appendonly yes` (with aof-use-rdb-preamble yes) and keep at least one `save` point.',
  ),
  defaultSnapshots: rule(
    'redis/persistence-implicit',
    'info',
    "AOF is off and no `save` line is given, so only Redis' default snapshot schedule protects the data: up to an hour of writes can be lost.",
    'Decide explicitly: `appendonly yes` + `appendfsync everysec`, and/or explicit `save` points.',
  ),
  fsync: rule(
    'redis/appendfsync',
    'warning',
    "`appendfsync no` leaves flushing to the kernel (about 30 s of writes at risk); `always` fsyncs every write and caps write throughput at the disk's fsync rate.",
    'Use `appendfsync everysec` unless you have measured the trade-off.',
  ),
  bgsaveErrors: rule(
    'redis/bgsave-errors-ignored',
    'warning',
    'With stop-writes-on-bgsave-error no, Redis keeps accepting writes while every snapshot fails (full disk, permissions): the data on disk silently grows old.',
    'Keep `stop-writes-on-bgsave-error yes` and alert on rdb_last_bgsave_status.',
  ),
  saveArgs: rule(
    'redis/save-syntax',
    'error',
    '`save` takes pairs of <seconds> <changes> (or "" to disable); Redis refuses to start on anything else.',
    'Write `save 900 1 300 10 60 10000` (one line is fine) or `save ""`.',
  ),
};

const FALKOR_MODULE = /falkordb|redisgraph/i;

export function memoryRules(u: ConfUnit): Finding[] {
  const out: Finding[] = [];
  const policy = last(u, 'maxmemory-policy');
  const p = policy?.args[0]?.toLowerCase();
  if (policy && p && p !== 'noeviction') {
    out.push(
      report(
        R.eviction,
        policy.file,
        policy.line,
        `maxmemory-policy ${p} evicts keys, and each graph is one key`,
        p.startsWith('volatile') ? 'warning' : 'error',
      ),
    );
  }
  const mm = last(u, 'maxmemory');
  if (mm) {
    const b = redisBytes(mm.args[0] ?? '');
    if (!b)
      out.push(
        report(
          R.maxmemoryUnit,
          mm.file,
          mm.line,
          `maxmemory "${mm.args.join(' ')}" is not a size Redis accepts`,
          'error',
        ),
      );
    else if (b.bytes === 0) out.push(report(R.maxmemoryUnset, mm.file, mm.line, 'maxmemory 0 means no limit'));
    else if (b.bytes < 1024 ** 2)
      out.push(report(R.maxmemoryUnit, mm.file, mm.line, `maxmemory ${mm.args[0]} is only ${b.bytes} bytes`, 'error'));
    else if (['k', 'm', 'g'].includes(b.unit)) {
      out.push(
        report(
          R.maxmemoryUnit,
          mm.file,
          mm.line,
          `maxmemory ${mm.args[0]} is ${b.bytes.toLocaleString('en')} bytes (powers of 1000), not ${mm.args[0]}b`,
        ),
      );
    }
  } else if (canJudgeAbsence(u) && u.kind === 'redis') {
    out.push(report(R.maxmemoryUnset, u.file, firstLine(u), `no maxmemory in ${u.label}: memory is unlimited`));
  }
  out.push(...moduleRules(u), ...persistenceRules(u));
  return out;
}

function moduleRules(u: ConfUnit): Finding[] {
  const out: Finding[] = [];
  const mods = all(u, 'loadmodule');
  for (const m of mods) {
    const p = m.args[0] ?? '';
    if (!path.isAbsolute(p)) out.push(report(R.modulePath, m.file, m.line, `loadmodule path "${p}" is relative`));
  }
  if (canJudgeAbsence(u) && meansFalkor(u) && !mods.some((m) => FALKOR_MODULE.test(m.args[0] ?? ''))) {
    out.push(
      report(R.moduleMissing, u.file, firstLine(u), `${u.label} is a FalkorDB config but loads no graph module`),
    );
  }
  return out;
}

function persistenceRules(u: ConfUnit): Finding[] {
  const out: Finding[] = [];
  const saves = all(u, 'save');
  let points = 0;
  for (const s of saves) {
    const a = s.args.filter((x) => x !== '');
    if (a.length === 0) points = 0;
    else if (a.length % 2 !== 0 || a.some((x) => !/^\d+$/.test(x)))
      out.push(report(R.saveArgs, s.file, s.line, `save ${s.args.join(' ')}: not <seconds> <changes> pairs`));
    else points += a.length / 2;
  }
  const aof = arg(u, 'appendonly')?.toLowerCase() === 'yes';
  if (!aof && canJudgeAbsence(u) && u.kind === 'redis') {
    if (saves.length > 0 && points === 0) {
      const at = saves.at(-1)!;
      out.push(report(R.noPersistence, at.file, at.line, 'snapshots are disabled (save "") and appendonly is off'));
    } else if (saves.length === 0) {
      const at = last(u, 'appendonly');
      out.push(
        report(
          R.defaultSnapshots,
          at?.file ?? u.file,
          at?.line ?? firstLine(u),
          'no explicit persistence: AOF off and no save points',
        ),
      );
    }
  }
  const sw = last(u, 'stop-writes-on-bgsave-error');
  if (sw?.args[0]?.toLowerCase() === 'no')
    out.push(report(R.bgsaveErrors, sw.file, sw.line, 'stop-writes-on-bgsave-error no'));
  const fs = last(u, 'appendfsync');
  const mode = fs?.args[0]?.toLowerCase();
  if (fs && mode === 'no')
    out.push(report(R.fsync, fs.file, fs.line, 'appendfsync no: the kernel decides when AOF data reaches disk'));
  if (fs && mode === 'always')
    out.push(report(R.fsync, fs.file, fs.line, 'appendfsync always: one fsync per write', 'info'));
  return out;
}

/** The config is meant for FalkorDB: its name, comments or paths say so. */
export const meansFalkor = (u: ConfUnit): boolean =>
  /falkor/i.test(u.label) ||
  u.comments.some((c) => /falkor/i.test(c)) ||
  u.directives.some((d) => d.name !== 'user' && d.args.some((a) => /falkor/i.test(a)));

export const firstLine = (u: ConfUnit): number => u.directives.find((d) => d.file === u.file)?.line ?? 1;
