// File operations as plain remote commands (POSIX sh + coreutils), so they work through sudo, over
// a jump host and on the local transport alike — SFTP could do none of the first.
import type { Argv } from './quote.js';

/** Exit status of READ when the file does not exist; chosen to be unlike cat/sudo failures. */
export const ABSENT = 44;

const READ = '[ -e "$1" ] || [ -L "$1" ] || exit 44; exec cat -- "$1"';

export function readArgv(path: string): Argv {
  return ['sh', '-c', READ, 'sh', path];
}

// Prints "<mode-octal> <user> <group> <sha256>" or nothing when absent.
const STAT = '[ -f "$1" ] || exit 0; s=$(stat -c "%a %U %G" -- "$1") && h=$(sha256sum < "$1") && echo "$s ${h%% *}"';

export function statArgv(path: string): Argv {
  return ['sh', '-c', STAT, 'sh', path];
}

export interface RemoteFileState {
  mode: number;
  owner: string;
  group: string;
  sha256: string;
}

export function parseStat(stdout: string): RemoteFileState | undefined {
  const m = /^([0-7]+) (\S+) (\S+) ([a-f0-9]{64})$/.exec(stdout.trim());
  if (!m) return undefined;
  return { mode: parseInt(m[1]!, 8), owner: m[2]!, group: m[3]!, sha256: m[4]! };
}

// Write stdin to a temp file beside the target, check its hash, set mode/owner, fsync it, keep the
// old version as a hard link (cheap, and exactly the old bytes), rename over, fsync the directory.
// The trap removes the temp file on any failure, so a failed upload leaves the target untouched.
const UPLOAD = [
  'set -eu',
  'p=$1 sha=$2 mode=$3 own=$4 bk=$5',
  'd=$(dirname -- "$p") b=$(basename -- "$p")',
  '[ -d "$d" ] || { echo "directory $d does not exist" >&2; exit 1; }',
  'tmp=$(mktemp "$d/.$b.falkorctl.XXXXXX")',
  'trap \'rm -f -- "$tmp"\' EXIT',
  'cat > "$tmp"',
  'got=$(sha256sum < "$tmp"); got=${got%% *}',
  '[ "$got" = "$sha" ] || { echo "upload of $p arrived corrupted ($got)" >&2; exit 1; }',
  'chmod "$mode" "$tmp"',
  '[ -z "$own" ] || chown "$own" "$tmp"',
  'sync "$tmp"',
  'if [ -n "$bk" ] && [ -e "$p" ]; then ln -f -- "$p" "$bk" 2>/dev/null || cp -p -- "$p" "$bk"; echo "backup $bk"; fi',
  'mv -f -- "$tmp" "$p"',
  'trap - EXIT',
  'sync "$d"',
].join('\n');

export interface UploadSpec {
  path: string;
  sha256: string;
  mode: number;
  owner?: string;
  group?: string;
  /** Full path of the backup to keep, or undefined for none. */
  backupPath?: string;
}

export function chownSpec(owner?: string, group?: string): string {
  if (owner && group) return `${owner}:${group}`;
  if (owner) return owner;
  if (group) return `:${group}`;
  return '';
}

export function uploadArgv(s: UploadSpec): Argv {
  return [
    'sh',
    '-c',
    UPLOAD,
    'sh',
    s.path,
    s.sha256,
    s.mode.toString(8).padStart(4, '0'),
    chownSpec(s.owner, s.group),
    s.backupPath ?? '',
  ];
}

/** 2026-11-27T15:01:02.345Z → 20261127T150102.345Z: sortable and free of shell-special characters. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '');
}
