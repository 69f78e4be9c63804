// One Redis or Sentinel configuration as the server would see it: the file (or the block embedded in a
// compose/Kubernetes file) plus the includes we could read next to it.
import path from 'node:path';
import type { Reader } from '../types.js';
import { parseConf, type Directive, type Parsed } from './tokenize.js';

export interface ConfUnit {
  kind: 'redis' | 'sentinel';
  file: string; // where findings are reported
  label: string; // e.g. "redis-master.conf" or "falkordb-production.yaml (ConfigMap falkordb-config: redis-master.conf)"
  directives: Directive[];
  comments: string[];
  errors: Parsed['errors'];
  /** An include we could not read: rules about what is *missing* stay silent, it may be there. */
  unresolvedInclude: boolean;
  /** Configs of one deployment (the YAML file that carries them); plain files share the default group. */
  group?: string;
  /** Set for argv flags: compose interpolates ${VAR}/$VAR, the kubelet $(VAR) in command/args. */
  expandedBy?: 'compose' | 'kubernetes';
}

export function buildUnit(
  kind: ConfUnit['kind'],
  file: string,
  text: string,
  read: Reader,
  opts: { label?: string; lineOf?: (i: number) => number } = {},
): ConfUnit {
  const p = parseConf(text, file, opts.lineOf);
  const unit: ConfUnit = {
    kind,
    file,
    label: opts.label ?? path.basename(file),
    directives: [],
    comments: p.comments,
    errors: p.errors,
    unresolvedInclude: false,
  };
  const seen = new Set([path.resolve(file)]);
  const expand = (ds: Directive[], from: string, depth: number) => {
    for (const d of ds) {
      unit.directives.push(d);
      if (d.name !== 'include' || !d.args[0]) continue;
      const found = depth < 5 ? readInclude(d.args[0], from, read) : undefined;
      if (!found || seen.has(path.resolve(found.path))) {
        if (!found) unit.unresolvedInclude = true;
        continue;
      }
      seen.add(path.resolve(found.path));
      const inc = parseConf(found.text, found.path);
      unit.comments.push(...inc.comments);
      unit.errors.push(...inc.errors);
      expand(inc.directives, found.path, depth + 1);
    }
  };
  expand(p.directives, file, 0);
  return unit;
}

/** An include names a path on the server; we look for its basename next to the linted file. */
function readInclude(target: string, from: string, read: Reader): { path: string; text: string } | undefined {
  if (/[*?[]/.test(target)) return undefined; // a glob: cannot know which files the server sees
  const p = path.join(path.dirname(from), path.basename(target));
  const text = read(p);
  return text === undefined ? undefined : { path: p, text };
}

/** The last occurrence wins in Redis for single-valued directives. */
export const last = (u: ConfUnit, name: string): Directive | undefined =>
  u.directives.filter((d) => d.name === name).at(-1);
export const all = (u: ConfUnit, ...names: string[]): Directive[] => u.directives.filter((d) => names.includes(d.name));
export const arg = (u: ConfUnit, name: string): string | undefined => last(u, name)?.args[0];

export const isReplica = (u: ConfUnit): boolean => Boolean(last(u, 'replicaof') ?? last(u, 'slaveof'));

/** A whole server config rather than a fragment meant for `include` (tls.conf, acl.conf). */
export function isMainConfig(u: ConfUnit): boolean {
  const core = [
    'loadmodule',
    'dir',
    'appendonly',
    'save',
    'maxmemory',
    'maxmemory-policy',
    'replicaof',
    'slaveof',
    'bind',
    'logfile',
    'daemonize',
  ];
  return u.directives.some((d) => core.includes(d.name));
}

/** Rules about something missing apply only to a complete config whose includes we could all read. */
export const canJudgeAbsence = (u: ConfUnit): boolean => isMainConfig(u) && !u.unresolvedInclude;

export const yes = (v: string | undefined): boolean => v?.toLowerCase() === 'yes';
