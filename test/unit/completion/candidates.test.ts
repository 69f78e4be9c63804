import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli.js';
import { candidates, inventoryOf, limitValues, treeOf } from '../../../src/completion/candidates.js';

const tree = treeOf(buildProgram(async () => {}));
const values = { limit: ['db1', 'db2', 'role:replica'] };

describe('completion candidates', () => {
  it('first word: every visible command and the global options; the hidden helper never', () => {
    const c = candidates(tree, [], values);
    for (const x of ['deploy', 'status', 'switchover', 'rolling-restart', 'completion', '--inventory', '--json'])
      expect(c).toContain(x);
    expect(c).not.toContain('__complete');
  });

  it("after a command: that command's options; a global option's value is skipped when finding the command", () => {
    expect(candidates(tree, ['switchover'], values)).toEqual(expect.arrayContaining(['--to', '--accept-new']));
    const c = candidates(tree, ['-i', 'inv.yaml', 'deploy'], values);
    expect(c).toEqual(expect.arrayContaining(['--diff', '--limit', '--force-unlock']));
    expect(c).not.toContain('deploy');
  });

  it('--limit: hosts and roles; a file or number option: nothing (the shell completes files)', () => {
    expect(candidates(tree, ['deploy', '--limit'], values)).toEqual(values.limit);
    expect(candidates(tree, ['-i'], values)).toEqual([]);
    expect(candidates(tree, ['deploy', '--forks'], values)).toEqual([]);
  });

  it('limit values and the inventory the words name', () => {
    expect(
      limitValues([
        { name: 'db1', role: 'master' },
        { name: 'db2', role: 'replica' },
        { name: 'db3', role: 'replica' },
      ]),
    ).toEqual(['db1', 'db2', 'db3', 'role:master', 'role:replica']);
    expect(inventoryOf(['-i', 'a.yaml', 'deploy'])).toBe('a.yaml');
    expect(inventoryOf(['--inventory=b.yaml'])).toBe('b.yaml');
    expect(inventoryOf(['deploy'])).toBe('falkorctl.yaml');
  });
});
