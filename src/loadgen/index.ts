// The write-load tool as a library: the demo, rolling-restart tests and benchmarks import this.
export { runWriteLoad } from './run.js';
export { underWriteLoad, type DuringOptions } from './during.js';
export { verify, type VerifyOptions } from './verify.js';
export { formatReport } from './format.js';
export { cleanup } from './cleanup.js';
export { runLoadTest, scratchNames, type LoadTestRun } from './load-test.js';
export type {
  AckLog,
  Missing,
  RunStats,
  Target,
  Window,
  WriteLoadOptions,
  WriteLoadReport,
  WriteLoadRun,
} from './types.js';
