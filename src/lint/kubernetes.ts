// Kubernetes manifests (multi-document): workloads that run FalkorDB/Sentinel and the ConfigMaps they mount.
import path from 'node:path';
import type { Node } from 'yaml';
import { report } from './rule.js';
import type { Finding, Reader } from './types.js';
import { buildUnit, isReplica, type ConfUnit } from './conf/unit.js';
import { at, blockLineMapper, entries, items, parseYaml, str, type YamlFile } from './yaml/doc.js';
import { covers, maxmemoryOf, serverArgv } from './yaml/embedded.js';
import { floatingTag, isDatabaseImage, k8sBytes, passwordInArgv } from './yaml/units.js';
import { K, WR, limitFindings } from './workload-rules.js';

const W = WR.kubernetes;

interface Obj {
  kind: string;
  name: string;
  node: Node;
  line: number;
}

export function lintKubernetes(file: string, text: string, read: Reader): { findings: Finding[]; units: ConfUnit[] } {
  const y = parseYaml(text);
  const out: Finding[] = y.errors.map((e) => report(K.yaml, file, e.line, e.message));
  const objs: Obj[] = y.docs
    .map((d) => d.contents as Node)
    .filter(Boolean)
    .map((node) => ({
      kind: str(at(node, 'kind')) ?? '',
      name: str(at(node, 'metadata', 'name')) ?? '',
      node,
      line: y.lineOf(at(node, 'kind') ?? node),
    }));
  const configs = configMaps(file, objs, y, read);
  const flagUnits: ConfUnit[] = [];
  const services = new Set(objs.filter((o) => o.kind === 'Service').map((o) => o.name));
  for (const svc of objs.filter((o) => o.kind === 'Service')) {
    const type = at(svc.node, 'spec', 'type');
    const ports = items(at(svc.node, 'spec', 'ports')).map((p) => str(at(p, 'port')) ?? '');
    if (/^(LoadBalancer|NodePort)$/.test(str(type) ?? '') && ports.some((p) => p === '6379' || p === '26379')) {
      out.push(
        report(K.exposed, file, y.lineOf(type), `Service ${svc.name} (${str(type)}) exposes port ${ports.join(', ')}`),
      );
    }
  }
  const hasPdb = objs.some((o) => o.kind === 'PodDisruptionBudget');
  const workloads = objs.filter((o) =>
    ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'].includes(o.kind),
  );
  let dbWorkloads = 0;
  let sentinels = 0;
  for (const w of workloads) {
    const spec = w.kind === 'Pod' ? at(w.node, 'spec') : at(w.node, 'spec', 'template', 'spec');
    const ctx = {
      file,
      y,
      read,
      configs,
      flagUnits,
      volumes: new Map(items(at(spec, 'volumes')).map((v) => [str(at(v, 'name')) ?? '', v])),
    };
    const roles = items(at(spec, 'containers')).map((c) => container(ctx, w, c, out));
    if (roles.includes('sentinel')) sentinels++;
    if (!roles.includes('db')) continue;
    dbWorkloads++;
    const replicas = Number(str(at(w.node, 'spec', 'replicas')) ?? '1');
    const grace = at(spec, 'terminationGracePeriodSeconds');
    if (Number(str(grace) ?? '30') < 60)
      out.push(
        report(
          K.termGrace,
          file,
          y.lineOf(grace, w.line),
          `${w.kind} ${w.name} gives ${str(grace) ?? '30 (default)'} s to stop`,
        ),
      );
    if (w.kind === 'Deployment')
      out.push(
        report(
          K.deployment,
          file,
          w.line,
          `Deployment ${w.name} runs a database${replicas > 1 ? ` with ${replicas} replicas` : ''}`,
        ),
      );
    if (!hasPdb) out.push(report(K.noPdb, file, w.line, `no PodDisruptionBudget covers ${w.kind} ${w.name}`));
    if (!at(spec, 'affinity', 'podAntiAffinity'))
      out.push(report(K.noAntiAffinity, file, w.line, `${w.kind} ${w.name} has no podAntiAffinity`));
    const svc = at(w.node, 'spec', 'serviceName');
    if (w.kind === 'StatefulSet' && str(svc) && !services.has(str(svc)!))
      out.push(report(K.missingService, file, y.lineOf(svc), `serviceName ${str(svc)} is not defined in this file`));
  }
  const units = [...[...configs.values()].flatMap((m) => [...m.values()]), ...flagUnits];
  const replicated = units.some((u) => u.kind === 'redis' && isReplica(u)) || dbWorkloads > 1;
  const firstDb = workloads[0];
  if (replicated && sentinels === 0 && firstDb)
    out.push(report(K.noFailover, file, firstDb.line, 'master and replicas, but no Sentinel in these manifests'));
  return { findings: out, units };
}

