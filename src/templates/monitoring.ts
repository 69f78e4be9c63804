// The monitoring host's files: Prometheus (scrape config over every exporter, the alert rules) and
// Alertmanager (the inventory's receivers), each run from Debian's binaries by a unit of falkorctl's own, so a
// Prometheus the host already runs from the package (prometheus.service, /etc/prometheus) is never touched.
// StateDirectory= gives each daemon its data directory, owned by its user, created by systemd at start.
import { stringify } from 'yaml';
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts, monitoringHosts, sentinelHosts } from '../inventory/topology.js';
import { header, lines } from './common.js';
import { sentinelUri } from './exporter.js';
import { safePath } from './quote.js';

/** host:port as Go's net.SplitHostPort reads it: an IPv6 address in brackets. */
export const hostPort = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

export const PROMETHEUS_DIR = '/etc/falkorctl/prometheus';
export const PROMETHEUS_YML = `${PROMETHEUS_DIR}/prometheus.yml`;
export const RULES_YML = `${PROMETHEUS_DIR}/falkordb-alerts.yml`;
export const ALERTMANAGER_YML = '/etc/falkorctl/alertmanager/alertmanager.yml';
export const PROMETHEUS_UNIT = '/etc/systemd/system/falkorctl-prometheus.service';
export const ALERTMANAGER_UNIT = '/etc/systemd/system/falkorctl-alertmanager.service';
/** The Debian package's user: it owns the data directories (the packages create it). */
export const PROMETHEUS_USER = 'prometheus';
export const ALERTMANAGER_CLUSTER_PORT = 9094;

/** Jobs and what each scrapes: the node job reads /metrics, the Sentinel job asks the same exporter for its Sentinel. */
export const JOBS = { node: 'falkordb', sentinel: 'falkordb-sentinel' } as const;

export interface ScrapeTarget {
  job: string;
  host: string;
  /** host:port of the exporter. */
  address: string;
}

/** Every target the rendered Prometheus scrapes, in render order: what `status` and the lab test expect up. */
export function scrapeTargets(inv: Inventory): ScrapeTarget[] {
  const port = inv.monitoring.exporterPort;
  const at = (h: Host) => hostPort(h.address, port);
  return [
    ...dbHosts(inv).map((h) => ({ job: JOBS.node, host: h.name, address: at(h) })),
    ...sentinelHosts(inv).map((h) => ({ job: JOBS.sentinel, host: h.name, address: at(h) })),
  ];
}

export function prometheusYml(inv: Inventory, h: Host): string {
  const m = inv.monitoring;
  const staticFor = (job: string) =>
    scrapeTargets(inv)
      .filter((t) => t.job === job)
      .map((t) => ({ targets: [t.address], labels: { instance: t.host } }));
  const alertmanagers = monitoringHosts(inv).map((x) =>
    x.name === h.name ? `127.0.0.1:${m.alertmanagerPort}` : hostPort(x.address, m.alertmanagerPort),
  );
  const doc = {
    global: {
      scrape_interval: m.scrapeInterval,
      evaluation_interval: m.scrapeInterval,
      external_labels: { cluster: inv.cluster },
    },
    alerting: { alertmanagers: [{ static_configs: [{ targets: alertmanagers }] }] },
    rule_files: [RULES_YML],
    scrape_configs: [
      { job_name: JOBS.node, static_configs: staticFor(JOBS.node) },
      ...(sentinelHosts(inv).length
        ? [
            {
              job_name: JOBS.sentinel,
              metrics_path: '/scrape',
              params: { target: [sentinelUri(inv)] },
              static_configs: staticFor(JOBS.sentinel),
            },
          ]
        : []),
    ].filter((j) => j.static_configs.length > 0),
  };
  return `${header(inv, `Prometheus on ${h.name} — check with: promtool check config ${PROMETHEUS_YML}`)}\n${stringify(doc, { lineWidth: 0 })}`;
}

