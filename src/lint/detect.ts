// Which kind of file is this? The name decides when it is clear, the content otherwise.
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FileKind } from './types.js';

export function detectKind(file: string, text: string): FileKind | undefined {
  const base = path.basename(file).toLowerCase();
  if (base.endsWith('.nft') || /^\s*(table\s+(inet|ip|ip6|arp|bridge|netdev)\s|flush\s+ruleset)/m.test(text))
    return 'nftables';
  if (/haproxy/.test(base) || base.endsWith('.cfg')) return 'haproxy';
  if (/\.ya?ml$/.test(base) || /^\s*(apiVersion|services|groups|version)\s*:/m.test(text)) return yamlKind(base, text);
  if (path.extname(base) && !base.endsWith('.conf')) return undefined; // scripts, units, ...: not ours
  if (/^\s*sentinel\s+monitor\s/im.test(text) || /sentinel/.test(base)) return 'sentinel';
  if (base.endsWith('.conf')) return 'redis';
  if (/^(global|defaults|frontend|backend|listen)\b/m.test(text)) return 'haproxy';
  if (/^\s*(loadmodule|maxmemory|appendonly|requirepass|replicaof|bind|port)\s/m.test(text)) return 'redis';
  return undefined;
}

function yamlKind(base: string, text: string): FileKind | undefined {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => (Array.isArray(d) ? undefined : (d.toJS() as unknown)));
  } catch {
    docs = [];
  }
  const first = docs.find((d) => d && typeof d === 'object') as Record<string, unknown> | undefined;
  if (docs.some((d) => d && typeof d === 'object' && 'apiVersion' in d && 'kind' in d)) return 'kubernetes';
  if (first && 'services' in first) return 'compose';
  if (first && Array.isArray(first.groups)) return 'prometheus';
  if (/compose/.test(base)) return 'compose';
  if (/alert|rule/.test(base)) return 'prometheus';
  return undefined;
}
