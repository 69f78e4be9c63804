// --restart: the restart-only changes go through rolling-restart's plan (replicas one at a time, the master by a
// zero-loss switchover), run after the new files are on every node. Two additions, both because of what
// CONFIG REWRITE does: Redis writes a module's loadmodule line back with the arguments the module was LOADED
// with (config.c rewriteConfigLoadmoduleOption), so the rewrites before a restart (rolling-restart's AOF step,
// Sentinel's at the switchover) put the old FalkorDB parameters back into the file. Right before each restart
// the new loadmodule line goes back in; and a restart that does not come back healthy is undone: the previous
// file restored, the node restarted and verified again. Pure.
import type { Plan, Step } from '../core/types.js';
import { prevPath } from './plan.js';

export function withRestarts(config: Plan, rolling: Plan, confPath: string, loadmodule: Record<string, string>): Plan {
  const steps: Step[] = [...config.steps];
  for (const s of rolling.steps) {
    const phase = `restart:${s.phase}`;
    if (!s.id.endsWith(':restart')) {
      steps.push({ ...s, phase });
      continue;
    }
    const line = loadmodule[s.host];
    if (line)
      steps.push({
        id: `${s.host}:loadmodule`,
        host: s.host,
        phase,
        describe: `the new loadmodule line back in ${confPath} on ${s.host} (CONFIG REWRITE writes the loaded one)`,
        action: { kind: 'custom', name: 'loadmodule-line', params: { path: confPath, line } },
      });
    steps.push({
      ...s,
      phase,
      ...(s.verify
        ? {
            undo: {
              kind: 'custom',
              name: 'conf-rollback',
              params: { path: confPath, prev: prevPath(confPath), restart: true, ready: s.verify },
            },
          }
        : {}),
    });
  }
  return {
    command: config.command,
    phases: [...config.phases, ...rolling.phases.map((p) => ({ ...p, name: `restart:${p.name}` }))],
    steps,
    notes: [...config.notes, ...rolling.notes],
  };
}

/** The loadmodule line of a falkordb.conf (the first one naming the module), for withRestarts. */
export function loadmoduleLine(text: string, modulePath: string): string | undefined {
  return text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('loadmodule ') && l.split(/\s+/)[1] === modulePath);
}
