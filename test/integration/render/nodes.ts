// Starting a rendered host's daemons the way its rendered systemd units would: the unit's ExecStartPre
// and ExecStart argv, run in the host's own view of its directories. What differs from a real host is
// listed in OVERRIDES; nothing else is changed.
import { readFileSync } from 'node:fs';
import {
  haproxyStat,
  runOnce,
  startHAProxy,
  startRedis,
  startSentinel,
  type Managed,
  type RunningServer,
} from '../../helpers/index.js';
import { fileOf, parseEnvFile, unitArgv, type Layout } from './fixture.js';

/**
 * Command-line overrides, and why each is needed on one machine (unmodified.test.ts runs the same files
 * with none of them, each host in its own network namespace):
 * - `--bind <host address>`: the rendered `bind` lists the host's address AND 127.0.0.1. Three nodes
 *   (and three Sentinels) sharing this machine's 127.0.0.1:6379/26379 cannot all bind it, so each binds
 *   only its own address. The full rendered bind line is still parsed and checked by the tests.
 * Not overridden: `supervised systemd` (with no NOTIFY_SOCKET Redis just logs that and runs), `dir`,
 * `logfile`, `include` (each host sees its own directories through bind mounts).
 * Not reproduced: User=falkordb and the sandboxing lines of the units (the tests run as root).
 */
export const bindOverride = (l: Layout, host: string): string[] => ['--bind', l.addr(host)];

/** Where to run: by default on this machine's loopback with OVERRIDES; in a private netns, unmodified. */
export interface Where {
  netns?: string;
}

const overrides = (l: Layout, host: string, w: Where): string[] => (w.netns ? [] : bindOverride(l, host));

export async function startDb(l: Layout, host: string, w: Where = {}): Promise<RunningServer> {
  const unit = fileOf(l, host, { suffix: '/falkordb.service' }).content;
  const [exec] = unitArgv(unit, 'ExecStart');
  if (!exec || exec.length < 2) throw new Error(`${host}: falkordb.service has no ExecStart=<redis-server> <conf>`);
  const [redisServer, conf, ...rest] = exec;
  return startRedis({
    name: `falkordb ${host}`,
    redisServer,
    conf: conf!,
    args: [...rest, ...overrides(l, host, w)],
    binds: l.binds(host),
    netns: w.netns,
    host: l.addr(host),
    port: l.inv.redis.port,
  });
}

export async function startSentinelOf(l: Layout, host: string, w: Where = {}): Promise<RunningServer> {
  const unit = fileOf(l, host, { suffix: '/falkordb-sentinel.service' }).content;
  const binds = l.binds(host);
  for (const pre of unitArgv(unit, 'ExecStartPre')) {
    const r = await runOnce({ argv: pre as [string, ...string[]], binds });
    if (!r.ok) throw new Error(`${host}: ExecStartPre ${pre.join(' ')} failed (${r.code}):\n${r.output}`);
  }
  const [exec] = unitArgv(unit, 'ExecStart');
  if (!exec || exec.length < 3 || !exec.includes('--sentinel')) {
    throw new Error(
      `${host}: falkordb-sentinel.service ExecStart is not <redis-server> <conf> --sentinel: ${exec?.join(' ')}`,
    );
  }
  const [redisServer, conf, ...rest] = exec;
  return startSentinel({
    name: `sentinel ${host}`,
    redisServer,
    conf: conf!,
    args: [...rest.filter((a) => a !== '--sentinel'), ...overrides(l, host, w)],
    binds,
    netns: w.netns,
    host: l.addr(host),
    port: l.inv.sentinel.port,
  });
}

/** HAProxy with the environment its systemd drop-in gives it (EnvironmentFile=…). */
export async function startLb(
  l: Layout,
  host: string,
): Promise<{ proc: Managed; env: Record<string, string>; cfg: string }> {
  const { cfg, env } = lbFiles(l, host);
  const proc = await startHAProxy({ name: `haproxy ${host}`, cfg, env });
  return { proc, env, cfg };
}

export function lbFiles(l: Layout, host: string): { cfg: string; env: Record<string, string> } {
  const cfg = l.onHost(host, fileOf(l, host, { kind: 'haproxy' }).path);
  const dropin = fileOf(l, host, { suffix: '/haproxy.service.d/falkordb.conf' }).content;
  const envFiles = dropin
    .split('\n')
    .filter((x) => x.startsWith('EnvironmentFile='))
    .map((x) => x.slice('EnvironmentFile='.length).replace(/^-/, ''));
  if (!envFiles.length) throw new Error(`${host}: the haproxy drop-in names no EnvironmentFile`);
  const env = Object.assign(
    {},
    ...envFiles.map((p) => parseEnvFile(readFileSync(l.onHost(host, p), 'utf8'))),
  ) as Record<string, string>;
  return { cfg, env };
}

/** "backend/server" → "UP" | "DOWN" | "MAINT" … from HAProxy's runtime API ("UP 1/2" counts as UP). */
export async function backendStates(statsSocket: string): Promise<Record<string, string>> {
  const rows = await haproxyStat(statsSocket);
  return Object.fromEntries(
    rows
      .filter((r) => r.svname !== 'FRONTEND' && r.svname !== 'BACKEND')
      .map((r) => [`${r.pxname}/${r.svname}`, (r.status ?? '').split(' ')[0]!]),
  );
}
