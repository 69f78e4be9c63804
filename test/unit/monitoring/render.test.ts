// The monitoring files: the exporter's password only in its 0600 file, every exporter scraped, and each file
// accepted by the real checker (promtool / amtool) where it is installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../../src/render/index.js';
import { ALERTMANAGER_YML, PROMETHEUS_YML, RULES_YML, scrapeTargets } from '../../../src/templates/monitoring.js';
import { EXPORTER_UNIT } from '../../../src/templates/exporter.js';
import { SECRETS, smallInventory } from '../render/fixture.js';
import { findTool } from '../../helpers/bins.js';

const inv = smallInventory((i) => {
  i.monitoring = {
    hosts: ['lb'],
    alertFor: '4s',
    receivers: [{ name: 'ops', severity: 'critical', webhooks: ['https://hooks.example/x'] }],
  };
});
const files = renderAll(inv, SECRETS);
const file = (host: string, path: string) => files.find((f) => f.host === host && f.path === path);

describe('monitoring render', () => {
  it('the exporter unit names a 0600 password file, never the password', () => {
    const unit = file('m1', EXPORTER_UNIT)!;
    expect(unit.content).toContain('-redis.password-file=/etc/falkordb/redis-exporter.json');
    expect(unit.content).not.toContain(SECRETS.password);
    const pw = file('m1', '/etc/falkordb/redis-exporter.json')!;
    expect(pw).toMatchObject({ mode: 0o600, secret: true, owner: 'falkordb:falkordb' });
    expect(JSON.parse(pw.content)).toMatchObject({ 'redis://127.0.0.1:6379': SECRETS.password });
    // a Sentinel-only host exports its Sentinel
    expect(file('s1', EXPORTER_UNIT)!.content).toContain('-redis.addr=redis://127.0.0.1:26379');
    expect(file('lb', EXPORTER_UNIT)).toBeUndefined();
  });

  it('Prometheus scrapes every exporter; alertFor replaces every for:', () => {
    const prom = file('lb', PROMETHEUS_YML)!.content;
    for (const t of scrapeTargets(inv)) expect(prom).toContain(t.address);
    expect(scrapeTargets(inv).map((t) => `${t.job}/${t.host}`)).toEqual([
      'falkordb/m1',
      'falkordb/r1',
      'falkordb-sentinel/m1',
      'falkordb-sentinel/r1',
      'falkordb-sentinel/s1',
    ]);
    const rules = file('lb', RULES_YML)!.content;
    expect(rules).toContain('redis_up{job="falkordb"} == 0');
    expect([...rules.matchAll(/^\s+for: (\S+)$/gm)].map((m) => m[1])).toEqual(expect.arrayContaining(['4s']));
    expect(rules).not.toMatch(/for: (1m|2m|5m|0m)/);
    expect(file('lb', ALERTMANAGER_YML)!.content).toContain('severity="critical"');
  });

  const promtool = findTool('promtool');
  it.skipIf(!promtool)('promtool accepts the config and the rules (amtool too where installed)', () => {
    const root = mkdtempSync(join(tmpdir(), 'falkorctl-mon-'));
    const put = (p: string) => {
      const f = file('lb', p)!;
      const at = join(root, p);
      mkdirSync(dirname(at), { recursive: true });
      writeFileSync(at, f.content);
      return at;
    };
    const rules = put(RULES_YML);
    execFileSync(promtool!, ['check', 'rules', rules]);
    // the config names its rules by absolute host path: check it with that path rewritten into the temp dir
    const cfg = put(PROMETHEUS_YML);
    writeFileSync(cfg, file('lb', PROMETHEUS_YML)!.content.replace(RULES_YML, rules));
    execFileSync(promtool!, ['check', 'config', cfg]);
    const amtool = findTool('amtool');
    if (amtool) execFileSync(amtool, ['check-config', put(ALERTMANAGER_YML)]);
  });
});

describe('monitoring render, TLS-only', () => {
  const t = smallInventory((i) => {
    i.monitoring = { ...inv.monitoring };
    i.tls = {
      enabled: true,
      port: 6390,
      certFile: '/etc/falkordb/tls/tls.crt',
      keyFile: '/etc/falkordb/tls/tls.key',
      caFile: '/etc/falkordb/tls/ca.crt',
      allowPlaintext: false,
      replication: true,
    };
  });
  const tf = renderAll(t, SECRETS);
  const at = (host: string, path: string) => tf.find((f) => f.host === host && f.path === path)!.content;

  it('the exporter speaks TLS to the TLS ports, verified against the CA', () => {
    const unit = at('m1', EXPORTER_UNIT);
    expect(unit).toContain(' -redis.addr=rediss://127.0.0.1:6390 ');
    expect(unit).toMatch(/ -tls-ca-cert-file=\/etc\/falkordb\/tls\/ca\.crt$/m);
    expect(Object.keys(JSON.parse(at('m1', '/etc/falkordb/redis-exporter.json')) as object)).toContain(
      'rediss://127.0.0.1:6390',
    );
    expect(at('lb', PROMETHEUS_YML)).toContain(`rediss://127.0.0.1:${t.sentinel.port}`);
  });
});
