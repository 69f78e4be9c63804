// Property tests over the inventory schema (issue 14): take a valid inventory with every default spelled out,
// put an arbitrary hostile value at an arbitrary key path (or delete the key, or add an unknown one), and check
// what an operator relies on: validation never throws, each error names a line and a key path, and what it
// accepts renders without error, without control characters, and without a number JavaScript spelled as 1e+21,
// NaN or Infinity. FUZZ_RUNS sets the number of cases (`npm run fuzz` runs many more than CI does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validateInventory } from '../../../src/inventory/index.js';
import { inventorySchema } from '../../../src/inventory/schema.js';
import { applyRendered } from '../../../src/render/apply.js';
import { renderAll, type Secrets } from '../../../src/render/index.js';
import { BASE } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

type Json = unknown;
type Path = (string | number)[];

/** The base inventory with every default filled in, plus one ACL user and TLS, so every key path exists. */
const FULL = inventorySchema.parse({
  ...validateInventory(BASE, 'base.yaml').inventory!,
  auth: { password: 'env:P', sentinelPassword: 'env:S', users: [{ name: 'app', password: 'env:A' }] },
  tls: {
    certFile: '/etc/falkordb/tls/node.crt',
    keyFile: '/etc/falkordb/tls/node.key',
    caFile: '/etc/falkordb/ca.crt',
  },
}) as Json;

function paths(v: Json, at: Path = []): Path[] {
  const out: Path[] = at.length ? [at] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}
const ALL_PATHS = paths(FULL);

const hostile = fc.oneof(
  fc.constantFrom(
    '1e+308',
    1e308,
    1e30,
    -1,
    0,
    2 ** 31,
    2 ** 53,
    65536,
    0.5,
    '-oProxyCommand=id',
    '*',
    'a"b',
    '10.0.10.11#',
    '10.0.10.20\u0000',
    'a:b:c',
    '$(reboot)',
    '`id`',
    '; rm -rf /',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '/var/lib/falkordb/../../etc',
    'noatime,nobarrier',
    '101%FREE',
    'a\u202eb',
    'x\u200by',
    'line\nbreak',
    'tab\there',
    ' ',
    '',
    `1${' '.repeat(5000)}`,
    'x'.repeat(5000),
    'cluster',
    'env:',
    'file:',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
);

type Edit = { kind: 'set'; path: Path; value: Json } | { kind: 'delete'; path: Path } | { kind: 'add'; path: Path };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...ALL_PATHS), value: hostile }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...ALL_PATHS) }),
  fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom(...ALL_PATHS) }),
);

function applyAll(edits: Edit[]): Json {
  let doc = structuredClone(FULL);
  for (const e of edits) doc = apply(doc, e);
  return doc;
}

function apply(start: Json, e: Edit): Json {
  const doc = start as Record<string | number, Json>;
  let parent: Record<string | number, Json> = doc;
  for (const seg of e.path.slice(0, -1)) {
    const next = parent[seg];
    if (!next || typeof next !== 'object') return doc; // an earlier edit replaced or removed this branch
    parent = next as Record<string | number, Json>;
  }
  const last = e.path.at(-1)!;
  if (e.kind === 'set') parent[last] = e.value;
  else if (e.kind === 'delete' && Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (e.kind === 'delete') delete parent[last];
  else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last]))
    (parent[last] as Record<string, Json>).unexpectedKey = 1;
  return doc;
}

const secretsFor = (users: { name: string }[]): Secrets => ({
  password: 'property-test-password-0123456789',
  sentinelPassword: 'property-test-sentinel-0123456789',
  users: Object.fromEntries(users.map((u) => [u.name, `property-test-${u.name}-0123456789`])),
});

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;
const BAD_NUMBER = /\d(\.\d+)?e[+-]\d|\bNaN\b|\bInfinity\b|\[object Object\]|\bundefined\b/;

describe('inventory schema properties (fast-check)', () => {
  it(
    `${RUNS} hostile edits: errors at a line and path, or a clean render`,
    () => {
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
          const text = stringify(applyAll(edits), { lineWidth: 0 });
          const r = validateInventory(text, 'inv.yaml');
          if (!r.inventory) {
            expect(r.errors.length).toBeGreaterThan(0);
            for (const d of r.errors) {
              expect(d.line).toBeGreaterThanOrEqual(1);
              expect(d.message).not.toBe('');
              expect(d.message.length).toBeLessThan(1000);
              expect(CONTROL.test(d.message), d.message).toBe(false);
            }
            return;
          }
          const files = renderAll(r.inventory, secretsFor(r.inventory.auth.users));
          for (const f of files) {
            const bad = CONTROL.exec(f.content) ?? BAD_NUMBER.exec(f.content);
            expect(bad?.[0], `${f.host}:${f.path} after ${JSON.stringify(edits).slice(0, 300)}`).toBeUndefined();
          }
        }),
        { numRuns: RUNS },
      );
    },
    RUNS * 1_000,
  ); // not a speed bound: a case takes milliseconds; the time per case is measured in bench/

  const out = mkdtempSync(join(tmpdir(), 'falkorctl-property-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const LINT_RUNS = Math.max(20, Math.floor(RUNS / 10));
  it(
    `${LINT_RUNS} accepted edits: render's lint of the output finds no error (validate passed it)`,
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(edit, async (e) => {
          const r = validateInventory(stringify(applyAll([e]), { lineWidth: 0 }), 'inv.yaml');
          if (!r.inventory) return;
          const sec = secretsFor(r.inventory.auth.users);
          const files = renderAll(r.inventory, sec);
          const res = await applyRendered(files, join(out, String(n++)), [sec.password], { diff: false });
          const errors = res.findings.filter((f) => f.severity === 'error');
          expect(
            errors.map((f) => `${f.file}: ${f.message}`),
            JSON.stringify(e),
          ).toEqual([]);
        }),
        { numRuns: LINT_RUNS },
      );
      expect(n).toBeGreaterThan(0); // some edits were accepted, so the lint did run
    },
    LINT_RUNS * 5_000,
  );

  it('one replica with replicaPriority 0 (the case render once refused): validate and render agree', async () => {
    const text = BASE.replace('role: replica', 'role: replica\n    replicaPriority: 0');
    const r = validateInventory(text, 'inv.yaml');
    expect(r.errors).toEqual([]);
    const sec = secretsFor([]);
    const files = renderAll(r.inventory!, sec);
    const res = await applyRendered(files, join(out, 'priority0'), [sec.password], { diff: false });
    expect(res.findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([]);
  });
});
