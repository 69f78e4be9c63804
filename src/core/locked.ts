// The wiring every mutating command repeats around the executor: the cluster lock on the live master, the
// audit log (shipped to that host at the end), the progress reporter, and Ctrl-C/SIGTERM turned into the
// executor's abort signal — so a command only says what it runs inside.
import type { Ctx } from '../context.js';
import type { Transport } from '../remote/transport.js';
import { createAudit } from './audit.js';
import type { ExecuteEnv } from './execute.js';
import { withLock } from './lock.js';
import { commandLine, operatorId } from './operator.js';
import type { Progress } from './progress.js';

export interface LockedRun {
  /** What execute() needs from the run: pass it spread into the ExecuteEnv. */
  env: Pick<ExecuteEnv, 'transport' | 'progress' | 'audit' | 'signal' | 'clock'>;
  progress: Progress;
}

export interface LockedOpts {
  transport: Transport;
  /** The lock's host, which also receives the audit lines at the end. */
  host: string;
  cluster: string;
  mask: (s: string) => string;
  /** Ship the audit to the host at the end (default true). */
  ship?: boolean;
  /** Where the audit is shipped instead of the lock's host (a per-host change keeps its own: firewall). */
  shipTo?: readonly string[];
}

export async function runLocked<T>(ctx: Ctx, o: LockedOpts, fn: (r: LockedRun) => Promise<T>): Promise<T> {
  const audit = createAudit({ cluster: o.cluster, argv: ctx.argv, env: ctx.env, clock: ctx.clock, mask: o.mask });
  const progress = ctx.progress(o.mask);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  return withLock(
    {
      transport: o.transport,
      host: o.host,
      cluster: o.cluster,
      owner: operatorId(ctx.env),
      command: commandLine(['falkorctl', ...ctx.argv]),
      clock: ctx.clock,
    },
    async () => {
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      try {
        const env = {
          transport: o.transport,
          progress,
          audit: (x: Parameters<NonNullable<ExecuteEnv['audit']>>[0]) => audit.record(x),
          signal: abort.signal,
          clock: ctx.clock,
        };
        return await fn({ env, progress });
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        progress.stop();
        if (o.ship !== false)
          for (const h of o.shipTo ?? [o.host]) {
            const w = await audit.shipTo(o.transport, h);
            if (w) ctx.out.warn(w);
          }
      }
    },
  );
}
