// Secret references → values, at the last moment and only in memory. Each failure names the key path
// (auth.password, auth.users[1].password) so the operator knows which reference to fix.
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isFalkorError, userError, type FalkorError } from '../errors.js';
import { SHORT_SECRET } from '../core/mask.js';
import type { Prompter } from '../ui/prompt.js';
import type { LoadedInventory } from './load.js';
import type { Inventory } from './schema.js';
import { SYSTEM_ROLES, type SystemRole } from './acl.js';
import { loadTlsMaterial, type TlsMaterial } from '../tls/material.js';

export interface Secrets {
  password: string;
  sentinelPassword?: string;
  /** sentinel.webhook's URL (it may carry a token). */
  webhook?: string;
  users: Record<string, string>;
  /** ACL mode: the system users' passwords (auth.acl.*.password). */
  acl?: Record<SystemRole, string>;
  /** tls.source's files (certificates and keys), checked; absent without TLS or tls.source. */
  tls?: TlsMaterial;
}

/** Every secret value, for masking output. */
export const secretValues = (s: Secrets): string[] =>
  [
    s.password,
    s.sentinelPassword ?? '',
    s.webhook ?? '',
    ...Object.values(s.users),
    ...Object.values(s.acl ?? {}),
  ].filter(Boolean);

export interface SecretContext {
  env: NodeJS.ProcessEnv;
  prompt: Pick<Prompter, 'interactive' | 'password'>;
  cwd: string;
  /** Told about trivially short secrets (they still work: refusing would lock out existing clusters). */
  warn?: (message: string) => void;
}

/** A secret file larger than this is not a password: refuse it rather than put it in every config. */
export const MAX_SECRET_FILE = 64 * 1024;

/**
 * Resolves every secret reference of the inventory. Pass the LoadedInventory (not just the Inventory)
 * so that relative `file:` references resolve against the inventory's directory; a bare Inventory
 * resolves them against ctx.cwd.
 */
