// unifiedDiff is checked against GNU patch: applying the diff to the old text must give the new one.
import { execaSync } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/render/diff.js';
import { diffTrees } from '../../../src/render/tree-diff.js';

const dir = mkdtempSync(join(tmpdir(), 'falkorctl-diff-'));

function applies(a: string, b: string): void {
  const d = unifiedDiff(a, b, 'a/f', 'b/f');
  const f = join(dir, 'f');
  writeFileSync(f, a);
  writeFileSync(join(dir, 'p.diff'), d);
  execaSync('patch', ['-s', '--no-backup-if-mismatch', f, join(dir, 'p.diff')]);
  expect(readFileSync(f, 'utf8')).toBe(b);
}

// A deterministic pseudo-random generator, so a failure reproduces.
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('unifiedDiff', { timeout: 30_000 }, () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });
  it('shows a changed line with three lines of context', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n') + '\n';
    const b = a.replace('5\n', 'five\n');
    expect(unifiedDiff(a, b, 'a/f', 'b/f')).toBe(
      ['--- a/f', '+++ b/f', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'),
    );
  });
  it('handles files created and deleted', () => {
    expect(unifiedDiff('', 'x\ny\n', '/dev/null', 'b/f')).toBe(
      ['--- /dev/null', '+++ b/f', '@@ -0,0 +1,2 @@', '+x', '+y', ''].join('\n'),
    );
    applies('', 'x\ny\n');
    applies('x\ny\n', '');
  });
  it('patch reproduces the new text for 200 random edits', () => {
    const r = rng(42);
    for (let n = 0; n < 200; n++) {
      const a = Array.from({ length: Math.floor(r() * 40) }, () => `line ${Math.floor(r() * 12)}`);
      const b = a.flatMap((l) =>
        r() < 0.15 ? [] : r() < 0.15 ? [l, `new ${Math.floor(r() * 5)}`] : r() < 0.1 ? ['changed'] : [l],
      );
      applies(a.length ? `${a.join('\n')}\n` : '', b.length ? `${b.join('\n')}\n` : '');
    }
  });
});

describe('diffTrees', () => {
  it('lists added, removed and modified files; secret files only by name', () => {
    const before = new Map([
      ['h/a', 'one\n'],
      ['h/gone', 'x\n'],
      ['h/secret', 'requirepass old\n'],
    ]);
    const after = new Map([
      ['h/a', 'two\n'],
      ['h/new', 'y\n'],
      ['h/secret', 'requirepass new\n'],
    ]);
    const d = diffTrees(before, after, new Set(['h/secret']), '/out');
    expect(d.changes).toEqual([
      { path: 'h/a', status: 'modified', secret: false },
      { path: 'h/gone', status: 'removed', secret: false },
      { path: 'h/new', status: 'added', secret: false },
      { path: 'h/secret', status: 'modified', secret: true },
    ]);
    expect(d.text).toContain('secret file /out/h/secret: modified (contents not shown)');
    expect(d.text).not.toMatch(/requirepass/);
    expect(d.text).toContain('--- /dev/null\n+++ b/h/new');
  });
});
