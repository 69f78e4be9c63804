// The one place that says which Redis user redis_exporter logs in as: without ACL mode the cluster password
// (no user, i.e. `default`); in ACL mode the exporter's own restricted user (src/inventory/acl.ts). The unit
// passes -redis.user, the 0600 file holds the password.
import { systemUser } from '../inventory/acl.js';
import type { Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';

export interface ExporterCredentials {
  /** undefined: the default user (AUTH with the password only). */
  user?: string;
  password: string;
}

export function exporterCredentials(inv: Inventory, s: Pick<Secrets, 'password' | 'acl'>): ExporterCredentials {
  if (!inv.auth.acl || !s.acl) return { password: s.password };
  return { user: systemUser('exporter').name, password: s.acl.exporter };
}
