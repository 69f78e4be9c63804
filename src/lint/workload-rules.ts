// Rules that compose and Kubernetes share (ids carry the file kind), and those only one of them has.
import { report, rule } from './rule.js';
import type { Finding } from './types.js';
import { gib } from './yaml/units.js';

const shared = (k: 'compose' | 'kubernetes') => ({
  latest: rule(
    `${k}/image-latest`,
    'warning',
    'A floating tag pulls whatever was pushed last: nodes restarted on different days run different Redis/FalkorDB versions, and a rollback has nothing to return to.',
    'Pin a version tag (e.g. falkordb/falkordb:v4.10.3) or a digest.',
  ),
  argvPassword: rule(
    `${k}/password-in-argv`,
    'warning',
    'A password on a command line is visible to every user of the host in `ps` and /proc, and in `docker inspect`/`kubectl describe`.',
    'Use `REDISCLI_AUTH` in the environment (redis-cli reads it), or a probe script that reads the password from a mounted secret file.',
  ),
  sentinelRo: rule(
    `${k}/sentinel-config-readonly`,
    'error',
    'Sentinel rewrites its config file at start and on every failover (myid, epochs, the new master), by renaming a temporary file over it. On a read-only file it refuses to start; on a file bind-mounted on its own (compose `./x.conf:/etc/x.conf`, a subPath) the rename fails (EBUSY) and the failover is forgotten on restart.',
    'Mount a writable directory, copy the config into it at start (an init step), and point Sentinel at the copy.',
  ),
  redisRo: rule(
    `${k}/redis-config-readonly`,
    'warning',
    'A failover ends with CONFIG REWRITE on every node to persist its new role. The rewrite renames a temporary file over the config, which fails on a read-only file and on a file bind-mounted on its own (EBUSY); a node that restarts then comes back in its old role (an old master as a second master).',
    'Start redis-server from a copy of the config in a writable directory (copied from the template at start), on persistent storage.',
  ),
  noLimit: rule(
    `${k}/no-memory-limit`,
    'warning',
    "Without a memory limit the node can take the whole host's memory, and the scheduler cannot place it sensibly.",
    'Set a memory limit above maxmemory plus headroom for fork copy-on-write and buffers (≈ maxmemory × 1.5).',
  ),
  limitBelowMaxmemory: rule(
    `${k}/memory-limit-below-maxmemory`,
    'error',
    'The container is OOM-killed before Redis reaches maxmemory and refuses writes; a BGSAVE/AOF rewrite fork needs extra memory on top.',
    'Set the limit to about maxmemory × 1.5, or lower maxmemory to ~70% of the limit.',
  ),
});

export const WR = { compose: shared('compose'), kubernetes: shared('kubernetes') };

/** Memory limit against maxmemory: at or below it is an OOM kill waiting; under 25% above leaves no room for a fork. */
export function limitFindings(
  k: 'compose' | 'kubernetes',
  file: string,
  name: string,
  limit: number,
  limitLine: number,
  maxmemory: number | undefined,
): Finding[] {
  const r = WR[k].limitBelowMaxmemory;
  if (maxmemory === undefined) return [];
  if (limit <= maxmemory)
    return [report(r, file, limitLine, `${name}: memory limit ${gib(limit)} ≤ maxmemory ${gib(maxmemory)}`)];
  if (limit < maxmemory * 1.25)
    return [
      report(
        r,
        file,
        limitLine,
        `${name}: memory limit ${gib(limit)} leaves under 25% above maxmemory ${gib(maxmemory)}`,
        'warning',
      ),
    ];
  return [];
}

export const C = {
  yaml: rule(
    'compose/yaml-syntax',
    'error',
    'docker compose refuses a file it cannot parse.',
    'Fix the YAML syntax at this line.',
  ),
  version: rule(
    'compose/version-obsolete',
    'info',
    'The top-level `version:` key is ignored by Compose v2 and prints a warning.',
    'Remove the `version:` line.',
  ),
  sharedSentinel: rule(
    'compose/sentinel-shared-config',
    'error',
    "Several Sentinel tasks rewriting one shared file overwrite each other's myid and state; Sentinels with the same myid ignore each other and never reach a quorum.",
    'Give each Sentinel its own writable config (one service per Sentinel, or copy a template at start).',
  ),
  sharedData: rule(
    'compose/shared-data-volume',
    'error',
    "Several tasks of one database service mount the same volume; two of them on one node write the same AOF/RDB files and corrupt each other's data.",
    'Run each node as its own service with its own volume, or add `deploy.placement.max_replicas_per_node: 1`.',
  ),
  stopGrace: rule(
    'compose/short-stop-grace',
    'warning',
    'On stop, Redis saves its dataset before exiting; docker kills it after stop_grace_period (10 s by default), in the middle of the save, and the restart then loads an older file or replays a long AOF.',
    'Set `stop_grace_period` to well above the time a save takes (minutes for large datasets, e.g. 10m).',
  ),
  noHealthcheck: rule(
    'compose/no-healthcheck',
    'info',
    'Without a healthcheck, Compose and Swarm consider a node healthy while it is still loading or stuck.',
    'Add a healthcheck that runs PING with REDISCLI_AUTH.',
  ),
  published: rule(
    'compose/port-published',
    'warning',
    'Publishing a Redis or Sentinel port binds it on every interface of the host, bypassing host firewalls (Docker inserts its own iptables rules).',
    'Publish on a private address (e.g. "10.0.0.5:6379:6379") or keep the port on the internal network only.',
  ),
  exporterOneNode: rule(
    'compose/exporter-single-node',
    'warning',
    "An exporter pointed at the master's name follows whichever node has that name: after a failover it scrapes a replica and the new master is not monitored.",
    'Scrape every node (one exporter per node, or the multi-target /scrape?target= endpoint).',
  ),
};

