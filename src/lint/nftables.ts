// nftables rulesets (`nft -f` files): what can lock the operator out or wipe the host's own firewall.
// A line-based reading of the input chains, enough for the rules below; `nft -c -f` on the host is the
// syntax check (`falkorctl firewall apply` runs it before anything changes).
import { report, rule } from './rule.js';
import type { Finding } from './types.js';

export const N = {
  flushRuleset: rule(
    'nftables/flush-ruleset',
    'error',
    "`flush ruleset` removes every table on the host, not only this file's: the host's own firewall, Docker's and libvirt's rules go with it.",
    'Replace only your own table: `table inet NAME` then `delete table inet NAME` then its definition, in one file.',
  ),
  sshNotAdmitted: rule(
    'nftables/ssh-not-admitted',
    'error',
    'The input chain drops SSH without first accepting it from the operator networks: applying the file cuts every new SSH connection, including the one that would repair it.',
    'Accept the SSH port from the operator networks before any drop: `tcp dport 22 ip saddr @operator4 accept`.',
  ),
  noEstablished: rule(
    'nftables/no-established',
    'warning',
    'Without `ct state established,related accept` ahead of the drops, a change of the allowed networks also cuts connections already open (replication links, the SSH session applying the change).',
    'Put `ct state established,related accept` near the top of the input chain.',
  ),
};

/** The SSH port the file guards: render writes `# ssh-port: N`; 22 otherwise. */
const sshPortOf = (text: string) => Number(/^\s*#\s*ssh-port:\s*(\d{1,5})\s*$/m.exec(text)?.[1] ?? 22);

/** Ports a `tcp dport` expression names: `22`, `{ 22, 6379 }`, `20-30`, `ssh`. */
function dports(line: string): ((p: number) => boolean) | undefined {
  const m = /\btcp\s+dport\s+(\{[^}]*\}|\S+)/.exec(line);
  if (!m) return undefined;
  const items = m[1]!
    .replace(/[{}]/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return (p) =>
    items.some((it) => {
      if (it === 'ssh') return p === 22;
      const r = /^(\d+)-(\d+)$/.exec(it);
      return r ? p >= Number(r[1]) && p <= Number(r[2]) : Number(it) === p;
    });
}

interface Chain {
  line: number;
  input: boolean;
  policyDrop?: number;
  rules: { line: number; text: string }[];
}

function chains(text: string): Chain[] {
  const out: Chain[] = [];
  let cur: Chain | undefined;
  let depth = 0;
  let chainDepth = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    const n = i + 1;
    const start = /^chain\s+\S+\s*\{/.exec(line);
    if (start && !cur) {
      cur = { line: n, input: false, rules: [] };
      chainDepth = depth + 1;
    } else if (cur && line && line !== '}') {
      if (/\bhook\s+input\b/.test(line)) cur.input = true;
      if (/\bpolicy\s+drop\b/.test(line)) cur.policyDrop = n;
      if (!/^type\s/.test(line)) cur.rules.push({ line: n, text: line });
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    if (cur && depth < chainDepth) {
      out.push(cur);
      cur = undefined;
    }
  });
  if (cur) out.push(cur);
  return out;
}

const verdict = (t: string) => /\b(accept|drop|reject)\s*;?\s*$/.exec(t)?.[1];

export function lintNftables(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  text.split('\n').forEach((l, i) => {
    if (/^\s*flush\s+ruleset\b/.test(l))
      out.push(report(N.flushRuleset, file, i + 1, '`flush ruleset` wipes every table'));
  });
  const ssh = sshPortOf(text);
  for (const c of chains(text).filter((x) => x.input)) {
    let admitted = false;
    let established = false;
    let dropSeen = false;
    for (const r of c.rules) {
      const v = verdict(r.text);
      if (/\bct\s+state\s+[^ ]*established/.test(r.text) && v === 'accept') established ||= !dropSeen;
      const ports = dports(r.text);
      const onSsh = ports ? ports(ssh) : !/\b(dport|saddr|daddr|iif|oif|ct|meta|udp|icmp)/.test(r.text);
      if (v === 'accept' && ports?.(ssh)) admitted = true;
      if ((v === 'drop' || v === 'reject') && onSsh) {
        dropSeen = true;
        if (!admitted)
          out.push(
            report(
              N.sshNotAdmitted,
              file,
              r.line,
              `this rule drops SSH (port ${ssh}), and no rule before it accepts it`,
            ),
          );
      } else if (v === 'drop' || v === 'reject') dropSeen = true;
    }
    if (c.policyDrop !== undefined) {
      dropSeen = true;
      if (!admitted)
        out.push(report(N.sshNotAdmitted, file, c.policyDrop, `policy drop, and no rule accepts SSH (port ${ssh})`));
    }
    if (dropSeen && !established)
      out.push(report(N.noEstablished, file, c.line, 'no `ct state established,related accept` before the drops'));
  }
  return out;
}
