import { edit, type Case } from './cases.js';

const BASE = [
  'port 26379',
  'bind 10.0.0.21',
  'dir /var/lib/falkordb/sentinel',
  'requirepass "Sx8#kP2vLq9mZ4rT7wN1bY6cF3dH5gJ0"',
  'sentinel monitor falkordb 10.0.0.11 6379 2',
  'sentinel down-after-milliseconds falkordb 30000',
  'sentinel failover-timeout falkordb 180000',
];
// Sentinel lines share the name "sentinel": replace them by their whole prefix.
const swap = (from: string, to: string | null) =>
  `${BASE.filter((l) => !l.startsWith(from)).join('\n')}\n${to ?? ''}\n`;
const good = edit(BASE);
const s = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'sentinel',
  name,
  bad,
  good,
  ...more,
});
const known = [
  'sentinel known-sentinel falkordb 10.0.0.22 26379 aaaa',
  'sentinel known-sentinel falkordb 10.0.0.23 26379 bbbb',
];

export const SENTINEL: Case[] = [
  s(
    'sentinel/down-after-too-short',
    '5000 ms',
    swap('sentinel down-after', 'sentinel down-after-milliseconds falkordb 5000'),
    { line: 7, good: swap('sentinel down-after', 'sentinel down-after-milliseconds falkordb 10000') },
  ),
  s(
    'sentinel/failover-timeout-too-short',
    '10000 ms',
    swap('sentinel failover-timeout', 'sentinel failover-timeout falkordb 10000'),
  ),
  s(
    'sentinel/quorum',
    'quorum 1 is a warning',
    swap('sentinel monitor', 'sentinel monitor falkordb 10.0.0.11 6379 1'),
    { severity: 'warning' },
  ),
  s(
    'sentinel/quorum',
    'quorum above the known Sentinels',
    swap('sentinel monitor', ['sentinel monitor falkordb 10.0.0.11 6379 4', ...known].join('\n')),
    {
      severity: 'error',
      message: 'only 3',
      good: swap('sentinel monitor', ['sentinel monitor falkordb 10.0.0.11 6379 2', ...known].join('\n')),
    },
  ),
  s(
    'sentinel/hostname-without-resolve',
    'hostname',
    swap('sentinel monitor', 'sentinel monitor falkordb db1.internal 6379 2'),
    {
      good: swap('sentinel monitor', 'sentinel resolve-hostnames yes\nsentinel monitor falkordb db1.internal 6379 2'),
    },
  ),
  s(
    'sentinel/hostname-without-resolve',
    'IPv6 is an address',
    swap('sentinel monitor', 'sentinel monitor falkordb db1 6379 2'),
    { good: swap('sentinel monitor', 'sentinel monitor falkordb fd00::11 6379 2') },
  ),
  s('sentinel/no-monitor', 'no monitor line', swap('sentinel monitor', null)),
  s(
    'sentinel/notification-script',
    'a script that mails',
    `${good}sentinel notification-script falkordb /opt/scripts/notify.sh\n`,
    {
      files: { 'notify.sh': '#!/bin/sh\necho "$1" | mail -s alert ops@example.com\n' },
      message: 'sends mail',
      severity: 'info',
    },
  ),
  s(
    'sentinel/notification-script',
    'any script must exist everywhere',
    `${good}sentinel client-reconfig-script falkordb /opt/scripts/reconfig.sh\n`,
    { message: 'must exist' },
  ),
  s('sentinel/no-auth', 'open Sentinel', swap('requirepass', null).replace('bind 10.0.0.21', 'bind 0.0.0.0'), {
    good: good.replace('bind 10.0.0.21', 'bind 0.0.0.0'),
  }),
  s('sentinel/no-auth', 'no bind means all interfaces', swap('requirepass', null).replace('bind 10.0.0.21\n', '')),
  s(
    'sentinel/placeholder',
    '${MASTER_HOST}',
    swap('sentinel monitor', 'sentinel resolve-hostnames yes\nsentinel monitor falkordb ${MASTER_HOST} 6379 2'),
  ),
  s(
    'sentinel/unknown-directive',
    'misspelt sentinel option',
    `${good}sentinel down-after-milisecond falkordb 30000\n`,
    { message: 'did you mean "sentinel down-after-milliseconds"' },
  ),
  s('sentinel/duplicate-directive', 'down-after twice', `${good}sentinel down-after-milliseconds falkordb 60000\n`, {
    line: 8,
    good: `${good}sentinel known-replica falkordb 10.0.0.12 6379\nsentinel known-replica falkordb 10.0.0.13 6379\n`,
  }),
  s('sentinel/syntax', 'unbalanced quotes', swap('requirepass', 'requirepass "abc')),
  s('sentinel/relative-path', 'relative logfile', `${good}logfile sentinel.log\n`),
  s('sentinel/daemonize-under-systemd', 'daemonize yes', `${good}daemonize yes\n`),
  s('sentinel/wrong-arity', 'port with two values', swap('port', 'port 26379 26380')),
];
