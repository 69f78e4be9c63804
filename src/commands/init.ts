// `falkorctl init`: flags first; whatever is missing is asked in a wizard, or named in a usage error
// when there is no terminal. The result is validated before it is written, and written atomically.
import { link, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Handler } from '../context.js';
import { EXIT, FalkorError, refusal, userError } from '../errors.js';
import { parseInventory } from '../inventory/index.js';
import { parseHostFlag, renderInitInventory, type InitAnswers, type InitHost } from '../inventory/init-template.js';
import { byteSize, ROLES, secretRef } from '../inventory/schema.js';
import type { Prompter } from '../ui/prompt.js';
import { printWarnings } from './inventory.js';

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const check = (ok: boolean, msg: string) => (ok ? true : msg);

export const run: Handler = async ({ opts }, ctx) => {
  const output = typeof opts.output === 'string' ? opts.output : ctx.opts.inventory;
  const target = resolve(ctx.cwd, output);
  const force = opts.force === true;
  // Refuse before asking anything, so nobody answers ten questions to be told no.
  if (!force && (await exists(target))) throw refusal(`${output} already exists`, 'pass --force to overwrite it');
  const answers = await collect(opts, ctx.prompt);
  const text = renderInitInventory(answers);
  const loaded = parseInventory(text, output);
  printWarnings(ctx, loaded.warnings);
  await writeAtomically(target, text, force, output);
  ctx.out.result({ ok: true, file: output, hosts: answers.hosts.length, warnings: loaded.warnings }, () =>
    [
      `wrote ${output} (cluster ${answers.cluster}, ${answers.hosts.length} hosts)`,
      `next: falkorctl -i ${output} inventory validate`,
    ].join('\n'),
  );
  return EXIT.OK;
};

/** Flags win; missing answers come from the wizard, or from nowhere (→ one usage error naming them all). */
export async function collect(opts: Record<string, unknown>, prompt: Prompter): Promise<InitAnswers> {
  const str = (k: string) => (typeof opts[k] === 'string' ? opts[k] : undefined);
  const hostFlags = Array.isArray(opts.host) ? (opts.host as string[]) : [];
  const hosts: InitHost[] = [];
  for (const f of hostFlags) {
    const h = parseHostFlag(f);
    if (typeof h === 'string') throw new FalkorError('USAGE', h);
    if (!NAME.test(h.name))
      throw new FalkorError('USAGE', `--host ${f}: "${h.name}" must be a lowercase DNS label (a-z, 0-9, -)`);
    hosts.push(h);
  }
  const given = { cluster: str('cluster'), password: str('password'), memory: str('memory') };
  if (given.cluster !== undefined && !NAME.test(given.cluster))
    throw new FalkorError('USAGE', `--cluster ${given.cluster}: must be a lowercase DNS label`);
  if (given.password !== undefined && !secretRef.safeParse(given.password).success)
    throw new FalkorError(
      'USAGE',
      `--password ${given.password}: must be a secret reference (env:NAME, file:PATH or prompt), never the password itself`,
    );
  if (given.memory !== undefined && !byteSize.safeParse(given.memory).success)
    throw new FalkorError('USAGE', `--memory ${given.memory}: must be a size like 64gb`);

  const missing = [
    ...(given.cluster === undefined ? ['--cluster'] : []),
    ...(hosts.length === 0 ? ['--host'] : []),
    ...(given.password === undefined ? ['--password'] : []),
    ...(given.memory === undefined ? ['--memory'] : []),
  ];
  if (missing.length > 0 && !prompt.interactive)
    throw new FalkorError('USAGE', `init without a terminal needs ${missing.join(', ')}`, {
      hint: 'e.g. falkorctl init --cluster prod --host db1=10.0.0.11:master --host db2=10.0.0.12:replica --host db3=10.0.0.13:replica --password env:FALKORDB_PASSWORD --memory 64gb',
    });

  const cluster =
    given.cluster ??
    (await prompt.input('Cluster name', 'falkordb', (v) => check(NAME.test(v), 'a lowercase DNS label (a-z, 0-9, -)')));
  if (hosts.length === 0) hosts.push(...(await askHosts(prompt)));
  const memory =
    given.memory ??
    (await prompt.input('RAM of each database host', '64gb', (v) =>
      check(byteSize.safeParse(v).success, 'a size like 64gb or 512mb'),
    ));
  const password =
    given.password ??
    (await prompt.input('Password reference (env:NAME, file:PATH or prompt)', 'env:FALKORDB_PASSWORD', (v) =>
      check(secretRef.safeParse(v).success, 'env:NAME, file:PATH or prompt; never the password itself'),
    ));
  return { cluster, hosts, password, memory };
}

async function askHosts(prompt: Prompter): Promise<InitHost[]> {
  const hosts: InitHost[] = [];
  for (;;) {
    const n = hosts.length + 1;
    const name = await prompt.input(`Host ${n}: name`, `db${n}`, (v) =>
      check(NAME.test(v) && !hosts.some((h) => h.name === v), 'a lowercase DNS label, not used yet'),
    );
    const address = await prompt.input(`Host ${n}: address`, undefined, (v) =>
      check(v.trim().length > 0 && !/\s/.test(v), 'an IP address or DNS name'),
    );
    const role = await prompt.select(
      `Host ${n}: role`,
      ROLES,
      hosts.some((h) => h.role === 'master') ? 'replica' : 'master',
    );
    hosts.push({ name, address: address.trim(), role });
    if (
      (await prompt.select(
        'Another host?',
        ['add another host', 'done'] as const,
        n < 3 ? 'add another host' : 'done',
      )) === 'done'
    )
      return hosts;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Temp file + rename (or link, which fails instead of clobbering a file that appeared meanwhile). */
async function writeAtomically(target: string, text: string, force: boolean, shown: string): Promise<void> {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    throw userError(
      `cannot write ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'does its directory exist and is it writable?',
    );
  }
  try {
    if (force) await rename(tmp, target);
    else await link(tmp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw refusal(`${shown} already exists`, 'pass --force to overwrite it');
    throw userError(`cannot write ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    await rm(tmp, { force: true });
  }
}
