import { describe, expect, it } from 'vitest';
import { areaWanted, idMatches, parseSelection, selected } from '../../../src/checks/select.js';
import type { Area, CheckResult } from '../../../src/checks/types.js';

const area = (name: string, prefixes?: string[]): Area => ({
  name,
  ...(prefixes ? { prefixes } : {}),
  run: () => Promise.resolve([]),
});
const result = (id: string): CheckResult => ({ id, title: id, item: 'x', phase: 'pre', outcome: 'pass' });

describe('checklist selection', () => {
  it('matches an id exactly or by a prefix that ends at a separator', () => {
    expect(idMatches('storage.mount:db1:/var/lib/falkordb', 'storage')).toBe(true);
    expect(idMatches('storage.mount:db1:/var/lib/falkordb', 'storage.mount:db1')).toBe(true);
    expect(idMatches('storage.mount:db1:/var/lib/falkordb', 'storage.mount:db1:/var/lib/falkordb')).toBe(true);
    expect(idMatches('storage.mount:db10:/data', 'storage.mount:db1')).toBe(false);
    expect(idMatches('storagex.a', 'storage')).toBe(false);
    expect(idMatches('kernel.vm.overcommit_memory:db1', 'kernel.vm')).toBe(true);
  });

  it('runs only the areas --only can reach, by name or declared prefix, and both ways round', () => {
    const sel = parseSelection(['storage.fstab:db1', 'pending']);
    expect(areaWanted(area('storage'), sel)).toBe(true);
    expect(areaWanted(area('kernel'), sel)).toBe(false);
    expect(areaWanted(area('manual', ['pending']), sel)).toBe(true);
    expect(areaWanted(area('kernel'), parseSelection())).toBe(true);
    // a pattern shorter than the area's prefix reaches it too
    expect(areaWanted(area('kernel', ['kernel.thp']), parseSelection(['kernel']))).toBe(true);
  });

  it('filters results by --only then --skip', () => {
    const sel = parseSelection(['storage'], ['storage.free']);
    expect(selected(result('storage.xfs:db1'), sel)).toBe(true);
    expect(selected(result('storage.free:db1'), sel)).toBe(false);
    expect(selected(result('kernel.thp:db1'), sel)).toBe(false);
    expect(selected(result('kernel.thp:db1'), parseSelection([], ['storage']))).toBe(true);
  });

  it('refuses a pattern that cannot be an id, naming the flag', () => {
    expect(() => parseSelection(['storage mount'])).toThrow(/--only "storage mount"/);
    expect(() => parseSelection([], [''])).toThrow(/--skip/);
    expect(() => parseSelection([], ['-x'])).toThrow(/--skip "-x"/);
  });
});
