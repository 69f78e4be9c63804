// config update's HAProxy part, pure: the line diff a person reads, the one reload step per changed host (its
// verify and undo), and the master-worker check read from `systemctl show`.
import { describe, expect, it } from 'vitest';
import { haproxyChangesText, lineDiff, planHaproxy } from '../../../src/config-update/haproxy.js';
import { masterWorker } from '../../../src/config-update/haproxy-live.js';
import { inventorySchema, type Inventory } from '../../../src/inventory/schema.js';
import { haproxyCfg } from '../../../src/templates/haproxy.js';

const inv = (haproxy: Record<string, unknown> = {}): Inventory =>
  inventorySchema.parse({
    cluster: 'c',
    hosts: [
      { name: 'db1', address: '127.0.9.1', role: 'master' },
      { name: 'db2', address: '127.0.9.2', role: 'replica' },
      { name: 'lb1', address: '127.0.9.4', role: 'haproxy' },
    ],
    auth: { password: 'env:P' },
    haproxy,
  });
const cfg = (i: Inventory) =>
  haproxyCfg(
    i,
    i.hosts.find((h) => h.name === 'lb1')!,
  );
const input = (live: string | undefined, rendered: string) => ({
  lbs: [{ host: 'lb1', rendered, ...(live !== undefined ? { live } : {}) }],
  cfgPath: '/etc/haproxy/haproxy.cfg',
  writeBackend: 'falkordb_write',
  master: 'db1',
  servers: ['db1', 'db2'],
  verifyMs: 60_000,
});

describe('config update: HAProxy', () => {
  it('the same file: no change, no step', () => {
    const p = planHaproxy(input(cfg(inv()), cfg(inv())));
    expect(p).toEqual({ changes: [], steps: [] });
  });

  it('changed settings: the differing lines, one install+reload step verified by the write backend, undone by .prev', () => {
    const p = planHaproxy(input(cfg(inv()), cfg(inv({ timeoutClientMs: 600_000, checkIntervalMs: 500 }))));
    expect(p.changes).toEqual([
      {
        host: 'lb1',
        removed: [
          'timeout client 3600000ms',
          'default-server check inter 1000ms fall 2 rise 2 on-marked-down shutdown-sessions',
          'default-server check inter 1000ms fall 2 rise 2 on-marked-down shutdown-sessions',
        ],
        added: [
          'timeout client 600000ms',
          'default-server check inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions',
          'default-server check inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions',
        ],
      },
    ]);
    expect(p.steps).toHaveLength(1);
    const s = p.steps[0]!;
    expect(s).toMatchObject({
      id: 'lb1:haproxy-reload',
      phase: 'haproxy',
      action: { kind: 'custom', name: 'haproxy-install', params: { prev: '/etc/haproxy/haproxy.cfg.prev' } },
      verify: { kind: 'haproxy-write-master', params: { backend: 'falkordb_write', master: 'db1' } },
      undo: { kind: 'custom', name: 'haproxy-restore' },
    });
    expect(haproxyChangesText(p.changes)).toMatch(
      /^lb1 \(HAProxy, reload\):\n {2}- timeout client 3600000ms\n[\s\S]*\n {2}\+ timeout client 600000ms/,
    );
  });

  it('comments and the order of lines are no change; a missing file is written', () => {
    expect(lineDiff('# a\nfoo 1\nbar 2\n', 'bar 2\n\n# b\nfoo 1')).toEqual({ removed: [], added: [] });
    const p = planHaproxy(input(undefined, cfg(inv())));
    expect(p.steps).toHaveLength(1);
    expect(p.changes[0]!.added).toContain('backend falkordb_write');
  });

  it('master-worker from systemctl show: -Ws or -W in ExecStart and a reload', () => {
    const show = (argv: string, reload = 'yes') =>
      `CanReload=${reload}\nExecStart={ path=/usr/sbin/haproxy ; argv[]=${argv} ; ignore_errors=no ; start_time=[n/a] }\n`;
    expect(masterWorker(show('/usr/sbin/haproxy -Ws -f $CONFIG -p $PIDFILE $EXTRAOPTS'))).toEqual({
      canReload: true,
      masterWorker: true,
    });
    expect(masterWorker(show('/usr/sbin/haproxy -W -f /etc/haproxy/haproxy.cfg')).masterWorker).toBe(true);
    expect(masterWorker(show('/usr/sbin/haproxy -f /etc/haproxy/haproxy.cfg -Wx'))).toEqual({
      canReload: true,
      masterWorker: false,
    });
    expect(masterWorker(show('/usr/sbin/haproxy -Ws -f x', 'no')).canReload).toBe(false);
  });
});
