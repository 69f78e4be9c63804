import type { Case } from './cases.js';

const table = (...chain: string[]) =>
  [
    'table inet falkorctl',
    'delete table inet falkorctl',
    'table inet falkorctl {',
    '\tchain input {',
    '\t\ttype filter hook input priority filter; policy accept;',
    ...chain.map((l) => `\t\t${l}`),
    '\t}',
    '}',
    '',
  ].join('\n');

const GOOD = table(
  'iif "lo" accept',
  'ct state established,related accept',
  'tcp dport 22 ip saddr 192.0.2.0/24 accept',
  'tcp dport { 22, 6379 } counter drop',
);
const n = (rule: string, name: string, bad: string, more: Partial<Case> = {}): Case => ({
  rule,
  kind: 'nftables',
  name,
  bad,
  good: GOOD,
  ...more,
});

export const NFTABLES: Case[] = [
  n('nftables/flush-ruleset', 'flush ruleset at the top', `flush ruleset\n${GOOD}`, { line: 1 }),
  n(
    'nftables/ssh-not-admitted',
    'SSH in the drop set, never accepted',
    table(
      'ct state established,related accept',
      'tcp dport { 22, 6379 } ip saddr 10.0.0.0/8 accept',
      'tcp dport 22 drop',
    ).replace('{ 22, 6379 } ip saddr 10.0.0.0/8', '6379 ip saddr 10.0.0.0/8'),
    { line: 8 },
  ),
  n(
    'nftables/ssh-not-admitted',
    'policy drop without an SSH rule',
    table('ct state established,related accept', 'tcp dport 6379 accept').replace('policy accept', 'policy drop'),
    { line: 5, message: 'policy drop' },
  ),
  n(
    'nftables/ssh-not-admitted',
    'a custom SSH port (ssh-port comment) dropped',
    `# ssh-port: 2222\n${table('ct state established,related accept', 'tcp dport 22 accept', 'tcp dport 2222 drop')}`,
    {
      line: 9,
      good: `# ssh-port: 2222\n${table('ct state established,related accept', 'tcp dport 2222 ip saddr 192.0.2.1 accept', 'tcp dport 2222 drop')}`,
    },
  ),
  n(
    'nftables/no-established',
    'drops before established is accepted',
    table('tcp dport 22 ip saddr 192.0.2.0/24 accept', 'tcp dport { 22, 6379 } drop'),
    { line: 4 },
  ),
];
