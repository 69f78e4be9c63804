// The confirmed ruleset loaded at boot: a copy of the render, written only after `firewall apply` confirmed it
// over a new SSH connection (never the upload, which nft -c may refuse or the rollback may undo), and a oneshot
// unit that loads that copy before the network comes up. The rollback never touches either, so a reboot in
// the rollback window comes up with the last confirmed table. Pure: argv and content as data.
import { createHash } from 'node:crypto';
import type { Argv } from '../remote/quote.js';

export const CONFIRMED_DIR = '/etc/falkorctl';
export const CONFIRMED_PATH = `${CONFIRMED_DIR}/firewall.nft`;
export const BOOT_UNIT = 'falkorctl-firewall.service';
export const BOOT_UNIT_PATH = `/etc/systemd/system/${BOOT_UNIT}`;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** As nftables.service: early, without default dependencies, before anything on the network starts. */
export const bootUnit = (): string =>
  [
    '# Managed by falkorctl (firewall apply): loads the last confirmed table inet falkorctl at boot.',
    '[Unit]',
    'Description=falkorctl firewall (the last confirmed table inet falkorctl)',
    'DefaultDependencies=no',
    'Wants=network-pre.target',
    'Before=network-pre.target shutdown.target',
    'Conflicts=shutdown.target',
    `ConditionPathExists=${CONFIRMED_PATH}`,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=/usr/sbin/nft -f ${CONFIRMED_PATH}`,
    '',
    '[Install]',
    'WantedBy=sysinit.target',
    '',
  ].join('\n');

export interface BootState {
  /** sha256 of the confirmed copy (undefined: none). */
  confirmed?: string;
  /** sha256 of the unit file (undefined: none). */
  unit?: string;
  enabled: boolean;
}

const PROBE =
  'h() { if [ -f "$1" ]; then sha256sum < "$1" | cut -d" " -f1; else echo -; fi; }; ' +
  'h "$1"; h "$2"; systemctl is-enabled "$3" 2>/dev/null || true';
export const bootProbeArgv = (): Argv => ['sh', '-c', PROBE, 'sh', CONFIRMED_PATH, BOOT_UNIT_PATH, BOOT_UNIT];

export function parseBootProbe(out: string): BootState {
  const [c = '-', u = '-', e = ''] = out.split('\n').map((l) => l.trim());
  const sum = (x: string) => (/^[0-9a-f]{64}$/.test(x) ? x : undefined);
  return { confirmed: sum(c), unit: sum(u), enabled: e === 'enabled' };
}

// 0755, not 0700: /etc/falkorctl also holds the monitoring configs Prometheus and Alertmanager read as their own
// users, and install -d sets the mode of a directory that exists (a 0700 cut off a running Prometheus). The
// table itself is no secret.
export const confirmedDirArgv = (): Argv => ['install', '-d', '-m', '0755', CONFIRMED_DIR];
export const enableArgv = (): Argv => [
  'sh',
  '-c',
  'systemctl daemon-reload && systemctl enable --quiet "$1"',
  'sh',
  BOOT_UNIT,
];
