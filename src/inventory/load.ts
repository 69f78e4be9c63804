// YAML text → validated Inventory, with every problem reported at once as "file:line:col: key.path: message".
// Three passes, each only when the previous one left something to check: YAML syntax (and duplicate keys),
// the zod schema, then the semantic checks that need the whole inventory.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { absolutiseTlsSource } from '../tls/material.js';
import { isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { FalkorError, userError } from '../errors.js';
import { echo, MAX_HOSTS, RESERVED_KEYS } from './fields.js';
import { formatPath, Locator, pathOfKeyAt } from './locate.js';
import { inventorySchema, type Inventory } from './schema.js';
import { semanticFindings } from './semantic.js';
import { dropEmptySections, schemaFindings } from './zod-issues.js';

export interface Diagnostic {
  file: string;
  line: number;
  column?: number;
  path: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface LoadedInventory {
  inventory: Inventory;
  file: string;
  warnings: Diagnostic[];
}

export interface ValidationResult {
  inventory?: Inventory;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** The message shows this many; a generated file with thousands of errors should not print megabytes. */
const SHOWN_ERRORS = 200;

/** A USER error (exit 2) that also carries the structured findings, for --json output. */
export class InventoryError extends FalkorError {
  constructor(
    readonly file: string,
    readonly errors: Diagnostic[],
    readonly warnings: Diagnostic[],
  ) {
    const n = errors.length;
    const shown = errors.slice(0, SHOWN_ERRORS).map(formatDiagnostic);
    if (n > SHOWN_ERRORS) shown.push(`… and ${n - SHOWN_ERRORS} more (--json lists them all)`);
    super('USER', `invalid inventory ${file} (${n} error${n === 1 ? '' : 's'}):\n${shown.join('\n')}`);
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}${d.column ? `:${d.column}` : ''}`;
  return d.path ? `${where}: ${d.path}: ${d.message}` : `${where}: ${d.message}`;
}

/** Pure and non-throwing: the inventory when valid, and every error and warning found. */
export function validateInventory(text: string, file: string): ValidationResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (e: YAMLError, severity: Diagnostic['severity']): Diagnostic => {
    const { line, col } = lc.linePos(e.pos[0]);
    const path = e.code === 'DUPLICATE_KEY' ? pathOfKeyAt(doc, e.pos[0]) : undefined;
    return { file, line, column: col, path: path ? formatPath(path) : '', severity, message: yamlMessage(e) };
  };
  const errors = doc.errors.map((e) => at(e, 'error'));
  const warnings = doc.warnings.map((e) => at(e, 'warning'));
  // Duplicate keys leave a usable document: keep going so the operator sees everything in one run.
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return { errors, warnings };

  // Before toJS: assigning a "__proto__" key to a plain object sets its prototype, which hides the value from
  // the unknown-key check and lets inherited keys (cluster, say) reach render.
  const reserved = reservedKeys(doc).map(({ pos, key }) => {
    const { line, col } = lc.linePos(pos);
    const path = pathOfKeyAt(doc, pos);
    const message = `${echo(key)} is a reserved name and cannot be a key`;
    return { file, line, column: col, path: path ? formatPath(path) : '', severity: 'error' as const, message };
  });
  if (reserved.length) return { errors: sortByLine([...errors, ...reserved]), warnings };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. an alias bomb: refuse the file rather than expand it
    return {
      errors: [
        ...errors,
        { file, line: 1, column: 1, path: '', severity: 'error', message: `YAML: ${(e as Error).message}` },
      ],
      warnings,
    };
  }
  if (data === null || data === undefined) {
    return {
      errors: [...errors, { file, line: 1, column: 1, path: '', severity: 'error', message: 'the inventory is empty' }],
      warnings,
    };
  }
  const locator = new Locator(doc, lc);
  const diag = (
    path: readonly (string | number)[],
    severity: Diagnostic['severity'],
    message: string,
    atKey?: boolean,
  ): Diagnostic => {
    const { line, column } = locator.find(path, { key: atKey });
    return { file, line, column, path: formatPath(path), severity, message };
  };

  const hosts = (data as { hosts?: unknown }).hosts;
  if (Array.isArray(hosts) && hosts.length > MAX_HOSTS) {
    const message = `${hosts.length} hosts: at most ${MAX_HOSTS} (one master, its replicas, Sentinels and balancers)`;
    return { errors: [...errors, diag(['hosts'], 'error', message, true)], warnings };
  }
  const parsed = inventorySchema.safeParse(dropEmptySections(data, inventorySchema));
  if (!parsed.success) {
    for (const f of schemaFindings(parsed.error.issues, inventorySchema, data))
      errors.push(diag(f.path, 'error', f.message, f.atKey));
    return { errors: sortByLine(errors), warnings };
  }
  for (const f of semanticFindings(parsed.data))
    (f.severity === 'error' ? errors : warnings).push(diag(f.path, f.severity, f.message, f.atKey));
  return {
    inventory: errors.length ? undefined : parsed.data,
    errors: sortByLine(errors),
    warnings: sortByLine(warnings),
  };
}

/** Pure: YAML text → validated inventory; throws an InventoryError (exit 2) listing every error. */
export function parseInventory(text: string, file: string): LoadedInventory {
  const r = validateInventory(text, file);
  if (!r.inventory) throw new InventoryError(file, r.errors, r.warnings);
  return { inventory: r.inventory, file, warnings: r.warnings };
}

/** Reads the file (relative to cwd) and parses it. */
export async function loadInventory(file: string, cwd: string = process.cwd()): Promise<LoadedInventory> {
  const loaded = parseInventory(await readInventoryText(file, cwd), file);
  absolutiseTlsSource(loaded.inventory, dirname(resolve(cwd, file)));
  return loaded;
}

export async function readInventoryText(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw userError(`inventory ${file} not found`, 'run `falkorctl init` to write one, or pass -i FILE');
    if (code === 'EISDIR') throw userError(`inventory ${file} is a directory, not a file`);
    throw userError(`cannot read inventory ${file}: ${(e as Error).message}`);
  }
}

/** Every mapping key that would reach Object.prototype (__proto__, constructor, prototype), with its offset. */
function reservedKeys(doc: Document): { pos: number; key: string }[] {
  const out: { pos: number; key: string }[] = [];
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key;
      if (isScalar(k) && RESERVED_KEYS.has(String(k.value))) out.push({ pos: k.range?.[0] ?? 0, key: String(k.value) });
    },
  });
  return out;
}

function yamlMessage(e: YAMLError): string {
  if (e.code === 'DUPLICATE_KEY')
    return 'duplicate key: already set above in the same mapping (YAML would silently keep only the last one)';
  if (e.code === 'MULTIPLE_DOCS') return 'more than one YAML document (---): an inventory is a single document';
  return `YAML syntax: ${e.message}`;
}

const sortByLine = (ds: Diagnostic[]) => [...ds].sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
