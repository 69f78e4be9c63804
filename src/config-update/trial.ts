// The trial start: the new falkordb.conf run once by a throwaway redis-server with the module, on one database
// host, before any node is touched: a spare loopback port, a scratch directory for its data, log and pid
// file, no replication; polled until PING answers (and the module reports the new parameters) or the process
// exits; then stopped and its directory removed. A value the module rejects or a directive Redis does not
// know fails here, where lint cannot see it.
import { FalkorError, userError } from '../errors.js';
import type { Host } from '../inventory/schema.js';
import type { RedisFactory } from '../redis/client.js';
import type { Transport } from '../remote/transport.js';
import { done, GiveUp, giveUp, notYet, waitFor } from '../core/wait.js';
import type { Clock } from '../context.js';
import type { Argv } from '../remote/quote.js';
import { normalize } from './classify.js';

const SCRATCH = '/tmp/falkorctl-trial.';

// Prints "<dir> <port>": a scratch directory with the file in it, and a port nothing listens on.
const PREPARE = [
  'set -eu',
  `d=$(mktemp -d ${SCRATCH}XXXXXX)`,
  'cat > "$d/falkordb.conf"',
  'chmod 600 "$d/falkordb.conf"',
  "used=$(ss -Hltn | awk '{print $4}' | sed 's/.*://')",
  'for p in $(seq 30000 30999); do echo "$used" | grep -qx "$p" || { echo "$d $p"; exit 0; }; done',
  'echo "no free loopback port in 30000-30999" >&2; rm -rf -- "$d"; exit 1',
].join('\n');

// Where it listens, keeps data and logs is overridden on the command line (read after the file); TLS and a
// unix socket would collide with the live node's, replication would pull the master's data set.
const START = [
  'set -eu',
  'exec "$1" "$2/falkordb.conf" --port "$3" --bind 127.0.0.1 --dir "$2" --logfile "$2/trial.log"' +
    ' --pidfile "$2/trial.pid" --daemonize yes --supervised no --replicaof no one --tls-port 0 --unixsocket ""',
].join('\n');

// "alive", "exited" or "starting", then the log's last lines.
const STATE = [
  'd=$1',
  'if [ -f "$d/trial.pid" ]; then if kill -0 "$(cat "$d/trial.pid")" 2>/dev/null; then echo alive; else echo exited; fi',
  'else echo starting; fi',
  'tail -n 8 "$d/trial.log" 2>/dev/null || true',
].join('\n');

const STOP = [
  'd=$1',
  `case "$d" in ${SCRATCH}*) ;; *) echo "not a trial directory: $d" >&2; exit 1;; esac`,
  '[ ! -f "$d/trial.pid" ] || kill -"$2" "$(cat "$d/trial.pid")" 2>/dev/null || true',
].join('\n');

const REMOVE = [
  `case "$1" in ${SCRATCH}*) ;; *) echo "not a trial directory: $1" >&2; exit 1;; esac`,
  'rm -rf -- "$1"',
].join('\n');

export const trialArgv = {
  prepare: (): Argv => ['sh', '-c', PREPARE],
  start: (server: string, dir: string, port: number): Argv => ['sh', '-c', START, 'sh', server, dir, String(port)],
  state: (dir: string): Argv => ['sh', '-c', STATE, 'sh', dir],
  stop: (dir: string, signal: 'TERM' | 'KILL'): Argv => ['sh', '-c', STOP, 'sh', dir, signal],
  remove: (dir: string): Argv => ['sh', '-c', REMOVE, 'sh', dir],
};

export interface TrialInput {
  transport: Transport;
  factory: RedisFactory;
  host: Host;
  redisServer: string;
  conf: string;
  password: string;
  /** ACL mode: the trial server loads the node's users.acl (default off), so log in as falkorctl's admin user. */
  username?: string;
  /** FalkorDB parameters the started module must report (name → value as in the file). */
  params: ReadonlyMap<string, string>;
  clock?: Clock;
  timeoutMs: number;
  mask: (t: string) => string;
}

/** Resolves with what answered; throws a USER error (exit 2) naming the host and the log's last lines. */
export async function trialStart(t: TrialInput): Promise<string> {
  const h = t.host.name;
  const prep = await t.transport.exec(h, trialArgv.prepare(), { stdin: t.conf });
  const [dir, portText] = prep.stdout.trim().split(' ');
  const port = Number(portText);
  if (!dir?.startsWith(SCRATCH) || !Number.isInteger(port))
    throw new FalkorError('REMOTE', `${h}: trial start: ${prep.stdout}`);
  const state = async () => (await t.transport.exec(h, trialArgv.state(dir), { check: false })).stdout.trim();
  const refused = (why: string) =>
    userError(
      t.mask(`trial start of the new falkordb.conf on ${h} failed (no node was touched): ${why}`),
      "fix the value (the log lines above are the trial server's own), then run config update again",
    );
  try {
    const start = await t.transport.exec(h, trialArgv.start(t.redisServer, dir, port), { check: false });
    if (start.code !== 0) throw refused(`redis-server exited ${start.code}\n${(start.stderr || start.stdout).trim()}`);
    return await waitFor(
      async () => {
        const s = await state();
        if (s.startsWith('exited')) throw giveUp(refused(`the server exited\n${s.split('\n').slice(1).join('\n')}`));
        if (!s.startsWith('alive')) return notYet(s.split('\n')[0] ?? '');
        const login = { password: t.password, timeoutMs: 2_000, ...(t.username ? { username: t.username } : {}) };
        const c = await t.factory.open(t.host, port, login).catch((e: Error) => e);
        if (c instanceof Error) return notYet(c.message);
        try {
          const pong = await c.call('PING');
          for (const [name, want] of t.params) {
            const got = (await c.call('GRAPH.CONFIG', 'GET', name)) as unknown[];
            const v = Array.isArray(got) ? String(got[1]) : String(got);
            if (normalize('module', v) !== normalize('module', want))
              throw giveUp(refused(`the module reports ${name} ${v}, not ${want}`));
          }
          return done(`${h}:${port} answered ${String(pong)}, the module loaded with the new parameters`);
        } catch (e) {
          if (e instanceof GiveUp) throw e;
          return notYet((e as Error).message);
        } finally {
          await c.close();
        }
      },
      {
        what: `${h}: the trial redis-server on 127.0.0.1:${port} answering PING`,
        timeoutMs: t.timeoutMs,
        intervalMs: 200,
        clock: t.clock,
      },
    );
  } finally {
    await stopTrial(t, dir);
  }
}

async function stopTrial(t: TrialInput, dir: string): Promise<void> {
  const h = t.host.name;
  await t.transport.exec(h, trialArgv.stop(dir, 'TERM'), { check: false });
  const gone = await waitFor(
    async () => {
      const s = (await t.transport.exec(h, trialArgv.state(dir), { check: false })).stdout;
      return s.startsWith('alive') ? notYet('still running') : done(true);
    },
    { what: `${h}: the trial redis-server gone`, timeoutMs: 30_000, intervalMs: 100, clock: t.clock },
  ).catch(() => false);
  if (!gone) await t.transport.exec(h, trialArgv.stop(dir, 'KILL'), { check: false });
  await t.transport.exec(h, trialArgv.remove(dir));
}
