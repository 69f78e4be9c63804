// The one place that says which Redis user redis_exporter logs in as. Today: the cluster password (no user,
// i.e. `default`). When the cluster gets its own ACL users (issue 11 part 3), this returns the exporter's
// user and password and nothing else changes: the unit passes -redis.user, the 0600 file holds the password.
import type { Inventory } from '../inventory/schema.js';
import type { Secrets } from '../inventory/secrets.js';

export interface ExporterCredentials {
  /** undefined: the default user (AUTH with the password only). */
  user?: string;
  password: string;
}

export function exporterCredentials(_inv: Inventory, s: Pick<Secrets, 'password'>): ExporterCredentials {
  return { password: s.password };
}
