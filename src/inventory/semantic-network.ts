// The firewall's inventory checks: it admits hosts by IP address, and SSH must keep coming in.
import { isIP } from 'node:net';
import { inNetworks } from '../firewall/model.js';
import type { Inventory } from './schema.js';
import { error, warning, type Finding } from './semantic.js';

export function networkFindings(inv: Inventory): Finding[] {
  const net = inv.network;
  if (!net?.enabled) return [];
  const out: Finding[] = [];
  inv.hosts.forEach((h, i) => {
    if (!isIP(h.address))
      out.push(
        error(
          ['hosts', i, 'address'],
          `"${h.address}" is a DNS name, and the firewall admits the cluster's hosts by IP address: ` +
            'give the IP address here (or set network.enabled: false)',
        ),
      );
  });
  const jump = inv.ssh.jumpHost?.host;
  if (jump !== undefined && isIP(jump) && !inNetworks(jump, net.operator))
    out.push(
      warning(
        ['network', 'operator'],
        `SSH reaches the hosts through the jump host ${jump}, which is not in network.operator: ` +
          'the firewall would refuse it (firewall apply then rolls back)',
      ),
    );
  return out;
}
