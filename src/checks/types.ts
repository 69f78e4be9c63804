// The checklist's shape: each check serves one item of the seed's checklists (by its own title), runs against
// the real hosts, and reports pass / warn / fail / skip — skip always with its reason — with evidence: what was
// found, what was expected, and the exact command or query that produced it.
import type { Inventory } from '../inventory/schema.js';
import type { StatusReport } from '../facts/report.js';
import type { GraphFacts } from '../facts/graphs.js';
import type { ActiveEnv } from './active.js';

export type Outcome = 'pass' | 'warn' | 'fail' | 'skip';
export type Phase = 'pre' | 'deploy' | 'post';

export interface CheckResult {
  /** Stable: "kernel.overcommit:db1". */
  id: string;
  title: string;
  /** The seed checklist item it serves, verbatim. */
  item: string;
  phase: Phase;
  host?: string;
  outcome: Outcome;
  found?: string;
  expected?: string;
  /** The command or query that produced `found`. */
  evidence?: string;
  /** Why it was skipped, or what the finding means. */
  reason?: string;
}

export interface CheckEnv {
  inv: Inventory;
  /** Database hosts in scope (--limit). */
  dbHosts: string[];
  /** Hosts in scope. */
  hosts: string[];
  /** One shell script on a host over SSH; never throws for a non-zero exit. 20 s unless timeoutMs says. */
  sh(
    host: string,
    script: string,
    args?: readonly string[],
    opts?: { timeoutMs?: number },
  ): Promise<{ stdout: string; code: number | null }>;
  /** One status round (retried by the replication checks until healthy or the deadline). */
  status(): Promise<StatusReport>;
  /** The first status round of this run, shared by checks that only read facts from it. */
  statusOnce(): Promise<StatusReport>;
  /** Each database node's GRAPH.CONFIG, GRAPH.LIST and graph keys; read once per run. */
  graphs(): Promise<GraphFacts[]>;
  /** The steps `deploy` would take on the hosts in scope now (masked); throws when deploy could not plan. */
  deployPlan(): Promise<{ host: string; describe: string }[]>;
  retryTimeoutMs: number;
  /** Hosts worked on at once (--forks), across all areas of a run: see each.ts. */
  forks: number;
  signOff?: string;
  /** The opt-in tests that act on the cluster (--load-test, --failover-test); absent: skipped. */
  active?: ActiveEnv;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface Area {
  name: string;
  /** Id prefixes its checks use besides its name (--only / --skip select areas by them). */
  prefixes?: string[];
  /** The phases its results are in (absent: any): a run for other phases skips it (`--phase post` asks no kernel). */
  phases?: readonly Phase[];
  /** It changes the cluster (the failover test): run alone, after every other area has finished. */
  alone?: boolean;
  run(env: CheckEnv): Promise<CheckResult[]>;
}

/** The seed's items, verbatim (falkordb-production-deployment-guide.md, "Deployment Checklist"). */
export const ITEMS = {
  hardware: 'Hardware specifications verified',
  storage: 'Storage configured and mounted',
  network: 'Network security configured',
  ssl: 'SSL certificates installed',
  config: 'Configuration files reviewed',
  backupTested: 'Backup procedures tested',
  monitoring: 'Monitoring stack deployed',
  alerts: 'Alert rules configured',
  docs: 'Documentation updated',
  deployMaster: 'Deploy master node',
  verifyMaster: 'Verify master functionality',
  deployReplicas: 'Deploy replica nodes',
  replication: 'Configure replication',
  sentinel: 'Deploy Sentinel (if using)',
  lb: 'Configure load balancer',
  health: 'Run health checks',
  failover: 'Perform failover test',
  loadTest: 'Load test with production data',
  goLive: 'Go-live approval',
  services: 'All services running',
  monitoringActive: 'Monitoring active',
  alertsConfigured: 'Alerts configured',
  backupSchedule: 'Backup schedule active',
  docsComplete: 'Documentation complete',
  trained: 'Team trained on procedures',
} as const;
