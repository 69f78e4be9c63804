// The pure planner: inventory (already following the live master) + rendered files + facts → Plan.
// Facts equal to the render give an empty plan; that is what makes a second deploy a no-op.
import { createHash } from 'node:crypto';
import { userError } from '../errors.js';
import type { Host, Inventory } from '../inventory/schema.js';
import { dbHosts, haproxyHosts, masterHost, sentinelHosts } from '../inventory/topology.js';
import type { RenderedFile } from '../render/index.js';
import { nodePort } from '../facts/nodes.js';
import { kernelFindings } from '../facts/kernel.js';
import { serviceUser, useraddArgv } from '../templates/common.js';
import { falkordbConfPath } from '../templates/falkordb-conf.js';
import { HAPROXY_CFG } from '../templates/haproxy.js';
import { aclFilePath } from '../templates/secrets-conf.js';
import { sentinelRuntimePath, sentinelTemplatePath } from '../templates/sentinel-conf.js';
import { binariesOf, componentOf, dirsOf, isUnitFile, rolesOf, type Component } from './layout.js';
import { sameMeaning } from './redis-conf.js';
import { serviceSteps, type Change } from './plan-service.js';
import { monitoringChecks, monitoringSteps } from './plan-monitoring.js';
import { PHASES, type Check, type HostFacts, type Phase, type Plan, type Step } from './types.js';

export interface BinarySource {
  file: string;
  sha256: string;
  /** redis-server only: built without libsystemd (see notify.ts). */
  noNotify?: boolean;
}

export interface PlanInput {
  /** The inventory with roles following the live master (see live.ts). */
  inv: Inventory;
  /** Selected hosts, inventory order. */
  hosts: readonly Host[];
  /** Rendered files of the selected hosts (no cluster-wide artifacts). */
  files: readonly RenderedFile[];
  facts: ReadonlyMap<string, HostFacts>;
  binaries?: Partial<Record<'redisServer' | 'module', BinarySource>>;
}

/** The phase a component of a host belongs to: nodes by their (live) role, then Sentinels, then HAProxy. */
export function phaseOf(inv: Inventory, host: string, c: Component): Phase {
  if (c === 'sentinel') return 'sentinels';
  if (c === 'haproxy') return 'haproxy';
  if (c === 'exporter' || c === 'prometheus' || c === 'alertmanager') return 'monitoring';
  return masterHost(inv)?.name === host ? 'master' : 'replicas';
}

export function plan(input: PlanInput): Plan {
  const { inv, files } = input;
  const out: Plan = { steps: [], checks: {}, notes: [] };
  const installed = new Map<string, Set<string>>(); // host → binary paths installed by this plan
  for (const phase of PHASES) {
    for (const h of input.hosts) {
      const facts = input.facts.get(h.name);
      if (!facts) throw new Error(`no facts gathered for ${h.name}`);
      const mine = files.filter((f) => f.host === h.name && phaseOf(inv, h.name, componentOf(inv, f.path)) === phase);
      const comps = new Set(mine.map((f) => componentOf(inv, f.path)));
      if (mine.length === 0) continue;
      const first = firstPhase(inv, h, files) === phase;
      const steps: Step[] = [];
      const add = (s: Omit<Step, 'host' | 'phase' | 'destructive'> & { destructive?: boolean }) =>
        steps.push({ host: h.name, phase, destructive: false, ...s });
      if (first) prepare(input, h, facts, add);
      if (first)
        installed.set(
          h.name,
          new Set(
            steps.flatMap((s) =>
              s.action.kind === 'upload' && s.action.source.from === 'local' ? [s.action.path] : [],
            ),
          ),
        );
      // nodes load both binaries; a Sentinel only runs redis-server
      const bins = [...(installed.get(h.name) ?? [])];
      const binChanged = comps.has('falkordb')
        ? bins.length > 0
        : comps.has('sentinel')
          ? bins.includes(inv.falkordb.redisServer)
          : false;
      const changed = new Map<string, Change>();
      for (const f of mine) {
        const why = fileChange(inv, f, facts, out);
        if (!why) continue;
        changed.set(f.path, why);
        uploadSteps(f, why, add, aclFilePath(inv));
      }
      const svc = phase === 'monitoring' ? monitoringSteps : serviceSteps;
      out.steps.push(...steps, ...svc({ inv, host: h, phase, facts, comps, changed, binChanged }));
      if (comps.has('falkordb')) out.notes.push(...kernelNotes(h.name, facts));
    }
    out.checks[phase] = checksFor(inv, input.hosts, phase);
  }
  return out;
}

