// The service steps of one host in one phase: kernel settings, daemon-reload, enable, start, and a
// restart or reload only when that service's own files (or its binary) changed.
import type { Host, Inventory } from '../inventory/schema.js';
import { masterHost } from '../inventory/topology.js';
import { nodePort } from '../facts/nodes.js';
import { HAPROXY_CFG } from '../templates/haproxy.js';
import { aclFilePath } from '../templates/secrets-conf.js';
import { SYSCTL_PATH, THP_PATH } from '../templates/host-tuning.js';
import { kernelFindings } from '../facts/kernel.js';
import { componentOf, execedPerEvent, isUnitFile, UNITS, type Component } from './layout.js';
import type { HostFacts, Phase, Step } from './types.js';

export interface ServiceInput {
  inv: Inventory;
  host: Host;
  phase: Phase;
  facts: HostFacts;
  comps: Set<Component>;
  /** Paths written in this phase on this host, and why. */
  changed: Map<string, Change>;
  /** A binary was installed or replaced in this phase. */
  binChanged: boolean;
}

/** Why a file is written; only 'new' and 'content' change what a running service would load. */
export type Change = 'new' | 'content' | 'mode/owner' | 'unit-meta';

export function serviceSteps(i: ServiceInput): Step[] {
  const { host, phase } = i;
  const steps: Step[] = [];
  const add = (
    id: string,
    describe: string,
    argv: [string, ...string[]],
    o: { destructive?: boolean; tolerate?: boolean } = {},
  ) =>
    steps.push({
      id: `${host.name}:${id}`,
      host: host.name,
      phase,
      describe,
      action: { kind: 'exec', argv, tolerate: o.tolerate },
      destructive: o.destructive ?? false,
    });

  // Kernel settings: applied when their file changes, and again whenever the live kernel differs (a failed
  // apply is retried by the next deploy). Only where the kernel can be written is a failure a failure; in a
  // container with a read-only /proc/sys it is a warning, and status keeps reporting the live value.
  const k = i.facts.kernel;
  const off = k && i.comps.has('falkordb') ? kernelFindings(k) : [];
  const sysctlOff = off.some((f) => f.via === 'sysctl') && k!.sysctlWritable;
  const thpOff = off.some((f) => f.via === 'thp') && k!.thpWritable;
  if (i.changed.has(SYSCTL_PATH) || sysctlOff)
    add('sysctl', `apply kernel settings from ${SYSCTL_PATH}`, ['sysctl', '-p', SYSCTL_PATH], {
      tolerate: !k?.sysctlWritable,
    });
  if (i.changed.has(THP_PATH) || thpOff)
    add('thp', 'turn transparent huge pages off now', ['systemd-tmpfiles', '--create', THP_PATH], {
      tolerate: !k?.thpWritable,
    });
  if ([...i.changed.keys()].some((p) => isUnitFile(p) && i.changed.get(p) !== 'mode/owner'))
    add('daemon-reload', 'reload systemd units', ['systemctl', 'daemon-reload']);

  const service = i.comps.has('falkordb')
    ? 'falkordb'
    : i.comps.has('sentinel')
      ? 'sentinel'
      : i.comps.has('haproxy')
        ? 'haproxy'
        : undefined;
  if (!service) return steps;
  const unit = UNITS[service];
  const st = i.facts.units[unit] ?? { active: 'inactive', enabled: 'disabled' };
  const acl = aclFilePath(i.inv);
  const own = [...i.changed]
    .filter(([p, why]) => componentOf(i.inv, p) === service && (why === 'new' || why === 'content'))
    .filter(([p]) => !execedPerEvent(i.inv, p))
    .map(([p]) => p);
  // a new ACL file comes with new falkordb.conf/secrets (aclfile is read at start); a changed one loads live
  const aclLoad = service === 'falkordb' && i.changed.get(acl) === 'content' && st.active === 'active';
  const restartFiles = aclLoad ? own.filter((p) => p !== acl) : own;
  const touched = restartFiles.length > 0 || (service !== 'haproxy' && i.binChanged);

  if (st.enabled !== 'enabled') add(`enable:${unit}`, `enable ${unit} at boot`, ['systemctl', 'enable', unit]);
  if (st.active !== 'active') {
    add(`start:${unit}`, `start ${unit}`, ['systemctl', 'start', unit]);
    return steps;
  }
  if (service === 'sentinel') steps.push(...sentinelSet(i));
  if (aclLoad && !touched) steps.push(aclLoadStep(i, acl));
  if (!touched) return steps;
  if (service === 'haproxy') {
    // a reload re-reads haproxy.cfg but keeps the old environment: a new password needs a restart
    const cfgOnly = own.every((p) => p === HAPROXY_CFG);
    if (cfgOnly) add(`reload:${unit}`, `reload ${unit} (haproxy.cfg changed)`, ['systemctl', 'reload', unit]);
    else add(`restart:${unit}`, `restart ${unit} (${own.join(', ')} changed)`, ['systemctl', 'restart', unit]);
    return steps;
  }
  const isMaster = service === 'falkordb' && masterHost(i.inv)?.name === host.name;
  const why = [...restartFiles, ...(i.binChanged ? ['binaries'] : [])].join(', ');
  add(
    `restart:${unit}`,
    `restart ${unit} (${why} changed)${isMaster ? ': the running MASTER; clients see an outage' : ''}`,
    ['systemctl', 'restart', unit],
    { destructive: isMaster },
  );
  return steps;
}

/**
 * ACL LOAD: the running node reads its aclfile again, no restart. It is atomic (acl.c ACLLoadFromFile loads
 * into a fresh user table and keeps the old one on any error), so a refused file changes no user; the undo
 * puts the previous file back so a later restart does not start from the refused one either.
 */
function aclLoadStep(i: ServiceInput, path: string): Step {
  return {
    id: `${i.host.name}:acl-load`,
    host: i.host.name,
    phase: i.phase,
    describe: `ACL LOAD (${path} changed; no restart)`,
    action: { kind: 'redis', port: nodePort(i.inv), sentinel: false, args: ['ACL', 'LOAD'] },
    undo: { kind: 'exec', argv: ['mv', '-f', '--', `${path}.prev`, path] },
    destructive: false,
  };
}

/** The settings a running Sentinel keeps in its own file: changed with SENTINEL SET, never by rewriting it. */
const SENTINEL_SETTINGS = (inv: Inventory): Record<string, string> => ({
  quorum: String(inv.sentinel.quorum),
  'down-after-milliseconds': String(inv.sentinel.downAfterMs),
  'failover-timeout': String(inv.sentinel.failoverTimeoutMs),
  'parallel-syncs': String(inv.sentinel.parallelSyncs),
});

function sentinelSet(i: ServiceInput): Step[] {
  const live = i.facts.sentinelMaster;
  if (!live) return [];
  const name = i.inv.sentinel.masterName;
  return Object.entries(SENTINEL_SETTINGS(i.inv))
    .filter(([k, v]) => live[k] !== undefined && live[k] !== v)
    .map(([k, v]) => ({
      id: `${i.host.name}:sentinel-set:${k}`,
      host: i.host.name,
      phase: i.phase,
      describe: `SENTINEL SET ${k} ${v} (it is ${live[k]})`,
      action: {
        kind: 'redis' as const,
        port: i.inv.sentinel.port,
        sentinel: true,
        args: ['SENTINEL', 'SET', name, k, v] as [string, ...string[]],
      },
      destructive: false,
    }));
}
