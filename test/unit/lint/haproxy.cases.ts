import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Case } from './cases.js';
import { GOOD } from './helpers.js';

const good = readFileSync(path.join(GOOD, 'haproxy.cfg'), 'utf8');
const h = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'haproxy',
  name,
  bad,
  good,
  ...more,
});
const sub = (from: string | RegExp, to: string) => {
  const out = good.replace(from, to);
  if (out === good) throw new Error(`case setup: ${from} not found`);
  return out;
};
const writeOnly = (servers: string) =>
  sub(/ {4}server db1 10.0.0.11:6379\n {4}server db2 10.0.0.12:6379\n {4}server db3 10.0.0.13:6379\n/, servers);
const noRole = sub('tcp-check expect string role:master', 'tcp-check expect string +PONG');

export const HAPROXY: Case[] = [
  h('haproxy/write-check-no-role', 'PING/PONG only', noRole, { line: 23 }),
  h(
    'haproxy/write-check-no-role',
    'option redis-check',
    sub(
      / {4}option tcp-check\n( {4}tcp-check .*\n)+(?= {4}default-server check inter 1s fall)/,
      '    option redis-check\n',
    ),
  ),
  h('haproxy/write-backend-single-server', 'one server', writeOnly('    server db1 10.0.0.11:6379\n')),
  h('haproxy/write-balance-no-role', 'three servers, no role check', noRole, { message: '3 servers balanced first' }),
  h(
    'haproxy/placeholder-unquoted',
    'unquoted ${VAR}',
    sub('tcp-check send "AUTH ${FALKORDB_PASSWORD}\\r\\n"', 'tcp-check send AUTH\\ ${FALKORDB_PASSWORD}\\r\\n'),
    { line: 22 },
  ),
  // HAProxy expands variables in addresses itself, quoted or not (checked against haproxy 2.6).
  h(
    'haproxy/placeholder-unquoted',
    'addresses are expanded anyway',
    sub('tcp-check send "AUTH ${FALKORDB_PASSWORD}\\r\\n"', 'tcp-check send AUTH\\ $FALKORDB_PASSWORD${X}'),
    {
      good: writeOnly('    server db1 ${DB1}:6379\n    server db2 10.0.0.12:6379\n').replace(
        'bind 10.0.0.100:6380',
        'bind ${VIP}:6380',
      ),
    },
  ),
  h(
    'haproxy/inline-password',
    'literal AUTH password',
    sub('tcp-check send "AUTH ${FALKORDB_PASSWORD}\\r\\n"', 'tcp-check send AUTH\\ hunter2hunter2\\r\\n'),
  ),
  h('haproxy/timeout-kills-idle-clients', '50 s client timeout', sub('timeout client 1h', 'timeout client 50000ms'), {
    good: sub('timeout client 1h', 'timeout client 50s\n    timeout tunnel 1h'),
  }),
  h('haproxy/write-keeps-sessions', 'no shutdown-sessions', sub(' on-marked-down shutdown-sessions', ''), { line: 29 }),
  h('haproxy/no-stats-socket', 'no stats socket', sub(/ {4}stats socket .*\n/, ''), { line: 1 }),
  h(
    'haproxy/log-stdout-format',
    'log stdout without format raw',
    sub('log stdout format raw local0', 'log stdout local0'),
  ),
  h('haproxy/frontend-without-log', 'no log global in defaults', sub('    log global\n', ''), { line: 13 }),
  h('haproxy/not-tcp-mode', 'http mode by default', sub('    mode tcp\n', '')),
  h(
    'haproxy/read-check-no-link',
    'replicas checked with PING only',
    sub('tcp-check expect string master_link_status:up', 'tcp-check expect string +PONG'),
    { severity: 'info' },
  ),
];
