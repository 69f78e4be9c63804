// The deploy plan as data: every change is a step with a host, a one-line description and either an
// argv or an upload; the executor is the only thing that turns steps into effects.
import type { Argv } from '../remote/quote.js';
import type { RemoteFileState } from '../remote/file-scripts.js';
import type { KernelFacts } from '../facts/kernel.js';

export const PHASES = ['master', 'replicas', 'sentinels', 'haproxy', 'monitoring'] as const;
export type Phase = (typeof PHASES)[number];

export type Action =
  | {
      kind: 'exec';
      argv: Argv;
      /** A failure is reported as a warning, not a stop (kernel settings in a container). */ tolerate?: boolean;
    }
  /** A command to a service on the host (through the SSH tunnel), e.g. SENTINEL SET on a running Sentinel. */
  | { kind: 'redis'; port: number; sentinel: boolean; args: [string, ...string[]] }
  | {
      kind: 'upload';
      path: string;
      mode: number;
      owner?: string;
      secret: boolean;
      sha256: string;
      /** Rendered file (looked up by host and path at apply time) or a local binary. */
      source: { from: 'render'; path: string } | { from: 'local'; file: string };
    };

export interface Step {
  id: string;
  host: string;
  phase: Phase;
  describe: string;
  action: Action;
  /** Restarting a running master: needs --yes or an interactive yes. */
  destructive: boolean;
  /** Run when this step fails (e.g. put the previous ACL file back when ACL LOAD refuses the new one). */
  undo?: Action;
}

/** What must hold after a phase; always checked (also when nothing changed). */
export type Check =
  | { kind: 'master'; host: string }
  | { kind: 'replica'; host: string; master: { host: string; address: string; port: number } }
  | { kind: 'sentinel'; host: string; master: { address: string; port: number } }
  | { kind: 'haproxy'; host: string; master: string; replicas: string[] }
  | { kind: 'exporter'; host: string; node: boolean; sentinel: boolean }
  | { kind: 'prometheus'; host: string };

export interface Plan {
  steps: Step[];
  checks: Partial<Record<Phase, Check[]>>;
  /** Things a person should know that change nothing: live master substituted, files Sentinel owns. */
  notes: string[];
}

export interface UnitState {
  active: string;
  enabled: string;
}

export interface DirState {
  mode: number;
  owner: string;
  group: string;
}

/** What deploy learned about one host before planning; read-only to gather. */
export interface HostFacts {
  host: string;
  /** Every path deploy may write or compare (rendered files, binaries, Sentinel's runtime copy). */
  files: Record<string, RemoteFileState | undefined>;
  /** Live contents of files that differ from the render and are not secret (diffs, semantic compare). */
  contents: Record<string, string>;
  dirs: Record<string, DirState | undefined>;
  units: Record<string, UnitState>;
  userExists: boolean;
  /** redis-server on the host was built without libsystemd (cannot notify): true, false, or unknown. */
  noNotify?: boolean;
  /** A running Sentinel's SENTINEL MASTER fields (down-after-milliseconds, quorum…), when it answered. */
  sentinelMaster?: Record<string, string>;
  /** Live kernel settings (database hosts). */
  kernel?: KernelFacts;
}
