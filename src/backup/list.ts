// Every backup on the database hosts, read from the manifests beside the copies (one SSH command per host).
import type { Inventory } from '../inventory/schema.js';
import { dbHosts } from '../inventory/topology.js';
import { runParallel } from '../remote/parallel.js';
import type { Transport } from '../remote/transport.js';
import { listArgv, parseListLine } from './commands.js';
import { isVerified, parseManifest, type Manifest } from './manifest.js';

export interface Listed {
  /** The host the files are on (the manifest's host is where the snapshot was taken: the same). */
  on: string;
  manifest: Manifest;
  rdbPresent: boolean;
  verified: boolean;
}

export interface Listing {
  backups: Listed[];
  /** Hosts that could not be read, and manifests that could not be parsed. */
  problems: string[];
}

export async function listBackups(inv: Inventory, t: Transport, forks = 10): Promise<Listing> {
  const hosts = dbHosts(inv);
  const res = await runParallel(hosts, forks, async (h) => (await t.exec(h.name, listArgv(inv.backup.dir))).stdout);
  const backups: Listed[] = [];
  const problems: string[] = [];
  res.forEach((r, i) => {
    const on = hosts[i]!.name;
    if (r.status === 'rejected') {
      problems.push(`${on}: ${(r.reason as Error).message}`);
      return;
    }
    if (r.status === 'skipped') return;
    for (const line of r.value.split('\n').filter(Boolean)) {
      const l = parseListLine(line);
      try {
        if (!l) throw new Error(`${on}: unreadable listing line`);
        const manifest = parseManifest(l.json, `${on}:${inv.backup.dir}`);
        backups.push({ on, manifest, rdbPresent: l.rdbPresent, verified: l.rdbPresent && isVerified(manifest) });
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  });
  backups.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
  return { backups, problems };
}

/** "3m", "5h", "2d": a backup's age as a person reads it in a table. */
export function age(fromIso: string, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - Date.parse(fromIso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
