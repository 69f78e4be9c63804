// The TLS files deploy installs, from tls.source (src/tls/material.ts): on database and Sentinel hosts the
// host's certificate, its key (0600) and the CA at the inventory's tls.* paths, owned by the service user that
// reads them; on balancers one PEM with the balancer's certificate and key (HAProxy's `crt`) and the CA.
import type { Host, Inventory } from '../inventory/schema.js';
import type { RenderedFile } from '../render/index.js';
import { HAPROXY_TLS_CA, HAPROXY_TLS_PEM } from '../templates/haproxy.js';
import type { TlsMaterial } from './material.js';

export interface TlsRoles {
  node: boolean;
  haproxy: boolean;
}

export function tlsHostFiles(
  inv: Inventory,
  h: Host,
  m: TlsMaterial | undefined,
  roles: TlsRoles,
  svc: string,
): RenderedFile[] {
  const t = inv.tls;
  const own = m?.hosts[h.name];
  if (!t?.enabled || !m || !own) return [];
  const file = (path: string, content: string, mode: number, owner?: string): RenderedFile => ({
    host: h.name,
    path,
    content,
    mode,
    secret: mode === 0o600,
    ...(owner ? { owner } : {}),
  });
  const out: RenderedFile[] = [];
  if (roles.node) {
    const o = `${svc}:${svc}`;
    out.push(file(t.certFile, own.cert, 0o644, o), file(t.keyFile, own.key, 0o600, o), file(t.caFile, m.ca, 0o644, o));
  }
  if (roles.haproxy && !t.allowPlaintext) {
    const pem = `${own.cert.replace(/\n*$/, '\n')}${own.key.replace(/\n*$/, '\n')}`;
    out.push(file(HAPROXY_TLS_PEM, pem, 0o600), file(HAPROXY_TLS_CA, m.ca, 0o644));
  }
  return out;
}

/** Paths of the files above, for deploy's component map. */
export const nodeTlsPaths = (inv: Inventory): string[] =>
  inv.tls?.enabled ? [inv.tls.certFile, inv.tls.keyFile, inv.tls.caFile] : [];
export const haproxyTlsPaths = [HAPROXY_TLS_PEM, HAPROXY_TLS_CA];
