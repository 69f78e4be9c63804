// The monitoring items, asked of the daemons on their own hosts (src/monitoring/probe.ts: python3 urllib
// in one bounded SSH command): each exporter answers with redis_up 1 ("Monitoring stack deployed"), each
// Prometheus scrapes every rendered target with up==1 ("Monitoring active"), has loaded every rendered alert
// rule ("Alert rules configured") and has its Alertmanager ready ("Alerts configured").
import type { Inventory } from '../inventory/schema.js';
import { dbHosts, exporterHosts, monitoringHosts, sentinelHosts } from '../inventory/topology.js';
import { exporterProblem, missingRules, prometheusView, targetProblems } from '../monitoring/observe.js';
import type { PrometheusView } from '../monitoring/observe.js';
import type { HostExec } from '../monitoring/probe.js';
import { scrapeTargets } from '../templates/monitoring.js';
import { ruleList } from '../templates/prometheus.js';
import { eachHost } from './each.js';
import { ITEMS, type Area, type CheckEnv, type CheckResult } from './types.js';

/** The checklist's sh() as a HostExec: `python3 -c SCRIPT ARGS` through sh's positional arguments. */
const viaSh =
  (env: CheckEnv): HostExec =>
  (host, argv) =>
    env.sh(host, '"$@"', argv);

const has = (list: { name: string }[], host: string) => list.some((h) => h.name === host);

export function monitoringEnabled(inv: Inventory): boolean {
  return monitoringHosts(inv).length > 0;
}

export const monitoring: Area = {
  name: 'monitoring',
  phases: ['pre', 'post'],
  async run(env) {
    const inv = env.inv;
    const exec = viaSh(env);
    const port = inv.monitoring.exporterPort;
    const exporters = exporterHosts(inv).filter((x) => env.hosts.includes(x.name));
    const probed = await eachHost(
      env,
      exporters.map((h) => h.name),
      async (host) => {
        const c = { host, node: has(dbHosts(inv), host), sentinel: has(sentinelHosts(inv), host) };
        return { c, problem: await exporterProblem(inv, exec, c).catch((e: Error) => e.message) };
      },
    );
    const out: CheckResult[] = [];
    for (const [i, h] of exporters.entries()) {
      const { c, problem } = probed[i]!;
      out.push({
        id: `monitoring.exporter:${h.name}`,
        title: `${h.name}: redis_exporter answers with redis_up 1`,
        item: ITEMS.monitoring,
        phase: 'pre',
        host: h.name,
        outcome: problem ? 'fail' : 'pass',
        found: problem ?? 'redis_up 1',
        expected: 'redis_up 1',
        evidence: `on ${h.name}: GET http://127.0.0.1:${port}/metrics${c.sentinel ? ' and /scrape?target=<Sentinel>' : ''}`,
      });
    }
    if (!monitoringEnabled(inv)) {
      const reason = 'the inventory names no monitoring host (role monitoring or monitoring.hosts): no Prometheus';
      const skip = (id: string, item: string, phase: 'pre' | 'post'): CheckResult => ({
        id: `monitoring.${id}`,
        title: item,
        item,
        phase,
        outcome: 'skip',
        reason,
      });
      out.push(
        skip('targets', ITEMS.monitoringActive, 'post'),
        skip('rules', ITEMS.alerts, 'pre'),
        skip('alertmanager', ITEMS.alertsConfigured, 'post'),
      );
      return out;
    }
    const wantTargets = scrapeTargets(inv).length;
    const wantRules = ruleList(inv).length;
    const proms = monitoringHosts(inv).filter((x) => env.hosts.includes(x.name));
    const views = await eachHost(
      env,
      proms.map((h) => h.name),
      (host): Promise<PrometheusView> =>
        prometheusView(inv, exec, host).catch((e: Error) => ({
          host,
          error: e.message,
          targets: [],
          rules: [],
          alerts: [],
        })),
    );
    for (const [i, h] of proms.entries()) {
      const base = { host: h.name, evidence: `on ${h.name}: GET http://127.0.0.1:${inv.monitoring.prometheusPort}` };
      const v = views[i]!;
      const bad = v.error ? [v.error] : targetProblems(inv, v);
      out.push({
        ...base,
        id: `monitoring.targets:${h.name}`,
        title: `${h.name}: Prometheus scrapes every target (up == 1)`,
        item: ITEMS.monitoringActive,
        phase: 'post',
        outcome: bad.length ? 'fail' : 'pass',
        found: bad.length ? bad.join('; ') : `${wantTargets} of ${wantTargets} targets up`,
        expected: `${wantTargets} targets up`,
        evidence: `${base.evidence}/api/v1/targets`,
      });
      const missing = v.error ? [v.error] : missingRules(inv, v);
      out.push({
        ...base,
        id: `monitoring.rules:${h.name}`,
        title: `${h.name}: Prometheus has loaded the alert rules`,
        item: ITEMS.alerts,
        phase: 'pre',
        outcome: missing.length ? 'fail' : 'pass',
        found: missing.length ? `missing: ${missing.join(', ')}` : `${wantRules} alerting rules loaded`,
        expected: `${wantRules} alerting rules`,
        evidence: `${base.evidence}/api/v1/rules`,
      });
      const am = v.alertmanager;
      out.push({
        ...base,
        id: `monitoring.alertmanager:${h.name}`,
        title: `${h.name}: Alertmanager ready for Prometheus's alerts`,
        item: ITEMS.alertsConfigured,
        phase: 'post',
        outcome: am ? 'fail' : 'pass',
        found: am ?? 'ready',
        expected: 'ready',
        evidence: `on ${h.name}: GET http://127.0.0.1:${inv.monitoring.alertmanagerPort}/-/ready`,
      });
    }
    return out;
  },
};
