// One SSH connection per host for a whole command: the command transport's exec channels (ssh.ts)
// and the Redis/Sentinel/HAProxy tunnels (src/redis/tunnel.ts) all ride on it. Opened on first use,
// reconnected after a drop, with one shared jump-host connection and one host-key question at a time.
import type { Ctx } from '../context.js';
import type { Inventory } from '../inventory/schema.js';
import type { Prompter } from '../ui/prompt.js';
import { loadAuth, type AuthMethods } from './ssh-auth.js';
import { connect, describe, forward, type SshClient } from './ssh-connect.js';
import { resolveHostSettings, type HostSettings } from './ssh-settings.js';

export interface SshPoolOpts {
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

export interface SshPool {
  settings(host: string): HostSettings;
  client(host: string): Promise<SshClient>;
  /** Waits for one of the host's channel slots; call the returned function when the channel is gone. */
  acquire(host: string): Promise<() => void>;
  close(): Promise<void>;
}

/** OpenSSH's default MaxSessions is 10 channels per connection; exec and tunnel channels together stay below it. */
export const CHANNELS_PER_HOST = 8;

export function createSshPool(inv: Inventory, opts: SshPoolOpts = {}): SshPool {
  const settings = new Map<string, HostSettings>();
  const conns = new Map<string, Promise<SshClient>>();
  const slots = new Map<string, () => Promise<() => void>>();
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
    if (!s)
      settings.set(name, (s = resolveHostSettings(inv, name, { env: opts.env, knownHostsPath: opts.knownHostsPath })));
    return s;
  };
  const hostKeys = (s: HostSettings) => ({
    knownHostsPath: s.knownHostsPath,
    acceptNew: opts.acceptNew ?? false,
    ask,
    log: opts.notice ?? opts.log,
  });

  function cached(
    map: Map<string, Promise<SshClient>>,
    key: string,
    open: () => Promise<SshClient>,
  ): Promise<SshClient> {
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

  return {
    settings: hostSettings,
    client: (host) => cached(conns, host, () => open(host)),
    acquire(host) {
      let take = slots.get(host);
      if (!take) slots.set(host, (take = semaphore(CHANNELS_PER_HOST)));
      return take();
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
}

const shared = new WeakMap<Inventory, WeakMap<Ctx, { pool: SshPool; users: number }>>();

/**
 * The pool of one command run: every call with the same inventory and context shares one pool, and
 * each caller gets its own handle to close; the connections close when the last handle does.
 * The first caller's --accept-new counts (a command passes the same options to all its users).
 */
export function sshPoolFor(inv: Inventory, ctx: Ctx, cmdOpts: { acceptNew?: unknown }): SshPool {
  let byCtx = shared.get(inv);
  if (!byCtx) shared.set(inv, (byCtx = new WeakMap()));
  let entry = byCtx.get(ctx);
  if (!entry) {
    const pool = createSshPool(inv, {
      acceptNew: cmdOpts.acceptNew === true,
      prompt: ctx.prompt,
      env: ctx.env,
      log: (l) => ctx.out.verbose(l),
      notice: (l) => ctx.out.info(l),
    });
    byCtx.set(ctx, (entry = { pool, users: 0 }));
  }
  const e = entry;
  const owner = byCtx;
  e.users++;
  let closed = false;
  return {
    settings: (h) => e.pool.settings(h),
    client: (h) => e.pool.client(h),
    acquire: (h) => e.pool.acquire(h),
    async close() {
      if (closed) return;
      closed = true;
      if (--e.users > 0) return;
      if (owner.get(ctx) === e) owner.delete(ctx);
      await e.pool.close();
    },
  };
}

/** A counting semaphore; a released slot goes straight to the next waiter. Each release works once. */
function semaphore(n: number): () => Promise<() => void> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const handOn = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const releaser = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      handOn();
    };
  };
  return () => {
    if (active < n) {
      active++;
      return Promise.resolve(releaser());
    }
    return new Promise((resolve) => waiting.push(() => resolve(releaser())));
  };
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
