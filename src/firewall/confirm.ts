// The step that makes the rollback safe to arm: over a NEW SSH connection (a fresh transport, not the
// session that applied the ruleset, which `ct state established` keeps alive whatever the new rules say),
// read the live table; only when it is the render, stop the rollback timer over that same connection.
// When no new connection can be made, the host rolls back by itself; this waits (a deadline) until the host
// answers again with the previous table, and reports it.
import type { Clock } from '../context.js';
import type { CustomFn } from '../core/execute.js';
import { done, notYet, waitFor } from '../core/wait.js';
import { FalkorError } from '../errors.js';
import type { Transport } from '../remote/transport.js';
import { disarmArgv, parseProbe, probeArgv, sameTable, type TableState } from './remote.js';

export interface ConfirmDeps {
  /** A transport with connections of its own (opened by this step, closed after it). */
  fresh: () => Transport;
  rendered: ReadonlyMap<string, string>;
  /** Each host's table before the run (what the rollback brings back). */
  previous: ReadonlyMap<string, TableState>;
  rollbackAfterS: number;
  /** How long one attempt may take to connect and answer. */
  attemptTimeoutMs: number;
  clock: Clock;
  /** Hosts that rolled back in this run (the command reports them). */
  rolledBack: Set<string>;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0]! : String(e));

async function probeFresh(d: ConfirmDeps, host: string): Promise<{ t: Transport; table: TableState }> {
  const t = d.fresh();
  try {
    const r = await t.exec(host, probeArgv(), { timeoutMs: d.attemptTimeoutMs });
    return { t, table: parseProbe(r.stdout) };
  } catch (e) {
    await t.close().catch(() => undefined);
    throw e;
  }
}

const isPrevious = (now: TableState, before: TableState | undefined) =>
  before?.state === 'present'
    ? now.state === 'present' && sameTable(now.listing, before.listing)
    : now.state === 'absent';

export function confirmOp(d: ConfirmDeps): CustomFn {
  return async (step, signal) => {
    const host = step.host;
    const want = d.rendered.get(host) ?? '';
    let why: string;
    try {
      const { t, table } = await probeFresh(d, host);
      try {
        if (table.state === 'present' && sameTable(table.listing, want)) {
          await t.exec(host, disarmArgv(), { timeoutMs: d.attemptTimeoutMs });
          return 'a new SSH connection works and the live table is the render: rollback timer stopped';
        }
        why = `over a new SSH connection the live table is not the render (${table.state})`;
      } finally {
        await t.close().catch(() => undefined);
      }
    } catch (e) {
      why = `no new SSH connection after applying the ruleset (${messageOf(e)})`;
    }
    // Not confirmed: the timer armed before the apply restores the previous table. Wait for the host.
    d.rolledBack.add(host);
    let last = '';
    try {
      await waitFor(
        async () => {
          try {
            const { t, table } = await probeFresh(d, host);
            await t.close().catch(() => undefined);
            last = table.state;
            return isPrevious(table, d.previous.get(host)) ? done(true) : notYet(`reachable, table ${table.state}`);
          } catch (e) {
            last = messageOf(e);
            return notYet(`no SSH: ${last}`);
          }
        },
        {
          what: `${host} reachable over SSH again with the previous table (rollback after ${d.rollbackAfterS} s)`,
          timeoutMs: d.rollbackAfterS * 1000 + 4 * d.attemptTimeoutMs + 30_000,
          intervalMs: 1000,
          clock: d.clock,
          signal,
        },
      );
    } catch (e) {
      throw new FalkorError(
        'FAILED',
        `${host}: ${why}; the host did not come back with the previous table: ${messageOf(e)}`,
        { hint: `reach ${host} from its console: nft -f /var/lib/falkorctl/firewall.prev.nft` },
      );
    }
    throw new FalkorError(
      'FAILED',
      `${host}: ${why}; ROLLED BACK: the host restored the previous table by itself after ` +
        `${d.rollbackAfterS} s and answers SSH again`,
    );
  };
}
