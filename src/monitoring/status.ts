// `status`'s monitoring section: per monitoring host, whether Prometheus answers, how many of the rendered
// targets are up, whether the rules are loaded and which alerts fire — asked on the host (probe.ts, one
// bounded SSH command). Problems here are warnings: the data path can be healthy while monitoring is not.
import type { ChalkInstance } from 'chalk';
import type { StatusReport } from '../facts/report.js';
import { table, type Row } from '../facts/table.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { monitoringHosts } from '../inventory/topology.js';
import { scrapeTargets } from '../templates/monitoring.js';
import { missingRules, prometheusView, targetProblems } from './observe.js';
import type { HostExec } from './probe.js';

export interface MonitoringStatus {
  host: string;
  /** Prometheus answered its API. */
  up: boolean;
  error?: string;
  targetsUp: number;
  targets: number;
  /** Targets not up (or not scraped), e.g. "falkordb/db2 down (connection refused)". */
  down: string[];
  rulesMissing: number;
  /** Firing alerts, "FalkorDBDown db2". */
  firing: string[];
  alertmanager: string;
}

/** Each chosen monitoring host's view; undefined when the inventory names none. */
export async function monitoringStatus(
  inv: Inventory,
  exec: HostExec,
  hosts: readonly Host[],
): Promise<MonitoringStatus[] | undefined> {
  if (!monitoringHosts(inv).length) return undefined;
  const chosen = new Set(hosts.map((h) => h.name));
  const total = scrapeTargets(inv).length;
  return Promise.all(
    monitoringHosts(inv)
      .filter((h) => chosen.has(h.name))
      .map(async (h): Promise<MonitoringStatus> => {
        const v = await prometheusView(inv, exec, h.name).catch((e: Error) => ({
          host: h.name,
          error: e.message,
          targets: [],
          rules: [],
          alerts: [],
          alertmanager: 'not asked',
        }));
        const down = v.error ? [] : targetProblems(inv, v);
        return {
          host: h.name,
          up: !v.error,
          ...(v.error ? { error: v.error } : {}),
          targetsUp: v.error ? 0 : total - down.length,
          targets: total,
          down,
          rulesMissing: v.error ? 0 : missingRules(inv, v).length,
          firing: v.alerts
            .filter((a) => a.state === 'firing')
            .map((a) => `${a.name}${a.instance ? ` ${a.instance}` : ''}`),
          alertmanager: v.alertmanager ?? 'ready',
        };
      }),
  );
}

/** The report with its monitoring section and warnings (the verdict is unchanged: warnings only); pure, so that
 * status can ask the monitoring hosts alongside the cluster rather than after it. */
export function withMonitoring(r: StatusReport, monitoring: MonitoringStatus[] | undefined): StatusReport {
  if (!monitoring) return r;
  const warn = (host: string, message: string) => ({
    severity: 'warning' as const,
    area: 'monitoring' as const,
    host,
    message,
  });
  const findings = monitoring.flatMap((m) => [
    ...(m.error ? [warn(m.host, `${m.host}: Prometheus not answering: ${m.error}`)] : []),
    ...m.down.map((d) => warn(m.host, `${m.host}: Prometheus target ${d}`)),
    ...(m.rulesMissing ? [warn(m.host, `${m.host}: ${m.rulesMissing} alert rule(s) not loaded`)] : []),
    ...(m.alertmanager !== 'ready' ? [warn(m.host, `${m.host}: Alertmanager ${m.alertmanager}`)] : []),
    ...m.firing.map((a) => warn(m.host, `${m.host}: alert firing: ${a}`)),
  ]);
  return { ...r, monitoring, findings: [...r.findings, ...findings] };
}

export function renderMonitoring(ms: readonly MonitoringStatus[], c: ChalkInstance): string[] {
  const rows: Row[] = ms.map((m) => [
    m.host,
    m.up ? { text: 'up', paint: c.green } : { text: 'down', paint: c.red },
    {
      text: m.up ? `${m.targetsUp}/${m.targets}` : '-',
      paint: m.up && m.targetsUp === m.targets ? c.green : c.red,
    },
    m.rulesMissing ? { text: `${m.rulesMissing} missing`, paint: c.red } : m.up ? 'loaded' : '-',
    m.alertmanager === 'ready' ? m.alertmanager : { text: m.alertmanager, paint: c.red },
    m.firing.length ? { text: m.firing.join(', '), paint: c.red } : { text: 'none', paint: c.dim },
  ]);
  return [
    c.bold('Monitoring'),
    table(['HOST', 'PROMETHEUS', 'TARGETS UP', 'RULES', 'ALERTMANAGER', 'FIRING'], rows, { paintHeader: c.bold }),
    '',
  ];
}
