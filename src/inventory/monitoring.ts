// The inventory's `monitoring` section: redis_exporter on every database host, and on the monitoring hosts
// Prometheus (scrape config + alert rules) and Alertmanager (the receivers named here). Kept beside
// schema.ts so the section's fields and their bounds read in one place.
import { z } from 'zod';
import { checked, hostPath, int53, matching, port } from './fields.js';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, -)');

/** A Prometheus duration (model.ParseDuration): units largest first, at least one, e.g. 1m30s, 15s, 500ms. */
export const duration = matching(
  32,
  /^(?=\d)((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/,
  'must be a Prometheus duration such as 30s, 1m, 1h30m (units y w d h m s ms, largest first)',
);

/** An http(s) URL Alertmanager posts to; no spaces or quotes, so it renders as a plain YAML scalar. */
const webhookUrl = checked(2048, {
  re: /^https?:\/\/[^\s"'\\]+$/,
  message: 'must be an http:// or https:// URL without spaces or quotes',
});

const email = matching(254, /^[^\s@"'\\]+@[^\s@"'\\]+$/, 'must be an e-mail address');

export const receiver = z
  .object({
    name: matching(64, /^[A-Za-z0-9_.-]+$/, 'must be letters, digits, ".", "_" or "-"'),
    /** Only alerts of this severity reach the receiver; absent = every alert. */
    severity: z.enum(['critical', 'warning']).optional(),
    webhooks: z.array(webhookUrl).max(16).default([]),
    emails: z
      .array(
        z
          .object({
            to: email,
            from: email,
            /** host:port of the SMTP relay. */
            smarthost: matching(260, /^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port'),
            requireTls: z.boolean().default(true),
          })
          .strict(),
      )
      .max(16)
      .default([]),
  })
  .strict();

export const monitoring = z
  .object({
    exporterPort: port().default(9121),
    /** Debian's prometheus-redis-exporter; deploy installs the package when the binary is missing. */
    exporterBinary: hostPath().default('/usr/bin/prometheus-redis-exporter'),
    memoryWarnRatio: z.number().min(0.01).max(0.99).default(0.85),
    replicationLagBytes: int53(1).default(10_000_000),
    /** Hosts that run Prometheus and Alertmanager. Default: every host with role monitoring. */
    hosts: z.array(name).max(16).optional(),
    prometheusPort: port().default(9090),
    alertmanagerPort: port().default(9093),
    prometheusBinary: hostPath().default('/usr/bin/prometheus'),
    alertmanagerBinary: hostPath().default('/usr/bin/prometheus-alertmanager'),
    scrapeInterval: duration.default('15s'),
    retention: duration.default('15d'),
    /** When set, every alert rule's `for:` is this (a lab or test knob); otherwise each rule has its own. */
    alertFor: duration.optional(),
    receivers: z.array(receiver).max(64).default([]),
  })
  .strict();

export type Monitoring = z.output<typeof monitoring>;
export type Receiver = z.output<typeof receiver>;
