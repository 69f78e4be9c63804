// Per-host SSH settings resolved from the inventory in one place: defaults from `ssh:`, overrides
// from `hosts[].ssh`, `~` expanded, the way ssh(1) would pick keys when none is configured.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { userError } from '../errors.js';
import type { Inventory } from '../inventory/schema.js';

export interface Endpoint {
  /** What messages call it: the inventory name, or "jump host" */
  label: string;
  address: string;
  port: number;
  user: string;
}

export interface HostSettings extends Endpoint {
  name: string;
  /** Private key files to offer, in order (an explicit identityFile, or ssh's defaults that exist). */
  identityFiles: string[];
  identityExplicit: boolean;
  agentSocket?: string;
  knownHostsPath: string;
  jump?: Endpoint;
  sudo: boolean;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export function expandHome(p: string, home = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function resolveHostSettings(
  inv: Inventory,
  name: string,
  o: { env?: NodeJS.ProcessEnv; home?: string; knownHostsPath?: string } = {},
): HostSettings {
  const host = inv.hosts.find((h) => h.name === name);
  if (!host)
    throw userError(`unknown host "${name}"`, `hosts in the inventory: ${inv.hosts.map((h) => h.name).join(', ')}`);
  const home = o.home ?? homedir();
  const env = o.env ?? process.env;
  const d = inv.ssh;
  const explicit = d.identityFile !== undefined;
  const identityFiles = explicit
    ? [expandHome(d.identityFile!, home)]
    : DEFAULT_KEYS.map((k) => join(home, '.ssh', k)).filter((p) => existsSync(p));
  const jump = d.jumpHost
    ? { label: 'jump host', address: d.jumpHost.host, port: d.jumpHost.port, user: d.jumpHost.user ?? d.user }
    : undefined;
  return {
    name,
    label: name,
    address: host.address,
    port: host.ssh?.port ?? d.port,
    user: host.ssh?.user ?? d.user,
    identityFiles,
    identityExplicit: explicit,
    agentSocket: env.SSH_AUTH_SOCK || undefined,
    knownHostsPath: expandHome(o.knownHostsPath ?? d.knownHosts, home),
    jump,
    sudo: d.sudo,
    connectTimeoutMs: d.connectTimeoutMs,
    commandTimeoutMs: d.commandTimeoutMs,
  };
}
