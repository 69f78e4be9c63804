// What every command that reads the inventory does first: load --inventory (its warnings shown, an error with
// file:line thrown), and resolve its secrets with the run's environment and prompt.
import type { Ctx } from '../context.js';
import { formatDiagnostic, loadInventory, type LoadedInventory } from './load.js';
import { resolveSecrets, type Secrets } from './secrets.js';

export async function openInventory(ctx: Ctx): Promise<LoadedInventory> {
  const loaded = await loadInventory(ctx.opts.inventory, ctx.cwd);
  for (const w of loaded.warnings) ctx.out.warn(formatDiagnostic(w));
  return loaded;
}

/** The inventory's secrets, asked (prompt:), read (file:) or taken from the environment (env:) for this run. */
export function secretsFor(ctx: Ctx, loaded: LoadedInventory): Promise<Secrets> {
  return resolveSecrets(loaded, { env: ctx.env, prompt: ctx.prompt, cwd: ctx.cwd, warn: (m) => ctx.out.warn(m) });
}
