// The commands `firewall apply` runs on a host, as argv data (quoted for SSH in one place), and how their
// output is read. Pure: unit tests read exactly what runs.
import type { Argv } from '../remote/quote.js';
import { FIREWALL_PATH, FIREWALL_TABLE } from '../templates/nftables.js';

export const PREV_PATH = '/var/lib/falkorctl/firewall.prev.nft';
export const ROLLBACK_UNIT = 'falkorctl-fw-rollback';

/** Is nft there, and what is our table now? First line: "missing", "absent", "present" or "error". */
const PROBE =
  'if ! command -v nft >/dev/null 2>&1; then echo missing; exit 0; fi; ' +
  'if out=$(nft list table inet "$1" 2>&1); then echo present; printf "%s\\n" "$out"; ' +
  'elif printf "%s" "$out" | grep -q "No such file or directory"; then echo absent; ' +
  'else echo error; printf "%s\\n" "$out"; fi';
export const probeArgv = (): Argv => ['sh', '-c', PROBE, 'sh', FIREWALL_TABLE];

export type TableState =
  | { state: 'missing' }
  | { state: 'absent' }
  | { state: 'present'; listing: string }
  | { state: 'error'; message: string };

export function parseProbe(out: string): TableState {
  const [first = '', ...rest] = out.split('\n');
  const body = rest.join('\n').trimEnd();
  if (first === 'missing' || first === 'absent') return { state: first };
  if (first === 'present') return { state: 'present', listing: `${body}\n` };
  return { state: 'error', message: body || out.trim() || 'no output' };
}

/** Where this SSH connection comes from, as the host sees it (run without sudo: sudo resets the env). */
export const sourceArgv = (): Argv => ['sh', '-c', 'printf "%s\\n" "${SSH_CONNECTION:-}"'];
export const parseSource = (out: string): string | undefined => out.trim().split(/\s+/)[0] || undefined;

export const checkArgv = (): Argv => ['nft', '-c', '-f', FIREWALL_PATH];
export const applyArgv = (): Argv => ['nft', '-f', FIREWALL_PATH];

/** The table as it is now, as a file that brings it back (or removes ours when there was none). */
const SAVE =
  'set -eu; umask 077; install -d -m 0700 "$(dirname "$1")"; ' +
  '{ echo "table inet $2"; echo "delete table inet $2"; nft list table inet "$2" 2>/dev/null || true; } > "$1.tmp"; ' +
  'mv -f -- "$1.tmp" "$1"';
export const saveArgv = (): Argv => ['sh', '-c', SAVE, 'sh', PREV_PATH, FIREWALL_TABLE];

/**
 * The host-side rollback, armed before the new ruleset is applied: a transient systemd timer that loads the
 * saved table after `seconds` unless `firewall apply`, over a new SSH connection, stops it first. It does
 * not depend on this machine or on the SSH session that armed it.
 */
const ARM =
  'set -eu; u="$1"; systemctl stop "$u.timer" "$u.service" 2>/dev/null || true; ' +
  'systemctl reset-failed "$u.timer" "$u.service" 2>/dev/null || true; ' +
  'systemd-run --quiet --unit="$u" --on-active="$2s" --timer-property=AccuracySec=1s ' +
  '--description="falkorctl firewall rollback" "$(command -v nft)" -f "$3"';
export const armArgv = (seconds: number): Argv => ['sh', '-c', ARM, 'sh', ROLLBACK_UNIT, String(seconds), PREV_PATH];

/** Confirmed: the rollback is not needed any more. */
export const disarmArgv = (): Argv => ['systemctl', 'stop', `${ROLLBACK_UNIT}.timer`];

/** Undo of a failed apply: the saved table back now, and the timer stopped. */
const ROLLBACK_NOW = 'set -eu; nft -f "$1"; systemctl stop "$2.timer" 2>/dev/null || true';
export const rollbackNowArgv = (): Argv => ['sh', '-c', ROLLBACK_NOW, 'sh', PREV_PATH, ROLLBACK_UNIT];

/** Removes our table (tests, and an operator turning the firewall off). */
export const removeArgv = (): Argv => [
  'sh',
  '-c',
  'nft delete table inet "$1" 2>/dev/null || true',
  'sh',
  FIREWALL_TABLE,
];

/**
 * A ruleset as comparable lines: comments and blank lines dropped, whitespace trimmed, counters' values
 * dropped, element lists that nft wraps joined, and only the `table inet falkorctl { … }` block (the
 * rendered file's create/delete lines before it are not part of the table).
 */
export function canonical(text: string): string[] {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .map((l) => l.replace(/\bcounter packets \d+ bytes \d+/g, 'counter'));
  const start = lines.findIndex((l) => l === `table inet ${FIREWALL_TABLE} {`);
  const out: string[] = [];
  for (const l of start < 0 ? [] : lines.slice(start)) {
    const prev = out.at(-1);
    if (prev !== undefined && prev.endsWith(',')) out[out.length - 1] = `${prev} ${l}`;
    else out.push(l);
  }
  return out;
}

export const sameTable = (a: string, b: string): boolean => canonical(a).join('\n') === canonical(b).join('\n');
