// Prompts fail closed: without a terminal a confirmation is a refusal unless --yes was given.
import { refusal } from '../errors.js';

export interface Prompter {
  readonly interactive: boolean;
  /** Asks before a destructive step; --yes answers yes, no terminal answers "refused". */
  confirm(message: string, override?: string): Promise<boolean>;
  input(message: string, def?: string, validate?: (v: string) => true | string): Promise<string>;
  password(message: string): Promise<string>;
  select<T extends string>(message: string, choices: readonly T[], def?: T): Promise<T>;
}

export function createPrompter(o: {
  interactive: boolean;
  assumeYes: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}): Prompter {
  const ctx = { input: o.input, output: o.output } as never;
  const needTty = (what: string) => {
    if (!o.interactive)
      throw refusal(`${what}: no terminal to ask on`, 'pass the value as a flag, or run interactively');
  };
  return {
    interactive: o.interactive,
    async confirm(message, override = '--yes') {
      if (o.assumeYes) return true;
      if (!o.interactive)
        throw refusal(`${message} — not confirmed (no terminal to ask on)`, `re-run with ${override} to proceed`);
      const { confirm } = await import('@inquirer/prompts');
      return confirm({ message, default: false }, ctx);
    },
    async input(message, def, validate) {
      needTty(message);
      const { input } = await import('@inquirer/prompts');
      return input({ message, default: def, validate }, ctx);
    },
    async password(message) {
      needTty(message);
      const { password } = await import('@inquirer/prompts');
      return password({ message, mask: '*' }, ctx);
    },
    async select(message, choices, def) {
      needTty(message);
      const { select } = await import('@inquirer/prompts');
      return select({ message, choices: choices.map((value) => ({ value })), default: def }, ctx);
    },
  };
}
