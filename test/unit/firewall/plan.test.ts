// The planner of `firewall apply`: steps in the order that makes the rollback safe, no steps for a host
// already as rendered, refusals before anything runs.
import { describe, expect, it } from 'vitest';
import { bootUnit, parseBootProbe, sha256 } from '../../../src/firewall/boot.js';
import { planFirewall, type HostFacts } from '../../../src/firewall/plan.js';
import { quoteArgv } from '../../../src/remote/quote.js';
import { hostByName } from '../../../src/inventory/topology.js';
import { firewallRuleset } from '../../../src/templates/nftables.js';
import { check, withBase } from '../inventory/helpers.js';

const inv = check(withBase('network:\n  operator: [192.0.2.0/24]\n')).inventory!;
const rendered = new Map(['db1', 'db2'].map((h) => [h, firewallRuleset(inv, hostByName(inv, h)!)]));
const opts = { confirmTimeoutS: 45, sourceCheck: true };
const plan = (facts: HostFacts[], o = opts) => planFirewall(rendered, facts, inv.network!.operator, o);

describe('planFirewall', () => {
  it('per host: dir, upload, nft -c, save, arm the rollback, apply, confirm over a new connection', () => {
    const p = plan([
      { host: 'db1', table: { state: 'absent' }, source: '192.0.2.10' },
      { host: 'db2', table: { state: 'present', listing: 'table inet falkorctl {\n}\n' } },
    ]);
    expect(p.refusals).toEqual([]);
    expect(p.plan.phases).toEqual([{ name: 'firewall', parallel: 1 }]);
    const ids = p.plan.steps.map((s) => s.id);
    expect(ids.slice(0, 7)).toEqual(
      ['dir', 'upload', 'check', 'save', 'arm', 'apply', 'confirm'].map((x) => `db1:firewall:${x}`),
    );
    expect(ids.slice(7, 11).every((id) => id.startsWith('db1:'))).toBe(true);
    expect(ids.slice(11).every((id) => id.startsWith('db2:'))).toBe(true);
    const step = (id: string) => p.plan.steps.find((s) => s.id === `db1:firewall:${id}`)!;
    const argv = (id: string) => {
      const a = step(id).action;
      return a.kind === 'exec' ? quoteArgv(a.argv) : '';
    };
    expect(argv('check')).toBe('nft -c -f /etc/nftables.d/falkorctl.nft');
    expect(argv('arm')).toContain('--on-active="$2s"');
    expect(argv('arm')).toContain(' 45 /var/lib/falkorctl/firewall.prev.nft');
    expect(step('apply')).toMatchObject({ destructive: true, undo: { kind: 'exec' } });
    expect(step('confirm').action).toEqual({
      kind: 'custom',
      name: 'firewall-confirm',
      params: { rollbackAfterS: 45 },
    });
    const up = step('upload').action;
    expect(up).toMatchObject({ kind: 'upload', path: '/etc/nftables.d/falkorctl.nft', mode: 0o644, secret: false });
  });

  it('a host whose live table is the render gets no steps', () => {
    const live = rendered.get('db1')!.replace(' counter drop', ' counter packets 3 bytes 180 drop');
    const boot = { confirmed: sha256(rendered.get('db1')!), unit: sha256(bootUnit()), enabled: true };
    const p = plan([{ host: 'db1', table: { state: 'present', listing: live }, boot }]);
    expect(p.plan.steps).toEqual([]);
    expect(p.unchanged).toEqual(['db1']);
  });

  it('refuses without nft, when nft fails, and when this machine is not in network.operator', () => {
    const p = plan([
      { host: 'db1', table: { state: 'missing' } },
      { host: 'db2', table: { state: 'error', message: 'Operation not permitted' } },
    ]);
    expect(p.refusals.map((r) => `${r.host}: ${r.reason}`)).toEqual([
      'db1: nft is not installed (apt-get install nftables)',
      'db2: nft cannot list the ruleset: Operation not permitted',
    ]);
    const outside = [{ host: 'db1', table: { state: 'absent' as const }, source: '10.9.9.9' }];
    expect(plan(outside).refusals[0]?.reason).toMatch(/from 10\.9\.9\.9, which is not in network\.operator/);
    expect(plan(outside, { ...opts, sourceCheck: false }).refusals).toEqual([]);
  });
});

describe('planFirewall: the confirmed copy and the boot unit', () => {
  const want = rendered.get('db1')!;
  const live = { state: 'present' as const, listing: want };
  const kept = { confirmed: sha256(want), unit: sha256(bootUnit()), enabled: true };
  it('after the confirm step only: dir, the render as the 0600 confirmed copy, the unit, enable', () => {
    const ids = plan([{ host: 'db1', table: { state: 'absent' } }]).plan.steps.map((s) => s.id.slice(13));
    expect(ids.slice(ids.indexOf('confirm'))).toEqual([
      'confirm',
      'confirmed-dir',
      'persist',
      'boot-unit',
      'boot-enable',
    ]);
    const persist = plan([{ host: 'db1', table: { state: 'absent' } }]).plan.steps.find((s) =>
      s.id.endsWith(':persist'),
    )!;
    expect(persist.action).toMatchObject({
      kind: 'upload',
      path: '/etc/falkorctl/firewall.nft',
      mode: 0o600,
      sha256: sha256(want),
      source: { from: 'render' },
    });
    expect(bootUnit()).toContain('ExecStart=/usr/sbin/nft -f /etc/falkorctl/firewall.nft');
    expect(bootUnit()).toContain('Before=network-pre.target');
  });
  it('idempotent: all current plans nothing; only what differs is planned', () => {
    expect(plan([{ host: 'db1', table: live, boot: kept }]).unchanged).toEqual(['db1']);
    const ids = (b: typeof kept | { enabled: boolean }) =>
      plan([{ host: 'db1', table: live, boot: b }]).plan.steps.map((s) => s.id.slice(13));
    expect(ids({ ...kept, enabled: false })).toEqual(['boot-enable']);
    expect(ids({ ...kept, confirmed: 'x' })).toEqual(['confirmed-dir', 'persist']);
    expect(ids({ ...kept, unit: undefined })).toEqual(['boot-unit', 'boot-enable']);
  });
  it('reads the probe: sums, a missing file, enabled', () => {
    expect(parseBootProbe(`${'a'.repeat(64)}\n-\nenabled\n`)).toEqual({
      confirmed: 'a'.repeat(64),
      unit: undefined,
      enabled: true,
    });
    expect(parseBootProbe('-\n-\n')).toEqual({ confirmed: undefined, unit: undefined, enabled: false });
  });
});
