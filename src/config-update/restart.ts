// --restart: the nodes with a restart-only change go through rolling-restart's plan (replicas one at a time,
// the master by a zero-loss switchover) and get their new file right before their own restart, not earlier:
// CONFIG REWRITE, which rolling-restart's AOF step and Sentinel at the switchover send, writes the file back
// from the RUNNING values (the module's loadmodule line with the arguments it was loaded with, config.c
// rewriteConfigLoadmoduleOption; an immutable directive with its running value), which would drop a change
// written earlier; and a node not yet restarted keeps its old file, so a failed run leaves no pending change
// behind on the rest. After the restart every change of the node is verified live. A restart that does not
// come back healthy is undone: the previous file restored, the node restarted and verified again. Pure.
import type { Plan, Step } from '../core/types.js';
import { prevPath, verifyOf, type Change } from './plan.js';

export interface RestartInput {
  confPath: string;
  /** The changes of each host restarted here (runtime ones included: the start applies them). */
  changes: ReadonlyMap<string, readonly Change[]>;
  /** Each host's master while it restarts: the old master restarts as a replica of the candidate. */
  masterOf: Readonly<Record<string, { master: string; masterAddr: string }>>;
  maxLagBytes: number;
  verifyMs: number;
  /** rolling-restart starts replicas from the RDB: the file it restarts from says appendonly no. */
  keepOffset: boolean;
}

export function withRestarts(config: Plan, rolling: Plan, i: RestartInput): Plan {
  const steps: Step[] = [...config.steps];
  for (const s of rolling.steps) {
    const phase = `restart:${s.phase}`;
    const mine = i.changes.get(s.host);
    if (!s.id.endsWith(':restart') || !mine) {
      steps.push({ ...s, phase });
      continue;
    }
    const m = i.masterOf[s.host]!;
    const prev = prevPath(i.confPath);
    steps.push(
      {
        id: `${s.host}:conf`,
        host: s.host,
        phase,
        describe: `write ${i.confPath} on ${s.host} for its restart (the old one kept as ${prev})`,
        action: {
          kind: 'custom',
          name: 'conf-write',
          params: { path: i.confPath, prev, ...(i.keepOffset ? { appendonly: 'no' } : {}), renderedWith: m.master },
        },
      },
      {
        ...s,
        phase,
        ...(s.verify
          ? {
              undo: {
                kind: 'custom',
                name: 'conf-rollback',
                params: {
                  path: i.confPath,
                  prev,
                  restart: true,
                  ready: s.verify,
                  ...(i.keepOffset ? { aofBack: true } : {}),
                },
              },
            }
          : {}),
      },
      {
        id: `${s.host}:config-live`,
        host: s.host,
        phase,
        describe: `${s.host} runs the new values: ${mine.map((c) => `${c.name} ${c.to}`).join(', ')}`,
        action: { kind: 'wait', check: verifyOf({ host: s.host, role: 'replica' }, mine, { ...i, ...m }) },
      },
    );
  }
  return {
    command: config.command,
    phases: [...config.phases, ...rolling.phases.map((p) => ({ ...p, name: `restart:${p.name}` }))],
    steps,
    notes: [...config.notes, ...rolling.notes],
  };
}
