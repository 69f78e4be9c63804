// The status report: one object for --json, and its human form — a compact table per area, then the
// problems stated plainly, then one verdict line.
import type { KernelFacts } from './kernel.js';
import type { BackupStatus } from './backups.js';
import type { PendingRestart } from '../config-update/pending.js';
import type { ChalkInstance } from 'chalk';
import type { Inventory } from '../inventory/schema.js';
import type { HAProxyView } from './haproxy.js';
import type { Finding } from './health.js';
import type { NodeFacts } from './nodes.js';
import { ago, bytes, table, type Cell, type Row } from './table.js';
import type { Topology } from './topology.js';
import { renderMonitoring, type MonitoringStatus } from '../monitoring/status.js';

export interface StatusReport {
  cluster: string;
  /** Unix seconds when the facts were gathered. */
  checkedAt: number;
  healthy: boolean;
  /** --limit: only some hosts were asked, so cluster-wide verdicts were not made. */
  partial: boolean;
  masterName: string;
  quorum: number;
  nodes: Omit<NodeFacts, 'info'>[];
  sentinels: Topology['sentinels'];
  agreedMaster?: Topology['agreedMaster'];
  haproxy: HAProxyView[];
  findings: Finding[];
  /** Live kernel settings per database host (when they could be read over SSH). */
  kernel?: Record<string, KernelFacts>;
  /** The newest verified backup and each database host's backup timer (when they could be read over SSH). */
  backups?: BackupStatus;
  /**
   * Per database host that could be read: the restart-only settings its falkordb.conf has and it does not
   * run (empty: none). Each non-empty one is also a warning finding.
   */
  pendingRestart?: Record<string, PendingRestart[]>;
  /** Each monitoring host's Prometheus: targets up, rules, firing alerts (src/monitoring/status.ts). */
  monitoring?: MonitoringStatus[];
}

export function buildReport(
  inv: Inventory,
  topo: Topology,
  haproxy: HAProxyView[],
  findings: Finding[],
  now: number,
  partial = false,
): StatusReport {
  return {
    cluster: inv.cluster,
    checkedAt: Math.floor(now / 1000),
    healthy: !findings.some((f) => f.severity === 'degraded'),
    partial,
    masterName: inv.sentinel.masterName,
    quorum: inv.sentinel.quorum,
    nodes: topo.nodes.map(({ info: _info, ...n }) => n),
    sentinels: topo.sentinels,
    agreedMaster: topo.agreedMaster,
    haproxy,
    findings,
  };
}

