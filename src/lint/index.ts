// falkorctl lint: one entry for `falkorctl lint`, for `render` (which lints its own output) and for tests.
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isFalkorError, userError } from '../errors.js';
import type { Finding, FileKind, Reader } from './types.js';
import { buildUnit, type ConfUnit } from './conf/unit.js';
import { memoryRules } from './redis/memory.js';
import { accessRules } from './redis/access.js';
import { replicationRules } from './redis/replication.js';
import { hygieneRules } from './redis/hygiene.js';
import { sentinelRules } from './sentinel.js';
import { haproxyRules } from './haproxy/rules.js';
import { lintCompose } from './compose.js';
import { lintKubernetes } from './kubernetes.js';
import { lintPrometheus } from './prometheus.js';
import { lintNftables } from './nftables.js';
import { crossRules } from './cross.js';
import { detectKind } from './detect.js';
import { SEVERITY_RANK } from './rule.js';
import { sortFindings } from './format.js';

export { detectKind } from './detect.js';
export { formatFindings, sortFindings } from './format.js';
export { crossRules } from './cross.js';
export type { Finding, FileKind, Severity } from './types.js';

/** Reads sibling files (includes, mounted configs, scripts); anything unreadable is simply absent. */
export const fsReader: Reader = (p) => {
  try {
    return statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
};

/** Every rule of one unit (a file, or a config embedded in YAML). */
export function unitFindings(u: ConfUnit, read: Reader): Finding[] {
  if (u.kind === 'sentinel') return [...hygieneRules(u), ...sentinelRules(u, read)];
  return [...hygieneRules(u), ...memoryRules(u), ...accessRules(u), ...replicationRules(u)];
}

interface Analysis {
  findings: Finding[];
  units: ConfUnit[];
}

export function analyze(file: string, text: string, kind: FileKind, read: Reader = fsReader): Analysis {
  switch (kind) {
    case 'redis':
    case 'sentinel': {
      const u = buildUnit(kind, file, text, read);
      return { findings: unitFindings(u, read), units: [u] };
    }
    case 'haproxy':
      return { findings: haproxyRules(file, text), units: [] };
    case 'prometheus':
      return { findings: lintPrometheus(file, text), units: [] };
    case 'nftables':
      return { findings: lintNftables(file, text), units: [] };
    case 'compose':
    case 'kubernetes': {
      const r = kind === 'compose' ? lintCompose(file, text, read) : lintKubernetes(file, text, read);
      for (const u of r.units) u.group = file;
      return { findings: [...r.findings, ...r.units.flatMap((u) => unitFindings(u, read))], units: r.units };
    }
  }
}

export function lintText(file: string, text: string, kind?: FileKind, read: Reader = fsReader): Finding[] {
  const k = kind ?? detectKind(file, text);
  if (!k) throw unknownKind(file);
  const a = analyze(file, text, k, read);
  return finish([...a.findings, ...crossByGroup(a.units)]);
}

/** Findings name files as given in `paths`; relative paths are read from `opts.cwd` (default: process cwd). */
export async function lintFiles(
  paths: string[],
  kind?: FileKind,
  opts: { cwd?: string; read?: Reader } = {},
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const units: ConfUnit[] = [];
  const cwd = opts.cwd ?? process.cwd();
  const read: Reader = (p) => (opts.read ?? fsReader)(path.resolve(cwd, p));
  for (const p of paths) {
    const text = await readInput(p, path.resolve(cwd, p));
    const k = kind ?? detectKind(p, text);
    if (!k) throw unknownKind(p);
    const a = analyze(p, text, k, read);
    findings.push(...a.findings);
    units.push(...a.units);
  }
  return finish([...findings, ...crossByGroup(units)]);
}

/** A config file is text: at most 16 MiB, UTF-8, no NUL (each server would read such a line differently). */
export const MAX_INPUT = 16 * 1024 * 1024;

/** The text of a file given to lint, or why it is not a config file: a usage error (exit 2) at its line. */
export function inputText(p: string, bytes: Buffer): string {
  if (bytes.length > MAX_INPUT) throw userError(`${p}: ${bytes.length} bytes is not a config file (at most 16 MiB)`);
  const lineAt = (i: number) => bytes.subarray(0, i).filter((b) => b === 0x0a).length + 1;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // TextDecoder does not say where: find the first line that does not decode (one pass)
    const strict = new TextDecoder('utf-8', { fatal: true });
    let line = 1;
    for (let start = 0; start <= bytes.length; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end < 0 ? bytes.length : end;
      try {
        strict.decode(bytes.subarray(start, stop));
      } catch {
        break;
      }
      start = stop + 1;
    }
    throw userError(`${p}:${line}: not UTF-8 text (a binary file?)`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw userError(`${p}:${lineAt(nul)}: a NUL byte: the servers would each read this line differently`);
  return text;
}

async function readInput(p: string, abs: string): Promise<string> {
  try {
    return inputText(p, await readFile(abs));
  } catch (e) {
    if (isFalkorError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code ?? e);
    throw userError(`cannot read ${p}: ${why}`);
  }
}

/** Configs embedded in one compose/Kubernetes file describe their own deployment: compare them among themselves. */
function crossByGroup(units: ConfUnit[]): Finding[] {
  const groups = new Map<string, ConfUnit[]>();
  for (const u of units) groups.set(u.group ?? '', [...(groups.get(u.group ?? '') ?? []), u]);
  return [...groups.values()].flatMap(crossRules);
}

const unknownKind = (file: string) =>
  userError(
    `cannot tell what kind of file ${file} is`,
    'pass --kind redis|sentinel|haproxy|compose|kubernetes|prometheus|nftables',
  );

/** One finding per file, line and rule (the most severe), in file/line order. */
/** A finding quotes the input: never a raw control character, never a 10 MB line. */
function tidy(s: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const shown = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return shown.length > max ? `${shown.slice(0, max)}… (${shown.length} characters)` : shown;
}

function finish(findings: Finding[]): Finding[] {
  const best = new Map<string, Finding>();
  for (const raw of findings) {
    const f = { ...raw, message: tidy(raw.message), ...(raw.why ? { why: tidy(raw.why, 1000) } : {}) };
    const key = `${f.file}\0${f.line}\0${f.rule}\0${f.message}`;
    const prev = best.get(key);
    if (!prev || SEVERITY_RANK[f.severity] > SEVERITY_RANK[prev.severity]) best.set(key, f);
  }
  return sortFindings([...best.values()]);
}
