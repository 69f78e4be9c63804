// The rendered Sentinel notification script run by python3, as Sentinel runs it (event type, description),
// against a real HTTP listener: its exit codes are what Sentinel acts on (1 = re-run later, so never 1).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderHost } from '../../../src/render/index.js';
import { notifyScriptPath, webhookUrlPath } from '../../../src/templates/sentinel-notify.js';
import { SECRETS, smallInventory } from '../../unit/render/fixture.js';

const TOKEN = 'tok-0123456789abcdef';
let dir: string;
let server: Server | undefined;
const seen: { headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'falkorctl-notify-'));
});
async function stop(): Promise<void> {
  const s = server;
  server = undefined;
  seen.length = 0;
  if (!s) return;
  s.closeAllConnections(); // a held-open request would keep close() waiting
  await new Promise<void>((r) => s.close(() => r()));
}
afterEach(stop);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The script rendered with configDir in the temp dir (so URL_FILE is there), written out executable. */
function script(webhook: boolean, name: string): { path: string; urlFile: string } {
  const configDir = join(dir, name);
  const inv = smallInventory((i) => {
    i.redis = { configDir };
    if (webhook) i.sentinel = { webhook: 'env:HOOK' };
  });
  const files = renderHost(inv, 'm1', { ...SECRETS, webhook: 'http://127.0.0.1:1/unused' });
  const s = files.find((f) => f.path === notifyScriptPath(inv))!;
  const path = join(dir, `${name}.py`);
  writeFileSync(path, s.content, { mode: 0o750 });
  return { path, urlFile: webhookUrlPath(inv) };
}

async function listen(answer: 'ok' | 'error' | 'never'): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      if (answer === 'never') return; // holds the connection open without a reply
      res.writeHead(answer === 'ok' ? 204 : 500).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=${TOKEN}`;
}

const sentinelRuns = (path: string, ...args: string[]) => execa('python3', [path, ...args], { reject: false });

describe('sentinel-notify (python3, real HTTP)', { timeout: 60_000 }, () => {
  it('POSTs +switch-master as JSON and exits 0', async () => {
    const s = script(true, 'ok');
    mkdirSync(join(dir, 'ok'), { recursive: true });
    writeFileSync(s.urlFile, `${await listen('ok')}\n`, { mode: 0o600 });
    const r = await sentinelRuns(s.path, '+switch-master', 'falkordb-master 10.0.0.11 6379 10.0.0.12 6379');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toMatchObject({
      cluster: 'small',
      event: '+switch-master',
      master: 'falkordb-master',
      previous: '10.0.0.11:6379',
      current: '10.0.0.12:6379',
      description: 'falkordb-master 10.0.0.11 6379 10.0.0.12 6379',
    });
  });

  it('names the instance of an instance event', async () => {
    const s = script(true, 'sdown');
    mkdirSync(join(dir, 'sdown'), { recursive: true });
    writeFileSync(s.urlFile, await listen('ok'), { mode: 0o600 });
    const r = await sentinelRuns(
      s.path,
      '+sdown',
      'slave 10.0.0.12:6379 10.0.0.12 6379 @ falkordb-master 10.0.0.11 6379',
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(seen[0]!.body)).toMatchObject({
      master: 'falkordb-master',
      instance: { type: 'slave', address: '10.0.0.12:6379' },
    });
  });

  it('exits 2, never 1, when the webhook fails: an error answer, no answer, nobody listening, no URL file', async () => {
    for (const mode of ['error', 'never', 'closed', 'missing'] as const) {
      const s = script(true, mode);
      mkdirSync(join(dir, mode), { recursive: true });
      if (mode === 'error' || mode === 'never') writeFileSync(s.urlFile, await listen(mode), { mode: 0o600 });
      if (mode === 'closed') {
        const url = await listen('ok');
        await stop();
        writeFileSync(s.urlFile, url, { mode: 0o600 });
      }
      const r = await sentinelRuns(s.path, '+odown', 'master falkordb-master 10.0.0.11 6379 #quorum 2/2');
      expect(r.exitCode, `${mode}: ${r.stderr}`).toBe(2);
      expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN); // the URL is never printed
      if (mode === 'error' || mode === 'never') expect(seen.length, mode).toBe(1);
      await stop();
    }
  });

  it('without a webhook: syslog only, exit 0', async () => {
    const s = script(false, 'plain');
    const r = await sentinelRuns(s.path, '+sdown', 'master falkordb-master 10.0.0.11 6379');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});
