// What the monitoring stack says about itself, asked on its hosts (probe.ts): an exporter's redis_up for its
// node and Sentinel; a Prometheus's targets, loaded alert rules, firing alerts and its Alertmanager's
// readiness — all of one Prometheus in one SSH command. Shared by deploy's checks, the checklist and status.
import type { Inventory } from '../inventory/schema.js';
import { sentinelUri } from '../templates/exporter.js';
import { scrapeTargets } from '../templates/monitoring.js';
import { ruleList } from '../templates/prometheus.js';
import { parseAlerts, parseRuleNames, parseTargets, sample, type AlertState, type TargetHealth } from './http.js';
import { httpGetOnHost, replyProblem, type HostExec } from './probe.js';

export interface ExporterWants {
  host: string;
  node: boolean;
  sentinel: boolean;
}

/** undefined when the exporter on `c.host` reports redis_up 1 for everything it exports, else what it said. */
export async function exporterProblem(inv: Inventory, exec: HostExec, c: ExporterWants): Promise<string | undefined> {
  const base = `http://127.0.0.1:${inv.monitoring.exporterPort}`;
  const asked: [string, string][] = [
    ...(c.node ? [['node', `${base}/metrics`] as [string, string]] : []),
    ...(c.sentinel
      ? [['Sentinel', `${base}/scrape?target=${encodeURIComponent(sentinelUri(inv))}`] as [string, string]]
      : []),
  ];
  const replies = await httpGetOnHost(
    exec,
    c.host,
    asked.map(([, u]) => u),
  );
  const bad = replies.flatMap((r, i) => {
    const what = asked[i]![0];
    const p = replyProblem(r);
    if (p) return [`${what}: ${p}`];
    const up = sample(r.body, 'redis_up');
    return up === 1 ? [] : [`${what}: redis_up ${up ?? 'missing'}`];
  });
  return bad.length ? bad.join('; ') : undefined;
}

export interface PrometheusView {
  host: string;
  /** Why Prometheus could not be read (then the lists are empty). */
  error?: string;
  targets: TargetHealth[];
  rules: string[];
  alerts: AlertState[];
  alertmanager?: string;
}

/** One Prometheus (and its Alertmanager) as seen on its host. */
export async function prometheusView(inv: Inventory, exec: HostExec, host: string): Promise<PrometheusView> {
  const m = inv.monitoring;
  const p = `http://127.0.0.1:${m.prometheusPort}`;
  const [t, r, a, am] = await httpGetOnHost(exec, host, [
    `${p}/api/v1/targets?state=active`,
    `${p}/api/v1/rules?type=alert`,
    `${p}/api/v1/alerts`,
    `http://127.0.0.1:${m.alertmanagerPort}/-/ready`,
  ]);
  const amProblem = replyProblem(am!);
  const base = { host, targets: [], rules: [], alerts: [], ...(amProblem ? { alertmanager: amProblem } : {}) };
  const err = replyProblem(t!) ?? replyProblem(r!) ?? replyProblem(a!);
  if (err) return { ...base, error: `Prometheus: ${err}` };
  return { ...base, targets: parseTargets(t!.body), rules: parseRuleNames(r!.body), alerts: parseAlerts(a!.body) };
}

/** Each rendered target that this Prometheus does not scrape, or scrapes as not up. */
export function targetProblems(inv: Inventory, v: PrometheusView): string[] {
  return scrapeTargets(inv).flatMap((t) => {
    const s = v.targets.find((x) => x.job === t.job && x.instance === t.host);
    if (!s) return [`${t.job}/${t.host} not scraped`];
    return s.health === 'up' ? [] : [`${t.job}/${t.host} ${s.health}${s.lastError ? ` (${s.lastError})` : ''}`];
  });
}

/** The rendered alert rules this Prometheus has not loaded. */
export function missingRules(inv: Inventory, v: PrometheusView): string[] {
  const loaded = new Set(v.rules);
  return ruleList(inv)
    .map((r) => r.alert)
    .filter((n) => !loaded.has(n));
}

/** undefined when every target is up, every rule loaded and Alertmanager ready; else what is not. */
export function prometheusProblem(inv: Inventory, v: PrometheusView): string | undefined {
  if (v.error) return v.error;
  const bad = [...targetProblems(inv, v)];
  const missing = missingRules(inv, v);
  if (missing.length) bad.push(`rules not loaded: ${missing.join(', ')}`);
  if (v.alertmanager) bad.push(`Alertmanager not ready (${v.alertmanager})`);
  return bad.length ? bad.join('; ') : undefined;
}
