// config update as a Plan: pure, from each node's new falkordb.conf and what the node runs now (CONFIG GET,
// GRAPH.CONFIG GET, its file). Every difference is a change, classed runtime (CONFIG SET / GRAPH.CONFIG SET
// now) or restart (the file only; it takes effect at the next restart). Nodes one at a time, replicas first
// and the master last: each node's runtime changes, then its new file (the old one kept as .prev), verified
// (the values live, a replica linked and in sync) before the next node is touched.
import type { Action, CheckSpec, Plan, Step } from '../core/types.js';
import { sameMeaning } from '../deploy/redis-conf.js';
import { classify, IDENTITY, normalize, sameValue, type ChangeClass, type SettingKind } from './classify.js';
import { desiredOf } from './desired.js';

export interface NodeState {
  host: string;
  role: 'master' | 'replica';
  port: number;
  /** CONFIG GET answers by name; a name missing is one CONFIG GET does not know. */
  redis: Readonly<Record<string, string>>;
  /** GRAPH.CONFIG GET * by name. */
  module: Readonly<Record<string, string>>;
  /** Its falkordb.conf as the host has it; undefined when missing. */
  file?: string;
  /** The file it should have: rendered against the live roles, with the --set overrides. */
  rendered: string;
}

export interface ConfigPlanInput {
  nodes: readonly NodeState[];
  modulePath: string;
  confPath: string;
  /** The master's address:port, which a replica's verify expects it to follow. */
  masterAddr: string;
  master: string;
  maxLagBytes: number;
  verifyMs: number;
  /**
   * Hosts restarted by --restart (they have a restart-only change): nothing happens to them here; their file is
   * written right before their restart and every change verified after it (see restart.ts).
   */
  restartHosts?: ReadonlySet<string>;
}

export interface Change {
  host: string;
  kind: SettingKind;
  name: string;
  /** The live value; undefined when the node does not report one. */
  from?: string;
  to: string;
  cls: ChangeClass;
}

export interface ConfigPlan {
  changes: Change[];
  /** Hosts whose file differs from the render although every live value matches (written, nothing set). */
  fileOnly: string[];
  /** Changes config update does not make (ports, addresses, the data directory): deploy's job. */
  refused: Change[];
  plan: Plan;
}

export const prevPath = (confPath: string) => `${confPath}.prev`;

function changesOf(n: NodeState, modulePath: string): Change[] {
  const want = desiredOf(n.rendered, modulePath);
  const out: Change[] = [];
  for (const [name, args] of want.redis) {
    const to = args.join(' ');
    const from = n.redis[name];
    if (from !== undefined && sameValue('redis', from, to)) continue;
    out.push({
      host: n.host,
      kind: 'redis',
      name,
      ...(from !== undefined ? { from } : {}),
      to,
      cls: live(from, 'redis', name),
    });
  }
  for (const [name, to] of want.module) {
    const from = n.module[name];
    if (from !== undefined && sameValue('module', from, to)) continue;
    out.push({
      host: n.host,
      kind: 'module',
      name,
      ...(from !== undefined ? { from } : {}),
      to,
      cls: live(from, 'module', name),
    });
  }
  return out;
}

/** A setting the node does not report cannot be set on it: only a start can tell whether it is right. */
const live = (from: string | undefined, kind: SettingKind, name: string): ChangeClass =>
  from === undefined ? 'restart' : classify(kind, name);

export const setArgs = (c: Pick<Change, 'kind' | 'name'>, value: string): [string, ...string[]] =>
  c.kind === 'module' ? ['GRAPH.CONFIG', 'SET', c.name, value] : ['CONFIG', 'SET', c.name, value];

const redisAction = (port: number, args: [string, ...string[]]): Action => ({
  kind: 'redis',
  service: 'node',
  port,
  args,
});

