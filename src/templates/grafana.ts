// A Grafana dashboard for FalkorDB over what redis_exporter (Debian's 1.45) really exports, measured on the
// lab's exporter: memory, ops/s, replication offsets and lag, connected replicas, clients, and GRAPH.QUERY /
// GRAPH.RO_QUERY latency from the command stats (redis_commands_duration_seconds_total / redis_commands_total;
// the module's commands are labelled as Redis lists them, measured: cmd="graph.QUERY") and its p50/p99 from
// redis_latency_percentiles_usec. Import it in Grafana with the Prometheus data source chosen for ${DS_PROMETHEUS}.
import type { Inventory } from '../inventory/schema.js';
import { JOBS } from './monitoring.js';

export const DASHBOARD_PATH = '/grafana/falkordb-dashboard.json';

interface Panel {
  title: string;
  unit: string;
  targets: { expr: string; legend: string }[];
}

/** The panels, as data: the unit test checks every expression's metric names against the exporter's. */
export function dashboardPanels(): Panel[] {
  const node = `job="${JOBS.node}"`;
  const graphCmd = (c: string) =>
    `rate(redis_commands_duration_seconds_total{${node},cmd="${c}"}[5m]) / ` +
    `rate(redis_commands_total{${node},cmd="${c}"}[5m])`;
  return [
    {
      title: 'Node up (redis_up)',
      unit: 'none',
      targets: [{ expr: `redis_up{${node}}`, legend: '{{instance}}' }],
    },
    {
      title: 'Memory used / maxmemory',
      unit: 'bytes',
      targets: [
        { expr: `redis_memory_used_bytes{${node}}`, legend: '{{instance}} used' },
        { expr: `redis_memory_max_bytes{${node}}`, legend: '{{instance}} maxmemory' },
        { expr: `redis_memory_used_rss_bytes{${node}}`, legend: '{{instance}} RSS' },
      ],
    },
    {
      title: 'Commands per second',
      unit: 'ops',
      targets: [{ expr: `rate(redis_commands_processed_total{${node}}[1m])`, legend: '{{instance}}' }],
    },
    {
      title: 'Graph query latency (mean)',
      unit: 's',
      targets: [
        { expr: graphCmd('graph.QUERY'), legend: '{{instance}} GRAPH.QUERY' },
        { expr: graphCmd('graph.RO_QUERY'), legend: '{{instance}} GRAPH.RO_QUERY' },
      ],
    },
    {
      title: 'Graph query latency (p50, p99 since start)',
      unit: 'µs',
      targets: [
        {
          expr: `redis_latency_percentiles_usec{${node},cmd=~"graph\\\\.(QUERY|RO_QUERY)"}`,
          legend: '{{instance}} {{cmd}} p{{quantile}}',
        },
      ],
    },
    {
      title: 'Graph queries per second',
      unit: 'ops',
      targets: [
        {
          expr: `sum by (instance) (rate(redis_commands_total{${node},cmd=~"graph\\\\..*"}[1m]))`,
          legend: '{{instance}}',
        },
      ],
    },
    {
      title: 'Replication offsets',
      unit: 'bytes',
      targets: [
        { expr: `redis_master_repl_offset{${node}}`, legend: '{{instance}} master offset' },
        { expr: `redis_connected_slave_offset_bytes{${node}}`, legend: '{{instance}} → {{slave_ip}}' },
      ],
    },
    {
      title: 'Replication lag (bytes behind the master)',
      unit: 'bytes',
      targets: [
        {
          expr:
            `redis_master_repl_offset{${node}} - on(instance) group_right() ` +
            `redis_connected_slave_offset_bytes{${node}}`,
          legend: '{{slave_ip}}',
        },
      ],
    },
    {
      title: 'Replication lag (seconds since the last ack)',
      unit: 's',
      targets: [{ expr: `redis_connected_slave_lag_seconds{${node}}`, legend: '{{slave_ip}}' }],
    },
    {
      title: 'Connected replicas',
      unit: 'none',
      targets: [
        {
          expr: `redis_connected_slaves{${node}} and on(instance) redis_instance_info{role="master"}`,
          legend: '{{instance}}',
        },
      ],
    },
    {
      title: 'Connected clients',
      unit: 'none',
      targets: [{ expr: `redis_connected_clients{${node}}`, legend: '{{instance}}' }],
    },
  ];
}

export function grafanaDashboard(inv: Inventory): string {
  const ds = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
  const panels = dashboardPanels().map((p, i) => ({
    id: i + 1,
    type: 'timeseries',
    title: p.title,
    datasource: ds,
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    targets: p.targets.map((t, j) => ({
      refId: String.fromCharCode(65 + j),
      datasource: ds,
      expr: t.expr,
      legendFormat: t.legend,
    })),
  }));
  const doc = {
    __inputs: [{ name: 'DS_PROMETHEUS', label: 'Prometheus', type: 'datasource', pluginId: 'prometheus' }],
    title: `FalkorDB (cluster ${inv.cluster})`,
    uid: `falkordb-${inv.cluster}`.slice(0, 40),
    tags: ['falkordb', 'falkorctl'],
    timezone: 'utc',
    schemaVersion: 39,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    panels,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
