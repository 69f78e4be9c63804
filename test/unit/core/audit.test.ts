// The audit log through the local transport (real sh, real files): one masked JSON line per finished step,
// locally at once and appended on the "master" in one exec; a broken local path never stops the run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFile, createAudit } from '../../../src/core/audit.js';
import type { Step, StepResult } from '../../../src/core/types.js';
import { createLocalTransport } from '../../../src/remote/local.js';
import type { Transport } from '../../../src/remote/transport.js';

const dir = mkdtempSync(join(tmpdir(), 'falkorctl-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const step = (host: string, id: string): Step => ({
  id: `${host}:${id}`,
  host,
  phase: 'p',
  describe: id,
  action: { kind: 'exec', argv: ['true'] },
});
const result = (s: Step, outcome: StepResult['outcome'], detail?: string): StepResult => ({
  step: s,
  outcome,
  durationMs: 12.4,
  ...(detail ? { detail } : {}),
});
const clock = { now: () => Date.parse('2026-12-06T10:00:00Z'), sleep: async () => {} };

describe('audit', () => {
  it('lives in $XDG_STATE_HOME/falkorctl, else ~/.local/state/falkorctl; a relative XDG path is ignored', () => {
    expect(auditFile({ XDG_STATE_HOME: '/s', HOME: '/h' })).toBe('/s/falkorctl/audit.jsonl');
    expect(auditFile({ HOME: '/h' })).toBe('/h/.local/state/falkorctl/audit.jsonl');
    expect(auditFile({ XDG_STATE_HOME: 'rel', HOME: '/h' })).toBe('/h/.local/state/falkorctl/audit.jsonl');
  });

  it('writes one line per finished step with operator, masked command line and outcome; not-done is skipped', () => {
    const state = join(dir, 'state1');
    const a = createAudit({
      cluster: 'prod',
      argv: ['-i', 'inv.yaml', 'deploy', '--password', 'hunter2'],
      env: { XDG_STATE_HOME: state, USER: 'alice' },
      clock,
      mask: (t) => t.split('s3cret').join('****'),
    });
    a.record(result(step('db1', 'start'), 'changed'));
    a.record(result(step('db2', 'start'), 'failed', 'exit 1: requirepass s3cret rejected'));
    a.record(result(step('db3', 'start'), 'not-done'));
    const lines = readFileSync(join(state, 'falkorctl', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      time: '2026-12-06T10:00:00.000Z',
      cluster: 'prod',
      command: 'falkorctl -i inv.yaml deploy --password ***',
      host: 'db1',
      step: 'db1:start',
      outcome: 'changed',
      durationMs: 12,
    });
    expect(String(first!.operator)).toMatch(/^alice@/);
    expect(second).toMatchObject({ outcome: 'failed', detail: 'exit 1: requirepass **** rejected' });
    expect(lines.join('\n')).not.toMatch(/hunter2|s3cret/);
  });

  it('appends the run to the host log in one exec, after what was there; a failing host is a warning', async () => {
    const log = join(dir, 'remote', 'audit.jsonl');
    const local = createLocalTransport();
    let execs = 0;
    // the local transport, with the host log redirected into the test directory
    const t: Transport = {
      ...local,
      exec: (h, argv, o) => {
        execs++;
        return local.exec(
          h,
          argv.map((x) => (x === '/var/log/falkorctl/audit.jsonl' ? log : x)) as unknown as typeof argv,
          o,
        );
      },
    };
    const a = createAudit({ cluster: 'prod', argv: ['deploy'], env: { XDG_STATE_HOME: join(dir, 's2') }, clock });
    a.record(result(step('db1', 'x'), 'changed'));
    a.record(result(step('db2', 'y'), 'unchanged'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'remote'), { recursive: true });
    writeFileSync(log, '{"earlier":true}\n');
    expect(await a.shipTo(t, 'db1')).toBeUndefined();
    expect(execs).toBe(1);
    const got = readFileSync(log, 'utf8').trim().split('\n');
    expect(got[0]).toBe('{"earlier":true}');
    expect(got.slice(1)).toEqual(a.lines.map((l) => JSON.stringify(l)));
    const broken: Transport = { ...local, exec: (h) => local.exec(h, ['sh', '-c', 'echo no space >&2; exit 1']) };
    expect(await a.shipTo(broken, 'db1')).toMatch(/^db1: the audit lines of this run were not appended to .*no space/s);
  });

  it('a local log that cannot be written does not stop the run; the warning says so at the end', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const a = createAudit({ cluster: 'c', argv: [], env: { XDG_STATE_HOME: blocker }, clock });
    expect(() => a.record(result(step('db1', 'x'), 'changed'))).not.toThrow();
    expect(a.lines).toHaveLength(1);
    const none: Transport = { ...createLocalTransport() };
    const w = await a.shipTo({ ...none, exec: async () => ({ stdout: '', stderr: '', code: 0 }) }, 'db1');
    expect(w).toContain(`the local audit log ${blocker}/falkorctl/audit.jsonl could not be written`);
  });
});
