// `backup prune`: the facts (one read-only listing per database host), and the pruned backups as a core Plan of
// one `rm` step per backup on its host, so --dry-run, the confirmation, the audit log and --json read the same.
import type { Plan } from '../core/types.js';
import type { Inventory } from '../inventory/schema.js';
import { dbHosts } from '../inventory/topology.js';
import { runParallel } from '../remote/parallel.js';
import type { Transport } from '../remote/transport.js';
import { parsePruneLine, pruneListArgv, rmArgv } from './commands.js';
import { parseManifest } from './manifest.js';
import type { Decision, FoundManifest, FoundOrphan } from './retention.js';

export interface PruneFacts {
  manifests: FoundManifest[];
  orphans: FoundOrphan[];
  restoring: Map<string, Set<string>>;
  /** Hosts that could not be read: prune refuses (a host not seen may hold the newest verified backup). */
  problems: string[];
  /** Files left alone because they could not be read. */
  warnings: string[];
}

export async function gatherPruneFacts(inv: Inventory, t: Transport, forks = 10): Promise<PruneFacts> {
  const hosts = dbHosts(inv);
  const dir = inv.backup.dir;
  const res = await runParallel(hosts, forks, async (h) => (await t.exec(h.name, pruneListArgv(dir))).stdout);
  const f: PruneFacts = { manifests: [], orphans: [], restoring: new Map(), problems: [], warnings: [] };
  res.forEach((r, i) => {
    const on = hosts[i]!.name;
    if (r.status === 'rejected') {
      f.problems.push(`${on}: ${(r.reason as Error).message}`);
      return;
    }
    if (r.status === 'skipped') {
      f.problems.push(`${on}: not read (an earlier host failed)`);
      return;
    }
    for (const line of r.value.split('\n').filter(Boolean)) {
      const l = parsePruneLine(line);
      if (!l) {
        f.warnings.push(`${on}: unreadable listing line in ${dir}: ${line.slice(0, 80)}`);
        continue;
      }
      if (l.kind === 'orphan') f.orphans.push({ on, base: l.base, mtimeMs: l.mtimeMs });
      else if (l.kind === 'restoring') {
        const s = f.restoring.get(on) ?? new Set<string>();
        f.restoring.set(on, s.add(l.id));
      } else
        try {
          const manifest = parseManifest(l.json, `${on}:${dir}/${l.base}.json`);
          f.manifests.push({ on, base: l.base, manifest, rdbPresent: l.rdbPresent });
        } catch (e) {
          // left alone: prune does not guess what a file it cannot read is
          f.warnings.push(`${(e as Error).message} (left alone)`);
        }
    }
  });
  return f;
}

export function prunePlan(inv: Inventory, prune: readonly Decision[], notes: string[] = []): Plan {
  return {
    command: 'backup prune',
    phases: [{ name: 'prune', parallel: 'forks' }],
    steps: prune.map((d) => ({
      id: `${d.on}:rm:${d.base}`,
      host: d.on,
      phase: 'prune',
      describe: `remove ${d.kind === 'orphan' ? 'RDB' : 'backup'} ${d.id} (${d.at}): ${d.why.join('; ')}`,
      action: { kind: 'exec', argv: rmArgv(inv.backup.dir, d.files) },
      destructive: true,
    })),
    notes,
  };
}

/** An RDB without a manifest is left this long (by mtime): copy, check and verify-restore each have timeoutMs. */
export const orphanGraceMs = (inv: Inventory) => 4 * inv.backup.timeoutMs;
