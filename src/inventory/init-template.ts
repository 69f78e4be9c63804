// The inventory `falkorctl init` writes: only what was asked for, plus comments that show the next steps.
// Pure (answers → YAML text) so it is tested without a terminal.
import { Document, isMap, isPair, isScalar } from 'yaml';
import type { Role } from './schema.js';

export interface InitHost {
  name: string;
  address: string;
  role: Role;
}

export interface InitAnswers {
  cluster: string;
  hosts: InitHost[];
  /** Secret reference for auth.password. */
  password: string;
  /** RAM of each database host, e.g. "64gb". */
  memory: string;
}

const isDb = (h: InitHost) => h.role === 'master' || h.role === 'replica';

export function renderInitInventory(a: InitAnswers): string {
  const sentinels = a.hosts.filter((h) => h.role !== 'haproxy').length;
  const doc = new Document({
    cluster: a.cluster,
    hosts: a.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      role: h.role,
      ...(isDb(h) ? { hardware: { memory: a.memory } } : {}),
    })),
    redis: { maxmemory: 0.75, maxmemoryPolicy: 'noeviction', persistence: 'hybrid' },
    sentinel: { quorum: Math.floor(sentinels / 2) + 1 },
    auth: { password: a.password },
  });
  doc.commentBefore = [
    ` falkorctl inventory for cluster ${a.cluster}, written by \`falkorctl init\`.`,
    ' Check it:        falkorctl inventory validate',
    ' Editor support:  falkorctl inventory schema -o falkorctl.schema.json',
    ' Every key not written here has a default; examples/falkorctl.yaml shows them all with comments.',
  ].join('\n');
  comment(
    doc,
    'hosts',
    ' master/replica run FalkorDB; a Sentinel runs on every non-haproxy host; haproxy hosts get the write/read ports.',
  );
  comment(
    doc,
    'redis',
    ' maxmemory is a share of hardware.memory (at most 0.8); noeviction keeps whole graphs from being evicted.',
  );
  comment(doc, 'sentinel', ` quorum: a majority of the ${sentinels} Sentinel${sentinels === 1 ? '' : 's'}.`);
  comment(doc, 'auth', ' A reference, never the password itself: env:NAME, file:PATH (mode 600) or prompt.');
  doc.comment = [
    ' To give a database host its own XFS-on-LVM data volume, add under that host:',
    '   storage:',
    '     devices: [/dev/nvme1n1]',
    '     volumes:',
    '       - { name: data, size: 100%FREE, mount: /var/lib/falkordb }',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

function comment(doc: Document, key: string, text: string): void {
  if (!isMap(doc.contents)) return;
  const pair = doc.contents.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
}

/** "db1=10.0.0.1:master" (an IPv6 address keeps its colons: the role follows the last one). */
export function parseHostFlag(v: string): InitHost | string {
  const m = /^([^=]+)=(.+):([a-z]+)$/.exec(v.trim());
  if (!m) return `--host ${v}: expected name=address:role, e.g. db1=10.0.0.11:master`;
  const [, name = '', address = '', role = ''] = m;
  if (!['master', 'replica', 'sentinel', 'haproxy'].includes(role))
    return `--host ${v}: role must be master, replica, sentinel or haproxy`;
  return { name, address: address.replace(/^\[(.*)\]$/, '$1'), role: role as Role };
}
