// `falkorctl completion bash|zsh|fish`: prints the completion script for that shell.
import type { Handler } from '../context.js';
import { userError } from '../errors.js';
import { script, SHELLS, type Shell } from '../completion/scripts.js';

export const run: Handler = ({ operands }, ctx) => {
  const shell = operands[0];
  if (!SHELLS.includes(shell as Shell))
    throw userError(`completion: "${shell}" is not a supported shell (${SHELLS.join(', ')})`);
  ctx.out.line(script(shell as Shell).trimEnd());
  return Promise.resolve();
};
