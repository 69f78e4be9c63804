// A falkorctl inventory laid out on one machine, rendered by the real renderer, and written where each
// "host" will see it. Every host gets a loopback address in 127.0.2.0/24 (this suite's range) and its
// own copy of configDir, dataDir, logDir and sentinel.dataDir, bind-mounted at the very paths the
// inventory names (see test/helpers/README.md), so the rendered files run unmodified.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inventorySchema, type Inventory, type InventoryInput } from '../../../src/inventory/schema.js';
import { renderAll, type RenderedFile, type Secrets } from '../../../src/render/index.js';
import { claim, requireFalkorBinaries, splitRedisLine, tempDir, type Bind } from '../../helpers/index.js';

export interface Layout {
  root: string;
  inv: Inventory;
  secrets: Secrets;
  files: RenderedFile[];
  /** Host name → its loopback address. */
  addr: (host: string) => string;
  /** Where a host's file lives on this machine. */
  onHost: (host: string, path: string) => string;
  /** The bind mounts that give `host` its own view of the inventory's directories. */
  binds: (host: string) => Bind[];
}

/** FalkorDB module parameters, all different from the module's defaults so a dropped one is noticed. */
export const PARAMS = {
  THREAD_COUNT: 3,
  CACHE_SIZE: 37,
  TIMEOUT_DEFAULT: 4000,
  TIMEOUT_MAX: 9000,
  QUERY_MEM_CAPACITY: 104857600,
  OMP_THREAD_COUNT: 1,
  MAX_QUEUED_QUERIES: 77,
  RESULTSET_SIZE: 5000,
  NODE_CREATION_BUFFER: 4096,
  EFFECTS_THRESHOLD: 250,
  CMD_INFO: 'no',
} as const;

/**
 * db-1 (master), db-2, db-3 (replicas; all three run Sentinel) and lb-1 (HAProxy), at
 * 127.0.2.<first>..<first+3>. `ports` keeps HAProxy frontends of concurrently running files apart
 * (HAProxy also binds 127.0.0.1).
 */
export async function layout(o: {
  first: number;
  ports: [write: number, read: number];
  label: string;
  patch?: (i: InventoryInput) => void;
  /** ACL user name → password, for inventories with auth.users. */
  users?: Record<string, string>;
}): Promise<Layout> {
  // Another run of this suite (a colleague's, CI's) may be using the same addresses right now: wait for it.
  await claim(`127.0.2.${o.first}-${o.first + 3}`);
  const root = tempDir(o.label);
  const fs = (p: string) => join(root, 'fs', p);
  const names = ['db-1', 'db-2', 'db-3', 'lb-1'];
  const address = new Map(names.map((n, i) => [n, `127.0.2.${o.first + i}`]));
  const { redisServer, module } = requireFalkorBinaries();
  const input: InventoryInput = {
    cluster: 'render-it',
    hosts: [
      { name: 'db-1', address: address.get('db-1')!, role: 'master', hardware: { memory: '1gb' } },
      { name: 'db-2', address: address.get('db-2')!, role: 'replica', hardware: { memory: '1gb' } },
      {
        name: 'db-3',
        address: address.get('db-3')!,
        role: 'replica',
        hardware: { memory: '1gb' },
        replicaPriority: 50,
      },
      { name: 'lb-1', address: address.get('lb-1')!, role: 'haproxy' },
    ],
    falkordb: { modulePath: module, redisServer, params: { ...PARAMS } },
    redis: {
      maxmemory: 0.25, // of hardware.memory 1gb → 268435456 bytes
      save: [
        [900, 1],
        [120, 500],
      ],
      configDir: fs('etc/falkordb'),
      dataDir: fs('var/lib/falkordb/data'),
      logDir: fs('var/log/falkordb'),
    },
    sentinel: { dataDir: fs('var/lib/falkordb/sentinel'), downAfterMs: 5_000, failoverTimeoutMs: 20_000 },
    haproxy: {
      writePort: o.ports[0],
      readPort: o.ports[1],
      statsSocket: fs('run/haproxy/admin.sock'),
      checkIntervalMs: 300,
    },
    auth: { password: 'env:FALKORDB_PASSWORD', sentinelPassword: 'env:FALKORDB_SENTINEL_PASSWORD' },
  };
  o.patch?.(input);
  const inv = inventorySchema.parse(input);
  const secrets: Secrets = {
    password: randomBytes(16).toString('hex'),
    sentinelPassword: randomBytes(16).toString('hex'),
    users: { ...o.users },
  };
  const files = renderAll(inv, secrets);
  const onHost = (host: string, path: string) => join(root, 'hosts', host, path);
  writeFiles(files, onHost);

  const dirs = [
    inv.redis.configDir,
    inv.redis.dataDir,
    inv.redis.logDir,
    inv.sentinel.dataDir,
    dirname(inv.haproxy.statsSocket),
  ];
  for (const d of dirs) mkdirSync(d, { recursive: true }); // the mount points, empty on the machine itself
  const binds = (host: string): Bind[] =>
    dirs.map((target) => {
      const source = onHost(host, target);
      mkdirSync(source, { recursive: true });
      return { source, target };
    });
  const addr = (host: string) => {
    const a = address.get(host);
    if (!a) throw new Error(`no host ${host}`);
    return a;
  };
  return { root, inv, secrets, files, addr, onHost, binds };
}

