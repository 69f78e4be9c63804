// The pure planner of `firewall apply`: the rendered ruleset and what each host has now → steps per host,
// or refusals. A host whose live table equals the render gets no steps. Hosts go one at a time (a ruleset
// that cuts SSH cuts one host, for the rollback's seconds, and the run stops there).
import { createHash } from 'node:crypto';
import type { Plan, Step } from '../core/types.js';
import { FIREWALL_PATH } from '../templates/nftables.js';

const FIREWALL_DIR = FIREWALL_PATH.slice(0, FIREWALL_PATH.lastIndexOf('/'));
import {
  BOOT_UNIT,
  BOOT_UNIT_PATH,
  bootUnit,
  CONFIRMED_DIR,
  CONFIRMED_PATH,
  confirmedDirArgv,
  enableArgv,
  sha256 as sha,
  type BootState,
} from './boot.js';
import { inNetworks } from './model.js';
import {
  applyArgv,
  armArgv,
  checkArgv,
  PREV_PATH,
  rollbackNowArgv,
  ROLLBACK_UNIT,
  sameTable,
  saveArgv,
  type TableState,
} from './remote.js';

export const PHASE = 'firewall';
export const CONFIRM_OP = 'firewall-confirm';

export interface HostFacts {
  host: string;
  table: TableState;
  /** This machine's address as the host sees the SSH connection (undefined when it cannot be told). */
  source?: string;
  /** The confirmed copy and the boot unit as they are (undefined: not read, as absent). */
  boot?: BootState;
}

export interface PlanOpts {
  confirmTimeoutS: number;
  /** Refuse when this machine's address is not in network.operator (default on). */
  sourceCheck: boolean;
}

export interface FirewallPlan {
  plan: Plan;
  refusals: { host: string; reason: string }[];
  /** Hosts whose live table, confirmed copy and boot unit already equal the render. */
  unchanged: string[];
}

export function planFirewall(
  rendered: ReadonlyMap<string, string>,
  facts: readonly HostFacts[],
  operator: readonly string[],
  o: PlanOpts,
): FirewallPlan {
  const steps: Step[] = [];
  const refusals: FirewallPlan['refusals'] = [];
  const unchanged: string[] = [];
  for (const f of facts) {
    const want = rendered.get(f.host);
    if (want === undefined) continue;
    const t = f.table;
    if (t.state === 'missing') {
      refusals.push({ host: f.host, reason: 'nft is not installed (apt-get install nftables)' });
      continue;
    }
    if (t.state === 'error') {
      refusals.push({ host: f.host, reason: `nft cannot list the ruleset: ${t.message}` });
      continue;
    }
    if (o.sourceCheck && f.source !== undefined && !inNetworks(f.source, operator)) {
      refusals.push({
        host: f.host,
        reason:
          `this machine reaches ${f.host} from ${f.source}, which is not in network.operator: ` +
          'the ruleset would cut SSH from here',
      });
      continue;
    }
    const h = f.host;
    const sha256 = createHash('sha256').update(want).digest('hex');
    // Only after the confirm step (or with the render already live, read over this run's SSH connection):
    // a failed confirm stops the run before these, so the boot unit never loads an unconfirmed upload.
    const boot = bootSteps(h, sha256, f.boot ?? { enabled: false });
    if (t.state === 'present' && sameTable(t.listing, want)) {
      if (boot.length) steps.push(...boot);
      else unchanged.push(h);
      continue;
    }
    const s = o.confirmTimeoutS;
    steps.push(
      {
        id: `${h}:firewall:dir`,
        host: h,
        phase: PHASE,
        describe: `create ${FIREWALL_DIR}`,
        action: { kind: 'exec', argv: ['install', '-d', '-m', '0755', FIREWALL_DIR] },
      },
      {
        id: `${h}:firewall:upload`,
        host: h,
        phase: PHASE,
        describe: `upload the ruleset to ${FIREWALL_PATH}`,
        action: {
          kind: 'upload',
          path: FIREWALL_PATH,
          mode: 0o644,
          secret: false,
          sha256,
          source: { from: 'render', path: FIREWALL_PATH },
        },
      },
      {
        id: `${h}:firewall:check`,
        host: h,
        phase: PHASE,
        describe: 'check it with nft -c (nothing applied)',
        action: { kind: 'exec', argv: checkArgv() },
      },
      {
        id: `${h}:firewall:save`,
        host: h,
        phase: PHASE,
        describe: `save the live table to ${PREV_PATH} (what a rollback loads)`,
        action: { kind: 'exec', argv: saveArgv() },
      },
      {
        id: `${h}:firewall:arm`,
        host: h,
        phase: PHASE,
        describe: `arm the host-side rollback: ${ROLLBACK_UNIT}.timer loads the saved table in ${s} s`,
        action: { kind: 'exec', argv: armArgv(s) },
      },
      {
        id: `${h}:firewall:apply`,
        host: h,
        phase: PHASE,
        describe: 'apply the ruleset (only table inet falkorctl is replaced)',
        destructive: true,
        action: { kind: 'exec', argv: applyArgv() },
        undo: { kind: 'exec', argv: rollbackNowArgv() },
      },
      {
        id: `${h}:firewall:confirm`,
        host: h,
        phase: PHASE,
        describe: 'over a new SSH connection: the live table is the render; then stop the rollback timer',
        action: { kind: 'custom', name: CONFIRM_OP, params: { rollbackAfterS: s } },
      },
      ...boot,
    );
  }
  return {
    plan: { command: 'firewall apply', phases: [{ name: PHASE, parallel: 1 }], steps, notes: [] },
    refusals,
    unchanged,
  };
}

/** The confirmed copy (the render, by its sha256) and the unit that loads it at boot: steps only for what differs. */
export function bootSteps(h: string, renderSha: string, b: BootState): Step[] {
  const steps: Step[] = [];
  if (b.confirmed !== renderSha)
    steps.push(
      {
        id: `${h}:firewall:confirmed-dir`,
        host: h,
        phase: PHASE,
        describe: `create ${CONFIRMED_DIR}`,
        action: { kind: 'exec', argv: confirmedDirArgv() },
      },
      {
        id: `${h}:firewall:persist`,
        host: h,
        phase: PHASE,
        describe: `keep the confirmed ruleset as ${CONFIRMED_PATH} (what the boot unit loads)`,
        action: {
          kind: 'upload',
          path: CONFIRMED_PATH,
          mode: 0o600,
          owner: 'root:root',
          secret: false,
          sha256: renderSha,
          source: { from: 'render', path: FIREWALL_PATH },
        },
      },
    );
  const unit = bootUnit();
  const unitChanged = b.unit !== sha(unit);
  if (unitChanged)
    steps.push({
      id: `${h}:firewall:boot-unit`,
      host: h,
      phase: PHASE,
      describe: `install ${BOOT_UNIT_PATH}`,
      action: {
        kind: 'upload',
        path: BOOT_UNIT_PATH,
        mode: 0o644,
        owner: 'root:root',
        secret: false,
        sha256: sha(unit),
        source: { from: 'inline', content: unit },
      },
    });
  if (unitChanged || !b.enabled)
    steps.push({
      id: `${h}:firewall:boot-enable`,
      host: h,
      phase: PHASE,
      describe: `enable ${BOOT_UNIT} (loads ${CONFIRMED_PATH} at boot, before the network)`,
      action: { kind: 'exec', argv: enableArgv() },
    });
  return steps;
}
