// Where `tls issue` writes, in DIR on the operator's machine. Each host's directory is self-contained (its
// certificate, its key, the CA certificate) and uses the file names of a kubernetes.io/tls Secret, so it can be
// copied as it is to the directory the inventory's tls.certFile/keyFile/caFile point into.
import { join } from 'node:path';

export const CA_CERT = 'ca.crt';
export const CA_KEY = 'ca.key';
export const HOST_CERT = 'tls.crt';
export const HOST_KEY = 'tls.key';

export interface HostFiles {
  dir: string;
  cert: string;
  key: string;
  ca: string;
}

export const caFiles = (dir: string) => ({ cert: join(dir, CA_CERT), key: join(dir, CA_KEY) });

export function hostFiles(dir: string, host: string): HostFiles {
  const d = join(dir, host);
  return { dir: d, cert: join(d, HOST_CERT), key: join(d, HOST_KEY), ca: join(d, CA_CERT) };
}
