// config update's HAProxy side at run time. Before any node is touched: the unit must run HAProxy in
// master-worker mode (-W/-Ws) with a reload (a reload of a standalone HAProxy restarts it, dropping every
// session), and `haproxy -c` must accept the new file, staged beside the live one and removed again. Then the
// plan's steps: install + reload, awaited until a NEW worker answers on the stats socket (the reload really
// happened); the verify is the write backend with exactly the master UP; the undo restores .prev and reloads.
import { FalkorError, refusal, userError } from '../errors.js';
import type { CustomFn, ProbeFn } from '../core/execute.js';
import { done, notYet, waitFor } from '../core/wait.js';
import { haproxyCommand, showStat } from '../haproxy/socket.js';
import { serverUp } from '../haproxy/stats.js';
import type { Tunnels } from '../redis/tunnel.js';
import type { Transport } from '../remote/transport.js';
import { HAPROXY_STATE } from '../templates/haproxy.js';

export const HAPROXY_UNIT = 'haproxy.service';
const RELOAD_MS = 30_000;

export interface HaproxyEnv {
  transport: Transport;
  tunnels?: Tunnels;
  socket: string;
  /** The new haproxy.cfg per load balancer host. */
  rendered: ReadonlyMap<string, string>;
}

/** `systemctl show -p CanReload -p ExecStart`: master-worker when ExecStart's argv has -W or -Ws. */
export function masterWorker(show: string): { canReload: boolean; masterWorker: boolean } {
  const argv = /argv\[\]=([^;]*)/.exec(show)?.[1] ?? '';
  return {
    canReload: /^CanReload=yes$/m.test(show),
    masterWorker: argv.split(/\s+/).some((a) => a === '-W' || a === '-Ws'),
  };
}

/** Both checks on one host; throws refusal (exit 3) or a USER error (exit 2) with HAProxy's own message. */
export async function haproxyPreflight(e: HaproxyEnv, host: string, cfgPath: string): Promise<string> {
  const show = await e.transport.exec(host, ['systemctl', 'show', '-p', 'CanReload', '-p', 'ExecStart', HAPROXY_UNIT]);
  const mw = masterWorker(show.stdout);
  if (!mw.masterWorker || !mw.canReload)
    throw refusal(
      `${host}: ${HAPROXY_UNIT} does not run HAProxy in master-worker mode with a reload ` +
        `(${mw.masterWorker ? 'no ExecReload' : 'no -W/-Ws in ExecStart'}): a reload could drop every session`,
      'run HAProxy with -Ws (Debian and RHEL packages do) or change haproxy.cfg with falkorctl deploy',
    );
  const staged = `${cfgPath}.falkorctl-new`;
  await e.transport.upload(host, staged, e.rendered.get(host)!, { mode: 0o644, backup: false });
  const r = await e.transport.exec(
    host,
    ['sh', '-c', 'haproxy -c -f "$1" 2>&1; rc=$?; rm -f -- "$1"; exit $rc', 'haproxy-check', staged],
    { check: false },
  );
  if (r.code !== 0)
    throw userError(
      `haproxy -c on ${host} refused the new haproxy.cfg (no node was touched):\n${r.stdout.trim()}`,
      "fix the inventory's haproxy section",
    );
  return `${host}: haproxy -c accepts the new file; ${HAPROXY_UNIT} is master-worker (-Ws)`;
}

async function workerPid(e: HaproxyEnv, host: string): Promise<string | undefined> {
  if (!e.tunnels) throw new FalkorError('USER', 'reloading HAProxy needs the SSH connection to reach its stats socket');
  const info = await haproxyCommand(e.tunnels, host, e.socket, 'show info').catch(() => '');
  return /^Pid: (\d+)$/m.exec(info)?.[1];
}

/**
 * Writes `content` to `path`, hands the server states over (HAPROXY_STATE: who is UP, DOWN, in maintenance, so
 * the new worker does not start every server UP), reloads, waits for a new worker, then empties the state file
 * again ("1": no server), so a later start or deploy's reload never loads states that went stale. Returns
 * "worker A → B".
 */
async function reloadWith(
  e: HaproxyEnv,
  host: string,
  a: { path: string; backend: string },
  content: Buffer | string,
  signal: AbortSignal,
) {
  const path = a.path;
  const before = await workerPid(e, host);
  await e.transport.upload(host, path, content, { mode: 0o644, backup: false });
  const state = await haproxyCommand(e.tunnels!, host, e.socket, 'show servers state');
  if (!/^1\n/.test(state))
    throw new FalkorError('REMOTE', `${host}: "show servers state" answered: ${state.slice(0, 200)}`);
  await e.transport.upload(host, HAPROXY_STATE, state, { mode: 0o644, backup: false });
  await e.transport.exec(host, ['systemctl', 'reload', HAPROXY_UNIT], { timeoutMs: RELOAD_MS });
  const after = await waitFor(
    async () => {
      const pid = await workerPid(e, host);
      return pid && pid !== before ? done(pid) : notYet(`worker ${pid ?? '(no answer)'}`);
    },
    { what: `HAProxy ${host}: a new worker (not ${before ?? '?'}) on ${e.socket}`, timeoutMs: RELOAD_MS, signal },
  );
  // what the new worker started with, before its own checks had much time: the states handed over
  const b = (await showStat(e.tunnels!, host, e.socket)).find((x) => x.name === a.backend);
  const first = b?.servers.map((x) => `${x.server} ${x.status}`).join(', ') ?? `no backend ${a.backend}`;
  await e.transport.upload(host, HAPROXY_STATE, '1\n', { mode: 0o644, backup: false });
  return `worker ${before ?? '?'} → ${after}; its first view of ${a.backend}: ${first}`;
}

const params = (s: Parameters<CustomFn>[0]) =>
  (s.action.kind === 'custom' ? (s.action.params ?? {}) : {}) as { path: string; prev: string; backend: string };

export function haproxyCustoms(e: HaproxyEnv): Record<string, CustomFn> {
  return {
    'haproxy-install': async (step, signal) => {
      const { path, prev, backend } = params(step);
      const old = await e.transport.read(step.host, path);
      if (old) await e.transport.upload(step.host, prev, old, { mode: 0o644, backup: false });
      const w = await reloadWith(e, step.host, { path, backend }, e.rendered.get(step.host)!, signal);
      return `${path} installed${old ? ` (the previous one in ${prev})` : ''}, HAProxy reloaded: ${w}`;
    },
    'haproxy-restore': async (step, signal) => {
      const { path, prev, backend } = params(step);
      const old = await e.transport.read(step.host, prev);
      if (!old) throw new FalkorError('FAILED', `${step.host}: no ${prev} to roll back to`);
      const w = await reloadWith(e, step.host, { path, backend }, old, signal);
      return `rolled back: ${path} restored from ${prev}, HAProxy reloaded: ${w}`;
    },
  };
}

/** haproxy-write-master: the write backend with exactly the master UP, every other database server not. */
export function haproxyProbes(e: HaproxyEnv): Record<string, ProbeFn> {
  return {
    'haproxy-write-master': async (spec) => {
      const a = spec.params as { backend: string; master: string; servers: string[] };
      const b = (await showStat(e.tunnels!, spec.host, e.socket)).find((x) => x.name === a.backend);
      if (!b) return notYet(`no backend ${a.backend}`);
      const up = b.servers.filter(serverUp).map((s) => s.server);
      const seen = b.servers.map((s) => `${s.server} ${s.status}`).join(', ');
      return up.length === 1 && up[0] === a.master ? done(`${a.backend}: ${seen}`) : notYet(seen);
    },
  };
}