type Configs = Map<string, Map<string, ConfUnit>>;

function configMaps(file: string, objs: Obj[], y: YamlFile, read: Reader): Configs {
  const out: Configs = new Map();
  for (const o of objs.filter((x) => x.kind === 'ConfigMap')) {
    const m = new Map<string, ConfUnit>();
    for (const [key, val] of entries(at(o.node, 'data'))) {
      const text = str(val);
      if (!text || !/\.conf$/.test(key)) continue;
      const kind = /sentinel/i.test(key) || /^\s*sentinel\s+monitor\s/m.test(text) ? 'sentinel' : 'redis';
      const label = `${path.basename(file)} (ConfigMap ${o.name}: ${key})`;
      m.set(key, buildUnit(kind, file, text, read, { label, lineOf: blockLineMapper(val, y.lineOf) }));
    }
    out.set(o.name, m);
  }
  return out;
}

interface Ctx {
  file: string;
  y: YamlFile;
  read: Reader;
  configs: Configs;
  volumes: Map<string, Node>;
  flagUnits: ConfUnit[];
}

function container(ctx: Ctx, w: Obj, c: Node, out: Finding[]): 'db' | 'sentinel' | 'other' {
  const { file, y } = ctx;
  const name = str(at(c, 'name')) ?? '?';
  const image = str(at(c, 'image')) ?? '';
  if (image && floatingTag(image))
    out.push(
      report(W.latest, file, y.lineOf(at(c, 'image')), `container ${name} in ${w.kind} ${w.name} uses ${image}`),
    );
  const argv = [...items(at(c, 'command')), ...items(at(c, 'args'))].map((n) => str(n) ?? '');
  const srv = serverArgv(
    argv,
    at(c, 'args') ?? at(c, 'command'),
    file,
    y.lineOf,
    `${path.basename(file)} (${w.kind} ${w.name})`,
    ctx.read,
    'kubernetes',
  );
  if (srv?.flags) ctx.flagUnits.push(srv.flags);
  const mounts = items(at(c, 'volumeMounts')).map((m) => ({
    node: m,
    path: str(at(m, 'mountPath')) ?? '',
    sub: str(at(m, 'subPath')),
    vol: ctx.volumes.get(str(at(m, 'name')) ?? ''),
  }));
  const mountedUnits = mounts.flatMap((m) => {
    const cm = ctx.configs.get(str(at(m.vol, 'configMap', 'name')) ?? '');
    return cm ? (m.sub ? [cm.get(m.sub)] : [...cm.values()]) : [];
  });
  const sentinel = Boolean(srv?.sentinel) || mountedUnits.some((u) => u?.kind === 'sentinel');
  if (argv.length && passwordInArgv(argv))
    out.push(
      report(
        W.argvPassword,
        file,
        y.lineOf(at(c, 'args') ?? at(c, 'command')),
        `${name} passes a password on its command line`,
      ),
    );
  probes(ctx, w, c, name, out);
  if (sentinel) {
    const readOnly = mounts.filter(
      (x) => at(x.vol, 'configMap') || at(x.vol, 'secret') || str(at(x.node, 'readOnly')) === 'true',
    );
    for (const m of readOnly.filter((x) => covers(x.path, srv?.configPath))) {
      const from = at(m.vol, 'configMap') ? 'a ConfigMap' : at(m.vol, 'secret') ? 'a Secret' : 'a readOnly mount';
      out.push(
        report(W.sentinelRo, file, y.lineOf(m.node), `${name} runs Sentinel from ${m.path}, ${from} (read-only)`),
      );
    }
    return 'sentinel';
  }
  if (!isDatabaseImage(image) && !srv) return 'other';
  const confMounts = mounts.filter(
    (m) => at(m.vol, 'configMap') && (m.sub ? /\.conf$/.test(m.sub) : true) && mountedUnits.length > 0,
  );
  if (!srv?.configPath) {
    for (const m of confMounts)
      out.push(
        report(
          K.configUnused,
          file,
          y.lineOf(m.node),
          `${name} mounts ${m.path} but its command does not name a config file`,
        ),
      );
  } else {
    for (const m of confMounts.filter((x) => covers(x.path, srv.configPath)))
      out.push(
        report(W.redisRo, file, y.lineOf(m.node), `${name} runs from ${srv.configPath}, a read-only ConfigMap mount`),
      );
  }
  for (const m of mounts.filter((x) => at(x.vol, 'emptyDir'))) {
    out.push(
      report(K.emptyDir, file, y.lineOf(at(m.vol, 'emptyDir')), `${w.kind} ${w.name} keeps ${m.path} on an emptyDir`),
    );
  }
  if (!at(c, 'readinessProbe'))
    out.push(
      report(K.noReadiness, file, y.lineOf(c), `container ${name} in ${w.kind} ${w.name} has no readinessProbe`),
    );
  if (at(c, 'livenessProbe') && !at(c, 'startupProbe'))
    out.push(
      report(K.noStartup, file, y.lineOf(at(c, 'livenessProbe')), `${name} has a livenessProbe but no startupProbe`),
    );
  // A config copied from a ConfigMap by an init container: any redis config the pod mounts tells maxmemory.
  const podUnits = [...ctx.volumes.values()]
    .flatMap((v) => [...(ctx.configs.get(str(at(v, 'configMap', 'name')) ?? '')?.values() ?? [])])
    .filter((u) => u.kind === 'redis');
  memory(
    ctx,
    `${w.kind} ${w.name}`,
    c,
    name,
    maxmemoryOf([srv?.flags, ...mountedUnits, ...(podUnits.length === 1 ? podUnits : [])]),
    out,
  );
  return 'db';
}

