// deploy's read-only half: live topology → live master → render → lint → facts → pure plan. `deploy` applies
// the plan; `deploy --diff` prints it; the checklist's configuration check reports it per host. One function, so
// "what deploy would change" means the same thing in all three.
import { secretValues as secretValuesOf } from '../inventory/secrets.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FalkorError, userError } from '../errors.js';
import { discoverTopology } from '../facts/topology.js';
import type { LoadedInventory } from '../inventory/index.js';
import type { Host, Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import type { RedisFactory } from '../redis/client.js';
import type { Transport } from '../remote/transport.js';
import { renderAll } from '../render/index.js';
import { FIREWALL_PATH } from '../templates/nftables.js';
import { gatherFacts } from './facts.js';
import { lintGate } from './lint-gate.js';
import { addSentinelFacts } from './sentinel-facts.js';
import { NO_NOTIFY_MARK, withNoNotify } from './notify.js';
import { rolesOf } from './layout.js';
import { liveMaster, withMaster } from './live.js';
import { plan as makePlan, type BinarySource } from './plan.js';

export interface ComputeInput {
  loaded: LoadedInventory;
  secrets: Secrets;
  hosts: Host[];
  transport: Transport;
  factory: RedisFactory;
  forks: number;
  /** Read every managed file's content (for a diff), not only its checksum. */
  readAll: boolean;
  /** From checkBinarySources, called before any host is asked. */
  binaries: Binaries;
  color: boolean;
}

export async function computePlan(a: ComputeInput) {
  const { binaries } = a;
  const secretValues = secretValuesOf(a.secrets);
  // Read-only discovery; a node that cannot be asked is a fact (down), the strict connect is the caller's.
  const topo = await discoverTopology(a.loaded.inventory, a.factory, a.secrets, { forks: a.forks });
  const refused = topo.nodes.find((n) => !n.up && /WRONGPASS|NOAUTH|invalid (username-)?password/i.test(n.error ?? ''));
  if (refused) {
    throw new FalkorError(
      'FAILED',
      `${refused.host}: the running FalkorDB does not accept the inventory's password (${refused.error}); nothing was changed`,
      {
        hint: 'check auth.password: deploy never overwrites a running node whose password it cannot verify',
      },
    );
  }
  const live = liveMaster(a.loaded.inventory, topo);
  const inv = withMaster(a.loaded.inventory, live.host);
  // the firewall's ruleset is `firewall apply`'s: it needs the rollback around it, so deploy never writes it
  let files = renderAll(inv, a.secrets, { hosts: a.hosts.map((h) => h.name) }).filter(
    (f) => f.host !== 'cluster' && f.path !== FIREWALL_PATH,
  );
  await lintGate(files, secretValues, a.color);
  const facts = await gatherFacts(inv, a.hosts, files, a.transport, { forks: a.forks, readAll: a.readAll });
  await addSentinelFacts(inv, a.hosts, topo, a.factory, a.secrets, facts);
  files = withNoNotify(inv, a.hosts, files, facts, binaries.redisServer?.noNotify, (h) => rolesOf(inv, h));
  const plan = makePlan({ inv, hosts: a.hosts, files, facts, binaries });
  const intended = a.loaded.inventory.hosts.find((h) => h.role === 'master')?.name;
  if (live.host !== intended)
    plan.notes.unshift(
      `${live.host} is the master now (${live.source === 'sentinels' ? 'the Sentinels agree' : 'the running nodes say so'}), not the inventory's ${intended}: rendering with ${live.host} as master and ${intended} as its replica`,
    );
  return { inv, live, files, facts, plan, secretValues };
}

export type Binaries = Partial<Record<'redisServer' | 'module', BinarySource>>;

/** Local binary sources must exist and match their sha256 before any host is touched. */
export async function checkBinarySources(inv: Inventory, baseDir: string): Promise<Binaries> {
  const out: Binaries = {};
  for (const key of ['redisServer', 'module'] as const) {
    const b = inv.falkordb.binaries?.[key];
    if (!b) continue;
    const file = resolve(baseDir, b.source);
    const data = await readFile(file).catch((e: NodeJS.ErrnoException) => {
      throw userError(`falkordb.binaries.${key}.source: cannot read ${file} (${e.code ?? e.message})`);
    });
    const got = createHash('sha256').update(data).digest('hex');
    if (got !== b.sha256)
      throw userError(
        `falkordb.binaries.${key}: ${file} has sha256 ${got}, the inventory says ${b.sha256}`,
        'a wrong or tampered file is never installed; fix the file or the checksum',
      );
    out[key] = { file, sha256: got, noNotify: data.includes(NO_NOTIFY_MARK) };
  }
  return out;
}
