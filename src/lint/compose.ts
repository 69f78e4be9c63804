// docker compose / swarm files that run FalkorDB, Sentinel and friends.
import path from 'node:path';
import { report } from './rule.js';
import type { Finding, Reader } from './types.js';
import { buildUnit, type ConfUnit } from './conf/unit.js';
import { at, argvOf, entries, isMap, items, parseYaml, str, type YamlFile } from './yaml/doc.js';
import { covers, maxmemoryOf, mountedConfig, serverArgv } from './yaml/embedded.js';
import { dockerBytes, floatingTag, isDatabaseImage, passwordInArgv } from './yaml/units.js';
import { C, WR, limitFindings } from './workload-rules.js';

const W = WR.compose;

export function lintCompose(file: string, text: string, read: Reader): { findings: Finding[]; units: ConfUnit[] } {
  const y = parseYaml(text);
  const out: Finding[] = y.errors.map((e) => report(C.yaml, file, e.line, e.message));
  const units: ConfUnit[] = [];
  const doc = y.docs[0]?.contents;
  const version = isMap(doc) ? doc.get('version', true) : undefined;
  if (version) out.push(report(C.version, file, y.lineOf(version), 'top-level `version:` is obsolete'));
  const configFiles = new Map(entries(at(doc, 'configs')).map(([k, v]) => [k, str(at(v, 'file')) ?? '']));
  for (const [name, svc] of entries(at(doc, 'services'))) {
    const r = service(file, name, svc, y, read, configFiles);
    out.push(...r.findings);
    units.push(...r.units);
  }
  return { findings: out, units };
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
  line: number;
}

/** Volumes, plus `configs:` (read-only files whose source is the top-level config's `file`). */
function mounts(svc: unknown, y: YamlFile, configFiles: Map<string, string>): Mount[] {
  const configs = items(at(svc, 'configs')).map((c) => {
    const name = str(c) ?? str(at(c, 'source')) ?? '';
    return {
      source: configFiles.get(name) ?? '',
      target: str(at(c, 'target')) ?? `/${name}`,
      readOnly: true,
      line: y.lineOf(c),
    };
  });
  return [
    ...configs,
    ...items(at(svc, 'volumes')).flatMap((v) => {
      const s = str(v);
      if (s) {
        const [source = '', target = '', mode = ''] = s.split(':');
        return [{ source, target, readOnly: mode.split(',').includes('ro'), line: y.lineOf(v) }];
      }
      const source = str(at(v, 'source')) ?? '';
      const target = str(at(v, 'target')) ?? '';
      return [{ source, target, readOnly: str(at(v, 'read_only')) === 'true', line: y.lineOf(v) }];
    }),
  ];
}

/** Compose durations: "1m30s", "90s", "10m", "1h". */
function durationSeconds(v: string): number {
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  let total = 0;
  for (const [, n, u] of v.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)) total += Number(n) * unit[u!]!;
  return total;
}

/** A host file bind-mounted on its own: nothing can be renamed over it inside the container. */
const singleFile = (m: Mount) => /^[./~]/.test(m.source) && /\.conf$/.test(m.source) && /\.conf$/.test(m.target);