/** Live kernel settings this host cannot change (a container's read-only /proc/sys or /sys): say so, every run. */
function kernelNotes(host: string, facts: HostFacts): string[] {
  const k = facts.kernel;
  if (!k) return [];
  return kernelFindings(k)
    .filter((f) => (f.via === 'sysctl' ? !k.sysctlWritable : !k.thpWritable))
    .map(
      (f) =>
        `${host}: the kernel has ${f.setting} = ${f.seen} (want ${f.want}) and it is read-only here (a container?): ` +
        `set it on the machine that runs this host — ${f.why}`,
    );
}

/** The first phase in which a host has work: its user, directories and binaries go there. */
function firstPhase(inv: Inventory, h: Host, files: readonly RenderedFile[]): Phase | undefined {
  const ps = files.filter((f) => f.host === h.name).map((f) => phaseOf(inv, h.name, componentOf(inv, f.path)));
  return PHASES.find((p) => ps.includes(p));
}

type Add = (s: Omit<Step, 'host' | 'phase' | 'destructive'> & { destructive?: boolean }) => void;

function prepare(input: PlanInput, h: Host, facts: HostFacts, add: Add): void {
  const { inv } = input;
  const r = rolesOf(inv, h);
  const svc = serviceUser(inv);
  if ((r.db || r.sentinel) && !facts.userExists) {
    add({
      id: `${h.name}:user`,
      describe: `create the service user ${svc}`,
      action: {
        kind: 'exec',
        argv: useraddArgv(svc, inv.redis.dataDir),
      },
    });
  }
  for (const d of dirsOf(
    inv,
    h,
    input.files.filter((f) => f.host === h.name),
  )) {
    const st = facts.dirs[d.path];
    const ok = st && (!d.owner || (st.mode === d.mode && st.owner === d.owner && st.group === d.owner));
    if (ok) continue;
    const argv = d.owner
      ? (['install', '-d', '-m', d.mode.toString(8), '-o', d.owner, '-g', d.owner, d.path] as const)
      : (['install', '-d', '-m', d.mode.toString(8), d.path] as const);
    add({
      id: `${h.name}:dir:${d.path}`,
      describe: `${st ? 'fix owner/mode of' : 'create'} directory ${d.path}`,
      action: { kind: 'exec', argv: [...argv] },
    });
  }
  for (const b of binariesOf(inv, h)) {
    const have = facts.files[b.path];
    const src = input.binaries?.[b.key];
    if (src) {
      if (have?.sha256 === src.sha256 && have.mode === 0o755) continue;
      add({
        id: `${h.name}:binary:${b.path}`,
        describe: `${have ? 'replace' : 'install'} ${b.path} (sha256 ${src.sha256.slice(0, 12)}…)`,
        action: {
          kind: 'upload',
          path: b.path,
          mode: 0o755,
          secret: false,
          sha256: src.sha256,
          source: { from: 'local', file: src.file },
        },
      });
    } else if (!have) {
      throw userError(
        `${h.name}: ${b.path} is not there, and the inventory says nowhere to install it from`,
        `install FalkorDB there, or set falkordb.binaries.${b.key} { source, sha256 }`,
      );
    }
  }
}

/**
 * Why a rendered file must be written, or undefined when the host already has it (or it is not ours to
 * write). 'mode/owner' and 'unit-meta' (a unit whose [Service] section is unchanged) need no restart.
 */
function fileChange(inv: Inventory, f: RenderedFile, facts: HostFacts, out: Plan): Change | undefined {
  const have = facts.files[f.path];
  if (f.path === sentinelTemplatePath(inv) && facts.files[sentinelRuntimePath(inv)]) {
    if (!have || have.sha256 !== sha(f))
      out.notes.push(
        `${f.host}: Sentinel owns ${sentinelRuntimePath(inv)} now; its template is left as it is (change a running Sentinel with SENTINEL SET)`,
      );
    return undefined;
  }
  if (!have) return 'new';
  const owner = f.owner ?? 'root:root';
  const sameOwner = `${have.owner}:${have.group}` === (owner.includes(':') ? owner : `${owner}:${owner}`);
  const isConf = f.path === falkordbConfPath(inv);
  // Redis rewrites falkordb.conf under the unit's UMask=0077: a stricter mode than ours is its doing
  const modeOk = have.mode === f.mode || (isConf && (have.mode & ~f.mode) === 0 && (have.mode & 0o600) === 0o600);
  const meta: Change | undefined = modeOk && sameOwner ? undefined : 'mode/owner';
  if (have.sha256 === sha(f)) return meta;
  const live = facts.contents[f.path];
  if (isConf && live !== undefined && sameMeaning(f.content, live)) {
    out.notes.push(
      `${f.host}: ${f.path} was rewritten by Redis (CONFIG REWRITE after a failover) and means the same as the render: left as it is`,
    );
    return meta;
  }
  if (isUnitFile(f.path) && live !== undefined && serviceSection(live) === serviceSection(f.content))
    return 'unit-meta';
  return 'content';
}

