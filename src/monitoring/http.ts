// Readers of what redis_exporter and Prometheus answer (fetched on the host by probe.ts): a sample from the
// text format, Prometheus's targets, alerts and rules.
/** The value of an unlabelled sample (`redis_up 1`) in Prometheus text format, or undefined. */
export function sample(metrics: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : undefined;
}

export interface TargetHealth {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}

/** Prometheus /api/v1/targets → each active target's job, instance and health. */
export function parseTargets(body: string): TargetHealth[] {
  const j = JSON.parse(body) as {
    data?: { activeTargets?: { labels?: Record<string, string>; health?: string; lastError?: string }[] };
  };
  return (j.data?.activeTargets ?? []).map((t) => ({
    job: t.labels?.job ?? '',
    instance: t.labels?.instance ?? '',
    health: t.health ?? 'unknown',
    lastError: t.lastError ?? '',
  }));
}

export interface AlertState {
  name: string;
  state: string;
  instance: string;
}

/** Prometheus /api/v1/alerts → each pending or firing alert. */
export function parseAlerts(body: string): AlertState[] {
  const j = JSON.parse(body) as { data?: { alerts?: { labels?: Record<string, string>; state?: string }[] } };
  return (j.data?.alerts ?? []).map((a) => ({
    name: a.labels?.alertname ?? '',
    state: a.state ?? '',
    instance: a.labels?.instance ?? '',
  }));
}

/** Prometheus /api/v1/rules → the names of the alerting rules it has loaded. */
export function parseRuleNames(body: string): string[] {
  const j = JSON.parse(body) as { data?: { groups?: { rules?: { name?: string; type?: string }[] }[] } };
  return (j.data?.groups ?? []).flatMap((g) =>
    (g.rules ?? []).filter((r) => r.type === 'alerting').map((r) => r.name ?? ''),
  );
}