export async function resolveSecrets(inv: Inventory | LoadedInventory, ctx: SecretContext): Promise<Secrets> {
  const loaded = 'inventory' in inv ? inv : undefined;
  const inventory = loaded ? loaded.inventory : (inv as Inventory);
  const baseDir = loaded ? dirname(resolve(ctx.cwd, loaded.file)) : ctx.cwd;
  // One answer per reference: the same prompt: or file: used twice is asked/read once.
  const cache = new Map<string, Promise<string>>();
  const get = (ref: string, keyPath: string) => {
    let p = cache.get(ref);
    if (!p) {
      p = resolveRef(ref, keyPath, baseDir, ctx);
      cache.set(ref, p);
    }
    return p;
  };
  // Every reference is tried, and every failure reported at once with its line: one run shows all to fix.
  const failed: { keyPath: string; ref: string; error: FalkorError }[] = [];
  const tryGet = async (ref: string, keyPath: string): Promise<string> => {
    try {
      return await get(ref, keyPath);
    } catch (e) {
      if (!isFalkorError(e)) throw e;
      failed.push({ keyPath, ref, error: e });
      return '';
    }
  };
  const a = inventory.auth;
  const password = await tryGet(a.password, 'auth.password');
  const sentinelPassword =
    a.sentinelPassword === undefined ? undefined : await tryGet(a.sentinelPassword, 'auth.sentinelPassword');
  // null prototype: a user name is inventory text, and "__proto__" on a plain object sets its prototype
  const users = Object.create(null) as Record<string, string>;
  for (const [i, u] of a.users.entries()) users[u.name] = await tryGet(u.password, `auth.users[${i}].password`);
  const wh = inventory.sentinel.webhook;
  const webhook = wh === undefined ? undefined : await tryGet(wh, 'sentinel.webhook');
  let acl: Record<SystemRole, string> | undefined;
  if (a.acl) {
    acl = Object.create(null) as Record<SystemRole, string>;
    for (const r of SYSTEM_ROLES) acl[r] = await tryGet(a.acl[r].password, `auth.acl.${r}.password`);
  }
  if (failed.length) throw await missingSecrets(failed, loaded?.file ? resolve(ctx.cwd, loaded.file) : undefined);
  const short = [
    ['auth.password', password],
    ['auth.sentinelPassword', sentinelPassword ?? ''],
    ...a.users.map((u, i) => [`auth.users[${i}].password`, users[u.name] ?? ''] as const),
    ...SYSTEM_ROLES.map((r) => [`auth.acl.${r}.password`, acl?.[r] ?? ''] as const),
  ].filter(([, v]) => v !== '' && v.length < SHORT_SECRET);
  for (const [k] of short)
    ctx.warn?.(
      `${k} is shorter than ${SHORT_SECRET} characters: trivially guessed (and masked in output only as a whole word)`,
    );
  const tls = await loadTlsMaterial(inventory, loaded ? resolve(ctx.cwd, loaded.file) : resolve(ctx.cwd, 'inventory'));
  return {
    password,
    ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
    ...(webhook === undefined ? {} : { webhook }),
    users,
    ...(acl ? { acl } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** One error naming every reference that could not be resolved, each at its line of the inventory. */
async function missingSecrets(
  failed: readonly { keyPath: string; ref: string; error: FalkorError }[],
  file: string | undefined,
): Promise<FalkorError> {
  const lines = file ? (await readFile(file, 'utf8').catch(() => '')).split('\n') : [];
  const where = (ref: string) => {
    const i = lines.findIndex((l) => l.includes(ref));
    return file && i >= 0 ? `${file}:${i + 1}: ` : '';
  };
  if (failed.length === 1) {
    const f = failed[0]!;
    return userError(`${where(f.ref)}${f.error.message}`, f.error.hint);
  }
  const hints = [...new Set(failed.map((f) => f.error.hint).filter(Boolean))];
  return userError(
    `${failed.length} secret references cannot be resolved:\n${failed.map((f) => `  ${where(f.ref)}${f.error.message}`).join('\n')}`,
    hints.join('; ') || undefined,
  );
}

export async function resolveRef(ref: string, keyPath: string, baseDir: string, ctx: SecretContext): Promise<string> {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const v = ctx.env[name];
    if (v === undefined || v === '')
      throw userError(
        `${keyPath}: environment variable ${name} is not set (or empty)`,
        `export ${name}=... before running falkorctl`,
      );
    return checked(v, keyPath, `environment variable ${name}`);
  }
  if (ref.startsWith('file:'))
    return checked(trimNewline(await readSecretFile(ref.slice(5), keyPath, baseDir, ctx.env)), keyPath, ref);
  if (ref === 'prompt') {
    if (!ctx.prompt.interactive)
      throw userError(
        `${keyPath} is "prompt" but there is no terminal to ask on`,
        'use env:NAME or file:PATH for non-interactive runs',
      );
    return checked(await ctx.prompt.password(`${keyPath}:`), keyPath, 'the prompt');
  }
  throw userError(`${keyPath}: "${ref}" is not a secret reference (env:NAME, file:PATH or prompt)`);
}

async function readSecretFile(raw: string, keyPath: string, baseDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const expanded = raw.startsWith('~/') && env.HOME ? `${env.HOME}${raw.slice(1)}` : raw;
  const path = isAbsolute(expanded) ? expanded : resolve(baseDir, expanded);
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw userError(
      `${keyPath}: secret file ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`,
    );
  }
  if (!st.isFile()) throw userError(`${keyPath}: secret file ${path} is not a regular file`);
  if (st.size > MAX_SECRET_FILE)
    throw userError(
      `${keyPath}: secret file ${path} has ${st.size} bytes: a secret file holds one value (at most 64 KiB)`,
    );
  // Like ssh with private keys: a secret others can read is already leaked, so refuse rather than use it.
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw userError(
      `${keyPath}: secret file ${path} is readable by group or others (mode ${mode})`,
      `chmod 600 ${path}`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw userError(
      `${keyPath}: cannot read secret file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw userError(`${keyPath}: secret file ${path} is not UTF-8 text (a binary file?)`);
  }
}

const trimNewline = (s: string) => s.replace(/\r?\n$/, '');

/** Values end up in config files and AUTH commands: no empty ones, no line breaks or control characters. */
function checked(v: string, keyPath: string, source: string): string {
  if (v === '') throw userError(`${keyPath}: ${source} is empty`);
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x1f\x7f]/.exec(v);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw userError(`${keyPath}: ${source} contains a line break or control character (0x${code} at ${bad.index + 1})`);
  }
  return v;
}
