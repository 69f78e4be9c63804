// The servers falkorctl deploys, started for real from config files: redis-server 8 with the FalkorDB
// module, Sentinel, HAProxy; plus the static checkers (haproxy -c, promtool).
import { isAbsolute, join } from 'node:path';
import { haproxyBinds, outsidePath, readText, redisSetting } from './conf.js';
import { requireFalkorBinaries, requireTool } from './bins.js';
import { pingIn } from './netns.js';
import { answered, redisAnswers, tcpOpen } from './probe.js';
import { startProcess, type Bind, type Managed } from './process.js';
import { runOnce, type RunResult } from './run.js';

export interface RedisStart {
  /** Path of the config file (as the process sees it; with binds, inside its namespace). */
  conf: string;
  /** Extra command-line arguments, e.g. ['--supervised', 'no']. Each one overrides the file: keep few. */
  args?: readonly string[];
  cwd?: string;
  env?: Record<string, string>;
  binds?: readonly Bind[];
  name?: string;
  /** The redis-server to run; default: the one findFalkorBinaries() finds. */
  redisServer?: string;
  /** Run inside this network namespace (netns.ts); readiness is then probed from inside it. */
  netns?: string;
  /** Where to probe; default: first `bind` address and `port` of the config file. */
  host?: string;
  port?: number;
  readyTimeoutMs?: number;
}

export interface RunningServer {
  proc: Managed;
  host: string;
  port: number;
}

/** redis-server <conf> [args]: ready when it answers PING (or asks for a password). */
export function startRedis(o: RedisStart): Promise<RunningServer> {
  return startRedisLike(o, [], 'redis');
}

/** redis-server <conf> --sentinel: the file must be writable (Sentinel rewrites it). */
export function startSentinel(o: RedisStart): Promise<RunningServer> {
  return startRedisLike(o, ['--sentinel'], 'sentinel');
}

async function startRedisLike(o: RedisStart, mode: string[], kind: string): Promise<RunningServer> {
  const redisServer = o.redisServer ?? requireFalkorBinaries().redisServer;
  const confOutside = outsidePath(o.conf, o.binds);
  const text = readText(confOutside);
  const host =
    o.host ??
    redisSetting(text, 'bind')
      ?.split(' ')
      .find((a) => !a.startsWith('-')) ??
    '127.0.0.1';
  const port = o.port ?? Number(redisSetting(text, 'port') ?? (kind === 'sentinel' ? 26379 : 6379));
  if (!o.netns) await mustBeFree(host, port);
  const logfile = redisSetting(text, 'logfile');
  const logFiles = logfile
    ? [
        outsidePath(
          isAbsolute(logfile) ? logfile : join(o.cwd ?? process.cwd(), logfile) /* redis resolves it against its cwd */,
          o.binds,
        ),
      ]
    : [];
  const proc = await startProcess({
    name: o.name ?? `${kind} ${host}:${port}`,
    argv: [redisServer, o.conf, ...mode, ...(o.args ?? [])],
    cwd: o.cwd,
    env: o.env,
    binds: o.binds,
    netns: o.netns,
    logFiles,
    ready: o.netns
      ? async () => answered((await pingIn(o.netns!, host, port))[0] ?? '')
      : () => redisAnswers(host, port),
    readyTimeoutMs: o.readyTimeoutMs,
  });
  return { proc, host, port };
}

export interface HAProxyStart {
  cfg: string;
  /** HAProxy expands "${VAR}" from its environment: the way a secret reaches a health check. */
  env?: Record<string, string>;
  binds?: readonly Bind[];
  name?: string;
  /** What to probe; default: every `bind host:port` in the file. */
  endpoints?: { host: string; port: number }[];
  readyTimeoutMs?: number;
}

/** haproxy -db -f <cfg> (foreground): ready when every frontend accepts a TCP connection. */
export async function startHAProxy(o: HAProxyStart): Promise<Managed> {
  const haproxy = requireTool('haproxy', 'apt-get install haproxy');
  const endpoints = o.endpoints ?? haproxyBinds(readText(outsidePath(o.cfg, o.binds)));
  if (!endpoints.length) throw new Error(`${o.cfg}: no "bind host:port" line to probe; pass endpoints`);
  for (const e of endpoints) await mustBeFree(e.host, e.port);
  return startProcess({
    name: o.name ?? 'haproxy',
    argv: [haproxy, '-db', '-f', o.cfg],
    env: o.env,
    binds: o.binds,
    ready: async () => (await Promise.all(endpoints.map((e) => tcpOpen(e.host, e.port)))).every(Boolean),
    readyTimeoutMs: o.readyTimeoutMs,
  });
}

/**
 * Readiness is "something answers on host:port", so that something must not be there already: a
 * leftover server or another test on the same address would otherwise pass for the new one.
 */
async function mustBeFree(host: string, port: number): Promise<void> {
  if (await tcpOpen(host, port, 500).catch(() => false)) {
    throw new Error(
      `${host}:${port} already accepts connections (a server still running, or another suite using this address)`,
    );
  }
}

export type CheckResult = RunResult;

/** `haproxy -c -f cfg`: the validity check HAProxy itself applies. */
export function checkHAProxyConfig(cfg: string, env?: Record<string, string>): Promise<CheckResult> {
  return runOnce({ argv: [requireTool('haproxy', 'apt-get install haproxy'), '-c', '-f', cfg], env });
}

/** `promtool check rules file`. */
export function checkPromRules(file: string): Promise<CheckResult> {
  return runOnce({ argv: [requireTool('promtool', 'apt-get install prometheus'), 'check', 'rules', file] });
}