export function renderHuman(r: StatusReport, c: ChalkInstance): string {
  const ok = (t: string): Cell => ({ text: t, paint: c.green });
  const bad = (t: string): Cell => ({ text: t, paint: c.red });
  const dim = (t: string): Cell => ({ text: t, paint: c.dim });
  const hdr = { paintHeader: c.bold };
  const out: string[] = [
    c.bold(`cluster ${r.cluster}`) + c.dim(` — ${new Date(r.checkedAt * 1000).toISOString()}`),
    '',
  ];

  out.push(c.bold('FalkorDB'));
  const nodeRows: Row[] = r.nodes.map((n) => {
    if (!n.up) return [n.host, `${n.address}:${n.port}`, bad('down'), dim('-'), '', '', '', '', '', '', ''];
    const rep = n.replication!;
    const link =
      rep.role === 'replica'
        ? rep.linkUp
          ? ok(`up ← ${rep.masterHost}`)
          : bad(`DOWN ${rep.linkDownSeconds ?? '?'}s`)
        : dim('-');
    const lag = rep.role === 'replica' && rep.linkUp ? `${rep.lagBytes ?? '?'}B ${rep.lagSeconds ?? '?'}s` : '-';
    const m = n.memory;
    const mem = `${bytes(m?.used)}/${m?.max ? bytes(m.max) : 'no limit'}${m?.used !== undefined && m.max ? ` ${Math.round((m.used / m.max) * 100)}%` : ''}`;
    const p = n.persistence;
    const save =
      p?.rdbLastSaveTime !== undefined ? `${ago(r.checkedAt - p.rdbLastSaveTime)} ${p.rdbLastBgsaveStatus}` : '?';
    const aof = p?.aofEnabled ? `on ${p.aofLastWriteStatus}${p.aofRewriteInProgress ? ' rewriting' : ''}` : 'off';
    return [
      n.host,
      `${n.address}:${n.port}`,
      rep.loading ? bad('loading') : ok('up'),
      // after a failover the live role differs from the inventory's: normal, but worth seeing
      rep.role === n.intendedRole
        ? { text: rep.role, paint: rep.role === 'master' ? c.cyan : undefined }
        : { text: `${rep.role} (inventory: ${n.intendedRole})`, paint: c.yellow },
      link,
      String(rep.offset ?? '?'),
      lag,
      mem,
      p?.rdbLastBgsaveStatus === 'ok' ? save : bad(save),
      !p?.aofEnabled || p.aofLastWriteStatus === 'ok' ? aof : bad(aof),
      `${n.redisVersion ?? '?'} / ${n.falkordbVersion ?? bad('no module').text}`,
    ];
  });
  out.push(
    table(
      ['HOST', 'ADDRESS', 'STATE', 'ROLE', 'LINK', 'OFFSET', 'LAG', 'MEMORY', 'LAST SAVE', 'AOF', 'REDIS / FALKORDB'],
      nodeRows,
      hdr,
    ),
    '',
  );

  if (r.sentinels.length) {
    const agreed = r.agreedMaster
      ? `${r.agreedMaster.address}:${r.agreedMaster.port}${r.agreedMaster.host ? ` (${r.agreedMaster.host})` : ''}`
      : 'no agreement';
    out.push(
      c.bold(`Sentinel`) +
        c.dim(` — master "${r.masterName}", quorum ${r.quorum}, agreed${r.partial ? ' (among those asked)' : ''}: `) +
        (r.agreedMaster ? c.green(agreed) : c.red(agreed)),
    );
    const rows: Row[] = r.sentinels.map((s) => {
      if (!s.up) return [s.host, bad('down'), '', '', ''];
      if (!s.masterAddr) return [s.host, ok('up'), bad('not tracked'), '', ''];
      const mine = `${s.masterAddr.address}:${s.masterAddr.port}`;
      const agrees = r.agreedMaster !== undefined;
      const flags = s.master?.flags.join(',') ?? '?';
      return [
        s.host,
        ok('up'),
        agrees ? mine : { text: mine, paint: c.yellow },
        /down|failover/.test(flags) ? bad(flags) : flags,
        String(s.master?.numOtherSentinels ?? '?'),
      ];
    });
    out.push(table(['HOST', 'STATE', 'MASTER', 'FLAGS', 'OTHER SENTINELS'], rows, hdr), '');
  }

  if (r.haproxy.length) {
    out.push(c.bold('HAProxy'));
    const rows: Row[] = r.haproxy.flatMap((h): Row[] => {
      if (!h.up) return [[h.host, bad('stats unavailable'), '', '', '']];
      return (h.backends ?? []).flatMap((b) =>
        b.servers.map((s): Row => [
          h.host,
          b.name,
          `${s.server}${s.backup ? ' (backup)' : ''}`,
          /^UP/.test(s.status) ? ok(s.status) : /MAINT|DRAIN/.test(s.status) ? bad(s.status) : dim(s.status),
          (s.checkStatus ?? '').replace(/^\* /, ''),
        ]),
      );
    });
    out.push(table(['HOST', 'BACKEND', 'SERVER', 'STATUS', 'CHECK'], rows, hdr), '');
  }

  if (r.backups) {
    const b = r.backups;
    const n = b.newestVerified;
    const limit = ago(b.maxAgeSeconds);
    out.push(
      c.bold('Backups') +
        c.dim(` — ${b.verified} verified of ${b.total}; newest verified: `) +
        (n
          ? (b.stale ? c.red : c.green)(`${n.id} on ${n.host}, ${ago(n.ageSeconds)} ago`) + c.dim(` (limit ${limit})`)
          : c.red('none')),
    );
    const rows: Row[] = b.timers.map((t) => [
      t.host,
      t.enabled === 'enabled' && t.active === 'active'
        ? ok(`${t.active}, ${t.enabled}`)
        : bad(`${t.active || 'inactive'}, ${t.enabled || 'not installed'}`),
      t.lastRun ? (t.lastRun.result === 'success' ? t.lastRun.result : bad(t.lastRun.result)) : dim('not run yet'),
      t.lastRun?.at ?? '',
    ]);
    if (rows.length) out.push(table(['HOST', 'TIMER', 'LAST RUN', 'ENDED'], rows, hdr));
    out.push('');
  }

  if (r.monitoring?.length) out.push(...renderMonitoring(r.monitoring, c));

  const degraded = r.findings.filter((f) => f.severity === 'degraded');
  const warnings = r.findings.filter((f) => f.severity === 'warning');
  for (const f of degraded) out.push(c.red(`  ✗ ${f.message}`));
  for (const f of warnings) out.push(c.yellow(`  ! ${f.message}`));
  if (r.findings.length) out.push('');
  if (r.partial) out.push(c.dim('(--limit: only these hosts were asked; cluster-wide checks skipped)'));
  out.push(
    r.healthy
      ? c.green.bold(`HEALTHY${warnings.length ? ` (${warnings.length} warning(s))` : ''}`)
      : c.red.bold(`DEGRADED: ${degraded.length} problem(s)`),
  );
  return out.join('\n');
}
