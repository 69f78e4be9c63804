// Array replies (ROLE, MODULE LIST, SENTINEL …) → typed facts. Replies come from ioredis's `call`, so
// nested arrays of strings and numbers; anything else is a protocol surprise, reported, not guessed at.

export type Role =
  | { role: 'master'; offset: number; replicas: { ip: string; port: number; offset: number }[] }
  | { role: 'replica'; masterHost: string; masterPort: number; state: string; offset: number }
  | { role: 'sentinel'; masters: string[] };

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : Buffer.isBuffer(v) ? v.toString('utf8') : '';
const int = (v: unknown): number => {
  const n = Number(str(v));
  return Number.isFinite(n) ? n : NaN;
};

export class ReplyError extends Error {}

/** ROLE: ["master", offset, [[ip, port, offset]…]] | ["slave", host, port, state, offset] | ["sentinel", [names]] */
export function parseRole(reply: unknown): Role {
  if (!Array.isArray(reply) || reply.length === 0)
    throw new ReplyError(`unexpected ROLE reply: ${JSON.stringify(reply)}`);
  const kind = str(reply[0]);
  if (kind === 'master') {
    const reps = Array.isArray(reply[2]) ? reply[2] : [];
    return {
      role: 'master',
      offset: int(reply[1]),
      replicas: reps
        .filter(Array.isArray)
        .map((r: unknown[]) => ({ ip: str(r[0]), port: int(r[1]), offset: int(r[2]) })),
    };
  }
  if (kind === 'slave' || kind === 'replica') {
    return {
      role: 'replica',
      masterHost: str(reply[1]),
      masterPort: int(reply[2]),
      state: str(reply[3]),
      offset: int(reply[4]),
    };
  }
  if (kind === 'sentinel') return { role: 'sentinel', masters: Array.isArray(reply[1]) ? reply[1].map(str) : [] };
  throw new ReplyError(`unexpected ROLE reply: ${JSON.stringify(reply)}`);
}

/** ["k1", v1, "k2", v2, …] → { k1: "v1", … } (the shape of SENTINEL MASTER and of each MODULE LIST entry). */
export function pairs(reply: unknown): Record<string, unknown> {
  if (!Array.isArray(reply) || reply.length % 2 !== 0)
    throw new ReplyError(`expected a flat key/value array, got ${JSON.stringify(reply)}`);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < reply.length; i += 2) out[str(reply[i])] = reply[i + 1];
  return out;
}

export interface ModuleInfo {
  name: string;
  /** The module's integer version (FalkorDB: 41603). */
  ver: number;
  /** Dotted form of a major*10000+minor*100+patch version: 41603 → "4.16.3". */
  version: string;
}

export const dottedVersion = (ver: number): string =>
  `${Math.floor(ver / 10000)}.${Math.floor(ver / 100) % 100}.${ver % 100}`;

export function parseModuleList(reply: unknown): ModuleInfo[] {
  if (!Array.isArray(reply)) throw new ReplyError(`unexpected MODULE LIST reply: ${JSON.stringify(reply)}`);
  return reply.map((m) => {
    const kv = pairs(m);
    const ver = int(kv.ver);
    return { name: str(kv.name), ver, version: dottedVersion(ver) };
  });
}

/** FalkorDB registers itself as the module "graph". */
export const falkordbModule = (mods: ModuleInfo[]): ModuleInfo | undefined => mods.find((m) => m.name === 'graph');

/** SENTINEL GET-MASTER-ADDR-BY-NAME: [ip, port], or null when the Sentinel monitors no such name. */
export function parseMasterAddr(reply: unknown): { host: string; port: number } | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (!Array.isArray(reply) || reply.length !== 2)
    throw new ReplyError(`unexpected GET-MASTER-ADDR-BY-NAME reply: ${JSON.stringify(reply)}`);
  return { host: str(reply[0]), port: int(reply[1]) };
}

export interface SentinelMaster {
  name: string;
  ip: string;
  port: number;
  /** e.g. ["master"], ["s_down", "master", "disconnected"], ["o_down", "master"] */
  flags: string[];
  numSlaves: number;
  numOtherSentinels: number;
  quorum: number;
  configEpoch: number;
  failoverState?: string;
}

export function parseSentinelMaster(reply: unknown): SentinelMaster {
  const kv = pairs(reply);
  return {
    name: str(kv.name),
    ip: str(kv.ip),
    port: int(kv.port),
    flags: str(kv.flags).split(',').filter(Boolean),
    numSlaves: int(kv['num-slaves']),
    numOtherSentinels: int(kv['num-other-sentinels']),
    quorum: int(kv.quorum),
    configEpoch: int(kv['config-epoch']),
    failoverState: kv['failover-state'] === undefined ? undefined : str(kv['failover-state']),
  };
}
