// Replication settings, judged by one question: does every node keep working after a failover?
import { report, rule } from '../rule.js';
import type { Finding } from '../types.js';
import { redisBytes } from '../conf/tokenize.js';
import { arg, canJudgeAbsence, isReplica, last, type ConfUnit } from '../conf/unit.js';
import { firstLine } from './memory.js';

export const R = {
  writableReplica: rule(
    'redis/replica-writable',
    'error',
    'A writable replica accepts writes that its master never sees and that the next resync silently throws away; after a failover any node may be that replica.',
    'Keep `replica-read-only yes` on every node.',
  ),
  staleData: rule(
    'redis/replica-serve-stale-data',
    'info',
    'While its link to the master is down or a full resync runs, a replica answers reads from old (or, during the load, partial) data.',
    'Set `replica-serve-stale-data no` if readers must not see stale graphs; they then get a MASTERDOWN error and can retry elsewhere.',
  ),
  minReplicas: rule(
    'redis/min-replicas-unset',
    'info',
    'A master cut off from its replicas keeps accepting writes; after Sentinel promotes another node those writes are discarded.',
    'Set `min-replicas-to-write 1` and `min-replicas-max-lag 10` so an isolated master stops taking writes it would lose.',
  ),
  backlog: rule(
    'redis/repl-backlog-small',
    'info',
    'The default 1 MB backlog covers only a moment of writes: a replica that restarts or loses its link for longer needs a full resync of the whole dataset.',
    'Set `repl-backlog-size` to a few minutes of write traffic, e.g. 256mb.',
  ),
  replTimeout: rule(
    'redis/repl-timeout-short',
    'warning',
    'repl-timeout must be well above repl-ping-replica-period: otherwise a quiet link is declared dead between two pings and the replica keeps reconnecting and resyncing.',
    'Keep repl-timeout at least a few times repl-ping-replica-period (defaults: 60 and 10).',
  ),
};

export function replicationRules(u: ConfUnit): Finding[] {
  if (u.kind !== 'redis') return [];
  const out: Finding[] = [];
  const ro = last(u, 'replica-read-only') ?? last(u, 'slave-read-only');
  if (ro?.args[0]?.toLowerCase() === 'no')
    out.push(report(R.writableReplica, ro.file, ro.line, 'replica-read-only no'));
  const stale = last(u, 'replica-serve-stale-data') ?? last(u, 'slave-serve-stale-data');
  if (stale?.args[0]?.toLowerCase() === 'yes')
    out.push(
      report(R.staleData, stale.file, stale.line, 'replica-serve-stale-data yes: reads may return stale graphs'),
    );
  else if (!stale && isReplica(u) && canJudgeAbsence(u)) {
    out.push(
      report(
        R.staleData,
        u.file,
        firstLine(u),
        'replica-serve-stale-data defaults to yes: reads may return stale graphs',
      ),
    );
  }
  if (canJudgeAbsence(u) && !isReplica(u) && !last(u, 'min-replicas-to-write') && !last(u, 'min-slaves-to-write')) {
    out.push(
      report(
        R.minReplicas,
        u.file,
        firstLine(u),
        'no min-replicas-to-write: an isolated master keeps accepting writes',
      ),
    );
  }
  const rt = last(u, 'repl-timeout');
  const ping = Number(arg(u, 'repl-ping-replica-period') ?? arg(u, 'repl-ping-slave-period') ?? 10);
  if (rt && Number(rt.args[0]) <= ping)
    out.push(
      report(
        R.replTimeout,
        rt.file,
        rt.line,
        `repl-timeout ${rt.args[0]} is not above repl-ping-replica-period ${ping}`,
      ),
    );
  const bl = last(u, 'repl-backlog-size');
  const size = bl ? redisBytes(bl.args[0] ?? '')?.bytes : undefined;
  if (bl && size !== undefined && size < 64 * 1024 ** 2)
    out.push(report(R.backlog, bl.file, bl.line, `repl-backlog-size ${bl.args[0]} is small`));
  else if (!bl && canJudgeAbsence(u))
    out.push(report(R.backlog, u.file, firstLine(u), 'repl-backlog-size is the default 1mb'));
  return out;
}
