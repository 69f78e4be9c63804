// Redis/Sentinel settings carried inside YAML: `redis-server [conf] --name value ...` argv, and the
// mounted config file it names, read from next to the YAML file when it is there.
import path from 'node:path';
import type { Node } from 'yaml';
import type { Reader } from '../types.js';
import { buildUnit, last, type ConfUnit } from '../conf/unit.js';
import { redisBytes } from '../conf/tokenize.js';
import { isSeq } from './doc.js';

export interface ServerArgv {
  program: string;
  sentinel: boolean;
  configPath?: string;
  /** The `--flag value` part as a config unit, lines mapped to the YAML; undefined when there are no flags. */
  flags?: ConfUnit;
}

const SERVER = /(^|\/)(redis-server|redis-sentinel|falkordb-server|valkey-server)$/;

export function serverArgv(
  argv: string[],
  node: Node | undefined,
  file: string,
  lineOf: (n: unknown, f?: number) => number,
  label: string,
  read: Reader,
  expandedBy: 'compose' | 'kubernetes',
): ServerArgv | undefined {
  const start = argv.findIndex((a) => SERVER.test(a));
  if (start < 0) {
    // `sh -c "... exec redis-server conf --flag v"`: look inside the script (lines then point at the node).
    const words = argv.flatMap((a) => a.split(/\s+/)).filter(Boolean);
    if (words.length === argv.length || !words.some((w) => SERVER.test(w))) return undefined;
    return serverArgv(words, undefined, file, (_n, f) => f ?? lineOf(node), label, read, expandedBy);
  }
  const program = argv[start]!;
  const rest = argv.slice(start + 1);
  const sentinel = /sentinel/.test(program) || rest.includes('--sentinel');
  const configPath = rest[0] && !rest[0].startsWith('-') ? rest[0] : undefined;
  const baseLine = lineOf(node);
  const itemLine = (i: number) => (isSeq(node) ? lineOf(node.items[start + 1 + i], baseLine) : baseLine);
  const lines: string[] = [];
  const map: number[] = [];
  rest.forEach((a, i) => {
    if (a.startsWith('--') && a !== '--sentinel') {
      lines.push(a.slice(2));
      map.push(itemLine(i));
    } else if (lines.length > 0 && a !== '--sentinel')
      lines[lines.length - 1] += ` ${/\s/.test(a) || a === '' ? JSON.stringify(a) : a}`;
  });
  if (lines.length === 0) return { program, sentinel, configPath };
  const flags = buildUnit(sentinel ? 'sentinel' : 'redis', file, lines.join('\n'), read, {
    label,
    lineOf: (i) => map[i] ?? baseLine,
  });
  // Flags on top of a config file are a partial view: say nothing about what they lack.
  if (configPath) flags.unresolvedInclude = true;
  flags.expandedBy = expandedBy;
  return { program, sentinel, configPath, flags };
}

/** The config file a container mounts at `target`, looked up from the YAML file's directory. */
/** Does a mount at `mountPath` hold `configPath` (the file itself or a directory above it)? */
export const covers = (mountPath: string, configPath: string | undefined): boolean =>
  configPath === undefined || configPath === mountPath || configPath.startsWith(`${mountPath.replace(/\/$/, '')}/`);

export function mountedConfig(
  source: string,
  yamlFile: string,
  read: Reader,
): { path: string; text: string } | undefined {
  const dir = path.dirname(yamlFile);
  for (const p of [path.resolve(dir, source), path.join(dir, path.basename(source))]) {
    const text = read(p);
    if (text !== undefined) return { path: p, text };
  }
  return undefined;
}

export function maxmemoryOf(units: (ConfUnit | undefined)[]): number | undefined {
  for (const u of units) {
    const v = u && last(u, 'maxmemory')?.args[0];
    const b = v ? redisBytes(v) : undefined;
    if (b && b.bytes > 0) return b.bytes;
  }
  return undefined;
}
