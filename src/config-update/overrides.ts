// `--set NAME=VALUE`: a FalkorDB parameter (upper case, as FalkorDB names them) goes on the loadmodule line, a
// Redis directive (lower case) replaces its line of the rendered falkordb.conf or is added before the final
// include. Values the schema knows are checked by it here; everything else is for lint and the trial start.
// Pure.
import { userError } from '../errors.js';
import { falkordb } from '../inventory/schema.js';
import { parseConf, splitArgs } from '../lint/conf/tokenize.js';
import { redisLine } from '../templates/quote.js';
import { IDENTITY, NOT_COMPARED } from './classify.js';
import { SENTINEL_SETTINGS, type SentinelSetting } from './sentinel.js';

export interface Sets {
  redis: [string, string[]][];
  module: [string, string][];
  /** `sentinel.NAME=VALUE`: SENTINEL SET on every Sentinel. */
  sentinel: [SentinelSetting, number][];
}

const PARAM = /^[A-Z][A-Z0-9_]{0,63}$/;
const DIRECTIVE = /^[a-z][a-z0-9-]{0,63}$/;
const PARAMS = falkordb.shape.params.removeDefault().shape as Record<
  string,
  { safeParse(v: unknown): { success: boolean } }
>;

export function parseSets(list: readonly string[]): Sets {
  const out: Sets = { redis: [], module: [], sentinel: [] };
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const at = `--set #${i + 1} (${JSON.stringify(raw.slice(0, 80))})`;
    const eq = raw.indexOf('=');
    if (eq < 1)
      throw userError(`${at}: expected NAME=VALUE`, 'e.g. --set maxmemory=512mb or --set TIMEOUT_DEFAULT=5000');
    const name = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
      throw userError(`${at}: the value holds a control character`);
    if (seen.has(name.toLowerCase())) throw userError(`${at}: ${name} is set twice`);
    seen.add(name.toLowerCase());
    if (name.startsWith('sentinel.')) {
      const k = name.slice('sentinel.'.length) as SentinelSetting;
      if (!SENTINEL_SETTINGS.includes(k))
        throw userError(`${at}: config update sets ${SENTINEL_SETTINGS.map((x) => `sentinel.${x}`).join(', ')}`);
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
        throw userError(`${at}: ${name} takes a positive whole number`);
      out.sentinel.push([k, n]);
      return;
    }
    if (PARAM.test(name)) {
      const known = PARAMS[name];
      const typed = /^-?\d+$/.test(value) ? Number(value) : value;
      if (known && !known.safeParse(typed).success)
        throw userError(`${at}: ${value} is not a valid ${name} (see falkordb.params in the inventory schema)`);
      if (value === '' || /\s/.test(value)) throw userError(`${at}: a FalkorDB parameter takes one word`);
      out.module.push([name, value]);
      return;
    }
    if (!DIRECTIVE.test(name))
      throw userError(`${at}: ${name} is neither a Redis directive (lower case) nor a FalkorDB parameter (upper case)`);
    if (NOT_COMPARED.has(name) || IDENTITY.has(name))
      throw userError(
        `${at}: ${name} is not changed by config update`,
        'passwords, users, modules, ports and addresses come from the inventory: change it and run falkorctl deploy',
      );
    const args = splitArgs(value);
    if (!args) throw userError(`${at}: unbalanced quotes in the value`);
    out.redis.push([name, args]);
  });
  return out;
}

/** The rendered falkordb.conf with the --set directives in it (the module parameters go through the inventory). */
export function withRedisSets(text: string, sets: Sets): string {
  if (!sets.redis.length) return text;
  let lines = text.split('\n');
  for (const [name, args] of sets.redis) {
    const line = redisLine(name, ...args);
    const at = parseConf(lines.join('\n'), 'falkordb.conf')
      .directives.filter((d) => d.name === name)
      .map((d) => d.line - 1);
    if (at.length) {
      at.slice(1).forEach((i) => (lines[i] = '')); // save: several lines become the one given
      lines[at[0]!] = line;
      continue;
    }
    let include = lines.length;
    lines.forEach((l, i) => /^include\s/.test(l.trim()) && (include = i));
    lines = [...lines.slice(0, include), '# set by falkorctl config update --set', line, '', ...lines.slice(include)];
  }
  return lines.join('\n');
}
