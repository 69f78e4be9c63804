import { describe, expect, test } from 'vitest';
import { inventorySchema } from '../../../src/inventory/schema.js';
import { selectHosts } from '../../../src/remote/select.js';

const inv = inventorySchema.parse({
  cluster: 'c',
  hosts: [
    { name: 'db-1', address: '10.0.0.1', role: 'master' },
    { name: 'db-2', address: '10.0.0.2', role: 'replica' },
    { name: 'db-3', address: '10.0.0.3', role: 'replica' },
    { name: 'sent-1', address: '10.0.0.4', role: 'sentinel' },
    { name: 'lb-1', address: '10.0.0.5', role: 'haproxy' },
  ],
  auth: { password: 'env:P' },
});
const names = (p?: string[]) => selectHosts(inv, p).map((h) => h.name);

describe('selectHosts (--limit)', () => {
  test('no pattern (or only empty ones) selects every host', () => {
    expect(names(undefined)).toEqual(['db-1', 'db-2', 'db-3', 'sent-1', 'lb-1']);
    expect(names([])).toEqual(names(undefined));
    expect(names([' , '])).toEqual(names(undefined));
  });
  test('names, globs and roles; inventory order; no duplicates', () => {
    expect(names(['db-2'])).toEqual(['db-2']);
    expect(names(['db-*'])).toEqual(['db-1', 'db-2', 'db-3']);
    expect(names(['?b-1'])).toEqual(['db-1', 'lb-1']);
    expect(names(['role:replica'])).toEqual(['db-2', 'db-3']);
    expect(names(['lb-1', 'role:master,db-1', 'db-*'])).toEqual(['db-1', 'db-2', 'db-3', 'lb-1']);
  });
  test('glob characters are the only special ones', () => {
    expect(() => names(['db.1'])).toThrow(/matches no host/);
  });
  test('a pattern that matches nothing is a usage error listing the hosts', () => {
    const e = (() => {
      try {
        names(['db-1', 'db-9']);
      } catch (err) {
        return err as { code: string; message: string; hint: string };
      }
    })();
    expect(e?.code).toBe('USER');
    expect(e?.message).toBe('--limit db-9 matches no host');
    expect(e?.hint).toContain('db-1, db-2, db-3, sent-1, lb-1');
  });
  test('an unknown role is a usage error naming the roles', () => {
    expect(() => names(['role:primary'])).toThrow(/unknown role "primary"/);
  });
});
