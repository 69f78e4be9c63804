// Facts as the hosts would report them: `desiredFacts` is a cluster that already has exactly what the
// render says (running and enabled); `emptyFacts` is a bare host.
import { createHash } from 'node:crypto';
import type { Host, Inventory } from '../../../src/inventory/schema.js';
import { binariesOf, dirsOf, UNITS } from '../../../src/deploy/layout.js';
import { DAEMONS, daemonsOf } from '../../../src/deploy/plan-monitoring.js';
import type { HostFacts } from '../../../src/deploy/types.js';
import { renderAll, type RenderedFile } from '../../../src/render/index.js';
import { sentinelRuntimePath } from '../../../src/templates/sentinel-conf.js';
import { SECRETS } from '../render/fixture.js';

export const BIN_SHA = 'b'.repeat(64);

export function render(inv: Inventory): RenderedFile[] {
  return renderAll(inv, SECRETS).filter((f) => f.host !== 'cluster');
}

export function desiredFacts(inv: Inventory, files: RenderedFile[]): Map<string, HostFacts> {
  const m = new Map<string, HostFacts>();
  for (const h of inv.hosts) {
    const mine = files.filter((f) => f.host === h.name);
    const f: HostFacts = { host: h.name, files: {}, contents: {}, dirs: {}, units: {}, userExists: true };
    for (const r of mine) {
      const [owner, group] = (r.owner ?? 'root:root').split(':');
      f.files[r.path] = {
        sha256: createHash('sha256').update(r.content).digest('hex'),
        mode: r.mode,
        owner: owner!,
        group: group ?? owner!,
      };
    }
    for (const b of binariesOf(inv, h))
      f.files[b.path] = { sha256: BIN_SHA, mode: 0o755, owner: 'root', group: 'root' };
    // the Debian packages are installed, their own units off
    for (const d of daemonsOf(inv, h))
      f.files[DAEMONS[d].binary(inv)] = { sha256: BIN_SHA, mode: 0o755, owner: 'root', group: 'root' };
    if (mine.some((r) => r.path.endsWith('/sentinel.conf')))
      f.files[sentinelRuntimePath(inv)] = { sha256: 'c'.repeat(64), mode: 0o600, owner: 'falkordb', group: 'falkordb' };
    for (const d of dirsOf(inv, h, mine))
      f.dirs[d.path] = { mode: d.mode, owner: d.owner ?? 'root', group: d.owner ?? 'root' };
    for (const u of Object.values(UNITS)) f.units[u] = { active: 'active', enabled: 'enabled' };
    m.set(h.name, f);
  }
  return m;
}

export function emptyFacts(hosts: readonly Host[], binaries = true): Map<string, HostFacts> {
  return new Map(
    hosts.map((h) => [
      h.name,
      {
        host: h.name,
        files: binaries
          ? {
              '/opt/falkordb/bin/redis-server': { sha256: BIN_SHA, mode: 0o755, owner: 'root', group: 'root' },
              '/opt/falkordb/lib/falkordb.so': { sha256: BIN_SHA, mode: 0o755, owner: 'root', group: 'root' },
            }
          : {},
        contents: {},
        dirs: { '/etc/systemd/system': { mode: 0o755, owner: 'root', group: 'root' } },
        units: {},
        userExists: false,
      },
    ]),
  );
}
