// HAProxy settings (the inventory's haproxy section: timeouts, maxconn, check interval …) as a Plan: pure,
// from each load balancer's haproxy.cfg as the host has it and as it renders now. A host whose file differs
// gets one step: the new file installed (the old kept as .prev) and HAProxy reloaded — master-worker mode, so
// the old worker finishes its established sessions while a new one takes new connections, starting from the
// server states the old one had (server-state-file, see templates/haproxy.ts) —, verified by the
// write backend having exactly the master UP; a failed verify puts the old file back and reloads again.
// `haproxy -c` and the master-worker check run before the plan (live side), so a file HAProxy rejects
// changes nothing.
import type { Plan, Step } from '../core/types.js';

export interface LbState {
  host: string;
  /** haproxy.cfg as the host has it; undefined when missing. */
  live?: string;
  rendered: string;
}

export interface HaproxyChange {
  host: string;
  /** Setting lines only (no comments, no blank lines), as in the live file and in the render. */
  removed: string[];
  added: string[];
}

export interface HaproxyPlanInput {
  lbs: readonly LbState[];
  cfgPath: string;
  writeBackend: string;
  /** The master once the database steps are done: the one server of the write backend that must be UP. */
  master: string;
  /** Every database host: in the write backend the others must not be UP. */
  servers: readonly string[];
  verifyMs: number;
}

const settingLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

/** Lines only one side has, each side in its own order; a moved line is no change. */
export function lineDiff(live: string, rendered: string): { removed: string[]; added: string[] } {
  const count = (ls: string[]) => ls.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
  const a = settingLines(live);
  const b = settingLines(rendered);
  const take = (from: string[], other: Map<string, number>) =>
    from.filter((l) => {
      const n = other.get(l) ?? 0;
      if (n > 0) other.set(l, n - 1);
      return n === 0;
    });
  return { removed: take(a, count(b)), added: take(b, count(a)) };
}

export const haproxyPrev = (cfgPath: string) => `${cfgPath}.prev`;

export function planHaproxy(i: HaproxyPlanInput): { changes: HaproxyChange[]; steps: Step[] } {
  const changes: HaproxyChange[] = [];
  const steps: Step[] = [];
  for (const lb of i.lbs) {
    const d = lineDiff(lb.live ?? '', lb.rendered);
    if (lb.live !== undefined && !d.removed.length && !d.added.length) continue;
    changes.push({ host: lb.host, ...d });
    const prev = haproxyPrev(i.cfgPath);
    steps.push({
      id: `${lb.host}:haproxy-reload`,
      host: lb.host,
      phase: 'haproxy',
      describe:
        `install the new ${i.cfgPath} on ${lb.host} (the old one kept as ${prev}; checked by haproxy -c before any ` +
        `node was touched) and reload HAProxy: the old worker finishes its sessions, a new one takes new connections`,
      action: { kind: 'custom', name: 'haproxy-install', params: { path: i.cfgPath, prev, backend: i.writeBackend } },
      verify: {
        kind: 'haproxy-write-master',
        host: lb.host,
        what: `HAProxy ${lb.host}: a new worker answers on the stats socket, ${i.writeBackend} has exactly ${i.master} UP`,
        timeoutMs: i.verifyMs,
        intervalMs: 100,
        params: { backend: i.writeBackend, master: i.master, servers: [...i.servers] },
      },
      undo: { kind: 'custom', name: 'haproxy-restore', params: { path: i.cfgPath, prev, backend: i.writeBackend } },
    });
  }
  return { changes, steps };
}

/** The HAProxy part of the diff a person reads. */
export function haproxyChangesText(changes: readonly HaproxyChange[]): string {
  return changes
    .map((c) =>
      [`${c.host} (HAProxy, reload):`, ...c.removed.map((l) => `  - ${l}`), ...c.added.map((l) => `  + ${l}`)].join(
        '\n',
      ),
    )
    .join('\n');
}

export const haproxyPhase: Plan['phases'][number] = { name: 'haproxy', parallel: 1 };