export function verifyOf(
  n: Pick<NodeState, 'host' | 'role'>,
  runtime: readonly Change[],
  i: Pick<ConfigPlanInput, 'master' | 'masterAddr' | 'maxLagBytes' | 'verifyMs'>,
): CheckSpec {
  const replica = n.role === 'replica';
  return {
    kind: 'node-config',
    host: n.host,
    what:
      `${n.host}: ${runtime.length ? runtime.map((c) => `${c.name} ${c.to}`).join(', ') : 'its values'} live` +
      (replica ? `, replica of ${i.master} with link up, ≤ ${i.maxLagBytes} bytes behind` : ', master'),
    timeoutMs: i.verifyMs,
    intervalMs: 200,
    params: {
      role: n.role,
      master: i.master,
      masterAddr: i.masterAddr,
      maxLagBytes: i.maxLagBytes,
      settings: runtime.map((c) => ({ kind: c.kind, name: c.name, value: normalize(c.kind, c.to) })),
    },
  };
}

export function planConfigUpdate(i: ConfigPlanInput): ConfigPlan {
  const order = [...i.nodes.filter((n) => n.role === 'replica'), ...i.nodes.filter((n) => n.role === 'master')];
  const changes: Change[] = [];
  const refused: Change[] = [];
  const fileOnly: string[] = [];
  const steps: Step[] = [];
  for (const n of order) {
    const all = changesOf(n, i.modulePath);
    refused.push(...all.filter((c) => c.kind === 'redis' && IDENTITY.has(c.name)));
    const mine = all.filter((c) => !(c.kind === 'redis' && IDENTITY.has(c.name)));
    changes.push(...mine);
    const fileSame = n.file !== undefined && sameMeaning(n.rendered, n.file);
    if (!mine.length && fileSame) continue;
    if (!mine.length) fileOnly.push(n.host);
    if (i.restartHosts?.has(n.host)) continue;
    const phase = n.role === 'master' ? 'master' : 'replicas';
    const runtime = mine.filter((c) => c.cls === 'runtime');
    for (const c of runtime)
      steps.push({
        id: `${n.host}:set:${c.name}`,
        host: n.host,
        phase,
        describe: `${c.name} ${c.from ?? '?'} → ${c.to} on ${n.host} (runtime)`,
        action: redisAction(n.port, setArgs(c, c.to)),
        ...(c.from !== undefined ? { undo: redisAction(n.port, setArgs(c, c.from)) } : {}),
      });
    const pending = mine.filter((c) => c.cls === 'restart').map((c) => c.name);
    steps.push({
      id: `${n.host}:conf`,
      host: n.host,
      phase,
      describe:
        `write ${i.confPath} on ${n.host} (the old one kept as ${prevPath(i.confPath)})` +
        (pending.length ? `; pending restart: ${pending.join(', ')}` : ''),
      action: { kind: 'custom', name: 'conf-write', params: { path: i.confPath, prev: prevPath(i.confPath) } },
      verify: verifyOf(n, runtime, i),
      undo: {
        kind: 'custom',
        name: 'conf-rollback',
        params: {
          path: i.confPath,
          prev: prevPath(i.confPath),
          restart: false,
          settings: runtime
            .filter((c) => c.from !== undefined)
            .map((c) => ({ kind: c.kind, name: c.name, value: c.from })),
        },
      },
    });
  }
  return {
    changes,
    fileOnly,
    refused,
    plan: {
      command: 'config update',
      phases: [
        { name: 'replicas', parallel: 1 },
        { name: 'master', parallel: 1 },
      ],
      steps,
      notes: [],
    },
  };
}

/** The plan as a diff a person reads: per node, each change with its class. */
export function changesText(p: ConfigPlan, restart: boolean): string {
  const out: string[] = [];
  const hosts = [...new Set([...p.changes.map((c) => c.host), ...p.fileOnly])];
  for (const h of hosts) {
    out.push(`${h}:`);
    for (const c of p.changes.filter((x) => x.host === h)) {
      const cls = c.cls === 'runtime' ? 'runtime' : restart ? 'restart' : 'pending restart';
      out.push(`  - ${c.name} ${c.from ?? '(not reported)'}`, `  + ${c.name} ${c.to}   [${cls}]`);
    }
    if (p.fileOnly.includes(h)) out.push('  ~ falkordb.conf differs from the render (live values already match)');
  }
  return out.join('\n');
}
