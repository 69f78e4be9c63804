// Hand-written configs given to `falkorctl lint` that are not config text (issue 14): NUL bytes, binary data,
// huge files are a usage error at their line (exit 2); a 10 MB line is linted, and never echoed in full.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputText, lintFiles } from '../../../src/lint/index.js';

const dir = mkdtempSync(join(tmpdir(), 'falkorctl-lint-hostile-'));
const file = (name: string, data: string | Buffer) => {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
};

describe('lint inputs that are not config text', () => {
  it('a NUL byte: exit 2, at its line', async () => {
    const p = file('nul.conf', 'port 6379\nbind 127.0.0.1\u0000 10.0.0.1\n');
    await expect(lintFiles([p], 'redis')).rejects.toMatchObject({
      exitCode: 2,
      message: `${p}:2: a NUL byte: the servers would each read this line differently`,
    });
  });
  it('binary data or invalid UTF-8: exit 2, at the first line that is not UTF-8', async () => {
    const p = file('bin.conf', Buffer.concat([Buffer.from('port 6379\nsave 60 1\n'), Buffer.from([0xff, 0xfe, 0x00])]));
    await expect(lintFiles([p], 'redis')).rejects.toMatchObject({
      exitCode: 2,
      message: `${p}:3: not UTF-8 text (a binary file?)`,
    });
  });
  it('a file over 16 MiB: exit 2 without parsing it', () => {
    expect(() => inputText('big.conf', Buffer.alloc(16 * 1024 * 1024 + 1, 0x61))).toThrow(
      /is not a config file \(at most 16 MiB\)/,
    );
  });
  it('a 10 MB line is linted, and a finding quoting it is capped with its length', async () => {
    const p = file(
      'long.conf',
      `port 6379\nrequirepass ${'x'.repeat(10 * 1024 * 1024)}\nbogus-${'y'.repeat(5 * 1024 * 1024)} 1\n`,
    );
    const findings = await lintFiles([p], 'redis');
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f.message.length, f.message.slice(0, 80)).toBeLessThan(400);
    expect(findings.some((f) => /… \(\d+ characters\)/.test(f.message))).toBe(true);
  });
  it('control and bidi characters in a quoted directive are escaped, never printed raw', async () => {
    const p = file('ctl.conf', 'port 6379\nbi\u202end 10.0.0.1\n');
    const findings = await lintFiles([p], 'redis');
    const m = findings.map((f) => f.message).join('\n');
    expect(m).toContain('\\u202e');
    expect(m).not.toContain('\u202e');
  });
});
