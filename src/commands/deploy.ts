import type { Handler } from '../cli.js';
import { FalkorError } from '../errors.js';

// Placeholder until the command lands; fails loudly rather than pretending to work.
export const run: Handler = async () => {
  throw new FalkorError('FAILED', '`deploy` is not implemented yet');
};
