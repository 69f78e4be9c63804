// `falkorctl status [--limit …] [--watch [s] [--count n]] [--direct] [--json]`: what is true on the
// hosts now. Exit 0 healthy, 1 degraded (see README "status"), 2 bad input, 3 a host key was refused.
import type { Handler } from '../context.js';
import type { Ctx } from '../context.js';
import { EXIT, userError } from '../errors.js';
import { openInventory, secretsFor } from '../inventory/open.js';
import { selectHosts } from '../remote/select.js';
import { createRedisFactory } from '../redis/client.js';
import { createSshTunnels } from '../redis/tunnel.js';
import { createSshPool } from '../remote/ssh-pool.js';
import { createSshTransport } from '../remote/ssh.js';
import { errorCodes, gatherStatus } from '../facts/gather.js';
import { renderHuman, type StatusReport } from '../facts/report.js';
import { hostExec } from '../monitoring/probe.js';
import { monitoringStatus, withMonitoring } from '../monitoring/status.js';

function watchSeconds(v: unknown): number | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return 2;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw userError(`--watch ${typeof v === 'string' ? v : typeof v}: not a positive number of seconds`);
  return n;
}

const REFUSED_HINT =
  'some hosts were not asked: their SSH host key is unknown or changed. Verify it, then re-run with --accept-new (it never replaces a changed key)';
const exitFor = (r: StatusReport): number =>
  errorCodes(r).has('REFUSED') ? EXIT.REFUSED : r.healthy ? EXIT.OK : EXIT.FAILED;

export const run: Handler = async ({ opts }, ctx) => {
  const every = watchSeconds(opts.watch);
  const count = typeof opts.count === 'number' ? opts.count : undefined;
  if (count !== undefined && every === undefined) throw userError('--count only makes sense with --watch');
  if (every !== undefined && ctx.opts.json)
    throw userError('--watch redraws a screen for a person; with --json, run status in a loop instead');
  const loaded = await openInventory(ctx);
  const inv = loaded.inventory;
  const limit = opts.limit as string[] | undefined;
  const hosts = selectHosts(inv, limit);
  const secrets = await secretsFor(ctx, loaded);
  // one SSH connection per host for the tunnels (Redis, Sentinel, HAProxy's socket) and, on a database host, the
  // one command that reads its kernel settings, backups and falkordb.conf
  const pool = createSshPool(inv, {
    acceptNew: opts.acceptNew === true,
    prompt: ctx.prompt,
    env: ctx.env,
    log: (l) => ctx.out.verbose(l),
    notice: (l) => ctx.out.info(l),
  });
  const tunnels = createSshTunnels(inv, { pool });
  const transport = createSshTransport(inv, { pool, log: (l) => ctx.out.verbose(l) });
  const factory = createRedisFactory(inv, { mode: opts.direct === true ? 'direct' : 'ssh', tunnels });
  // the monitoring hosts are asked at the same time as the cluster, not after it
  const round = async () => {
    const [report, monitoring] = await Promise.all([
      gatherStatus(inv, secrets, factory, tunnels, {
        hosts,
        partial: Boolean(limit?.length),
        forks: Number(opts.forks ?? 10),
        now: () => ctx.clock.now(),
        exec: async (host, script) => (await transport.exec(host, ['sh', '-c', script], { timeoutMs: 10_000 })).stdout,
      }),
      monitoringStatus(inv, hostExec(transport), hosts),
    ]);
    return withMonitoring(report, monitoring);
  };
  try {
    if (every === undefined) {
      const r = await round();
      ctx.out.result(r, () => renderHuman(r, ctx.out.color));
      if (errorCodes(r).has('REFUSED')) ctx.out.warn(REFUSED_HINT);
      return exitFor(r);
    }
    return await watch(ctx, round, every, count);
  } finally {
    await factory.close();
    await tunnels.close();
  }
};

/** Redraws every `every` seconds until Ctrl-C (or `count` rounds); exits with the last round's verdict. */
async function watch(ctx: Ctx, round: () => Promise<StatusReport>, every: number, count?: number): Promise<number> {
  let stop = false;
  let wake = () => {};
  const onInt = () => {
    stop = true;
    wake();
  };
  process.once('SIGINT', onInt);
  const redraw = ctx.out.color.level > 0; // a terminal: clear and draw in place; a pipe or log: append
  let code: number = EXIT.OK;
  try {
    for (let n = 1; !stop; n++) {
      const r = await round();
      code = exitFor(r);
      const text =
        renderHuman(r, ctx.out.color) +
        ctx.out.color.dim(`\n(every ${every}s${count ? `, ${n}/${count}` : ''}; Ctrl-C stops)`);
      ctx.out.line(redraw ? `\x1b[H\x1b[2J${text}` : `${n > 1 ? '\n' : ''}${text}`);
      if (count !== undefined && n >= count) break;
      await Promise.race([ctx.clock.sleep(every * 1000), new Promise<void>((r) => (wake = r))]);
    }
  } finally {
    process.removeListener('SIGINT', onInt);
  }
  return code;
}
