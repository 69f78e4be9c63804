// The plan as data, shared by every command that changes a live cluster (deploy, provision, switchover,
// rolling-restart, config update, backup/restore). Planners are pure: inventory + facts → Plan. The one
// executor (execute.ts) is the only thing that turns steps into effects; --dry-run, --diff, --json, the
// audit log and unit tests all read the same Plan.
import type { Argv } from '../remote/quote.js';

/** Where an upload's bytes come from; resolved (and its sha256 checked) only when the step runs. */
export type UploadSource =
  | { from: 'render'; path: string } // a rendered file of the step's host
  | { from: 'local'; file: string } // a file on the operator's machine (binaries, backups)
  | { from: 'inline'; content: string }; // small generated content (never a secret: plans are printed)

/** What one step does. Every variant is plain data, so a plan can be printed, diffed and logged. */
export type Action =
  | {
      kind: 'exec';
      argv: Argv;
      timeoutMs?: number;
      /** A failure is a warning, not a stop (e.g. kernel settings inside a container). */
      tolerate?: boolean;
    }
  | {
      kind: 'upload';
      path: string;
      mode: number;
      /** `user` or `user:group`. */
      owner?: string;
      /** Content is masked in diffs, logs and --json. */
      secret: boolean;
      sha256: string;
      source: UploadSource;
    }
  /** A command to a service on the step's host, through the SSH tunnel (SENTINEL SET, CONFIG SET, …). */
  | { kind: 'redis'; service: 'node' | 'sentinel'; port: number; args: [string, ...string[]] }
  /** Poll a condition until it holds or its deadline passes. */
  | { kind: 'wait'; check: CheckSpec }
  /**
   * An operation only one command knows (a switchover's fence, a HAProxy runtime flip). The command passes
   * the implementation to the executor by `name`; `params` must be data (they are printed and logged).
   */
  | { kind: 'custom'; name: string; params?: Readonly<Record<string, unknown>> };

/**
 * A condition asked of the live services. `kind` names a probe the command gives the executor (see
 * ExecuteEnv.probes); the probe says what it saw, so a timeout can name the last value.
 */
export interface CheckSpec {
  kind: string;
  host: string;
  /** What is awaited, as a person reads it: "db2: replica of db1, link up, in sync". */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  params?: Readonly<Record<string, unknown>>;
}

export interface Step {
  /** Stable and unique in the plan, `host:what[:detail]`: audit lines, --json and tests refer to it. */
  id: string;
  host: string;
  /** Steps run phase by phase, in the order of Plan.phases. */
  phase: string;
  /** One line a person reads in the plan. */
  describe: string;
  action: Action;
  /** Needs an interactive yes or --yes (wiping a disk needs more: see the command). */
  destructive?: boolean;
  /** Must hold after the step; the step fails if it does not within its deadline. */
  verify?: CheckSpec;
  /** What brings the host back if the step started and cannot finish (failure or Ctrl-C). */
  undo?: Action;
}

export interface PhaseSpec {
  name: string;
  /**
   * How many hosts of this phase work at once: 'forks' (the --forks bound), or a number; 1 is a rolling
   * phase (one host at a time, each verified before the next starts).
   */
  parallel: 'forks' | number;
  /** Conditions that must hold when the phase ends, also when none of its steps ran. */
  checks?: CheckSpec[];
}

export interface Plan {
  /** The command that made it, e.g. "deploy", "switchover" (audit log, lock owner). */
  command: string;
  phases: PhaseSpec[];
  steps: Step[];
  /** Things a person should know that change nothing. */
  notes: string[];
}

export type Outcome = 'changed' | 'unchanged' | 'failed' | 'undone' | 'not-done' | 'warning';

export interface StepResult {
  step: Step;
  outcome: Outcome;
  durationMs: number;
  /** What a verify or wait saw when it passed, or the failure's message. */
  detail?: string;
  /** Outcome `undone`: what the undo reported (a custom undo's answer), for the failure report. */
  undone?: string;
}

export interface Failure {
  host: string;
  stepId?: string;
  what: string;
  argv?: readonly string[];
  exitStatus?: number | null;
  stderr?: string;
  message: string;
}

export interface ExecuteReport {
  results: StepResult[];
  /** Summaries of the phase checks that passed. */
  verified: string[];
  warnings: string[];
  failure?: Failure;
  /** Ctrl-C (SIGINT/SIGTERM) stopped the run at a safe point. */
  interrupted?: boolean;
}
