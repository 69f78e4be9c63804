// Facts of a healthy 1 master + 2 replicas + 3 Sentinels + 1 HAProxy cluster, as the gatherers return them;
// each test breaks one thing.
import type { NodeFacts } from '../../../src/facts/nodes.js';
import type { SwitchoverFacts, SwitchoverSettings } from '../../../src/switchover/preflight.js';

const node = (host: string, n: number, role: 'master' | 'replica', offset: number, priority = 100): NodeFacts => ({
  host,
  address: `10.0.0.${n}`,
  port: 6379,
  intendedRole: role,
  up: true,
  falkordbVersion: '4.16.3',
  info: { replication: role === 'replica' ? { slave_priority: String(priority) } : {} },
  replication: {
    role,
    ...(role === 'replica' ? { masterHost: '10.0.0.1', masterPort: 6379, linkUp: true } : {}),
    syncInProgress: false,
    loading: false,
    offset,
    replicas: [],
  },
});

export function healthy(): SwitchoverFacts {
  const sentinel = (host: string) => ({
    host,
    up: true,
    masterAddr: { address: '10.0.0.1', port: 6379 },
    master: {
      name: 'falkordb-master',
      ip: '10.0.0.1',
      port: 6379,
      flags: ['master'],
      numSlaves: 2,
      numOtherSentinels: 2,
      quorum: 2,
      configEpoch: 0,
    },
  });
  const server = (s: string, status: string) => ({
    backend: 'falkordb_write',
    server: s,
    status,
    backup: false,
    activeSessions: 0,
  });
  return {
    nodes: [node('db1', 1, 'master', 1000), node('db2', 2, 'replica', 1000), node('db3', 3, 'replica', 1000)],
    sentinels: ['db1', 'db2', 'db3'].map(sentinel),
    ckquorum: Object.fromEntries(['db1', 'db2', 'db3'].map((h) => [h, { ok: true, text: 'OK 3 usable Sentinels' }])),
    infoPeriods: { db1: 10_000, db2: 10_000, db3: 10_000 },
    haproxy: [
      {
        host: 'lb1',
        up: true,
        backends: [
          {
            name: 'falkordb_write',
            status: 'UP',
            servers: [server('db1', 'UP'), server('db2', 'DOWN'), server('db3', 'DOWN')],
          },
        ],
      },
    ],
  };
}

export const settings: SwitchoverSettings = {
  masterName: 'falkordb-master',
  downAfterMs: 5000,
  writeBackend: 'falkordb_write',
  sentinelPort: 26379,
};
