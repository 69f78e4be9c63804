// Cluster-wide artifacts (host "cluster"): alert rules, a Grafana dashboard, docker-compose, Kubernetes manifests.
import type { Inventory } from '../inventory/schema.js';
import type { Secrets } from '../templates/common.js';
import { composeFiles } from '../templates/compose.js';
import { K8S_PATH, kubernetesManifests } from '../templates/kubernetes.js';
import { ALERTS_PATH, alertRules } from '../templates/prometheus.js';
import { DASHBOARD_PATH, grafanaDashboard } from '../templates/grafana.js';
import type { RenderedFile } from './index.js';

export function clusterFiles(inv0: Inventory, s: Secrets): RenderedFile[] {
  const host = 'cluster';
  // The container artifacts have no aclfile mount and probe as `default`: they keep the inline users (README).
  const inv = inv0.auth.acl ? { ...inv0, auth: { ...inv0.auth, acl: undefined } } : inv0;
  return [
    { host, path: ALERTS_PATH, content: alertRules(inv), mode: 0o644, secret: false, kind: 'prometheus' },
    { host, path: DASHBOARD_PATH, content: grafanaDashboard(inv), mode: 0o644, secret: false },
    ...composeFiles(inv, s).map((f) => ({ host, ...f, mode: f.secret ? 0o600 : 0o644 })),
    { host, path: K8S_PATH, content: kubernetesManifests(inv, s), mode: 0o644, secret: false, kind: 'kubernetes' },
  ];
}