function memory(ctx: Ctx, where: string, c: Node, name: string, maxmemory: number | undefined, out: Finding[]): void {
  const node = at(c, 'resources', 'limits', 'memory');
  const limit = k8sBytes(str(node));
  if (limit === undefined)
    out.push(report(W.noLimit, ctx.file, ctx.y.lineOf(c), `container ${name} in ${where} has no memory limit`));
  else out.push(...limitFindings('kubernetes', ctx.file, name, limit, ctx.y.lineOf(node), maxmemory));
}

function probes(ctx: Ctx, w: Obj, c: Node, name: string, out: Finding[]): void {
  const fromRef = new Set(
    items(at(c, 'env'))
      .filter((e) => at(e, 'valueFrom'))
      .map((e) => str(at(e, 'name')) ?? ''),
  );
  for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const cmd = at(c, p, 'exec', 'command');
    const argv = items(cmd).map((n) => str(n) ?? '');
    if (passwordInArgv(argv))
      out.push(
        report(W.argvPassword, ctx.file, ctx.y.lineOf(cmd), `${p} of ${name} passes the password on the command line`),
      );
    items(cmd).forEach((n) => {
      const ref = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/.exec(str(n) ?? '')?.[1];
      if (ref && fromRef.has(ref))
        out.push(
          report(
            K.probeVar,
            ctx.file,
            ctx.y.lineOf(n),
            `${p} of ${name} in ${w.kind} ${w.name} passes "$(${ref})", which the kubelet replaces with an empty string`,
          ),
        );
    });
  }
}
