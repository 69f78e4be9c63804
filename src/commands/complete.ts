// `falkorctl __complete -- WORDS…` (hidden): the candidates for the next word, one per line. Called by the
// completion scripts on every Tab: it never fails loudly and never reaches a host (no SSH); an inventory that
// cannot be read just means no host names.
import type { Handler } from '../context.js';
import { buildProgram } from '../cli.js';
import { candidates, inventoryOf, limitValues, treeOf } from '../completion/candidates.js';
import { loadInventory } from '../inventory/index.js';

export const run: Handler = async ({ operands }, ctx) => {
  const words = operands[0] === '--' ? operands.slice(1) : operands;
  const tree = treeOf(buildProgram(async () => {}));
  let limit: string[] = [];
  if (words[words.length - 1] === '--limit')
    limit = await loadInventory(inventoryOf(words), ctx.cwd).then(
      (l) => limitValues(l.inventory.hosts),
      () => [],
    );
  for (const c of candidates(tree, words, { limit })) ctx.out.line(c);
};
