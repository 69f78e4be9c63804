// The SSH transport: one connection per host (opened on first use, reused by every step), an
// optional shared jump-host connection, and steps run as exec channels on it.
import { FalkorError } from '../errors.js';
import type { Ctx } from '../context.js';
import type { Inventory } from '../inventory/schema.js';
import type { Prompter } from '../ui/prompt.js';
import { createLimiter } from './parallel.js';
import { loadAuth, type AuthMethods } from './ssh-auth.js';
import { connect, describe, forward, type ClientChannel, type SshClient } from './ssh-connect.js';
import { resolveHostSettings, type HostSettings } from './ssh-settings.js';
import { createShellTransport, type RawResult, type Runner, type Transport } from './transport.js';

export interface SshTransportOpts {
  acceptNew?: boolean;
  /** Overrides the inventory's ssh.knownHosts. */
  knownHostsPath?: string;
  log?: (line: string) => void;
  /** Lines a person should see even without -v (a host key added to known_hosts). Default: log. */
  notice?: (line: string) => void;
  /** Asks about unknown host keys and key passphrases, only when it is interactive. */
  prompt?: Prompter;
  /** For SSH_AUTH_SOCK; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The transport a command uses: its --accept-new, the context's prompt and env, steps logged with -v. */
export function sshTransportFor(inv: Inventory, ctx: Ctx, cmdOpts: { acceptNew?: unknown }): Transport {
  return createSshTransport(inv, { acceptNew: cmdOpts.acceptNew === true, prompt: ctx.prompt, env: ctx.env, log: (l) => ctx.out.verbose(l), notice: (l) => ctx.out.info(l) });
}

/** OpenSSH's default MaxSessions is 10 channels per connection; stay below it. */
const CHANNELS_PER_HOST = 8;

export function createSshTransport(inv: Inventory, opts: SshTransportOpts = {}): Transport {
  const settings = new Map<string, HostSettings>();
  const conns = new Map<string, Promise<SshClient>>();
  const limiters = new Map<string, <T>(fn: () => Promise<T>) => Promise<T>>();
  const jumps = new Map<string, Promise<SshClient>>(); // one shared jump-host connection
  let auth: Promise<AuthMethods> | undefined;
  const interactive = opts.prompt?.interactive ? opts.prompt : undefined;
  let asking: Promise<unknown> = Promise.resolve();
  // Parallel connections may all meet unknown keys; ask one question at a time.
  const ask = interactive
    ? (q: string) => {
        const answer = asking.then(() => interactive.select(q, ['no', 'yes'] as const, 'no')).then((a) => a === 'yes');
        asking = answer.catch(() => undefined);
        return answer;
      }
    : undefined;

  const hostSettings = (name: string): HostSettings => {
    let s = settings.get(name);
    if (!s) settings.set(name, (s = resolveHostSettings(inv, name, { env: opts.env, knownHostsPath: opts.knownHostsPath })));
    return s;
  };
  const hostKeys = (s: HostSettings) => ({ knownHostsPath: s.knownHostsPath, acceptNew: opts.acceptNew ?? false, ask, log: opts.notice ?? opts.log });

  function cached(map: Map<string, Promise<SshClient>>, key: string, open: () => Promise<SshClient>): Promise<SshClient> {
    const existing = map.get(key);
    if (existing) return existing;
    const opened = open();
    map.set(key, opened);
    // A dropped or failed connection is forgotten, so the next step reconnects.
    opened.then(
      (c) => c.once('close', () => map.get(key) === opened && map.delete(key)),
      () => map.get(key) === opened && map.delete(key),
    );
    return opened;
  }

  async function open(name: string): Promise<SshClient> {
    const s = hostSettings(name);
    auth ??= loadAuth(s, interactive ? (file) => interactive.password(`passphrase for ${file}`) : undefined);
    const methods = await auth;
    const common = { auth: methods, hostKeys: hostKeys(s), timeoutMs: s.connectTimeoutMs };
    if (!s.jump) {
      const c = await connect(s, common);
      opts.log?.(`${name}: connected ${describe(s)}`);
      return c;
    }
    const j = s.jump;
    const through = await cached(jumps, 'jump', () => connect(j, common));
    const c = await connect(s, { ...common, sock: await forward(through, s, j), via: j });
    opts.log?.(`${name}: connected ${describe(s, j)}`);
    return c;
  }

  const runner: Runner = {
    async run(host, command, io) {
      const client = await cached(conns, host, () => open(host));
      let limit = limiters.get(host);
      if (!limit) limiters.set(host, (limit = createLimiter(CHANNELS_PER_HOST)));
      return limit(() => execOn(client, host, command, io));
    },
    async close() {
      // Targets first: their channels run through the jump connection.
      for (const map of [conns, jumps]) {
        const all = [...map.values()];
        map.clear();
        await Promise.all(all.map((p) => p.then(end, () => undefined)));
      }
    },
  };

  return createShellTransport(runner, {
    isRoot: (h) => hostSettings(h).user === 'root',
    sudoDefault: (h) => hostSettings(h).sudo,
    commandTimeoutMs: (h) => hostSettings(h).commandTimeoutMs,
  }, { log: opts.log });
}

function end(c: SshClient): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 2000);
    c.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    c.end();
  });
}

function execOn(client: SshClient, host: string, command: string, io: { stdin?: Buffer; deadlineMs: number; display: string }): Promise<RawResult> {
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
        reject(new FalkorError('TIMEOUT', `${host}: \`${io.display}\` gave no result within ${Math.round(io.deadlineMs / 1000)}s; channel closed`));
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
