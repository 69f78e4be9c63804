// Golden files: every rendered file of the test inventory, byte for byte.
// Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/unit/render/golden.test.ts
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputPath, renderAll } from '../../../src/render/index.js';
import { GOLDEN, SECRETS, fixtureInventory } from './fixture.js';

// Golden files hold placeholders, never the (test) secret values themselves.
const placeholders: [string, string][] = [
  [SECRETS.password, '<auth.password>'],
  [SECRETS.sentinelPassword as string, '<auth.sentinelPassword>'],
  [SECRETS.users.app as string, '<auth.users.app>'],
];
const masked = (t: string) => placeholders.reduce((acc, [v, ph]) => acc.split(v).join(ph), t);
const files = renderAll(fixtureInventory(), SECRETS).map((f) => ({ ...f, content: masked(f.content) }));
const manifest = `${JSON.stringify(
  files.map((f) => ({
    output: outputPath(f),
    mode: `0${f.mode.toString(8)}`,
    owner: f.owner ?? null,
    secret: f.secret,
    kind: f.kind ?? null,
  })),
  null,
  2,
)}\n`;

/**
 * Whether this run rewrites the golden files. Never in CI: there a rewrite would compare every file with
 * itself and the test could not fail. Exported for its own test.
 */
export function updateGolden(env: NodeJS.ProcessEnv): boolean {
  if (env.UPDATE_GOLDEN !== '1') return false;
  if (env.CI && env.CI !== 'false' && env.CI !== '0')
    throw new Error('UPDATE_GOLDEN=1 is refused when CI is set: a golden test that rewrites its files cannot fail');
  return true;
}

if (updateGolden(process.env)) {
  rmSync(GOLDEN, { recursive: true, force: true });
  for (const f of files) {
    const p = join(GOLDEN, outputPath(f));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
  writeFileSync(join(GOLDEN, 'manifest.json'), manifest);
}

describe('UPDATE_GOLDEN', () => {
  it('is refused when CI is set, and only 1 turns it on', () => {
    expect(() => updateGolden({ UPDATE_GOLDEN: '1', CI: 'true' })).toThrow(/refused when CI is set/);
    expect(updateGolden({ UPDATE_GOLDEN: '1' })).toBe(true);
    expect(updateGolden({ UPDATE_GOLDEN: '1', CI: 'false' })).toBe(true);
    expect(updateGolden({ UPDATE_GOLDEN: 'yes' })).toBe(false);
    expect(updateGolden({ CI: 'true' })).toBe(false);
  });
});

describe('golden files of test/fixtures/render/inventory.yaml', () => {
  it('renders the same set of files, modes and owners', () => {
    expect(manifest).toBe(readFileSync(join(GOLDEN, 'manifest.json'), 'utf8'));
  });
  for (const f of files) {
    it(`${outputPath(f)} matches its golden file`, () => {
      const p = join(GOLDEN, outputPath(f));
      expect(existsSync(p), `${p} is missing: run with UPDATE_GOLDEN=1 after checking the change`).toBe(true);
      expect(f.content).toBe(readFileSync(p, 'utf8'));
    });
  }
});
