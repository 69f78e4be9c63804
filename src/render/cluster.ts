// Cluster-wide artifacts (host "cluster"): alert rules, docker-compose, Kubernetes manifests.
import type { Inventory } from '../inventory/schema.js';
import type { Secrets } from '../templates/common.js';
import type { RenderedFile } from './index.js';

export function clusterFiles(_inv: Inventory, _s: Secrets): RenderedFile[] {
  return [];
}
