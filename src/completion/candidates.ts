// Shell completion, the pure part: from the command tree and the words typed so far, the words that may come
// next. The shell scripts (scripts.ts) call `falkorctl __complete -- WORDS…` and filter by the current prefix.
import type { Command } from 'commander';

export interface Tree {
  /** Global options (-i, --json, …). */
  options: string[];
  commands: { name: string; options: string[] }[];
}

/** Options that take a value, so the next word is that value, not a command or option. */
export interface ValueOptions {
  /** Hosts and roles from the inventory: --limit's values. */
  limit: string[];
}

const names = (c: Command) =>
  c.options.flatMap((o) => [o.long, o.short].filter((x): x is string => Boolean(x))).concat('--help');

export function treeOf(program: Command): Tree {
  return {
    options: names(program),
    commands: program.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => ({ name: c.name(), options: names(c) })),
  };
}

/** Options whose value is the next word (so it is skipped when looking for the command). */
const TAKES_VALUE = new Set([
  '-i',
  '--inventory',
  '--limit',
  '--forks',
  '--to',
  '-o',
  '--output',
  '--count',
  '--watch',
]);

export function candidates(tree: Tree, words: readonly string[], values: ValueOptions): string[] {
  const prev = words[words.length - 1];
  if (prev === '--limit') return values.limit;
  if (prev !== undefined && TAKES_VALUE.has(prev)) return []; // a file or a number: the shell's own completion
  let command: Tree['commands'][number] | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (TAKES_VALUE.has(w)) i++;
    else if (!w.startsWith('-')) {
      command = tree.commands.find((c) => c.name === w);
      if (command) break;
    }
  }
  if (!command) return [...tree.commands.map((c) => c.name), ...tree.options];
  return command.options;
}

/** --limit's values: every host name and role:NAME of the roles the inventory uses. */
export function limitValues(hosts: readonly { name: string; role: string }[]): string[] {
  return [...hosts.map((h) => h.name), ...[...new Set(hosts.map((h) => h.role))].map((r) => `role:${r}`)];
}

/** The inventory the typed words name (-i/--inventory), else the default. */
export function inventoryOf(words: readonly string[]): string {
  for (let i = 0; i < words.length - 1; i++) if (words[i] === '-i' || words[i] === '--inventory') return words[i + 1]!;
  const eq = words.find((w) => w.startsWith('--inventory='));
  return eq ? eq.slice('--inventory='.length) : 'falkorctl.yaml';
}
