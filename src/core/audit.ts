// The audit log: one JSON line per step of every mutating command — who, what command line (secrets
// masked), which host and step, the outcome and how long it took. Written on the operator's machine as each
// step finishes (an interrupted run still leaves its trail), and appended to a log on the master host at the
// end of the run in one SSH round trip, so the cluster keeps a history whoever ran the tool from where.
import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Clock } from '../context.js';
import { realClock } from '../context.js';
import type { Transport } from '../remote/transport.js';
import { commandLine, operatorId } from './operator.js';
import type { StepResult } from './types.js';

/** The log on the master host (root-owned, 0640: a step's detail may name paths and hosts). */
export const REMOTE_AUDIT_PATH = '/var/log/falkorctl/audit.jsonl';

export interface AuditLine {
  time: string;
  operator: string;
  cluster: string;
  command: string;
  host: string;
  step: string;
  outcome: StepResult['outcome'];
  durationMs: number;
  detail?: string;
}

export interface AuditOptions {
  cluster: string;
  /** The process argv after `node falkorctl` (masked here). */
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Masks secret values in a detail (a failing command's stderr can quote a config line). */
  mask?: (s: string) => string;
}

export interface Audit {
  /** Where the local lines go. */
  readonly file: string;
  readonly lines: readonly AuditLine[];
  /** ExecuteEnv.audit: one line per finished step, appended locally at once. */
  record(r: StepResult): void;
  /** Appends this run's lines to the master host's log; never throws (returns a warning instead). */
  shipTo(transport: Transport, host: string): Promise<string | undefined>;
}

/** `$XDG_STATE_HOME/falkorctl/audit.jsonl`, `~/.local/state/falkorctl/audit.jsonl` by default. */
export function auditFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : undefined;
  return join(base ?? join(env.HOME || homedir(), '.local', 'state'), 'falkorctl', 'audit.jsonl');
}

export function createAudit(o: AuditOptions): Audit {
  const env = o.env ?? process.env;
  const clock = o.clock ?? realClock;
  const mask = o.mask ?? ((s: string) => s);
  const file = auditFile(env);
  const operator = operatorId(env);
  const command = mask(commandLine(['falkorctl', ...o.argv]));
  const lines: AuditLine[] = [];
  let localBroken: string | undefined;
  return {
    file,
    lines,
    record(r) {
      if (r.outcome === 'not-done') return; // it did nothing: nothing to audit
      const line: AuditLine = {
        time: new Date(clock.now()).toISOString(),
        operator,
        cluster: o.cluster,
        command,
        host: r.step.host,
        step: r.step.id,
        outcome: r.outcome,
        durationMs: Math.round(r.durationMs),
        ...(r.detail ? { detail: mask(r.detail) } : {}),
      };
      lines.push(line);
      if (localBroken) return;
      try {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      } catch (e) {
        // The audit must not stop a change half-way; the command reports it at the end.
        localBroken = (e as Error).message;
      }
    },
    async shipTo(transport, host) {
      const local = localBroken ? `the local audit log ${file} could not be written: ${localBroken}` : undefined;
      if (!lines.length) return local;
      const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
      const script = 'umask 027; mkdir -p "$(dirname "$1")" && cat >> "$1" && chmod 0640 "$1"';
      try {
        await transport.exec(host, ['sh', '-c', script, 'audit', REMOTE_AUDIT_PATH], {
          stdin: body,
          check: true,
        });
        return local;
      } catch (e) {
        const w = `${host}: the audit lines of this run were not appended to ${REMOTE_AUDIT_PATH}: ${(e as Error).message}`;
        return local ? `${local}; ${w}` : w;
      }
    },
  };
}
