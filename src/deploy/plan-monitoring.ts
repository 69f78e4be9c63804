// The monitoring phase's service steps (after HAProxy: the exporters need their nodes, Prometheus its
// exporters): per daemon, install Debian's package when its binary is missing, stop Debian's own unit (it would
// take the same port, without a password), check a new config with the daemon's own checker before it is
// loaded, then enable/start, or restart (unit or password changed) / reload (config or rules changed).
import type { Inventory, Host } from '../inventory/schema.js';
import { exporterHosts, monitoringHosts, dbHosts, sentinelHosts } from '../inventory/topology.js';
import { DEBIAN_EXPORTER_UNIT, EXPORTER_PACKAGE, EXPORTER_UNIT } from '../templates/exporter.js';
import { ALERTMANAGER_UNIT, ALERTMANAGER_YML, PROMETHEUS_UNIT, PROMETHEUS_YML } from '../templates/monitoring.js';
import { componentOf, isUnitFile, UNITS } from './layout.js';
import type { ServiceInput } from './plan-service.js';
import type { Check, Step } from './types.js';

type Daemon = 'exporter' | 'prometheus' | 'alertmanager';

interface DaemonSpec {
  binary: (inv: Inventory) => string;
  pkg: string;
  /** The package's own unit, disabled so it never holds our port. */
  debianUnit: string;
  unitFile: string;
  /** The daemon's own check of its config, run on the host before the config is loaded. */
  check?: [string, ...string[]];
  /** Files it re-reads on SIGHUP (others need a restart). */
  reloadable: boolean;
}

export const DAEMONS: Record<Daemon, DaemonSpec> = {
  exporter: {
    binary: (inv) => inv.monitoring.exporterBinary,
    pkg: EXPORTER_PACKAGE,
    debianUnit: DEBIAN_EXPORTER_UNIT,
    unitFile: EXPORTER_UNIT,
    reloadable: false,
  },
  prometheus: {
    binary: (inv) => inv.monitoring.prometheusBinary,
    pkg: 'prometheus',
    debianUnit: 'prometheus.service',
    unitFile: PROMETHEUS_UNIT,
    check: ['promtool', 'check', 'config', PROMETHEUS_YML],
    reloadable: true,
  },
  alertmanager: {
    binary: (inv) => inv.monitoring.alertmanagerBinary,
    pkg: 'prometheus-alertmanager',
    debianUnit: 'prometheus-alertmanager.service',
    unitFile: ALERTMANAGER_UNIT,
    check: ['amtool', 'check-config', ALERTMANAGER_YML],
    reloadable: true,
  },
};

const ORDER: Daemon[] = ['exporter', 'prometheus', 'alertmanager'];

/** The daemons a host runs: what facts ask about (binaries, units). */
export function daemonsOf(inv: Inventory, h: Host): Daemon[] {
  const exp = exporterHosts(inv).some((x) => x.name === h.name);
  const mon = monitoringHosts(inv).some((x) => x.name === h.name);
  return ORDER.filter((d) => (d === 'exporter' ? exp : mon));
}

export function monitoringSteps(i: ServiceInput): Step[] {
  const steps: Step[] = [];
  const add = (id: string, describe: string, argv: [string, ...string[]]) =>
    steps.push({
      id: `${i.host.name}:${id}`,
      host: i.host.name,
      phase: i.phase,
      describe,
      action: { kind: 'exec', argv },
      destructive: false,
    });
  const changed = [...i.changed].filter(([, why]) => why === 'new' || why === 'content').map(([p]) => p);
  if ([...i.changed].some(([p, why]) => isUnitFile(p) && why !== 'mode/owner'))
    add('daemon-reload', 'reload systemd units', ['systemctl', 'daemon-reload']);
  for (const d of ORDER) {
    if (!i.comps.has(d)) continue;
    const spec = DAEMONS[d];
    const unit = UNITS[d];
    const install = !i.facts.files[spec.binary(i.inv)];
    if (install)
      add(`install:${spec.pkg}`, `install Debian's ${spec.pkg} (${spec.binary(i.inv)} is missing)`, [
        'env',
        'DEBIAN_FRONTEND=noninteractive',
        'apt-get',
        'install',
        '-y',
        '--no-install-recommends',
        spec.pkg,
      ]);
    const deb = i.facts.units[spec.debianUnit];
    if (install || (deb && (deb.active === 'active' || deb.enabled === 'enabled')))
      add(`disable:${spec.debianUnit}`, `stop and disable the package's own ${spec.debianUnit} (ours is ${unit})`, [
        'systemctl',
        'disable',
        '--now',
        spec.debianUnit,
      ]);
    const own = changed.filter((p) => componentOf(i.inv, p) === d);
    if (spec.check && own.some((p) => !isUnitFile(p)))
      add(`check:${d}`, `check the new config with ${spec.check.slice(0, 2).join(' ')}`, spec.check);
    const st = i.facts.units[unit] ?? { active: 'inactive', enabled: 'disabled' };
    if (st.enabled !== 'enabled') add(`enable:${unit}`, `enable ${unit} at boot`, ['systemctl', 'enable', unit]);
    if (st.active !== 'active') {
      add(`start:${unit}`, `start ${unit}`, ['systemctl', 'start', unit]);
      continue;
    }
    if (!own.length) continue;
    const restart = !spec.reloadable || own.includes(spec.unitFile);
    add(
      `${restart ? 'restart' : 'reload'}:${unit}`,
      `${restart ? 'restart' : 'reload'} ${unit} (${own.join(', ')} changed)`,
      ['systemctl', restart ? 'restart' : 'reload', unit],
    );
  }
  return steps;
}

/** After the phase: every selected exporter answers for its node/Sentinel; every Prometheus sees its targets up. */
export function monitoringChecks(inv: Inventory, hosts: readonly Host[]): Check[] {
  const chosen = new Set(hosts.map((h) => h.name));
  const has = (list: Host[], h: Host) => list.some((x) => x.name === h.name);
  return [
    ...exporterHosts(inv)
      .filter((h) => chosen.has(h.name))
      .map((h) => ({
        kind: 'exporter' as const,
        host: h.name,
        node: has(dbHosts(inv), h),
        sentinel: has(sentinelHosts(inv), h),
      })),
    ...monitoringHosts(inv)
      .filter((h) => chosen.has(h.name))
      .map((h) => ({ kind: 'prometheus' as const, host: h.name })),
  ];
}
