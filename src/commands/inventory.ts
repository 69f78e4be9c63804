// `falkorctl inventory validate|schema`.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Handler } from '../context.js';
import type { Ctx } from '../context.js';
import { EXIT, isFalkorError, userError } from '../errors.js';
import {
  formatDiagnostic,
  InventoryError,
  inventoryJsonSchema,
  readInventoryText,
  validateInventory,
  type Diagnostic,
} from '../inventory/index.js';
import { dbHosts, haproxyHosts, replicaHosts, sentinelHosts } from '../inventory/topology.js';

const ACTIONS = ['validate', 'schema'] as const;

export const run: Handler = async ({ operands, opts }, ctx) => {
  const [action, ...extra] = operands;
  if (extra.length > 0) throw userError(`inventory ${action}: unexpected argument ${extra[0]}`);
  if (action === 'validate') return validate(ctx);
  if (action === 'schema') return schema(ctx, typeof opts.output === 'string' ? opts.output : undefined);
  throw userError(`unknown inventory action "${action ?? ''}"`, `use one of: ${ACTIONS.join(', ')}`);
};

async function validate(ctx: Ctx): Promise<number> {
  const file = ctx.opts.inventory;
  let text: string;
  try {
    text = await readInventoryText(file, ctx.cwd);
  } catch (e) {
    if (!ctx.opts.json || !isFalkorError(e)) throw e;
    // Scripts get the same document shape for "no file" as for "bad file"; line 0 = no line.
    ctx.out.result({
      ok: false,
      errors: [{ file, line: 0, path: '', severity: 'error', message: e.message }],
      warnings: [],
    });
    return EXIT.USAGE;
  }
  const r = validateInventory(text, file);
  if (ctx.opts.json) {
    ctx.out.result({ ok: Boolean(r.inventory), errors: r.errors, warnings: r.warnings });
    return r.inventory ? EXIT.OK : EXIT.USAGE;
  }
  printWarnings(ctx, r.warnings);
  if (!r.inventory) throw new InventoryError(file, r.errors, r.warnings);
  const inv = r.inventory;
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  ctx.out.result(
    null,
    () =>
      `ok: ${n(inv.hosts.length, 'host')} (${n(dbHosts(inv).length, 'database')}: 1 master + ${n(replicaHosts(inv).length, 'replica')}; ` +
      `${n(sentinelHosts(inv).length, 'Sentinel')}, quorum ${inv.sentinel.quorum}; ${n(haproxyHosts(inv).length, 'HAProxy host')}) ` +
      `in cluster ${inv.cluster} (${file})${r.warnings.length ? `, ${n(r.warnings.length, 'warning')}` : ''}`,
  );
  return EXIT.OK;
}

export function printWarnings(ctx: Ctx, warnings: Diagnostic[]): void {
  for (const w of warnings) ctx.out.warn(formatDiagnostic(w));
}

async function schema(ctx: Ctx, output: string | undefined): Promise<number> {
  const text = `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
  if (output) {
    try {
      await writeFile(resolve(ctx.cwd, output), text);
    } catch (e) {
      throw userError(`cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    ctx.out.info(`wrote ${output}`);
  } else ctx.out.result(inventoryJsonSchema(), () => text.trimEnd());
  return EXIT.OK;
}
