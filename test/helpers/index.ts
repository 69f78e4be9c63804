// The process harness for integration tests. See README.md in this directory.
import { afterAll } from 'vitest';
import { cleanupAll } from './cleanup.js';

export { cleanupAll, tempDir } from './cleanup.js';
export { claim } from './claim.js';
export { findFalkorBinaries, findTool, requireFalkorBinaries, requireTool } from './bins.js';
export { startProcess, Managed, type Argv, type Bind, type StartOptions } from './process.js';
export { runOnce, type RunResult } from './run.js';
export { startNetns, pingIn, type Netns } from './netns.js';
export { startRedis, startSentinel, startHAProxy, checkHAProxyConfig, checkPromRules } from './servers.js';
export type { RedisStart, HAProxyStart, RunningServer, CheckResult } from './servers.js';
export { redisClient, parseInfo, haproxyCommand, haproxyStat } from './clients.js';
export { answered, pingLine, redisAnswers, tcpOpen } from './probe.js';
export { redisDirective, redisSetting, splitRedisLine, haproxyBinds, outsidePath } from './conf.js';
export { waitFor, waitUntil, holdsFor, delay, WaitTimeout } from './wait.js';

/** Call once at the top of a test file: everything started in it is stopped and removed after its tests. */
export function useCleanup(): void {
  afterAll(cleanupAll);
}
