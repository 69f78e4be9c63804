// What a falkordb.conf asks of its node, as settings by name: the Redis directives CONFIG GET can answer and
// the FalkorDB parameters of its loadmodule line. Pure.
import { parseConf } from '../lint/conf/tokenize.js';
import { NOT_COMPARED } from './classify.js';

export interface Desired {
  /** directive (lower-case) → its arguments; `save` lines joined into one list, as CONFIG GET save answers. */
  redis: Map<string, string[]>;
  /** FalkorDB parameter → value, from the loadmodule line of the module at `modulePath`. */
  module: Map<string, string>;
}

export function desiredOf(text: string, modulePath: string): Desired {
  const redis = new Map<string, string[]>();
  const module = new Map<string, string>();
  const save: string[] = [];
  let sawSave = false;
  for (const d of parseConf(text, 'falkordb.conf').directives) {
    if (d.name === 'loadmodule' && d.args[0] === modulePath) {
      for (let i = 1; i + 1 < d.args.length; i += 2) module.set(d.args[i]!, d.args[i + 1]!);
      continue;
    }
    if (NOT_COMPARED.has(d.name)) continue;
    if (d.name === 'save') {
      sawSave = true;
      save.push(...d.args.filter((a) => a !== ''));
      continue;
    }
    redis.set(d.name, d.args);
  }
  if (sawSave) redis.set('save', [save.join(' ')]);
  return { redis, module };
}
