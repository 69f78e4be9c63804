// Prometheus alert rules over redis_exporter's metric names (one exporter per node and per Sentinel).
// Every ratio guards its denominator: redis_memory_max_bytes is 0 when maxmemory is unset.
import { stringify } from 'yaml';
import type { Inventory } from '../inventory/schema.js';
import { replicaHosts } from '../inventory/topology.js';
import { header, sentinels } from './common.js';
import { JOBS } from './monitoring.js';

export const ALERTS_PATH = '/prometheus/falkordb-alerts.yml';

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string };
}

const makeRule = (
  alert: string,
  expr: string,
  forDur: string,
  severity: Rule['labels']['severity'],
  summary: string,
  description: string,
): Rule => ({
  alert,
  expr,
  for: forDur,
  labels: { severity },
  annotations: { summary, description },
});

/** The rules, as data: what alertRules renders and what the checks expect Prometheus to have loaded. */
export function ruleList(inv: Inventory): Rule[] {
  const m = inv.monitoring;
  // monitoring.alertFor replaces every rule's own `for:` (a short one in the lab, so a test sees an alert fire)
  const rule = (...a: Parameters<typeof makeRule>) => {
    const r = makeRule(...a);
    return m.alertFor === undefined ? r : { ...r, for: m.alertFor };
  };
  const name = inv.sentinel.masterName;
  const nReplicas = replicaHosts(inv).length;
  const persist = inv.redis.persistence;
  const rules: Rule[] = [
    rule(
      'FalkorDBDown',
      `redis_up{job="${JOBS.node}"} == 0`,
      '1m',
      'critical',
      'FalkorDB node {{ $labels.instance }} is down',
      'redis_exporter cannot reach the node (stopped, crashed, or refusing its password).',
    ),
    rule(
      'FalkorDBExporterDown',
      `up{job=~"${JOBS.node}|${JOBS.sentinel}"} == 0`,
      '1m',
      'critical',
      'redis_exporter on {{ $labels.instance }} does not answer',
      'Prometheus cannot scrape it: the host is down, the exporter stopped, or a firewall drops the port. Every other alert for this host is blind meanwhile.',
    ),
    rule(
      'FalkorDBMasterCount',
      '(count(redis_instance_info{role="master"}) or vector(0)) != 1',
      '1m',
      'critical',
      'Not exactly one FalkorDB master',
      'No master means no writes; two masters mean a split brain. Counts every node this Prometheus scrapes: one cluster per Prometheus (or add a cluster label).',
    ),
    rule(
      'FalkorDBMemoryHigh',
      `redis_memory_used_bytes / (redis_memory_max_bytes > 0) > ${m.memoryWarnRatio}`,
      '5m',
      'warning',
      'FalkorDB {{ $labels.instance }} uses {{ $value | humanizePercentage }} of maxmemory',
      'With maxmemory-policy noeviction, writes fail once maxmemory is reached.',
    ),
    rule(
      'FalkorDBMemoryFull',
      'redis_memory_used_bytes / (redis_memory_max_bytes > 0) > 0.98',
      '1m',
      'critical',
      'FalkorDB {{ $labels.instance }} is at maxmemory and refuses writes',
      'Raise maxmemory (and the host RAM) or delete data.',
    ),
    rule(
      'FalkorDBRejectedConnections',
      'increase(redis_rejected_connections_total[5m]) > 0',
      '0m',
      'warning',
      'FalkorDB {{ $labels.instance }} rejected connections',
      'maxclients was reached.',
    ),
    rule(
      'FalkorDBClientsNearLimit',
      'redis_connected_clients / (redis_config_maxclients > 0) > 0.9',
      '5m',
      'warning',
      'FalkorDB {{ $labels.instance }} is near maxclients',
      'New connections are refused at the limit.',
    ),
  ];
  if (nReplicas > 0)
    rules.push(
      rule(
        'FalkorDBReplicaLinkDown',
        'redis_master_link_up == 0',
        '1m',
        'critical',
        'Replica {{ $labels.instance }} lost its link to the master',
        'It serves stale data (or none) until the link is back.',
      ),
      rule(
        'FalkorDBReplicasMissing',
        `redis_connected_slaves < ${nReplicas} and on(instance) redis_instance_info{role="master"}`,
        '2m',
        'warning',
        'The master {{ $labels.instance }} has {{ $value }} of ${nReplicas} replicas',
        'Fewer replicas means less redundancy and fewer failover candidates.',
      ),
      rule(
        'FalkorDBReplicationLagBytes',
        `(redis_master_repl_offset - on(instance) group_right() redis_connected_slave_offset_bytes) > ${m.replicationLagBytes}`,
        '2m',
        'warning',
        'Replica {{ $labels.slave_ip }} is {{ $value | humanize1024 }}B behind the master',
        'A failover now would lose these writes.',
      ),
      rule(
        'FalkorDBReplicationLagSeconds',
        `redis_connected_slave_lag_seconds > ${inv.redis.minReplicasMaxLag}`,
        '1m',
        'warning',
        'Replica {{ $labels.slave_ip }} has not acknowledged for {{ $value }}s',
        'Beyond min-replicas-max-lag it no longer counts for min-replicas-to-write.',
      ),
    );
  if (persist === 'hybrid' || persist === 'rdb') {
    rules.push(
      rule(
        'FalkorDBSnapshotFailed',
        'redis_rdb_last_bgsave_status == 0',
        '1m',
        'critical',
        'The last RDB snapshot on {{ $labels.instance }} failed',
        'With stop-writes-on-bgsave-error the node refuses writes until a save succeeds; check disk space and the log.',
      ),
    );
  }
  if (persist === 'hybrid' || persist === 'aof') {
    rules.push(
      rule(
        'FalkorDBAofRewriteFailed',
        'redis_aof_last_bgrewrite_status == 0',
        '1m',
        'critical',
        'The last AOF rewrite on {{ $labels.instance }} failed',
        'The AOF keeps growing; check disk space and the log.',
      ),
      rule(
        'FalkorDBAofWriteFailed',
        'redis_aof_last_write_status == 0',
        '1m',
        'critical',
        'AOF writes fail on {{ $labels.instance }}',
        'The node refuses writes while it cannot append to the AOF.',
      ),
    );
  }
  if (sentinels(inv).length > 0) {
    const sel = `{master_name="${name}"}`;
    rules.push(
      rule(
        'FalkorDBSentinelDown',
        `redis_up{job="${JOBS.sentinel}"} == 0`,
        '1m',
        'warning',
        'Sentinel on {{ $labels.instance }} is down',
        'One Sentinel fewer to agree on a failover.',
      ),
      rule(
        'FalkorDBSentinelMasterNotOk',
        `redis_sentinel_master_status${sel} == 0`,
        '1m',
        'critical',
        `Sentinel {{ $labels.instance }} sees master ${name} as not ok`,
        'The master is down (s_down/o_down) as seen by this Sentinel.',
      ),
      rule(
        'FalkorDBSentinelQuorumAtRisk',
        `redis_sentinel_master_ok_sentinels${sel} < ${inv.sentinel.quorum}`,
        '1m',
        'critical',
        `Fewer than ${inv.sentinel.quorum} Sentinels are healthy for ${name}`,
        'Below the quorum no failover can be authorised.',
      ),
    );
    if (nReplicas > 0) {
      rules.push(
        rule(
          'FalkorDBSentinelReplicasDown',
          `redis_sentinel_master_ok_slaves${sel} < ${nReplicas}`,
          '2m',
          'warning',
          `Sentinel sees fewer than ${nReplicas} healthy replicas of ${name}`,
          'Fewer failover candidates.',
        ),
      );
    }
  }
  return rules;
}

export function alertRules(inv: Inventory): string {
  const doc = { groups: [{ name: `falkordb-${inv.cluster}`, rules: ruleList(inv) }] };
  return `${header(inv, `Prometheus alert rules — check with: promtool check rules ${ALERTS_PATH.slice(1)}`)}\n${stringify(doc, { lineWidth: 0 })}`;
}
