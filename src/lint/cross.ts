// Rules that need several configs at once: after a failover any replica becomes the master, so
// passwords, memory and modules must agree across nodes, and Sentinels must know the password.
import { report, rule, secretShown } from './rule.js';
import type { Finding } from './types.js';
import { all, arg, isMainConfig, isReplica, last, type ConfUnit } from './conf/unit.js';
import { redisBytes } from './conf/tokenize.js';
import { quorumFindings, sentinelLines } from './sentinel.js';

export const X = {
  masterauth: rule(
    'cross/masterauth-mismatch',
    'error',
    "The replica authenticates to its master with masterauth; when it differs from the master's requirepass, replication never starts.",
    'Use one cluster password: masterauth = requirepass on every node.',
  ),
  passwords: rule(
    'cross/passwords-differ',
    'error',
    'After a failover a replica becomes the master; if its password differs, every client, HAProxy check and Sentinel still using the old password is refused.',
    'Give every node the same requirepass (and masterauth).',
  ),
  maxmemory: rule(
    'cross/maxmemory-differs',
    'error',
    "A replica accepts the master's whole dataset regardless of its own maxmemory, but once promoted it enforces it: a smaller limit means refused writes (or evictions) right after the failover.",
    'Give every node the same maxmemory (and the same RAM).',
  ),
  module: rule(
    'cross/module-differs',
    'error',
    'A replica without the graph module cannot load the graph keys its master sends, and after a failover serves no graph queries.',
    'Load the same falkordb.so on every node.',
  ),
  drift: rule(
    'cross/settings-differ',
    'warning',
    "Sentinel swaps roles but not config files: after a failover the promoted replica runs the master's workload with its own persistence, eviction and command settings.",
    'Give every node the same settings (one template for all nodes; only replicaof and announce settings differ).',
  ),
  noCandidate: rule(
    'cross/no-promotable-replica',
    'error',
    'Every replica has replica-priority 0, which tells Sentinel never to promote it: when the master fails there is no failover.',
    'Leave replica-priority at its default (100) on the replicas that may become master.',
  ),
  authPass: rule(
    'cross/sentinel-auth-pass',
    'error',
    'Sentinel authenticates to the master and replicas with auth-pass; missing or wrong, it sees them as failing and cannot reconfigure them in a failover.',
    'Set `sentinel auth-pass <master> <cluster password>` on every Sentinel.',
  ),
};

export function crossRules(units: ConfUnit[]): Finding[] {
  const out: Finding[] = [];
  const db = units.filter((u) => u.kind === 'redis' && isMainConfig(u));
  const masters = db.filter((u) => !isReplica(u));
  const replicas = db.filter(isReplica);
  const masterPass = masters.map((u) => arg(u, 'requirepass')).filter((p): p is string => Boolean(p));
  for (const r of replicas) {
    const ma = last(r, 'masterauth');
    if (ma && masterPass.length && !masterPass.includes(ma.args[0] ?? ''))
      out.push(
        report(
          X.masterauth,
          ma.file,
          ma.line,
          `masterauth${secretShown(ma.args[0])} differs from the master's requirepass${secretShown(masterPass[0])}`,
        ),
      );
  }
  const ref = masterPass[0];
  if (replicas.length > 0 && replicas.every((r) => (arg(r, 'replica-priority') ?? arg(r, 'slave-priority')) === '0')) {
    const r = replicas[0]!;
    const d = last(r, 'replica-priority') ?? last(r, 'slave-priority');
    out.push(
      report(
        X.noCandidate,
        d?.file ?? r.file,
        d?.line ?? 1,
        `all ${replicas.length} replica(s) have replica-priority 0`,
      ),
    );
  }
  for (const u of db.filter((x) => x !== masters[0])) {
    const rp = last(u, 'requirepass');
    if (ref && rp && rp.args[0] !== ref)
      out.push(
        report(
          X.passwords,
          rp.file,
          rp.line,
          `requirepass${secretShown(rp.args[0])} differs from the master's${secretShown(ref)} (${masters[0]!.label})`,
        ),
      );
  }
  const mm = (u: ConfUnit) => redisBytes(arg(u, 'maxmemory') ?? '')?.bytes;
  const hasModule = (u: ConfUnit) => all(u, 'loadmodule').some((d) => /falkordb|redisgraph/i.test(d.args[0] ?? ''));
  for (const m of masters) {
    for (const r of replicas) {
      const [a, b] = [mm(m), mm(r)];
      const at = last(r, 'maxmemory');
      if (a && b && b < a && at)
        out.push(
          report(
            X.maxmemory,
            at.file,
            at.line,
            `maxmemory ${at.args[0]} is below the master's ${arg(m, 'maxmemory')} (${m.label})`,
          ),
        );
      const drift = DRIFT.filter((d) => setting(m, d) !== setting(r, d));
      if (drift.length)
        out.push(
          report(
            X.drift,
            r.file,
            r.directives.find((d) => d.file === r.file)?.line ?? 1,
            `${r.label} differs from the master (${m.label}) in: ${drift.join(', ')}`,
          ),
        );
      if (hasModule(m) && !hasModule(r) && !r.unresolvedInclude)
        out.push(
          report(
            X.module,
            r.file,
            r.directives[0]?.line ?? 1,
            `${r.label} does not load the graph module that ${m.label} loads`,
          ),
        );
    }
  }
  out.push(
    ...sentinelCross(
      units.filter((u) => u.kind === 'sentinel'),
      ref,
    ),
  );
  return out;
}

// Settings that shape how the node behaves as a master; values are compared, never printed.
const DRIFT = ['maxmemory-policy', 'appendonly', 'appendfsync', 'save', 'rename-command', 'min-replicas-to-write'];
const DEFAULTS: Record<string, string> = {
  'maxmemory-policy': 'noeviction',
  appendonly: 'no',
  appendfsync: 'everysec',
  'min-replicas-to-write': '0',
  save: '(default)',
  'rename-command': '',
};

function setting(u: ConfUnit, name: string): string {
  const ds = all(u, name);
  if (ds.length === 0) return DEFAULTS[name] ?? '';
  if (name === 'rename-command')
    return ds
      .map((d) => d.args.join(' ').toLowerCase())
      .sort()
      .join('|');
  if (name === 'save')
    return (
      ds
        .reduce((acc, d) => (d.args.some((a) => a !== '') ? [...acc, d.args.join(' ')] : []), [] as string[])
        .join(' ') || 'off'
    );
  return (ds.at(-1)!.args[0] ?? '').toLowerCase();
}

function sentinelCross(sentinels: ConfUnit[], password: string | undefined): Finding[] {
  const out: Finding[] = [];
  const files = new Set(sentinels.map((s) => `${s.file}\0${s.label}`)).size;
  for (const s of sentinels) {
    for (const m of sentinelLines(s, 'monitor')) {
      const name = m.args[1];
      const q = Number(m.args[4]);
      if (files >= 2 && Number.isInteger(q)) out.push(...quorumFindings(m, q, files));
      if (!password) continue;
      const ap = sentinelLines(s, 'auth-pass').find((d) => d.args[1] === name);
      if (!ap && !s.unresolvedInclude)
        out.push(
          report(X.authPass, m.file, m.line, `master ${name} needs a password but this Sentinel has no auth-pass`),
        );
      else if (ap && ap.args[2] !== password)
        out.push(
          report(
            X.authPass,
            ap.file,
            ap.line,
            `auth-pass${secretShown(ap.args[2])} differs from the master's requirepass${secretShown(password)}`,
          ),
        );
    }
  }
  return out;
}
