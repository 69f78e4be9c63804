// Flags of scripts/writeload → WriteLoadOptions. Pure: the environment is passed in.
import { parseArgs } from 'node:util';
import { userError } from '../errors.js';
import type { WriteLoadOptions } from './types.js';

export interface CliArgs {
  load: WriteLoadOptions;
  json: boolean;
  verbose: boolean;
  help: boolean;
  /** Delete this run's nodes and keys after verification. */
  cleanup: boolean;
  /** How long the read-back waits for the endpoint to serve again. */
  verifyWaitMs?: number;
  /** Exit 1 when the longest window is longer than this. */
  maxWindowMs?: number;
}

export const USAGE = `usage: scripts/writeload --port P [options]

Writes continuously (a GRAPH.QUERY CREATE and a SET per sequence number), then reads back every
acknowledged write. Reports unavailability windows and acknowledged writes that are missing.

  --host H             address of the write endpoint (default 127.0.0.1)
  --port P             its port (required)
  --password-env NAME  take the password from environment variable NAME (never from a flag)
  --duration D         how long to write, e.g. 30s, 2m, 500ms (default 30s unless --max-writes)
  --max-writes N       stop after N sequence numbers
  --interval D         pacing between attempts (default 10ms)
  --timeout D          connect and per-command timeout (default 1s)
  --graph NAME         graph to write into (default writeload)
  --key-prefix P       key prefix (default writeload:<run id>)
  --max-window D       also fail when the longest unavailability window exceeds D
  --verify-wait D      how long the read-back waits for the endpoint to serve (default 15s)
  --cleanup            delete this run's nodes and keys after verifying them
  --json               print the report as JSON
  --verbose            progress lines on stderr; stack traces on errors

Exit status: 0 all acknowledged writes present; 1 writes missing, not verifiable, no attempt
acknowledged, or a window longer than --max-window; 2 bad usage.`;

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string' },
        'password-env': { type: 'string' },
        duration: { type: 'string' },
        'max-writes': { type: 'string' },
        interval: { type: 'string' },
        timeout: { type: 'string' },
        graph: { type: 'string' },
        'key-prefix': { type: 'string' },
        'max-window': { type: 'string' },
        'verify-wait': { type: 'string' },
        cleanup: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw userError((e as Error).message, 'see scripts/writeload --help');
  }
  const base = { json: values.json, verbose: values.verbose, cleanup: values.cleanup };
  if (values.help) return { ...base, help: true, load: { host: values.host, port: 0 } };
  if (values.port === undefined) throw userError('--port is required', 'see scripts/writeload --help');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw userError(`--port: not a TCP port: ${values.port}`);
  let password: string | undefined;
  const pwVar = values['password-env'];
  if (pwVar !== undefined) {
    password = env[pwVar];
    if (!password) throw userError(`--password-env ${pwVar}: that environment variable is not set or empty`);
  }
  const dur = (flag: string, v: string | undefined) => (v === undefined ? undefined : parseDuration(flag, v));
  const maxWrites = values['max-writes'] === undefined ? undefined : Number(values['max-writes']);
  if (maxWrites !== undefined && !(Number.isInteger(maxWrites) && maxWrites >= 1)) {
    throw userError(`--max-writes: not a positive integer: ${values['max-writes']}`);
  }
  return {
    ...base,
    help: false,
    maxWindowMs: dur('--max-window', values['max-window']),
    verifyWaitMs: dur('--verify-wait', values['verify-wait']),
    load: {
      host: values.host,
      port,
      password,
      graph: values.graph,
      keyPrefix: values['key-prefix'],
      durationMs: dur('--duration', values.duration),
      maxWrites,
      intervalMs: dur('--interval', values.interval),
      opTimeoutMs: dur('--timeout', values.timeout),
    },
  };
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** "500ms", "1.5s", "2m", "1h". A bare number is refused: 30 what? */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v.trim());
  if (!m) throw userError(`${flag}: not a duration: ${v}`, 'use a number with a unit: 500ms, 30s, 2m');
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}
