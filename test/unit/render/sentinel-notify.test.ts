// The Sentinel notification script as rendered: wired into sentinel.conf, owned so the service cannot
// rewrite it, and the webhook URL (which may carry a token) only in a 0600 secret file.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/lint/index.js';
import { renderAll, renderHost } from '../../../src/render/index.js';
import { notifyScriptPath, webhookUrlPath } from '../../../src/templates/sentinel-notify.js';
import { SECRETS, smallInventory } from './fixture.js';

const URL_WITH_TOKEN = 'https://hooks.example.com/falkordb?token=tok-0123456789abcdef';
const withHook = () => smallInventory((i) => (i.sentinel = { webhook: 'env:HOOK' }));

describe('sentinel notification script', () => {
  it('is named in every Sentinel template, executable by the service group, owned by root', () => {
    const inv = smallInventory();
    for (const h of ['m1', 'r1', 's1']) {
      const files = renderHost(inv, h, SECRETS);
      const conf = files.find((f) => f.path.endsWith('/sentinel.conf'))!.content;
      expect(conf).toMatch(/^sentinel notification-script falkordb-master \/etc\/falkordb\/sentinel-notify$/m);
      const script = files.find((f) => f.path === notifyScriptPath(inv))!;
      expect(script).toMatchObject({ mode: 0o750, owner: 'root:falkordb', secret: false });
      expect(script.content.startsWith('#!/usr/bin/python3\n')).toBe(true);
      expect(script.content).toMatch(/^URL_FILE = None$/m);
      expect(files.some((f) => f.path === webhookUrlPath(inv))).toBe(false);
    }
    expect(renderHost(inv, 'lb', SECRETS).some((f) => f.path === notifyScriptPath(inv))).toBe(false);
  });

  it('keeps the webhook URL in a 0600 file of the service user, and nowhere else', () => {
    const inv = withHook();
    const files = renderAll(inv, { ...SECRETS, webhook: URL_WITH_TOKEN });
    const holders = files.filter((f) => f.content.includes('tok-0123456789abcdef'));
    expect(holders.map((f) => `${f.host}:${f.path}`).sort()).toEqual(
      ['m1', 'r1', 's1'].map((h) => `${h}:${webhookUrlPath(inv)}`),
    );
    for (const f of holders) {
      expect(f).toMatchObject({ mode: 0o600, owner: 'falkordb:falkordb', secret: true });
      expect(f.content).toBe(`${URL_WITH_TOKEN}\n`);
    }
    const script = files.find((f) => f.host === 'm1' && f.path === notifyScriptPath(inv))!.content;
    expect(script).toMatch(/^URL_FILE = "\/etc\/falkordb\/sentinel-webhook\.url"$/m);
  });

  it('refuses a URL that is not http(s) without echoing it', () => {
    for (const bad of ['ftp://x.example/tok-secret', 'not a url tok-secret']) {
      let msg = '';
      try {
        renderAll(withHook(), { ...SECRETS, webhook: bad });
      } catch (e) {
        msg = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ''}`;
      }
      expect(msg).toMatch(/sentinel\.webhook/);
      expect(msg).not.toContain('tok-secret');
    }
  });

  it('passes lint: the script is reported for information only, and not as one that sends mail', () => {
    const files = renderHost(withHook(), 'm1', { ...SECRETS, webhook: URL_WITH_TOKEN });
    const conf = files.find((f) => f.kind === 'sentinel')!;
    const read = (p: string) => files.find((f) => f.path === p)?.content;
    const findings = analyze(conf.path, conf.content, 'sentinel', read).findings;
    const scripts = findings.filter((f) => f.rule === 'sentinel/notification-script');
    expect(scripts).toMatchObject([
      { severity: 'info', message: expect.stringMatching(/must exist and be executable/) },
    ]);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    // the rule does read the script: the seed's inline mailer is named as such
    const seed = (p: string) => (p.endsWith('/sentinel-notify') ? 'echo down | mail -s alert ops' : read(p));
    const s = analyze(conf.path, conf.content, 'sentinel', seed).findings;
    expect(s.find((f) => f.rule === 'sentinel/notification-script')?.message).toMatch(/sends mail for each event/);
  });
});
