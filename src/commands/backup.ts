// `falkorctl backup [--host NAME] [--verify-restore] [--to DIR] [--json]`: a verified RDB snapshot of the cluster
// on the backup directory of the node it was taken on, with its manifest (and with --to, a copy here, sha256
// checked). `falkorctl backup list [--json]`: every backup on the database hosts. `backup prune`:
// backup-prune.ts; `backup schedule`: backup-schedule.ts. Exit: 0 done (and verified); 1 a check of the copy
// failed, a download or a step failed; 2 bad input; 3 refused (no healthy source, the cluster is locked).
import type { Ctx, Handler } from '../context.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { discoverTopology } from '../facts/topology.js';
import { withLock } from '../core/lock.js';
import { commandLine, operatorId } from '../core/operator.js';
import { age, listBackups } from '../backup/list.js';
import { isVerified, pickSource, type Manifest } from '../backup/manifest.js';
import { openBackupSession, type BackupSession } from '../backup/session.js';
import { takeBackup } from '../backup/take.js';
import { download, prepareTarget, type Downloaded } from '../backup/download.js';

const size = (n: number) =>
  n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} B`;

function manifestText(m: Manifest): string {
  const v = m.verified;
  const graphs = m.graphs.map((g) => `  ${g.name}: ${g.nodes} nodes, ${g.edges} edges`);
  return [
    `backup ${m.id}`,
    `  on ${m.host} (${m.role}) at offset ${m.masterReplOffset}; Redis ${m.redisVersion}, FalkorDB ${m.falkordbVersion}`,
    `  ${m.rdb}: ${size(m.size)}, sha256 ${m.sha256}`,
    `  redis-check-rdb: ${v.checkRdb ? 'ok' : 'FAILED'}; verify-restore: ${v.restore === null ? 'not run' : v.restore ? 'ok' : 'FAILED'}`,
    ...v.problems.map((p) => `  problem: ${p}`),
    `graphs (${m.graphs.length}):`,
    ...graphs,
  ].join('\n');
}

async function take(ctx: Ctx, s: BackupSession, opts: Record<string, unknown>): Promise<number> {
  const { inv } = s;
  const to = typeof opts.to === 'string' ? await prepareTarget(opts.to, ctx.cwd) : undefined;
  const topo = await discoverTopology(inv, s.factory, s.secrets);
  const pick = pickSource(topo.nodes, inv.monitoring.replicationLagBytes, opts.host as string | undefined);
  if (!pick.ok)
    throw refusal(
      `no node to take the backup on; nothing was changed:\n${pick.reasons.map((r) => `  - ${r}`).join('\n')}`,
      'falkorctl status shows the cluster',
    );
  const master = topo.nodes.find((n) => n.up && n.replication?.role === 'master')!;
  const progress = ctx.progress(s.mask);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let m: Manifest;
  try {
    // the lock keeps a restore or rolling restart from stopping the source node mid-backup
    m = await withLock(
      {
        transport: s.transport,
        host: master.host,
        cluster: inv.cluster,
        owner: operatorId(ctx.env),
        command: commandLine(['falkorctl', ...ctx.argv]),
        clock: ctx.clock,
      },
      () =>
        takeBackup(
          {
            inv,
            transport: s.transport,
            factory: s.factory,
            password: s.secrets.password,
            clock: ctx.clock,
            progress: (h, l) => progress.update(h, l),
            signal: abort.signal,
          },
          pick.node,
          { verifyRestore: Boolean(opts.verifyRestore) },
        ),
    );
    progress.finish(pick.node.host, m.verified.problems.length === 0);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    progress.stop();
  }
  const ok = m.verified.problems.length === 0;
  // a copy that failed its checks is not worth an off-site copy
  let local: Downloaded | undefined;
  if (to && ok) {
    local = await download(s.transport, m, to, inv.backup.dir);
  }
  ctx.out.result({ ok, fullyVerified: isVerified(m), ...m, ...(local ? { downloaded: local } : {}) }, () =>
    [manifestText(m), ...(local ? [`downloaded to ${local.rdb} (sha256 checked) and ${local.manifest}`] : [])].join(
      '\n',
    ),
  );
  if (!ok)
    throw new FalkorError('FAILED', `backup ${m.id}: the copy failed its checks (kept, marked unverified)`, {
      hint: 'falkorctl backup list shows it; run the backup again',
    });
  return EXIT.OK;
}

async function list(ctx: Ctx, s: BackupSession, opts: Record<string, unknown>): Promise<number> {
  const l = await listBackups(s.inv, s.transport, Number(opts.forks ?? 10));
  const now = ctx.clock.now();
  const rows = l.backups.map((b) => ({
    id: b.manifest.id,
    host: b.on,
    createdAt: b.manifest.createdAt,
    age: age(b.manifest.createdAt, now),
    size: b.manifest.size,
    graphs: b.manifest.graphs.length,
    verified: b.verified,
    rdbPresent: b.rdbPresent,
    falkordbVersion: b.manifest.falkordbVersion,
  }));
  for (const p of l.problems) ctx.out.warn(p);
  ctx.out.result({ backups: rows, problems: l.problems }, () =>
    rows.length
      ? [
          'ID  AGE  HOST  SIZE  GRAPHS  VERIFIED',
          ...rows.map(
            (r) =>
              `${r.id}  ${r.age}  ${r.host}  ${size(r.size)}  ${r.graphs}  ` +
              `${r.verified ? 'yes' : r.rdbPresent ? 'no' : 'no (RDB missing)'}`,
          ),
        ].join('\n')
      : `no backups in ${s.inv.backup.dir} on the database hosts`,
  );
  return l.problems.length ? EXIT.FAILED : EXIT.OK;
}

const ACTIONS = ['list', 'prune', 'schedule'] as const;

export const run: Handler = async ({ operands, opts }, ctx) => {
  const action = operands[0];
  if (action !== undefined && !(ACTIONS as readonly string[]).includes(action))
    throw userError(
      `backup: unknown action "${action}"`,
      'falkorctl backup [--host NAME] [--verify-restore] | list | prune | schedule',
    );
  if (action !== undefined && (opts.host !== undefined || opts.verifyRestore || opts.to !== undefined))
    throw userError(`backup ${action} takes no --host, --verify-restore or --to`);
  const s = await openBackupSession(ctx, opts);
  try {
    if (action === 'prune') return await (await import('./backup-prune.js')).prune(ctx, s, opts);
    if (action === 'schedule') return await (await import('./backup-schedule.js')).schedule(ctx, s, opts);
    return action === 'list' ? await list(ctx, s, opts) : await take(ctx, s, opts);
  } finally {
    await s.close();
  }
};