export const K = {
  yaml: rule(
    'kubernetes/yaml-syntax',
    'error',
    'kubectl refuses a manifest it cannot parse.',
    'Fix the YAML syntax at this line.',
  ),
  emptyDir: rule(
    'kubernetes/emptydir-data',
    'error',
    'emptyDir lives and dies with the pod: a reschedule, eviction or node drain deletes the data, and the node must copy the full dataset again.',
    'Use a StatefulSet with volumeClaimTemplates (a PersistentVolumeClaim per pod).',
  ),
  deployment: rule(
    'kubernetes/database-in-deployment',
    'warning',
    'Deployment pods have random names and no per-pod storage: Sentinel and replicas cannot address a stable node, and a rolling update can replace all of them at once.',
    'Run database nodes as a StatefulSet with a headless Service.',
  ),
  noReadiness: rule(
    'kubernetes/no-readiness-probe',
    'warning',
    'Without a readiness probe the Service sends clients to a pod that is still loading its dataset (LOADING errors) or resyncing.',
    'Add a readinessProbe that checks PING (and role/master_link_status for replicas).',
  ),
  noStartup: rule(
    'kubernetes/liveness-during-load',
    'warning',
    'Loading a large dataset takes minutes; a liveness probe that fails meanwhile (LOADING) restarts the pod in a loop and it never comes up.',
    'Add a startupProbe with a generous failureThreshold, or make the liveness probe accept LOADING.',
  ),
  probeVar: rule(
    'kubernetes/probe-var-not-expanded',
    'error',
    'In exec probe commands the kubelet substitutes $(VAR) only from literal `value:` env entries (ExpandContainerCommandOnlyStatic; kubernetes/kubernetes#40846): a variable set with valueFrom/secretKeyRef becomes an empty string, so the probe never authenticates.',
    'Run the probe through a shell (`sh -c \'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping\'`).',
  ),
  configUnused: rule(
    'kubernetes/config-not-used',
    'warning',
    "The container mounts a Redis config but its command does not name it: redis-server reads a config file only when given its path, so none of these settings (password, persistence, memory) apply unless the image's entrypoint happens to read that exact path.",
    'Set `command: ["redis-server", "/path/to/falkordb.conf"]` (or args) so the mounted config is the one used.',
  ),
  noPdb: rule(
    'kubernetes/no-pod-disruption-budget',
    'warning',
    'A node drain can evict the master and replicas at the same time.',
    'Add a PodDisruptionBudget (maxUnavailable: 1) that selects the database pods.',
  ),
  noAntiAffinity: rule(
    'kubernetes/no-anti-affinity',
    'warning',
    'Nothing stops the scheduler from putting master and replicas on one node, whose loss then takes them all.',
    'Add podAntiAffinity (requiredDuringScheduling…, topologyKey kubernetes.io/hostname) across the database pods.',
  ),
  missingService: rule(
    'kubernetes/missing-service',
    'warning',
    "A StatefulSet's serviceName must name a headless Service; without it the pods get no DNS names and replicas cannot find the master.",
    'Add the headless Service (clusterIP: None) with that name, or make sure it exists elsewhere.',
  ),
  termGrace: rule(
    'kubernetes/short-termination-grace',
    'warning',
    'On stop, Redis saves its dataset before exiting; the kubelet kills it after terminationGracePeriodSeconds (30 s by default), in the middle of the save.',
    'Set `terminationGracePeriodSeconds` well above the time a save takes (e.g. 600).',
  ),
  exposed: rule(
    'kubernetes/service-exposed',
    'warning',
    'A LoadBalancer or NodePort Service puts the Redis/Sentinel port on an address outside the cluster network, where anyone who can reach it can try passwords or, on Sentinel, redirect clients.',
    'Use a ClusterIP (or headless) Service; reach the cluster from outside through a VPN or a TLS proxy with authentication.',
  ),
  noFailover: rule(
    'kubernetes/no-failover',
    'warning',
    'The manifests run a master and replicas but nothing promotes a replica when the master fails: writes stop until someone intervenes.',
    'Run three Sentinels (or an operator) and have clients discover the master through them.',
  ),
};
