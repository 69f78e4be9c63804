// The firewall of one host: an nftables table of falkorctl's own (`table inet falkorctl`), replaced as a
// whole in one transaction and never touching another table (no `flush ruleset`), so the host's own
// firewall, Docker's or libvirt's rules stay as they are.
//
// Only the cluster's ports and SSH are filtered; everything else passes this table (policy accept). A
// policy drop on the whole input chain would also drop what falkorctl does not know the host needs (ICMPv6
// neighbour discovery, DHCP, a backup agent, node monitoring), and nftables drops a packet when any table's
// chain drops it, so such a table would override the host's own firewall too. The host's own firewall
// keeps the rest of the machine; this table makes sure Redis, Sentinel, HAProxy and the exporter answer
// only the trusted networks and the cluster's hosts, and that SSH answers the operator's networks.
//
// Written the way `nft list table inet falkorctl` prints it, so `firewall apply` and the checklist can
// compare the live table with the render line by line.
import type { Host, Inventory } from '../inventory/schema.js';
import { hostPorts, operatorNetworks, trustedNetworks } from '../firewall/model.js';
import { header } from './common.js';

export const FIREWALL_PATH = '/etc/nftables.d/falkorctl.nft';
export const FIREWALL_TABLE = 'falkorctl';

const set = (name: string, type: string, elements: string[]) =>
  elements.length
    ? [`\tset ${name} {`, `\t\ttype ${type}`, '\t\tflags interval', `\t\telements = { ${elements.join(', ')} }`, '\t}']
    : [];

/** nft lists one port bare and several as an anonymous set. */
export const portsExpr = (ports: readonly number[]) =>
  ports.length === 1 ? String(ports[0]) : `{ ${ports.join(', ')} }`;

export function firewallRuleset(inv: Inventory, h: Host): string {
  const ports = hostPorts(inv, h);
  const op = operatorNetworks(inv);
  const tr = trustedNetworks(inv);
  const svc = ports.service;
  const admit = (p: number[], fam: 'ip' | 'ip6', setName: string, elements: string[]) =>
    p.length && elements.length ? [`\t\ttcp dport ${portsExpr(p)} ${fam} saddr @${setName} accept`] : [];
  const guarded = [...new Set([ports.ssh, ...svc])].sort((a, b) => a - b);
  const body = [
    ...set('operator4', 'ipv4_addr', op.v4),
    ...set('operator6', 'ipv6_addr', op.v6),
    ...set('trusted4', 'ipv4_addr', tr.v4),
    ...set('trusted6', 'ipv6_addr', tr.v6),
    '\tchain input {',
    '\t\ttype filter hook input priority filter; policy accept;',
    '\t\tiif "lo" accept',
    '\t\tct state established,related accept',
    ...admit([ports.ssh], 'ip', 'operator4', op.v4),
    ...admit([ports.ssh], 'ip6', 'operator6', op.v6),
    ...admit(svc, 'ip', 'trusted4', tr.v4),
    ...admit(svc, 'ip6', 'trusted6', tr.v6),
    `\t\ttcp dport ${portsExpr(guarded)} counter drop`,
    '\t}',
  ];
  return [
    '#!/usr/sbin/nft -f',
    header(
      inv,
      `Firewall of ${h.name}: SSH from network.operator; the cluster's ports from network.trusted and the hosts.`,
    ),
    '# Applied by `falkorctl firewall apply` (checked, with an automatic rollback). Only this table is replaced:',
    '# creating it first makes the delete valid when it does not exist yet; the file is one transaction.',
    `# ssh-port: ${ports.ssh}`,
    `table inet ${FIREWALL_TABLE}`,
    `delete table inet ${FIREWALL_TABLE}`,
    `table inet ${FIREWALL_TABLE} {`,
    ...body,
    '}',
    '',
  ].join('\n');
}
