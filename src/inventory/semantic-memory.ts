// Memory, threads, timeouts and write-safety settings weighed against the hardware and the topology.
import type { Inventory } from './schema.js';
import { error, warning, type Finding } from './semantic.js';
import { maxmemoryBytes, parseBytes, replicaHosts } from './topology.js';

/** Above this share of RAM, fork-on-save (copy-on-write), replication buffers and the OS have no room. */
export const MAXMEMORY_LIMIT = 0.8;

const MIB = 1024 ** 2;
const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;

export function memoryFindings(inv: Inventory): Finding[] {
  const out: Finding[] = [];
  const mm = inv.redis.maxmemory;
  const isRatio = typeof mm === 'number' && mm > 0 && mm <= 1;
  if (isRatio && mm > MAXMEMORY_LIMIT)
    out.push(
      error(
        ['redis', 'maxmemory'],
        `${mm} of RAM is above ${MAXMEMORY_LIMIT}: saving forks the process and copy-on-write plus replication buffers need the rest`,
      ),
    );
  if (!isRatio && parseBytes(mm) === 0)
    out.push(
      error(
        ['redis', 'maxmemory'],
        'maxmemory 0 means "no limit": the kernel OOM killer, not Redis, would decide when memory runs out',
      ),
    );
  else if (typeof mm === 'string' && /^\s*0?\.\d+\s*$/.test(mm))
    out.push(
      error(
        ['redis', 'maxmemory'],
        `"${mm}" in quotes is read as a byte count; write a share of RAM as a plain number (${mm.trim()})`,
      ),
    );
  else if (!isRatio && parseBytes(mm) < MIB)
    out.push(error(['redis', 'maxmemory'], `${parseBytes(mm)} bytes: a size needs a unit, e.g. 48gb`));

  const params = inv.falkordb.params;
  // Per-host problems of one setting become one finding that names every affected host.
  const overRam: string[] = [];
  const fewCpus: string[] = [];
  const smallMem: string[] = [];
  const master = inv.hosts.find((h) => h.role === 'master');
  const masterBytes = master && maxmemoryBytes(inv, master);
  // by index, not dbHosts(inv) + indexOf: that was quadratic (100,000 hosts took seconds)
  for (const [i, h] of inv.hosts.entries()) {
    if (h.role !== 'master' && h.role !== 'replica') continue;
    const ram = h.hardware?.memory === undefined ? undefined : parseBytes(h.hardware.memory);
    if (ram !== undefined && ram < MIB)
      out.push(error(['hosts', i, 'hardware', 'memory'], `${ram} bytes of RAM: a size needs a unit, e.g. 64gb`));
    if (isRatio && ram === undefined)
      out.push(
        error(
          ['hosts', i],
          `"${h.name}" needs hardware.memory: redis.maxmemory is a share of RAM (${mm}) and the config needs a byte value`,
        ),
      );
    const bytes = maxmemoryBytes(inv, h);
    // what render's lint of the config refuses (redis/maxmemory-unit, cross/maxmemory-differs), found here
    const at = isRatio ? ['hosts', i, 'hardware', 'memory'] : ['redis', 'maxmemory'];
    if (isRatio && ram !== undefined && ram >= MIB && bytes !== undefined && bytes < MIB)
      out.push(error(at, `maxmemory on "${h.name}" works out to ${bytes} bytes (${mm} of its RAM): too small`));
    else if (h.role === 'replica' && bytes !== undefined && masterBytes !== undefined && bytes < masterBytes)
      out.push(
        error(
          at,
          `maxmemory on "${h.name}" (${gib(bytes)}) is below the master's (${gib(masterBytes)}): after a failover ` +
            "it could not hold the master's data set, and writes would fail",
        ),
      );
    if (!isRatio && ram && bytes !== undefined && bytes > ram * MAXMEMORY_LIMIT)
      overRam.push(`"${h.name}" (${gib(ram)})`);
    const cpus = h.hardware?.cpus;
    if (params.THREAD_COUNT !== undefined && cpus !== undefined && params.THREAD_COUNT > cpus)
      fewCpus.push(`"${h.name}" (${cpus})`);
    const qmc = params.QUERY_MEM_CAPACITY;
    if (qmc !== undefined && qmc > 0 && bytes !== undefined && qmc >= bytes)
      smallMem.push(`"${h.name}" (${gib(bytes)})`);
  }
  if (overRam.length && !isRatio)
    out.push(
      error(
        ['redis', 'maxmemory'],
        `${gib(parseBytes(mm))} is more than ${MAXMEMORY_LIMIT * 100}% of the RAM of ${overRam.join(', ')}`,
      ),
    );
  if (fewCpus.length)
    out.push(
      warning(
        ['falkordb', 'params', 'THREAD_COUNT'],
        `${params.THREAD_COUNT} query threads but fewer CPUs on ${fewCpus.join(', ')}: threads beyond the cores only add contention`,
      ),
    );
  if (smallMem.length)
    out.push(
      warning(
        ['falkordb', 'params', 'QUERY_MEM_CAPACITY'],
        `a single query may use ${gib(params.QUERY_MEM_CAPACITY ?? 0)}, not less than maxmemory of ${smallMem.join(', ')}: the limit no longer protects the server`,
      ),
    );

  const { TIMEOUT_DEFAULT: def, TIMEOUT_MAX: max } = params;
  if (def !== undefined && max !== undefined && max > 0 && def > max)
    out.push(
      error(
        ['falkordb', 'params', 'TIMEOUT_DEFAULT'],
        `TIMEOUT_DEFAULT ${def} ms exceeds TIMEOUT_MAX ${max} ms; FalkorDB refuses to load`,
      ),
    );
  const longest = max && max > 0 ? max : def;
  if (longest && longest > inv.haproxy.timeoutServerMs)
    out.push(
      warning(
        ['haproxy', 'timeoutServerMs'],
        `HAProxy cuts a connection idle for ${inv.haproxy.timeoutServerMs} ms, but queries may run ${longest} ms (falkordb.params): long queries through HAProxy would be cut`,
      ),
    );

  const replicas = replicaHosts(inv).length;
  const minW = inv.redis.minReplicasToWrite;
  if (minW > replicas)
    out.push(
      error(
        ['redis', 'minReplicasToWrite'],
        `${minW} but there ${replicas === 1 ? 'is 1 replica' : `are ${replicas} replicas`}: the master would refuse every write`,
      ),
    );
  else if (minW > 0 && minW === replicas)
    out.push(
      warning(
        ['redis', 'minReplicasToWrite'],
        `equals the number of replicas (${replicas}): losing any one replica stops all writes`,
      ),
    );
  return out;
}
