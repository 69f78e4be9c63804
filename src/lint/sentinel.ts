// Sentinel configs: timing that survives a restart, quorum, names Sentinel can resolve, scripts, auth.
import { isIP } from 'node:net';
import path from 'node:path';
import { placeholderIn, report, rule } from './rule.js';
import type { Finding, Reader } from './types.js';
import { all, last, type ConfUnit } from './conf/unit.js';
import type { Directive } from './conf/tokenize.js';

export const S = {
  downAfter: rule(
    'sentinel/down-after-too-short',
    'error',
    'A graceful stop saves the dataset first; when that takes longer than down-after-milliseconds (8 s of saving already outlasts 5 s) Sentinel fails over in the middle of a routine restart.',
    'Use at least 10000 ms, more for large datasets (measure how long SHUTDOWN takes).',
  ),
  failoverTimeout: rule(
    'sentinel/failover-timeout-too-short',
    'warning',
    'failover-timeout also bounds how long replicas get to resync with the new master; a big dataset needs longer, and a timed-out failover is retried.',
    'Keep the default 180000 ms or more; at least 60000.',
  ),
  quorum: rule(
    'sentinel/quorum',
    'error',
    'A quorum larger than the number of Sentinels can never be reached (no failover ever); a quorum of half or less lets a minority declare the master down.',
    'Use a majority: 2 of 3 Sentinels, 3 of 5.',
  ),
  hostname: rule(
    'sentinel/hostname-without-resolve',
    'error',
    'Sentinel accepts only IP addresses unless `sentinel resolve-hostnames yes` is set; with a name it refuses the monitor line.',
    'Monitor an IP address, or add `sentinel resolve-hostnames yes` (and `sentinel announce-hostnames yes` if clients must see names).',
  ),
  noMonitor: rule(
    'sentinel/no-monitor',
    'error',
    'A Sentinel without a `sentinel monitor` line watches nothing.',
    'Add `sentinel monitor <name> <ip> <port> <quorum>`.',
  ),
  scripts: rule(
    'sentinel/notification-script',
    'info',
    'Sentinel runs the script on every event, kills it after 60 s and retries it; a missing or non-executable script stops Sentinel from starting, and a script that mails per event floods inboxes during flapping.',
    'Install the script executable on every Sentinel host and keep it fast (post to a queue or webhook rather than sending mail inline).',
  ),
  noAuth: rule(
    'sentinel/no-auth',
    'warning',
    'A Sentinel reachable from the network without a password lets anyone run SENTINEL FAILOVER, SET or REMOVE and redirect clients.',
    'Set `requirepass` on every Sentinel (and `sentinel sentinel-pass` so they talk to each other), or bind to a private interface.',
  ),
};

export function sentinelRules(u: ConfUnit, read: Reader): Finding[] {
  const out: Finding[] = [];
  const monitors = sentinelLines(u, 'monitor');
  if (monitors.length === 0 && !u.unresolvedInclude)
    out.push(report(S.noMonitor, u.file, u.directives[0]?.line ?? 1, 'no sentinel monitor line'));
  const resolve = sentinelLines(u, 'resolve-hostnames').at(-1)?.args[1]?.toLowerCase() === 'yes';
  const knownSentinels = new Set(sentinelLines(u, 'known-sentinel').map((d) => d.args.slice(2, 4).join(':')));
  for (const m of monitors) {
    const [, name, host = '', , q] = m.args;
    if (!isIP(host) && !resolve)
      out.push(
        report(S.hostname, m.file, m.line, `master "${name}" is monitored at "${host}", which is not an IP address`),
      );
    const quorum = Number(q);
    const total = knownSentinels.size > 0 ? knownSentinels.size + 1 : undefined;
    if (Number.isInteger(quorum)) out.push(...quorumFindings(m, quorum, total));
  }
  for (const d of sentinelLines(u, 'down-after-milliseconds')) {
    const ms = Number(d.args[2]);
    if (ms < 10_000)
      out.push(
        report(
          S.downAfter,
          d.file,
          d.line,
          `down-after-milliseconds ${ms} for ${d.args[1]}: shorter than a graceful stop`,
        ),
      );
  }
  for (const d of sentinelLines(u, 'failover-timeout')) {
    const ms = Number(d.args[2]);
    if (ms < 60_000) out.push(report(S.failoverTimeout, d.file, d.line, `failover-timeout ${ms} for ${d.args[1]}`));
  }
  for (const d of [...sentinelLines(u, 'notification-script'), ...sentinelLines(u, 'client-reconfig-script')]) {
    out.push(report(S.scripts, d.file, d.line, scriptMessage(d, read)));
  }
  const bind = last(u, 'bind');
  const open = !bind || bind.args.some((a) => ['0.0.0.0', '*', '::', '::*'].includes(a.replace(/^-/, '')));
  if (open && !last(u, 'requirepass') && !u.unresolvedInclude) {
    out.push(
      report(
        S.noAuth,
        bind?.file ?? u.file,
        bind?.line ?? 1,
        `Sentinel listens on ${bind ? bind.args.join(' ') : 'all interfaces'} without requirepass`,
      ),
    );
  }
  return out;
}

/** `total` is the number of Sentinels when known (known-sentinel lines, or the files linted together). */
export function quorumFindings(m: Directive, quorum: number, total?: number): Finding[] {
  if (total !== undefined && quorum > total)
    return [
      report(
        S.quorum,
        m.file,
        m.line,
        `quorum ${quorum} with only ${total} Sentinel(s): the master is never declared down`,
      ),
    ];
  if (total !== undefined && quorum <= total / 2)
    return [report(S.quorum, m.file, m.line, `quorum ${quorum} of ${total} Sentinels is not a majority`, 'warning')];
  if (quorum < 2)
    return [report(S.quorum, m.file, m.line, "quorum 1: a single Sentinel's view declares the master down", 'warning')];
  return [];
}

function scriptMessage(d: Directive, read: Reader): string {
  const script = d.args[2] ?? '';
  const what = d.args[0]?.toLowerCase();
  const text = placeholderIn([script]) ? undefined : read(path.join(path.dirname(d.file), path.basename(script)));
  if (text && /\b(mail|sendmail|mailx)\b/.test(text)) return `${what} ${script} sends mail for each event`;
  return `${what} ${script} must exist and be executable on every Sentinel host`;
}

export const sentinelLines = (u: ConfUnit, sub: string): Directive[] =>
  all(u, 'sentinel').filter((d) => d.args[0]?.toLowerCase() === sub);
