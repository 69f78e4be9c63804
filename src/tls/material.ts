// The operator's TLS files (tls.source, as `tls issue --out DIR` lays them out), read and checked before any host
// is touched: every problem is reported at once, at the inventory line of tls.source. The key never leaves this
// process except as a 0600 file on its own host.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { userError } from '../errors.js';
import { Locator } from '../inventory/locate.js';
import type { Inventory } from '../inventory/schema.js';
import { CA_CERT, HOST_CERT, HOST_KEY } from './layout.js';

export interface HostTls {
  cert: string;
  key: string;
}

export interface TlsMaterial {
  /** Absolute DIR. */
  dir: string;
  ca: string;
  hosts: Record<string, HostTls>;
}

/** TLS with no plaintext port: every connection falkorctl makes to a node or a Sentinel must be TLS. */
export const tlsOnly = (inv: Inventory): boolean => inv.tls?.enabled === true && !inv.tls.allowPlaintext;

/** tls.source made absolute against the inventory's directory (done once, when the inventory is loaded). */
export function absolutiseTlsSource(inv: Inventory, baseDir: string): void {
  if (inv.tls?.source !== undefined && !isAbsolute(inv.tls.source)) inv.tls.source = resolve(baseDir, inv.tls.source);
}

/** The CA falkorctl's own clients verify the hosts with (DIR/ca.crt); refused when TLS-only without tls.source. */
export async function clientCa(inv: Inventory): Promise<string | undefined> {
  if (!tlsOnly(inv)) return undefined;
  const dir = inv.tls?.source;
  if (dir === undefined)
    throw userError(
      'tls.source is not set: falkorctl cannot verify TLS-only nodes without the CA certificate',
      'set tls.source to the directory `falkorctl tls issue --out DIR` wrote (or one laid out like it)',
    );
  const f = join(dir, CA_CERT);
  return readFile(f, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw userError(`tls.source: cannot read ${f} (${e.code ?? e.message})`);
  });
}

/** Problems with one file, or its text. */
async function readPem(path: string, secret: boolean, problems: string[]): Promise<string | undefined> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error) {
    problems.push(`${path} ${st.code === 'ENOENT' ? 'does not exist' : `cannot be read (${st.code})`}`);
    return undefined;
  }
  if (!st.isFile()) {
    problems.push(`${path} is not a regular file`);
    return undefined;
  }
  if (secret && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    problems.push(`${path} is a private key readable by group or others (mode ${mode}): chmod 600 ${path}`);
    return undefined;
  }
  return readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    problems.push(`${path} cannot be read (${e.code ?? e.message})`);
    return undefined;
  });
}

function parseCert(path: string, pem: string, problems: string[]): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    problems.push(`${path} is not a PEM certificate`);
    return undefined;
  }
}

/** Why a host's certificate and key cannot serve (pure: the texts and the CA in, messages out). */
export function pairProblems(certPath: string, cert: X509Certificate, keyPem: string, ca: X509Certificate): string[] {
  const out: string[] = [];
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) out.push(`${certPath} does not match its key (${HOST_KEY})`);
  } catch {
    out.push(`the key beside ${certPath} is not a PEM private key`);
  }
  if (!cert.verify(ca.publicKey)) out.push(`${certPath} is not signed by the CA (${CA_CERT})`);
  if (Date.parse(cert.validTo) <= Date.now()) out.push(`${certPath} expired on ${cert.validTo}`);
  return out;
}

/** Reads DIR; undefined when TLS is off or tls.source is unset. Throws one line-numbered error for every problem. */
export async function loadTlsMaterial(inv: Inventory, inventoryFile: string): Promise<TlsMaterial | undefined> {
  const t = inv.tls;
  if (!t?.enabled || t.source === undefined) return undefined;
  const dir = resolve(dirname(inventoryFile), t.source);
  const problems: string[] = [];
  const caPath = join(dir, CA_CERT);
  const caPem = await readPem(caPath, false, problems);
  const ca = caPem === undefined ? undefined : parseCert(caPath, caPem, problems);
  const hosts: Record<string, HostTls> = Object.create(null) as Record<string, HostTls>;
  for (const h of inv.hosts) {
    const certPath = join(dir, h.name, HOST_CERT);
    const certPem = await readPem(certPath, false, problems);
    const key = await readPem(join(dir, h.name, HOST_KEY), true, problems);
    const cert = certPem === undefined ? undefined : parseCert(certPath, certPem, problems);
    if (cert && key !== undefined && ca) problems.push(...pairProblems(certPath, cert, key, ca));
    if (certPem !== undefined && key !== undefined) hosts[h.name] = { cert: certPem, key };
  }
  if (problems.length) throw userError(await located(inventoryFile, problems), TLS_HINT);
  return { dir, ca: caPem ?? '', hosts };
}

const TLS_HINT = 'nothing was changed on any host; `falkorctl tls issue --out DIR` writes a complete DIR';

async function located(file: string, problems: string[]): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const { line } = new Locator(doc, lc).find(['tls', 'source']);
  const at = `${file}:${line}: tls.source: `;
  return problems.length === 1
    ? `${at}${problems[0]}`
    : `${at}${problems.length} problems:\n  ${problems.join('\n  ')}`;
}