export function writeFiles(files: RenderedFile[], onHost: (host: string, path: string) => string): void {
  for (const f of files) {
    const p = onHost(f.host, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
    chmodSync(p, f.mode);
  }
}

/** The one rendered file of `kind` (or whose path ends with `suffix`) for a host; throws naming what exists. */
export function fileOf(
  l: Pick<Layout, 'files'>,
  host: string,
  match: { kind?: RenderedFile['kind']; suffix?: string },
): RenderedFile {
  const hits = l.files.filter(
    (f) => f.host === host && (match.kind ? f.kind === match.kind : f.path.endsWith(match.suffix ?? '\0')),
  );
  if (hits.length !== 1) {
    const have = l.files.filter((f) => f.host === host).map((f) => `${f.path} (${f.kind ?? '-'})`);
    throw new Error(
      `expected one ${JSON.stringify(match)} file for ${host}, found ${hits.length}; rendered: ${have.join(', ')}`,
    );
  }
  return hits[0]!;
}

/** Values of a systemd directive in a unit (ExecStart=…), each split into words as systemd does for argv. */
export function unitArgv(unit: string, directive: string): string[][] {
  return unit
    .split('\n')
    .filter((l) => l.startsWith(`${directive}=`))
    .map((l) => splitRedisLine(l.slice(directive.length + 1)));
}

/** A systemd EnvironmentFile: KEY=VALUE or KEY="VALUE" (with \" \\ \` \$ escapes). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!.trim();
    const q = /^"((?:[^"\\]|\\.)*)"$/.exec(raw);
    env[m[1]!] = q ? q[1]!.replace(/\\(.)/g, '$1') : raw;
  }
  return env;
}

export const readHostFile = (l: Layout, host: string, path: string): string =>
  readFileSync(l.onHost(host, path), 'utf8');

/** HAProxy's health-check timing as rendered: default-server inter/fall/rise and `timeout check`, in ms. */
export function checkTiming(cfgPath: string): { inter: number; fall: number; rise: number; timeoutCheck: number } {
  const cfg = readFileSync(cfgPath, 'utf8');
  const ms = (v: string | undefined, what: string): number => {
    const m = /^(\d+)(ms|s|m)?$/.exec(v ?? '');
    if (!m) throw new Error(`${cfgPath}: cannot read ${what} (${v})`);
    return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  };
  const word = (re: RegExp, what: string): string | undefined => {
    const v = re.exec(cfg)?.[1];
    if (v === undefined) throw new Error(`${cfgPath}: no ${what}`);
    return v;
  };
  return {
    inter: ms(word(/default-server[^\n]*\binter (\S+)/, 'inter'), 'inter'),
    fall: Number(word(/default-server[^\n]*\bfall (\d+)/, 'fall')),
    rise: Number(word(/default-server[^\n]*\brise (\d+)/, 'rise')),
    timeoutCheck: ms(word(/^\s*timeout check (\S+)/m, 'timeout check'), 'timeout check'),
  };
}
