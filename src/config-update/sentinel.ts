// Sentinel settings change the one way Sentinel allows for a monitored master: SENTINEL SET on every Sentinel,
// which Sentinel itself persists in its own file (a rewrite of that file by us would fight Sentinel's state:
// epochs, known replicas and Sentinels). Verified by SENTINEL MASTER on each. Pure.
import type { Step } from '../core/types.js';

/** SENTINEL SET names → what SENTINEL MASTER reports them as. */
export const SENTINEL_SETTINGS = ['down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'quorum'] as const;
export type SentinelSetting = (typeof SENTINEL_SETTINGS)[number];

export interface SentinelState {
  host: string;
  port: number;
  /** SENTINEL MASTER <name> as pairs. */
  master: Readonly<Record<string, unknown>>;
}

export interface SentinelChange {
  host: string;
  name: SentinelSetting;
  from: string;
  to: string;
}

export function planSentinels(
  states: readonly SentinelState[],
  want: Readonly<Record<SentinelSetting, number>>,
  masterName: string,
  verifyMs: number,
): { changes: SentinelChange[]; steps: Step[] } {
  const changes: SentinelChange[] = [];
  const steps: Step[] = [];
  for (const s of states) {
    const mine = SENTINEL_SETTINGS.filter((k) => String(s.master[k]) !== String(want[k])).map((k) => ({
      host: s.host,
      name: k,
      from: String(s.master[k]),
      to: String(want[k]),
    }));
    if (!mine.length) continue;
    changes.push(...mine);
    steps.push({
      id: `${s.host}:sentinel-set`,
      host: s.host,
      phase: 'sentinels',
      describe: `SENTINEL SET ${masterName} ${mine.map((c) => `${c.name} ${c.from} → ${c.to}`).join(', ')} on ${s.host}`,
      action: {
        kind: 'redis',
        service: 'sentinel',
        port: s.port,
        args: ['SENTINEL', 'SET', masterName, ...mine.flatMap((c) => [c.name, c.to])],
      },
      verify: {
        kind: 'sentinel-config',
        host: s.host,
        what: `${s.host}: SENTINEL MASTER ${masterName} reports ${mine.map((c) => `${c.name} ${c.to}`).join(', ')}`,
        timeoutMs: verifyMs,
        intervalMs: 200,
        params: { masterName, want: Object.fromEntries(mine.map((c) => [c.name, c.to])) },
      },
      undo: {
        kind: 'redis',
        service: 'sentinel',
        port: s.port,
        args: ['SENTINEL', 'SET', masterName, ...mine.flatMap((c) => [c.name, c.from])],
      },
    });
  }
  return { changes, steps };
}
