// A transport onto this machine (execa + sh), for executors' tests that need no SSH. It runs the
// very command strings the SSH transport sends, so quoting, env, timeouts and uploads are the same.
import { userInfo } from 'node:os';
import { execa } from 'execa';
import { FalkorError } from '../errors.js';
import { createShellTransport, type Runner, type Transport } from './transport.js';

export interface LocalTransportOpts {
  log?: (line: string) => void;
  commandTimeoutMs?: number;
  /** Use sudo for steps that do not say (only matters when not running as root). */
  sudo?: boolean;
}

export function createLocalTransport(o: LocalTransportOpts = {}): Transport {
  const runner: Runner = {
    async run(host, command, io) {
      const r = await execa('sh', ['-c', command], {
        input: io.stdin ?? '',
        encoding: 'buffer',
        stripFinalNewline: false,
        reject: false,
        timeout: io.deadlineMs,
        killSignal: 'SIGKILL',
      });
      if (r.timedOut)
        throw new FalkorError(
          'TIMEOUT',
          `${host}: \`${io.display}\` gave no result within ${Math.round(io.deadlineMs / 1000)}s`,
        );
      if (r.exitCode === undefined && !r.signal)
        throw new FalkorError('REMOTE', `${host}: could not run \`${io.display}\`: ${r.message}`);
      return {
        stdout: Buffer.from(r.stdout),
        stderr: Buffer.from(r.stderr),
        code: r.exitCode ?? null,
        signal: r.signal ?? null,
      };
    },
    close: () => Promise.resolve(),
  };
  const root = userInfo().uid === 0;
  return createShellTransport(
    runner,
    {
      isRoot: () => root,
      sudoDefault: () => o.sudo ?? false,
      commandTimeoutMs: () => o.commandTimeoutMs ?? 120_000,
    },
    { log: o.log },
  );
}