const NONE = 'falkorctl-none';

export function alertmanagerYml(inv: Inventory, h: Host): string {
  const rs = inv.monitoring.receivers;
  const doc = {
    route: {
      // alerts no receiver takes stay visible in Alertmanager (and Prometheus), and go nowhere
      receiver: NONE,
      group_by: ['alertname', 'instance'],
      group_wait: '10s',
      group_interval: '1m',
      repeat_interval: '4h',
      ...(rs.length
        ? {
            routes: rs.map((r) => ({
              receiver: r.name,
              ...(r.severity ? { matchers: [`severity="${r.severity}"`] } : {}),
              continue: true,
            })),
          }
        : {}),
    },
    receivers: [
      { name: NONE },
      ...rs.map((r) => ({
        name: r.name,
        ...(r.webhooks.length ? { webhook_configs: r.webhooks.map((url) => ({ url, send_resolved: true })) } : {}),
        ...(r.emails.length
          ? {
              email_configs: r.emails.map((e) => ({
                to: e.to,
                from: e.from,
                smarthost: e.smarthost,
                require_tls: e.requireTls,
                send_resolved: true,
              })),
            }
          : {}),
      })),
    ],
  };
  return `${header(inv, `Alertmanager on ${h.name} — check with: amtool check-config ${ALERTMANAGER_YML}`)}\n${stringify(doc, { lineWidth: 0 })}`;
}

const hardening = [
  'NoNewPrivileges=yes',
  'PrivateTmp=yes',
  'ProtectHome=yes',
  'ProtectSystem=strict',
  'LimitNOFILE=32768',
];

export function prometheusUnit(inv: Inventory, h: Host): string {
  const m = inv.monitoring;
  return lines(
    header(inv, `Prometheus on ${h.name} — ${PROMETHEUS_UNIT}`),
    '[Unit]',
    `Description=Prometheus for FalkorDB (cluster ${inv.cluster})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    `User=${PROMETHEUS_USER}`,
    'StateDirectory=falkorctl-prometheus',
    `ExecStart=${safePath('monitoring.prometheusBinary', m.prometheusBinary)} --config.file=${PROMETHEUS_YML} ` +
      `--storage.tsdb.path=/var/lib/falkorctl-prometheus --storage.tsdb.retention.time=${m.retention} ` +
      `--web.listen-address=:${m.prometheusPort}`,
    '# a new config or new rules: reloaded in place, the series kept',
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=on-failure',
    'RestartSec=5s',
    'TimeoutStopSec=60s',
    ...hardening,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  );
}

export function alertmanagerUnit(inv: Inventory, h: Host): string {
  const m = inv.monitoring;
  const peers = monitoringHosts(inv).filter((x) => x.name !== h.name);
  // one Alertmanager: no gossip port; several: they gossip so each alert is sent once
  const cluster = peers.length
    ? [
        `--cluster.listen-address=${hostPort(h.address, ALERTMANAGER_CLUSTER_PORT)}`,
        ...peers.map((p) => `--cluster.peer=${hostPort(p.address, ALERTMANAGER_CLUSTER_PORT)}`),
      ]
    : ['--cluster.listen-address='];
  return lines(
    header(inv, `Alertmanager on ${h.name} — ${ALERTMANAGER_UNIT}`),
    '[Unit]',
    `Description=Alertmanager for FalkorDB (cluster ${inv.cluster})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    `User=${PROMETHEUS_USER}`,
    'StateDirectory=falkorctl-alertmanager',
    `ExecStart=${safePath('monitoring.alertmanagerBinary', m.alertmanagerBinary)} --config.file=${ALERTMANAGER_YML} ` +
      `--storage.path=/var/lib/falkorctl-alertmanager --web.listen-address=:${m.alertmanagerPort} ${cluster.join(' ')}`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=on-failure',
    'RestartSec=5s',
    ...hardening,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  );
}
