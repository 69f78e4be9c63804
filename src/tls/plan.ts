// `tls issue` as a pure planner: the inventory's hosts + what DIR already holds → what to create, what to keep,
// and why anything must be refused. Nothing existing is ever overwritten, so every file is either absent
// (created), valid and complete (kept: a re-run is a no-op), or a refusal that names it.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Host } from '../inventory/schema.js';
import { caFiles, hostFiles, type HostFiles } from './layout.js';
import { hostSans, type Sans } from './sans.js';

/** A file in DIR as the gatherer saw it: its mode and text when it exists. */
export interface FileFact {
  mode: number;
  text: string;
}
export type Files = ReadonlyMap<string, FileFact>;

export interface CaPlan {
  action: 'create' | 'reuse';
  cert: string;
  key: string;
  subject: string;
  /** When the CA certificate expires (ISO), for a reused CA. */
  validTo?: string;
}

export interface HostPlan {
  host: string;
  sans: Sans;
  files: HostFiles;
  /** create: a new key and certificate; keep: they exist, match the inventory and the CA. */
  action: 'create' | 'keep';
  /** The host directory's copy of the CA certificate is missing (written in either case). */
  writeCa: boolean;
}

export interface IssuePlan {
  dir: string;
  days: number;
  caDays: number;
  ca: CaPlan;
  hosts: HostPlan[];
  /** Each names a file and why it blocks the run; any refusal means nothing is written. */
  refusals: string[];
  warnings: string[];
}

export interface IssueInput {
  dir: string;
  cluster: string;
  hosts: readonly Pick<Host, 'name' | 'address'>[];
  days: number;
  caDays: number;
  now: number;
  files: Files;
}

export const caSubject = (cluster: string) => `falkorctl CA for cluster ${cluster}`;

const MOVE = 'falkorctl never overwrites a key or certificate: move it away to issue a new one';

function parseCert(text: string): X509Certificate | undefined {
  try {
    return new X509Certificate(text);
  } catch {
    return undefined;
  }
}

function keyMatches(cert: X509Certificate, keyText: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyText));
  } catch {
    return false;
  }
}

const loose = (f: FileFact) => (f.mode & 0o077) !== 0;
const octal = (m: number) => `0${(m & 0o777).toString(8)}`;

function planCa(inp: IssueInput, refusals: string[], warnings: string[]): { plan: CaPlan; cert?: X509Certificate } {
  const { cert: certPath, key: keyPath } = caFiles(inp.dir);
  const subject = caSubject(inp.cluster);
  const cert = inp.files.get(certPath);
  const key = inp.files.get(keyPath);
  if (!cert && !key) return { plan: { action: 'create', cert: certPath, key: keyPath, subject } };
  const plan: CaPlan = { action: 'reuse', cert: certPath, key: keyPath, subject };
  if (!cert) {
    refusals.push(`${keyPath} exists without ${certPath}; ${MOVE}`);
    return { plan };
  }
  if (!key) {
    refusals.push(`${certPath} exists without ${keyPath} (the CA key signs the host certificates); ${MOVE}`);
    return { plan };
  }
  const x = parseCert(cert.text);
  if (!x) {
    refusals.push(`${certPath} is not a PEM certificate; ${MOVE}`);
    return { plan };
  }
  plan.subject = x.subject.replace(/^CN=/, '');
  plan.validTo = new Date(x.validTo).toISOString();
  if (!x.ca) refusals.push(`${certPath} is not a CA certificate (basicConstraints CA:FALSE)`);
  if (Date.parse(x.validTo) <= inp.now) refusals.push(`${certPath} expired on ${plan.validTo}; ${MOVE}`);
  if (!keyMatches(x, key.text)) refusals.push(`${keyPath} is not the key of ${certPath}`);
  if (loose(key)) warnings.push(`${keyPath} is readable by group or others (mode ${octal(key.mode)}): chmod 600 it`);
  return { plan, cert: x };
}

function checkHostCert(
  f: HostFiles,
  sans: Sans,
  certFact: FileFact,
  keyFact: FileFact,
  ca: X509Certificate | undefined,
  caIsNew: boolean,
  now: number,
): string[] {
  const x = parseCert(certFact.text);
  if (!x) return [`${f.cert} is not a PEM certificate; ${MOVE}`];
  const out: string[] = [];
  if (caIsNew) out.push(`${f.cert} exists but the CA is new, so it cannot have been issued by it; ${MOVE}`);
  else if (!ca) out.push(`${f.cert} cannot be checked: the CA is unusable (see above)`);
  else if (!x.checkIssued(ca) || !x.verify(ca.publicKey)) out.push(`${f.cert} was not issued by the CA; ${MOVE}`);
  if (!keyMatches(x, keyFact.text)) out.push(`${f.key} is not the key of ${f.cert}; ${MOVE}`);
  const missing = [
    ...sans.dns.filter((d) => x.checkHost(d, { subject: 'never', wildcards: false }) === undefined),
    ...sans.ip.filter((i) => x.checkIP(i) === undefined),
  ];
  if (missing.length) out.push(`${f.cert} does not name ${missing.join(', ')} (from the inventory); ${MOVE}`);
  if (Date.parse(x.validTo) <= now) out.push(`${f.cert} expired on ${new Date(x.validTo).toISOString()}; ${MOVE}`);
  return out;
}

function planHost(
  inp: IssueInput,
  h: Pick<Host, 'name' | 'address'>,
  ca: { plan: CaPlan; cert?: X509Certificate },
  refusals: string[],
  warnings: string[],
): HostPlan {
  const files = hostFiles(inp.dir, h.name);
  const sans = hostSans(h);
  const cert = inp.files.get(files.cert);
  const key = inp.files.get(files.key);
  const caCopy = inp.files.get(files.ca);
  if (caCopy) {
    const same = ca.cert && parseCert(caCopy.text)?.raw.equals(ca.cert.raw);
    if (!same) refusals.push(`${files.ca} is not a copy of ${ca.plan.cert}; ${MOVE}`);
  }
  const plan: HostPlan = { host: h.name, sans, files, action: 'keep', writeCa: !caCopy };
  if (!cert && !key) return { ...plan, action: 'create' };
  if (!cert) refusals.push(`${files.key} exists without ${files.cert}; ${MOVE}`);
  else if (!key) refusals.push(`${files.cert} exists without ${files.key}; ${MOVE}`);
  else {
    refusals.push(...checkHostCert(files, sans, cert, key, ca.cert, ca.plan.action === 'create', inp.now));
    if (loose(key))
      warnings.push(`${files.key} is readable by group or others (mode ${octal(key.mode)}): chmod 600 it`);
  }
  return plan;
}

export function planIssue(inp: IssueInput): IssuePlan {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const ca = planCa(inp, refusals, warnings);
  const hosts = inp.hosts.map((h) => planHost(inp, h, ca, refusals, warnings));
  const caEnd = ca.cert && Date.parse(ca.cert.validTo);
  if (caEnd && hosts.some((h) => h.action === 'create') && inp.now + inp.days * 86_400_000 > caEnd)
    warnings.push(`new host certificates (--days ${inp.days}) outlive the CA, which expires ${ca.plan.validTo}`);
  return { dir: inp.dir, days: inp.days, caDays: inp.caDays, ca: ca.plan, hosts, refusals, warnings };
}

/** Nothing to write: a re-run after a complete one. */
export const isNoop = (p: IssuePlan) =>
  p.ca.action === 'reuse' && p.hosts.every((h) => h.action === 'keep' && !h.writeCa);
