// checklist's opt-in tests as runs on the real cluster (src/checks/active.ts judges what they measure):
// --load-test writes through HAProxy's write port from this machine (src/loadgen/load-test.ts);
// --failover-test is `falkorctl failover-test`'s planned measurement (src/failover/measure.ts), on its own
// session (pre-flight, cluster lock, rescue). The failover is confirmed here, before any host is asked: no
// terminal and no --yes is a refusal (exit 3), and nothing has changed.
import type { Ctx } from '../context.js';
import { refusal, userError } from '../errors.js';
import type { ActiveEnv } from '../checks/active.js';
import type { ActiveOptions } from '../checks/active-options.js';
import { adminUser } from '../inventory/acl.js';
import type { Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';
import { haproxyHosts } from '../inventory/topology.js';
import { DEFAULT_SECONDS, measureFailover } from '../failover/measure.js';
import { runLoadTest } from '../loadgen/load-test.js';
import { openSession } from '../switchover/session.js';

export async function activeEnv(
  ctx: Ctx,
  opts: Record<string, unknown>,
  inv: Inventory,
  secrets: Secrets,
  a: ActiveOptions,
): Promise<ActiveEnv> {
  if (a.failover) {
    const ok = await ctx.prompt.confirm(
      `checklist --failover-test on cluster ${inv.cluster}: switch the master over and back under a write load?`,
    );
    if (!ok) throw refusal('not confirmed: checklist --failover-test; nothing was changed');
  }
  const lb = haproxyHosts(inv)[0];
  const load = a.load;
  const failover = a.failover;
  return {
    ...(load
      ? {
          load: {
            ...load,
            run: async () => {
              if (!lb) throw userError('the load test writes through HAProxy: the inventory has no haproxy host');
              const port = inv.haproxy.writePort;
              const t = { host: lb.address, port, password: secrets.password, username: adminUser(inv) };
              const r = await runLoadTest(t, { durationMs: load.durationS * 1000 });
              return { ...r, through: `${lb.name}:${port}` };
            },
          },
        }
      : {}),
    ...(failover
      ? {
          failover: {
            ...failover,
            run: async () => {
              const s = await openSession(ctx, opts);
              try {
                return await measureFailover(ctx, s, opts, { seconds: DEFAULT_SECONDS, unplanned: false });
              } finally {
                await s.close();
              }
            },
          },
        }
      : {}),
  };
}
