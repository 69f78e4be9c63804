// The flags of the opt-in checks (checklist --load-test, --failover-test), validated before any host is asked.
// Pure. A threshold flag without its test, or a test whose check the selection leaves out (--phase, --only,
// --skip), is a usage error: silently not running what was asked for — or running a failover whose result
// would then be filtered away — is worse than saying so.
import { userError } from '../errors.js';

export interface ActiveOptions {
  load?: { durationS: number; p99Ms: number };
  failover?: { maxUnavailableMs: number };
}

export const ACTIVE_DEFAULTS = {
  /** Long enough for a few thousand writes and a p99 over them; short enough to run before every go-live. */
  loadDurationS: 10,
  /** Bounded: a soak test is a benchmark's job, not a checklist item's. */
  loadMaxDurationS: 300,
  /**
   * A write on the same network is ~1 ms (a one-node GRAPH.QUERY CREATE a few ms); a p99 above 50 ms means
   * writes stall (swap, a fork for an RDB save or AOF rewrite, fsync, saturated CPU, a slow path through
   * HAProxy) — what an interactive application notices.
   */
  loadP99Ms: 50,
  /**
   * The longest window without an acknowledged write: switchover's promise is a pause under 1 s (measured
   * 0.40–0.53 s in the lab); a longer window means a slower path ran (HAProxy's health checks instead of the
   * runtime flip, a missed Sentinel INFO cycle), which a client timeout of a second would already see.
   */
  failoverMaxUnavailableMs: 1000,
} as const;

const num = (flag: string, v: unknown, def: number, ok: (n: number) => boolean, what: string): number => {
  if (v === undefined) return def;
  const n = Number(v);
  if (typeof v === 'boolean' || !Number.isFinite(n) || !ok(n))
    throw userError(`${flag} ${typeof v === 'string' ? v : JSON.stringify(v)}: ${what}`);
  return n;
};

export function activeOptions(
  opts: Record<string, unknown>,
  o: { wanted: (id: string) => boolean; dryRun: boolean },
): ActiveOptions {
  const load = opts.loadTest === true;
  const failover = opts.failoverTest === true;
  for (const [flag, key, test, by] of [
    ['--load-duration', 'loadDuration', load, '--load-test'],
    ['--load-p99', 'loadP99', load, '--load-test'],
    ['--failover-max-unavailable', 'failoverMaxUnavailable', failover, '--failover-test'],
  ] as const)
    if (opts[key] !== undefined && !test) throw userError(`${flag} sets a threshold of ${by}: give ${by} too`);
  for (const [flag, id, on] of [
    ['--load-test', 'active.load', load],
    ['--failover-test', 'active.failover', failover],
  ] as const) {
    if (!on) continue;
    if (o.dryRun) throw userError(`${flag} writes to the cluster: not with --dry-run`);
    if (!o.wanted(id))
      throw userError(`${flag}: its check ${id} (a deployment step) is left out by --phase, --only or --skip`);
  }
  const max = ACTIVE_DEFAULTS.loadMaxDurationS;
  return {
    ...(load
      ? {
          load: {
            durationS: num(
              '--load-duration',
              opts.loadDuration,
              ACTIVE_DEFAULTS.loadDurationS,
              (n) => n >= 1 && n <= max,
              `seconds, 1 to ${max}`,
            ),
            p99Ms: num('--load-p99', opts.loadP99, ACTIVE_DEFAULTS.loadP99Ms, (n) => n > 0, 'milliseconds > 0'),
          },
        }
      : {}),
    ...(failover
      ? {
          failover: {
            maxUnavailableMs: num(
              '--failover-max-unavailable',
              opts.failoverMaxUnavailable,
              ACTIVE_DEFAULTS.failoverMaxUnavailableMs,
              (n) => n > 0,
              'milliseconds > 0',
            ),
          },
        }
      : {}),
  };
}
