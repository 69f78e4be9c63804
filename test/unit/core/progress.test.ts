// The progress reporter on real streams: timestamped lines without a terminal (one per change), nothing
// with --json, a spinner at a terminal that leaves one ✔/✖ line per finished host.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressMode } from '../../../src/core/progress.js';

const sink = (tty = false) => {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean };
  // what a terminal stream has beyond a pipe (ora moves the cursor to redraw its line)
  if (tty)
    Object.assign(s, {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { s, text: () => text };
};
const clock = { now: () => Date.parse('2026-12-06T10:11:12Z'), sleep: async () => {} };

describe('progress', () => {
  it('picks silent for --json, spinner at a terminal, lines otherwise', () => {
    expect(progressMode(true, { isTTY: true })).toBe('silent');
    expect(progressMode(false, { isTTY: true })).toBe('spinner');
    expect(progressMode(false, {})).toBe('lines');
  });

  it('without a terminal: one timestamped line per change of activity, masked; a stopped host says so', () => {
    const o = sink();
    const p = createProgress({ stream: o.s, mode: 'lines', clock, mask: (t) => t.replace('pw1', '***') });
    p.update('db1', 'write /etc/falkordb/falkordb.conf');
    p.update('db1', 'write /etc/falkordb/falkordb.conf'); // same again: no new line
    p.update('db2', 'set pw1');
    p.finish('db1', true);
    p.finish('db2', false);
    p.stop();
    expect(o.text().split('\n').filter(Boolean)).toEqual([
      '10:11:12 db1: write /etc/falkordb/falkordb.conf',
      '10:11:12 db2: set ***',
      '10:11:12 db2: stopped',
    ]);
  });

  it('with --json: writes nothing at all', () => {
    const o = sink(true);
    const p = createProgress({ stream: o.s, mode: 'silent' });
    p.update('db1', 'x');
    p.finish('db1', false);
    p.stop();
    expect(o.text()).toBe('');
  });

  it('at a terminal: persistent ✔/✖ lines per finished host with what it last did', () => {
    const o = sink(true);
    const p = createProgress({ stream: o.s, mode: 'spinner' });
    p.update('db1', 'restart falkordb.service');
    p.update('db2', 'restart falkordb.service');
    p.finish('db1', true);
    p.finish('db2', false);
    p.stop();
    const t = o.text();
    expect(t).toContain('✔ db1: restart falkordb.service\n');
    expect(t).toContain('✖ db2: restart falkordb.service\n');
  });
});
