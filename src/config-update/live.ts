// config update's run-time side: what its plan's `custom` steps and `node-config` probe name. Files go through
// the transport (read, upload without the timestamped .bak: the one previous file is kept as .prev), values
// through the session's connections.
import { FalkorError } from '../errors.js';
import type { CheckSpec, Step } from '../core/types.js';
import type { CustomFn, ProbeFn } from '../core/execute.js';
import { done, notYet, waitFor, type Probe } from '../core/wait.js';
import { field, parseInfo } from '../redis/info.js';
import type { Transport } from '../remote/transport.js';
import { call, type Conns } from '../switchover/live.js';
import { FALKORDB_UNIT } from '../rolling/plan.js';
import { normalize, type SettingKind } from './classify.js';
import { withRedisSets } from './overrides.js';
import { setArgs } from './plan.js';

interface Setting {
  kind: SettingKind;
  name: string;
  value: string;
}

export interface LiveEnv {
  transport: Transport;
  conns: Conns;
  /** The new falkordb.conf of a node, rendered with `master` as master (default: the live one). */
  rendered: (host: string, master?: string) => string | undefined;
  /** The service user: owner of the files. */
  owner: string;
  /** The probes of the session (node-ready, for a rollback's restart). */
  probes: () => Record<string, ProbeFn>;
}

const p = (s: Step) => (s.action.kind === 'custom' ? (s.action.params ?? {}) : {});

/** The value a node reports for one setting, as classify.normalize writes it; undefined when not reported. */
export async function liveValue(conns: Conns, host: string, kind: SettingKind, name: string) {
  const r = (await call(
    conns,
    host,
    'node',
    kind === 'module' ? ['GRAPH.CONFIG', 'GET', name] : ['CONFIG', 'GET', name],
  )) as unknown[];
  const v = kind === 'module' ? (Array.isArray(r[0]) ? (r[0] as unknown[])[1] : r[1]) : r[1];
  return typeof v === 'string' || typeof v === 'number' ? normalize(kind, String(v)) : undefined;
}

async function write(e: LiveEnv, host: string, path: string, content: string | Buffer) {
  await e.transport.upload(host, path, content, { mode: 0o640, owner: e.owner, group: e.owner, backup: false });
}

export function configCustoms(e: LiveEnv): Record<string, CustomFn> {
  return {
    'conf-write': async (step) => {
      const { path, prev, appendonly, renderedWith } = p(step) as {
        path: string;
        prev: string;
        appendonly?: string;
        renderedWith?: string;
      };
      const rendered = e.rendered(step.host, renderedWith);
      if (rendered === undefined) throw new Error(`no rendered falkordb.conf for ${step.host}`);
      // rolling-restart's replicas start once from the RDB (AOF off in the file), then turn the AOF back on
      const next = appendonly
        ? withRedisSets(rendered, { redis: [['appendonly', [appendonly]]], module: [], sentinel: [] })
        : rendered;
      const old = await e.transport.read(step.host, path);
      if (old) await write(e, step.host, prev, old);
      await write(e, step.host, path, next);
      return `${path} written${old ? `, the previous one in ${prev}` : ''}`;
    },
    'conf-rollback': async (step, signal) => {
      const a = p(step) as {
        path: string;
        prev: string;
        restart: boolean;
        settings?: Setting[];
        ready?: CheckSpec;
        aofBack?: boolean;
      };
      const old = await e.transport.read(step.host, a.prev);
      if (!old) throw new FalkorError('FAILED', `${step.host}: no ${a.prev} to roll back to`);
      await write(e, step.host, a.path, old);
      for (const s of a.settings ?? []) await call(e.conns, step.host, 'node', setArgs(s, s.value));
      if (!a.restart) return `${a.path} restored from ${a.prev}; ${(a.settings ?? []).length} value(s) set back`;
      await e.transport.exec(step.host, ['systemctl', 'restart', FALKORDB_UNIT], { timeoutMs: a.ready?.timeoutMs });
      const seen = a.ready
        ? await waitFor(() => e.probes()[a.ready!.kind]!(a.ready!, signal), {
            what: a.ready.what,
            timeoutMs: a.ready.timeoutMs,
            intervalMs: a.ready.intervalMs,
            signal,
          })
        : 'restarted';
      // the previous file is the one rolling-restart wrote for a start from the RDB: AOF on again, as after a restart
      if (a.aofBack) {
        await call(e.conns, step.host, 'node', ['CONFIG', 'SET', 'appendonly', 'yes']);
        await call(e.conns, step.host, 'node', ['CONFIG', 'REWRITE']);
      }
      return `rolled back: ${a.path} restored from ${a.prev}, ${FALKORDB_UNIT} restarted, ${seen}`;
    },
  };
}

/** node-config: every runtime-changed value live, then a replica linked and in sync, a master a master. */
export function configProbes(conns: Conns, nodeReady: () => ProbeFn): Record<string, ProbeFn> {
  return {
    'node-config': async (spec, signal): Promise<Probe<string>> => {
      const a = spec.params as { role: string; settings: Setting[] };
      for (const s of a.settings) {
        const got = await liveValue(conns, spec.host, s.kind, s.name);
        if (got !== s.value) return notYet(`${s.name} ${got ?? '(not reported)'}`);
      }
      const values = a.settings.map((s) => `${s.name} ${s.value}`).join(', ') || 'values';
      if (a.role === 'replica') {
        const r = await nodeReady()(spec, signal);
        return r.ok ? done(`${values} live; ${r.value}`) : r;
      }
      const role = field(parseInfo(String(await call(conns, spec.host, 'node', ['INFO', 'replication']))), 'role');
      return role === 'master' ? done(`${values} live; master`) : notYet(`role:${role}`);
    },
  };
}
