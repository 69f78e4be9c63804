// The completion scripts in real shells: the generated script is loaded, the words typed so far are set up as
// the shell would, and the candidates it offers are checked — commands, options, hosts and roles for --limit.
import { execa } from 'execa';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'falkorctl-completion-'));
const has = async (sh: string) => (await execa('sh', ['-c', `command -v ${sh}`], { reject: false })).exitCode === 0;
let env: Record<string, string>;

beforeAll(() => {
  // `falkorctl` on PATH, as an installed package would be; the example inventory as ./falkorctl.yaml
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(repo, 'bin/falkorctl.js'), join(dir, 'bin/falkorctl'));
  copyFileSync(join(repo, 'examples/falkorctl.yaml'), join(dir, 'falkorctl.yaml'));
  env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bash(line: string[]): Promise<string[]> {
  const script = (await execa('node', [join(repo, 'bin/falkorctl.js'), 'completion', 'bash'])).stdout;
  const words = line.map((w) => `'${w}'`).join(' ');
  const r = await execa(
    'bash',
    [
      '-c',
      `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _falkorctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd: dir, env },
  );
  return r.stdout.split('\n').filter(Boolean);
}

describe('bash completion', () => {
  it('completes commands from a prefix', async () => {
    expect(await bash(['falkorctl', 'sw'])).toEqual(['switchover']);
    expect(await bash(['falkorctl', 'ro'])).toEqual(['rolling-restart']);
  });
  it("completes a command's options", async () => {
    expect(await bash(['falkorctl', 'deploy', '--d'])).toEqual(['--diff']);
  });
  it('completes host names and roles from the inventory for --limit', async () => {
    expect(await bash(['falkorctl', 'deploy', '--limit', ''])).toEqual(
      expect.arrayContaining(['db1', 'db2', 'db3', 'lb1', 'role:replica']),
    );
    expect(await bash(['falkorctl', 'status', '--limit', 'role:r'])).toEqual(['role:replica']);
  });
  it('the hidden helper is never offered, and an unreadable inventory just gives no hosts', async () => {
    expect(await bash(['falkorctl', '__'])).toEqual([]);
    expect(await bash(['falkorctl', '-i', 'nope.yaml', 'deploy', '--limit', ''])).toEqual([]);
  });
});

describe('zsh and fish completion', () => {
  it('zsh: the script loads under compinit and defines the completer', async (t) => {
    if (!(await has('zsh'))) return t.skip('zsh is not installed on this machine');
    const r = await execa(
      'zsh',
      ['-c', 'autoload -U compinit && compinit -u && eval "$(falkorctl completion zsh)" && whence -w _falkorctl'],
      { cwd: dir, env },
    );
    expect(r.stdout).toBe('_falkorctl: function');
  });
  it('fish: completes commands and --limit hosts', async (t) => {
    if (!(await has('fish'))) return t.skip('fish is not installed on this machine');
    const run = async (line: string) =>
      (
        await execa('fish', ['-c', `falkorctl completion fish | source; complete -C '${line}'`], { cwd: dir, env })
      ).stdout
        .split('\n')
        .map((l) => l.split('\t')[0]);
    expect(await run('falkorctl sw')).toEqual(['switchover']);
    expect(await run('falkorctl deploy --limit db')).toEqual(['db1', 'db2', 'db3']);
  });
});
