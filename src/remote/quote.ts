// The one place where argv becomes a shell string, for both display and execution over SSH
// (an SSH "exec" request carries a single string that the remote login shell parses).

export type Argv = readonly [program: string, ...args: string[]];

const SAFE = /^[A-Za-z0-9_\-+=.,/:@%^]+$/;

export function quote(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}
