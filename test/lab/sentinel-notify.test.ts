// Sentinel's notification script on real hosts: deploy installs it with the Sentinels (root:falkordb 0750,
// the webhook URL in a 0600 file of the service user), SENTINEL FAILOVER makes every Sentinel run it, and each
// host's journal gets the +switch-master line while a listener on this machine's lab address receives the JSON.
// Then the webhook is taken away: the next failover is still in every journal, the failed delivery is reported
// there and in Sentinel's own log (exit 2: -script-error, not retried); the listener back, delivery resumes.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../helpers/claim.js';
import { cleanupAll } from '../helpers/cleanup.js';
import { labClusterClaim, labUp, type Lab } from '../helpers/lab.js';
import { waitFor } from '../helpers/wait.js';
import { closeClients, falkorctl, inventoryCopy, redis, sentinelMasters, wipe } from './deploy-fixture.js';

const DB = ['db1', 'db2', 'db3'];
const TOKEN = 'lab-webhook-token-0123456789';
let lab: Lab;
let inv: string;
let dir: string;
let server: Server | undefined;
let port = 0;
const posts: { event: string; host: string; previous?: string; current?: string }[] = [];

/** The listener on this machine's leg of the lab bridge (10.89.N.1), on the same port each time. */
async function listen(address: string): Promise<void> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === `/hook?token=${TOKEN}`) posts.push(JSON.parse(body) as (typeof posts)[number]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => s.listen(port, address, () => r()));
  port = (s.address() as AddressInfo).port;
  server = s;
}
async function unlisten(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((r) => s.close(() => r()));
}

const sh = async (host: string, script: string) => (await lab.exec(host, ['sh', '-c', script])).stdout.trim();
const journal = (host: string) => sh(host, 'journalctl -q --no-pager -o cat -t falkordb-sentinel-notify');
const master = async () => {
  const views = await sentinelMasters(lab);
  return new Set(views).size === 1 ? views[0]! : undefined;
};

/** SENTINEL FAILOVER, then every Sentinel agreeing on a new master; returns [old, new] as ip:port. */
async function failover(): Promise<[string, string]> {
  const before = await waitFor(master, (m) => m !== undefined, { what: 'Sentinels agreeing on a master' });
  const c = redis(lab, 'db1', 26379, undefined);
  await c.connect();
  // a failover right after the last one is refused until the replicas are reconfigured (INPROG): retried
  await waitFor(
    () => c.call('SENTINEL', 'FAILOVER', 'falkordb-master').then(String, (e: Error) => e.message),
    (r) => r === 'OK',
    { what: 'SENTINEL FAILOVER accepted', timeoutMs: 120_000, intervalMs: 1000 },
  );
  c.disconnect();
  const after = await waitFor(master, (m) => m !== undefined && m !== before, {
    what: `every Sentinel naming a master other than ${before}`,
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  return [before!, after!];
}
const switchLine = ([from, to]: [string, string]) =>
  `+switch-master falkordb-master ${from.replace(':', ' ')} ${to.replace(':', ' ')}`;

beforeAll(async () => {
  await claim(labClusterClaim(), 600_000);
  lab = await labUp();
  dir = mkdtempSync(join(tmpdir(), 'falkorctl-lab-notify-'));
  const bridge = lab.host('db1').address.replace(/\.\d+$/, '.1');
  await listen(bridge);
  const urlFile = join(dir, 'webhook.url');
  writeFileSync(urlFile, `http://${bridge}:${port}/hook?token=${TOKEN}\n`);
  chmodSync(urlFile, 0o600);
  inv = inventoryCopy(lab, (d) => (d.sentinel = { ...d.sentinel, webhook: `file:${urlFile}` }), dir);
  await wipe(lab);
  const r = await falkorctl(['-i', inv, 'deploy']);
  if (r.code !== 0) throw new Error(`setup deploy failed:\n${r.stdout}\n${r.stderr}`);
  expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
});
afterAll(async () => {
  closeClients();
  await unlisten();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await cleanupAll();
});

describe('Sentinel notification script', () => {
  it('is installed with the Sentinels: script root:falkordb 0750, URL 0600 of falkordb, named in the live conf', async () => {
    for (const h of DB) {
      expect(await sh(h, 'stat -c "%U:%G %a" /etc/falkordb/sentinel-notify')).toBe('root:falkordb 750');
      expect(await sh(h, 'stat -c "%U:%G %a" /etc/falkordb/sentinel-webhook.url')).toBe('falkordb:falkordb 600');
      expect(await sh(h, 'grep -c notification-script /var/lib/falkordb/sentinel/sentinel.conf')).toBe('1');
      expect(await sh(h, `grep -rl ${TOKEN} /etc/falkordb /var/lib/falkordb/sentinel || true`)).toBe(
        '/etc/falkordb/sentinel-webhook.url',
      );
    }
  });

  it('a failover is in every host journal and at the webhook; without the webhook it is reported, then delivered again', async () => {
    const first = await failover();
    const line = switchLine(first);
    for (const h of DB)
      await waitFor(
        () => journal(h),
        (j) => j.includes(line),
        { what: `"${line}" in ${h}'s journal`, timeoutMs: 60_000, intervalMs: 500 },
      );
    await waitFor(
      () => posts.filter((p) => p.event === '+switch-master' && p.current === first[1]).map((p) => p.host),
      (hosts) => DB.every((h) => hosts.includes(h)),
      { what: 'a +switch-master POST from every host', timeoutMs: 60_000, intervalMs: 500 },
    );

    // broken: nobody listens any more
    await unlisten();
    const second = await failover();
    for (const h of DB) {
      const j = await waitFor(
        () => journal(h),
        (j) => j.includes(switchLine(second)) && j.includes('+switch-master: webhook not delivered'),
        { what: `the switch and the failed delivery in ${h}'s journal`, timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(j).not.toContain(TOKEN);
      await waitFor(
        () => sh(h, 'cat /var/log/falkordb/sentinel.log'),
        (l) => /-script-error \/etc\/falkordb\/sentinel-notify 0 2/.test(l),
        { what: `-script-error (exit 2) in ${h}'s Sentinel log`, timeoutMs: 60_000, intervalMs: 500 },
      );
    }

    // repaired: the listener back on the same address and port
    await listen(lab.host('db1').address.replace(/\.\d+$/, '.1'));
    const third = await failover();
    await waitFor(
      () => posts.filter((p) => p.event === '+switch-master' && p.current === third[1]).map((p) => p.host),
      (hosts) => DB.every((h) => hosts.includes(h)),
      { what: 'a +switch-master POST from every host after the repair', timeoutMs: 60_000, intervalMs: 500 },
    );
  });
});
