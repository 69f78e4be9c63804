// The monitoring files of one host: the exporter on database and Sentinel hosts; Prometheus (config + rules)
// and Alertmanager on the monitoring hosts.
import type { Host, Inventory } from '../inventory/schema.js';
import { exporterHosts, monitoringHosts } from '../inventory/topology.js';
import { serviceUser, type Secrets } from '../templates/common.js';
import { EXPORTER_UNIT, exporterPasswords, exporterPasswordsPath, exporterUnit } from '../templates/exporter.js';
import {
  ALERTMANAGER_UNIT,
  ALERTMANAGER_YML,
  PROMETHEUS_UNIT,
  PROMETHEUS_YML,
  RULES_YML,
  alertmanagerUnit,
  alertmanagerYml,
  prometheusUnit,
  prometheusYml,
} from '../templates/monitoring.js';
import { alertRules } from '../templates/prometheus.js';
import type { RenderedFile } from './index.js';

export function monitoringFiles(inv: Inventory, h: Host, s: Secrets): RenderedFile[] {
  const out: RenderedFile[] = [];
  const host = h.name;
  if (exporterHosts(inv).some((x) => x.name === host)) {
    const svc = serviceUser(inv);
    out.push(
      { host, path: EXPORTER_UNIT, content: exporterUnit(inv, h, s), mode: 0o644, secret: false },
      {
        host,
        path: exporterPasswordsPath(inv),
        content: exporterPasswords(inv, h, s),
        mode: 0o600,
        owner: `${svc}:${svc}`,
        secret: true,
      },
    );
  }
  if (monitoringHosts(inv).some((x) => x.name === host)) {
    out.push(
      { host, path: PROMETHEUS_YML, content: prometheusYml(inv, h), mode: 0o644, secret: false },
      { host, path: RULES_YML, content: alertRules(inv), mode: 0o644, secret: false, kind: 'prometheus' },
      { host, path: PROMETHEUS_UNIT, content: prometheusUnit(inv, h), mode: 0o644, secret: false },
      { host, path: ALERTMANAGER_YML, content: alertmanagerYml(inv, h), mode: 0o644, secret: false },
      { host, path: ALERTMANAGER_UNIT, content: alertmanagerUnit(inv, h), mode: 0o644, secret: false },
    );
  }
  return out;
}