function service(
  file: string,
  name: string,
  svc: unknown,
  y: YamlFile,
  read: Reader,
  configFiles: Map<string, string>,
): { findings: Finding[]; units: ConfUnit[] } {
  const out: Finding[] = [];
  const image = str(at(svc, 'image')) ?? '';
  const imageNode = at(svc, 'image');
  if (image && floatingTag(image))
    out.push(report(W.latest, file, y.lineOf(imageNode), `service ${name} uses ${image}`));
  const cmdNode = at(svc, 'command') ?? at(svc, 'entrypoint');
  const argv = argvOf(cmdNode);
  const label = `${path.basename(file)} (service ${name})`;
  const srv = serverArgv(argv, cmdNode, file, y.lineOf, label, read, 'compose');
  const ms = mounts(svc, y, configFiles);
  const cfgMount = srv?.configPath ? ms.find((m) => m.target === srv.configPath) : undefined;
  // Run from a copy of a mounted template: the template says what the copy holds.
  const templates = ms.filter((m) => /\.conf$/.test(m.target) && !/sentinel/.test(m.target));
  const cfgSource =
    cfgMount ??
    (templates.length === 1
      ? templates[0]
      : templates.find((m) => path.basename(m.target) === path.basename(srv?.configPath ?? '')));
  const sentinel = Boolean(srv?.sentinel || ms.some((m) => /sentinel[^/]*\.conf$/.test(m.target)));
  const hc = at(svc, 'healthcheck', 'test');
  if (passwordInArgv(argvOf(hc)))
    out.push(
      report(W.argvPassword, file, y.lineOf(hc), `healthcheck of ${name} passes the password on the command line`),
    );
  if (passwordInArgv(argv))
    out.push(
      report(W.argvPassword, file, y.lineOf(cmdNode), `command of ${name} passes a password on the command line`),
    );
  const replicas = Number(str(at(svc, 'deploy', 'replicas')) ?? '1');
  if (sentinel) {
    for (const m of ms.filter((x) => (srv?.configPath ? covers(x.target, srv.configPath) : /\.conf$/.test(x.target)))) {
      if (m.readOnly || singleFile(m))
        out.push(
          report(
            W.sentinelRo,
            file,
            m.line,
            `${name} mounts its Sentinel config ${m.target} ${m.readOnly ? 'read-only' : 'as a single file'}`,
          ),
        );
      if (replicas > 1 && (m.source.startsWith('.') || m.source.startsWith('/'))) {
        out.push(
          report(C.sharedSentinel, file, m.line, `${replicas} Sentinel replicas share the one file ${m.source}`),
        );
      }
    }
  }
  const db = !sentinel && (isDatabaseImage(image) || Boolean(srv));
  if (db && cfgMount && (cfgMount.readOnly || singleFile(cfgMount))) {
    out.push(
      report(
        W.redisRo,
        file,
        cfgMount.line,
        `${name} runs from ${cfgMount.target}, mounted ${cfgMount.readOnly ? 'read-only' : 'as a single file'}`,
      ),
    );
  }
  const mounted = cfgSource ? mountedConfig(cfgSource.source, file, read) : undefined;
  const fileUnit = mounted ? buildUnit('redis', mounted.path, mounted.text, read) : undefined;
  if (db) out.push(...limits(file, name, svc, y, maxmemoryOf([srv?.flags, fileUnit])));
  const spread = str(at(svc, 'deploy', 'placement', 'max_replicas_per_node')) === '1';
  if (db && replicas > 1 && !spread) {
    for (const m of ms.filter((x) => x.source && x.target && !/\.conf$/.test(x.target))) {
      out.push(report(C.sharedData, file, m.line, `${replicas} tasks of ${name} can share ${m.source} on one node`));
    }
  }
  const grace = str(at(svc, 'stop_grace_period'));
  if (db && durationSeconds(grace ?? '10s') < 60)
    out.push(
      report(
        C.stopGrace,
        file,
        y.lineOf(at(svc, 'stop_grace_period') ?? svc),
        `${name} stops with a grace period of ${grace ?? '10s (default)'}`,
      ),
    );
  if (db && !hc && !at(svc, 'healthcheck'))
    out.push(report(C.noHealthcheck, file, y.lineOf(svc), `service ${name} has no healthcheck`));
  for (const p of items(at(svc, 'ports'))) {
    const spec = str(p) ?? str(at(p, 'published')) ?? '';
    if (/^(\d+:)?(6379|26379)(:\d+)?$/.test(spec) || /^(6379|26379):/.test(spec))
      out.push(report(C.published, file, y.lineOf(p), `${name} publishes ${spec} on every host interface`));
  }
  if (/redis_exporter/.test(image)) out.push(...exporter(file, name, svc, y));
  return { findings: out, units: srv?.flags ? [srv.flags] : [] };
}

function limits(file: string, name: string, svc: unknown, y: YamlFile, maxmemory: number | undefined): Finding[] {
  const node = at(svc, 'deploy', 'resources', 'limits', 'memory') ?? at(svc, 'mem_limit');
  const limit = dockerBytes(str(node));
  if (limit === undefined) return [report(W.noLimit, file, y.lineOf(svc), `service ${name} has no memory limit`)];
  return limitFindings('compose', file, name, limit, y.lineOf(node), maxmemory);
}

function exporter(file: string, name: string, svc: unknown, y: YamlFile): Finding[] {
  const env = items(at(svc, 'environment')).map((n) => [str(n) ?? '', n] as const);
  const addr = env.find(([s]) => s.startsWith('REDIS_ADDR='));
  if (addr && !addr[0].includes(','))
    return [
      report(C.exporterOneNode, file, y.lineOf(addr[1]), `${name} scrapes only ${addr[0].slice('REDIS_ADDR='.length)}`),
    ];
  return [];
}
