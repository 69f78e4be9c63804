// The README's one line for trying the example inventory works as written, from a fresh copy of the
// repository's examples (no secrets of ours, no hosts): it renders, and the files it made are what it says.
import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'falkorctl-try-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The shell line under the README's `<!-- try-example -->` marker. */
function readmeLine(): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const m = /<!-- try-example -->\n```sh\n(.+)\n```/.exec(readme);
  if (!m) throw new Error('README has no try-example block');
  return m[1]!;
}

describe('the README example line', () => {
  it('renders the example inventory with throwaway secrets, and makes the sentinel file 0600', async () => {
    cpSync(join(repo, 'examples'), join(dir, 'examples'), { recursive: true, filter: (p) => !p.includes('secrets') });
    symlinkSync(join(repo, 'bin'), join(dir, 'bin'));
    const line = readmeLine();
    const r = await execa('bash', ['-c', line], { cwd: dir, reject: false, env: { PATH: process.env.PATH! } });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(statSync(join(dir, 'examples/secrets/sentinel.pass')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'out/example'))).toBe(true);
    const again = await execa('bash', ['-c', line], { cwd: dir, reject: false, env: { PATH: process.env.PATH! } });
    expect(again.exitCode, again.stderr).toBe(0); // and a second time, over its own output
  });

  it('without the secrets, names every missing one at once with its line, and exits 2', async () => {
    const r = await execa(
      'node',
      [join(repo, 'bin/falkorctl.js'), 'render', '-i', join(repo, 'examples/falkorctl.yaml'), '-o', join(dir, 'o2')],
      {
        reject: false,
        env: { PATH: process.env.PATH! },
        cwd: dir,
      },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/secret references cannot be resolved:/);
    expect(r.stderr).toMatch(/falkorctl\.yaml:\d+: auth\.password: environment variable FALKORDB_PASSWORD is not set/);
    expect(r.stderr).toMatch(
      /falkorctl\.yaml:\d+: auth\.users\[0\]\.password: environment variable FALKORDB_APP_PASSWORD/,
    );
  });
});