/** A unit's [Service] section, comments dropped: what a running service is started with. */
export function serviceSection(unit: string): string {
  const m = /^\[Service\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(unit);
  return (m?.[1] ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .join('\n');
}

function uploadSteps(f: RenderedFile, why: Change, add: Add, aclPath: string): void {
  const action = {
    kind: 'upload' as const,
    path: f.path,
    mode: f.mode,
    owner: f.owner,
    secret: f.secret,
    sha256: sha(f),
    source: { from: 'render' as const, path: f.path },
  };
  if (f.path === HAPROXY_CFG && why !== 'mode/owner') {
    // HAProxy judges the new file beside the live one first, so a file it rejects never replaces a good one
    const staged = `${HAPROXY_CFG}.falkorctl-new`;
    add({
      id: `${f.host}:stage:${HAPROXY_CFG}`,
      describe: `stage the new ${HAPROXY_CFG} as ${staged}`,
      action: { ...action, path: staged },
    });
    add({
      id: `${f.host}:haproxy-check`,
      describe: `check it with haproxy -c (and remove the staged copy)`,
      action: {
        kind: 'exec',
        argv: ['sh', '-c', 'haproxy -c -q -f "$1"; rc=$?; rm -f -- "$1"; exit $rc', 'haproxy-check', staged],
      },
    });
  }
  if (f.path === aclPath && why === 'content') {
    // ACL LOAD refuses a file it cannot load and keeps the users it has; the copy puts the old file back then
    add({
      id: `${f.host}:keep:${f.path}`,
      describe: `keep the live ${f.path} as ${f.path}.prev (put back if ACL LOAD refuses the new one)`,
      action: { kind: 'exec', argv: ['cp', '-p', '--', f.path, `${f.path}.prev`] },
    });
  }
  const verb = {
    new: 'write',
    'mode/owner': 'fix mode/owner of',
    'unit-meta': 'update (no restart: [Service] unchanged)',
    content: 'update',
  }[why];
  add({ id: `${f.host}:file:${f.path}`, describe: `${verb} ${f.path}${f.secret ? ' (secret, 0600)' : ''}`, action });
}

const shaCache = new WeakMap<RenderedFile, string>();
export function sha(f: RenderedFile): string {
  let s = shaCache.get(f);
  if (!s) shaCache.set(f, (s = createHash('sha256').update(f.content).digest('hex')));
  return s;
}

function checksFor(inv: Inventory, hosts: readonly Host[], phase: Phase): Check[] {
  const chosen = new Set(hosts.map((h) => h.name));
  const m = masterHost(inv);
  if (!m) return [];
  const master = { host: m.name, address: m.address, port: nodePort(inv) };
  switch (phase) {
    case 'master':
      return chosen.has(m.name) ? [{ kind: 'master', host: m.name }] : [];
    case 'replicas':
      return dbHosts(inv)
        .filter((h) => h.name !== m.name && chosen.has(h.name))
        .map((h) => ({ kind: 'replica', host: h.name, master }));
    case 'sentinels':
      return sentinelHosts(inv)
        .filter((h) => chosen.has(h.name))
        .map((h) => ({ kind: 'sentinel', host: h.name, master }));
    case 'haproxy':
      return haproxyHosts(inv)
        .filter((h) => chosen.has(h.name))
        .map((h) => ({
          kind: 'haproxy',
          host: h.name,
          master: m.name,
          replicas: dbHosts(inv)
            .filter((x) => x.name !== m.name)
            .map((x) => x.name),
        }));
    case 'monitoring':
      return monitoringChecks(inv, hosts);
  }
}
