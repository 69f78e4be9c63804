// Render lints what it wrote, as `falkorctl lint` would, with includes and mounted configs resolved
// from the staged tree and cross-file rules across all of it.
import { readFile } from 'node:fs/promises';
import { analyze, fsReader, sortFindings, type Finding } from '../lint/index.js';
import { maskSecrets } from '../core/mask.js';
import { crossRules } from '../lint/cross.js';
import type { RenderedFile } from './index.js';
import { CLUSTER, outputPath } from './index.js';

/** `written`: output path → absolute staged path. Findings name files as `displayRoot/<output path>`. */
export async function lintRendered(
  files: RenderedFile[],
  written: Map<string, string>,
  displayRoot: string,
  secrets: string[],
): Promise<Finding[]> {
  const findings: Finding[] = [];
  // Cross-file rules (one password, one maxmemory, the Sentinel quorum) compare the files of one
  // deployment: the hosts, the compose project, the Kubernetes manifests — never one with another.
  const groups = new Map<string, ReturnType<typeof analyze>['units']>();
  for (const f of files) {
    if (!f.kind) continue;
    const p = written.get(outputPath(f));
    if (!p) continue;
    const a = analyze(p, await readFile(p, 'utf8'), f.kind, fsReader);
    findings.push(...a.findings);
    const group = f.host === CLUSTER ? (f.path.split('/')[1] ?? '') : 'hosts';
    groups.set(group, [...(groups.get(group) ?? []), ...a.units]);
  }
  for (const units of groups.values()) findings.push(...crossRules(units));
  const byAbs = new Map([...written].map(([rel, abs]) => [abs, rel]));
  const display = (file: string) => {
    const rel = byAbs.get(file);
    return rel === undefined ? file : `${displayRoot}/${rel}`;
  };
  return sortFindings(findings.map((f) => mask({ ...f, file: display(f.file) }, secrets)));
}

/** Secret values never reach the terminal, even if a finding quotes a line that holds one. */
export function maskText(t: string, secrets: string[]): string {
  return maskSecrets(t, secrets);
}

function mask(f: Finding, secrets: string[]): Finding {
  return {
    ...f,
    message: maskText(f.message, secrets),
    why: f.why && maskText(f.why, secrets),
    fix: f.fix && maskText(f.fix, secrets),
  };
}
