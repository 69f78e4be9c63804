// The SSH transport: steps run as exec channels on the host's pooled connection (ssh-pool.ts), which
// the command's Redis tunnels share.
import { FalkorError } from '../errors.js';
import type { Ctx } from '../context.js';
import type { Inventory } from '../inventory/schema.js';
import type { ClientChannel, SshClient } from './ssh-connect.js';
import { createSshPool, sshPoolFor, type SshPool, type SshPoolOpts } from './ssh-pool.js';
import { createShellTransport, type RawResult, type Runner, type Transport } from './transport.js';

export interface SshTransportOpts extends SshPoolOpts {
  /** The connections to use (shared with tunnels); closed with the transport. Default: a pool of its own. */
  pool?: SshPool;
}

/** The transport a command uses: the command run's shared pool (sshPoolFor), steps logged with -v. */
export function sshTransportFor(inv: Inventory, ctx: Ctx, cmdOpts: { acceptNew?: unknown }): Transport {
  return createSshTransport(inv, { pool: sshPoolFor(inv, ctx, cmdOpts), log: (l) => ctx.out.verbose(l) });
}

export function createSshTransport(inv: Inventory, opts: SshTransportOpts = {}): Transport {
  const pool = opts.pool ?? createSshPool(inv, opts);
  const runner: Runner = {
    async run(host, command, io) {
      const client = await pool.client(host);
      const release = await pool.acquire(host);
      try {
        return await execOn(client, host, command, io);
      } finally {
        release();
      }
    },
    close: () => pool.close(),
  };

  return createShellTransport(
    runner,
    {
      isRoot: (h) => pool.settings(h).user === 'root',
      sudoDefault: (h) => pool.settings(h).sudo,
      commandTimeoutMs: (h) => pool.settings(h).commandTimeoutMs,
    },
    { log: opts.log },
  );
}

function execOn(
  client: SshClient,
  host: string,
  command: string,
  io: { stdin?: Buffer; deadlineMs: number; display: string },
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch: ClientChannel) => {
      if (err) return reject(new FalkorError('REMOTE', `${host}: could not start \`${io.display}\`: ${err.message}`));
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let exit: { code: number | null; signal: string | null } | undefined;
      let timedOut = false;
      ch.on('data', (d: Buffer) => out.push(d));
      ch.stderr.on('data', (d: Buffer) => errOut.push(d));
      ch.on('exit', (code: number | null, signal?: string) => (exit = { code: code ?? null, signal: signal ?? null }));
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          ch.signal('KILL');
          ch.close();
        } catch {
          /* the channel is already gone */
        }
        reject(
          new FalkorError(
            'TIMEOUT',
            `${host}: \`${io.display}\` gave no result within ${Math.round(io.deadlineMs / 1000)}s; channel closed`,
          ),
        );
      }, io.deadlineMs);
      ch.on('close', () => {
        clearTimeout(timer);
        if (timedOut) return;
        if (!exit) return reject(new FalkorError('REMOTE', `${host}: connection lost while running \`${io.display}\``));
        resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(errOut), ...exit });
      });
      ch.end(io.stdin);
    });
  });
}
