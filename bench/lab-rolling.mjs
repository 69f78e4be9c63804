// Issue 9's benchmark (not a test: it reports, it does not gate): restarting every FalkorDB node of the lab
// under write load through HAProxy's write port, three ways:
//   seed        the seed guide's rolling_restart (maintenance-procedures.sh): each replica `systemctl restart`,
//               a fixed `sleep 30`, PING; then the master the same way. Adapted only to the lab's unit name
//               (falkordb.service) and addresses (the master is whichever db host says ROLE master).
//   rolling     falkorctl -i INV --yes --json rolling-restart
//   switchover  falkorctl -i INV --yes --json switchover
// Per run: total write unavailability, acknowledged writes lost, full resyncs (sum over db hosts of the
// increase of INFO stats sync_full, sampled all along so a restart's counter reset is not lost), wall time;
// for rolling also its wall time against the sum of its restart steps (per-node readiness).
//
//   node bench/lab-rolling.mjs [--json]
// Env: BENCH_GRAPH_MB (100) graph loaded before the runs; BENCH_RUNS ("seed,rolling,switchover");
//      BENCH_INTERVAL_MS (1) writer pacing per attempt (each attempt is 2 writes); BENCH_LAB_ID (7);
//      BENCH_KEEP_LAB=1 leaves the lab up at the end (default: always torn down); BENCH_OUT=FILE also
//      writes the JSON summary there. Must run as root (scripts/lab).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { underWriteLoad } from '../dist/loadgen/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAB = join(ROOT, 'scripts/lab');
const BIN = join(ROOT, 'bin/falkorctl.js');
const JSON_OUT = process.argv.includes('--json');
const GRAPH_MB = Number(process.env.BENCH_GRAPH_MB ?? 100);
const RUNS = (process.env.BENCH_RUNS ?? 'seed,rolling,switchover')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1);
const LAB_ID = process.env.BENCH_LAB_ID ?? '7';
const KEEP_LAB = process.env.BENCH_KEEP_LAB === '1';
const SEED_SLEEP_S = 30; // the seed's fixed sleep: the baseline being measured
const DB = ['db1', 'db2', 'db3'];

const work = mkdtempSync(join(tmpdir(), 'falkorctl-bench-lab-'));
const env = { ...process.env, LAB_ID, LAB_VM: '0', NO_COLOR: '1', XDG_STATE_HOME: join(work, 'state') };
if (GRAPH_MB > 250 && !process.env.LAB_DISK_SIZE)
  env.LAB_DISK_SIZE = `${Math.max(2, Math.ceil((GRAPH_MB * 6) / 1024))}G`;
const log = (s) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const out = (s) => (JSON_OUT ? process.stderr : process.stdout).write(`${s}\n`);
const now = () => performance.timeOrigin + performance.now();

function run(cmd, args, { timeoutMs = 900_000 } = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
const lab = (...args) => run('bash', [LAB, ...args]);
const falkorctl = (...args) => run(process.execPath, [BIN, ...args]);

/** Polls `fn` until `ok(value)`, at most `timeoutMs`; returns the value or throws naming `what`. */
async function waitFor(what, fn, ok, { timeoutMs = 300_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${String(last?.message ?? JSON.stringify(last)).slice(0, 500)}`,
      );
    await sleep(intervalMs);
  }
}

let state;
let password;
const addr = (h) => state.hosts.find((x) => x.name === h).address;
function client(host, port = 6379, extra = {}) {
  const c = new Redis({
    host: addr(host),
    port,
    password,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 2000,
    ...extra,
  });
  c.on('error', () => {});
  return c;
}
/** One command on a fresh connection (a restarting host must not wedge a long-lived one). */
async function once(host, port, ...cmd) {
  const c = client(host, port, { commandTimeout: 3000 });
  try {
    await c.connect();
    return await c.call(...cmd);
  } finally {
    c.disconnect();
  }
}
const infoField = (text, k) => new RegExp(`^${k}:(.*)$`, 'm').exec(text)?.[1]?.trim();

async function currentMaster() {
  const roles = await Promise.all(
    DB.map(async (h) => [
      h,
      await once(h, 6379, 'ROLE').then(
        (r) => String(r[0]),
        () => 'down',
      ),
    ]),
  );
  const m = roles.filter(([, r]) => r === 'master');
  if (m.length !== 1) throw new Error(`expected one master, got ${JSON.stringify(roles)}`);
  return m[0][0];
}

/** Quiet and healthy: `falkorctl status` exits 0, replicas at the master's offset, no fork running. */
async function waitHealthy(inv, what) {
  const t0 = now();
  await waitFor(
    `${what}: falkorctl status exit 0`,
    () => falkorctl('-i', inv, 'status'),
    (r) => r.code === 0,
    { timeoutMs: 300_000, intervalMs: 1000 },
  );
  await waitFor(
    `${what}: replicas in sync, no BGSAVE/AOF rewrite in progress`,
    async () => {
      const infos = await Promise.all(DB.map((h) => once(h, 6379, 'INFO', 'replication', 'persistence')));
      const m = infos.find((i) => infoField(i, 'role') === 'master');
      const off = Number(infoField(m, 'master_repl_offset'));
      const ok = infos.every(
        (i) =>
          infoField(i, 'rdb_bgsave_in_progress') === '0' &&
          infoField(i, 'aof_rewrite_in_progress') === '0' &&
          infoField(i, 'loading') === '0' &&
          (infoField(i, 'role') === 'master' ||
            (infoField(i, 'master_link_status') === 'up' && Number(infoField(i, 'slave_repl_offset')) === off)),
      );
      return { ok, off };
    },
    (r) => r.ok,
    { timeoutMs: 300_000, intervalMs: 250 },
  );
  log(`${what}: healthy after ${Math.round(now() - t0)} ms`);
}

/**
 * Full resyncs served, summed over db hosts: samples INFO stats sync_full every 200 ms; a new run_id (the
 * host restarted, its counters restarted at 0) counts the new value whole.
 */
function fullSyncSampler() {
  const seen = Object.fromEntries(DB.map((h) => [h, undefined]));
  let total = 0;
  let stop = false;
  const sample = async () => {
    await Promise.all(
      DB.map(async (h) => {
        const i = await once(h, 6379, 'INFO', 'server', 'stats').catch(() => undefined);
        if (!i) return;
        const runId = infoField(i, 'run_id');
        const n = Number(infoField(i, 'sync_full'));
        const prev = seen[h];
        if (prev === undefined) seen[h] = { runId, n, base: true };
        else {
          total += prev.runId === runId ? Math.max(0, n - prev.n) : n;
          seen[h] = { runId, n };
        }
      }),
    );
  };
  const loop = (async () => {
    await sample();
    while (!stop) {
      await sleep(200);
      await sample();
    }
  })();
  return {
    ready: sample,
    async stop() {
      stop = true;
      await loop;
      await sample();
      return total;
    },
  };
}

// ---- the three procedures -----------------------------------------------------------------------

/** The seed's rolling_restart, step by step, with its own durations. */
async function seedRollingRestart() {
  const master = await currentMaster();
  const replicas = DB.filter((h) => h !== master);
  const steps = [];
  for (const h of [...replicas, master]) {
    log(`seed: restarting ${h}${h === master ? ' (master)' : ''}...`);
    const t0 = now();
    const r = await lab('exec', h, '--', 'systemctl', 'restart', 'falkordb.service');
    const restartMs = now() - t0;
    await sleep(SEED_SLEEP_S * 1000); // the seed's `sleep 30`
    const ping = await once(h, 6379, 'PING').then(String, (e) => `error: ${e.message}`);
    steps.push({
      host: h,
      role: h === master ? 'master' : 'replica',
      restartExit: r.code,
      restartMs: Math.round(restartMs),
      ping,
      ms: Math.round(now() - t0),
    });
    log(
      `seed: ${h}: systemctl restart exit ${r.code} in ${Math.round(restartMs)} ms, PING after sleep ${SEED_SLEEP_S}: ${ping}`,
    );
  }
  return { master, steps };
}

async function cli(inv, command) {
  const r = await falkorctl('-i', inv, '--yes', '--json', command);
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    doc = undefined;
  }
  if (r.code !== 0) throw new Error(`falkorctl ${command} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return doc;
}

// ---- one run ------------------------------------------------------------------------------------

async function measure(inv, name) {
  await waitHealthy(inv, `before ${name}`);
  const master = await currentMaster();
  const sampler = fullSyncSampler();
  await sampler.ready();
  let t0 = 0;
  let t1 = 0;
  const { result, report } = await underWriteLoad(
    {
      host: addr('lb1'),
      port: 6380,
      password,
      intervalMs: INTERVAL_MS,
      leadInMs: 2000,
      settleMs: 3000,
      opTimeoutMs: 1000,
      verify: { waitMs: 30_000 },
    },
    async () => {
      t0 = now();
      try {
        if (name === 'seed') return await seedRollingRestart();
        return await cli(inv, name === 'rolling' ? 'rolling-restart' : 'switchover');
      } finally {
        t1 = now();
      }
    },
  );
  const fullResyncs = await sampler.stop();
  const row = {
    name,
    masterBefore: master,
    masterAfter: await currentMaster().catch((e) => `? ${e.message}`),
    wallMs: Math.round(t1 - t0),
    unavailableMs: Math.round(report.totalUnavailableMs),
    windows: report.windows.length,
    longestWindowMs: Math.round(report.longestWindowMs),
    acknowledged: report.acknowledged,
    attempted: report.attempted,
    writesPerS: Math.round((2 * report.acknowledged) / (report.durationMs / 1000)),
    lost: report.missing.length,
    unverified: report.unverified ?? null,
    verifiedAgainst: report.verifiedAgainst,
    fullResyncs,
    p99Ms: report.p99Ms,
  };
  if (name === 'seed') row.steps = result.steps;
  else {
    row.cliMs = result.ms;
    row.cliFullResyncs = result.fullResyncs ?? null;
    row.steps = result.steps.map((s) => ({ id: s.id, ms: s.ms }));
  }
  if (name === 'rolling') {
    const sum = (re) => result.steps.filter((s) => re.test(s.id)).reduce((n, s) => n + s.ms, 0);
    row.readinessSumMs = sum(/:restart$/);
    row.wallOverReadiness = +(row.wallMs / row.readinessSumMs).toFixed(2);
    row.cliOverReadiness = +(row.cliMs / row.readinessSumMs).toFixed(2);
    // each replica's AOF rebuilt from the live data set after its RDB start (not part of restart → ready)
    row.aofRebuildSumMs = sum(/:aof-on$/);
  }
  if (name !== 'seed') {
    // where a switchover's time goes: aiming (no outage), the fenced part, Sentinel's promotion
    const phase = (re) => result.steps.filter((s) => re.test(s.id)).reduce((n, s) => n + s.ms, 0);
    row.switchoverPhasesMs = {
      aim: phase(/:(priority|info-period|sees-candidate|info-timing|info-period-back)$/),
      fenceToFailover: phase(/:(haproxy-fence|pause|offsets-equal|min-replicas-fence|failover)$/),
      sentinelsAgree: phase(/:sentinels-agree$/),
      flip: phase(/:haproxy-flip$/),
      confirmAndRestore: phase(
        /:(demote|all-sentinels|demoted|min-replicas|priority-back|rewrite|haproxy-ready|unpause|failover-done)$/,
      ),
    };
  }
  return row;
}

// ---- setup: lab, deploy, graph ------------------------------------------------------------------

async function loadGraph(targetMb) {
  const c = client('lb1', 6380, { commandTimeout: 120_000 });
  await c.connect();
  try {
    await c.call('GRAPH.DELETE', 'bench').catch(() => {});
    const used = async () => Number(infoField(await c.call('INFO', 'memory'), 'used_memory'));
    const target = targetMb * 1024 * 1024;
    // random base64: each node's string is incompressible, so the RDB (full resyncs, loading) is graph-sized
    const pad = randomBytes(750).toString('base64');
    const batch = 5000;
    let from = 0;
    const t0 = now();
    let u = await used();
    while (u < target) {
      await c.call(
        'GRAPH.QUERY',
        'bench',
        `CYPHER pad='${pad}' from=${from} UNWIND range($from, $from + ${batch - 1}) AS i CREATE (:Pad {i: i, pad: $pad + toString(i)})`,
      );
      from += batch;
      u = await used();
    }
    log(
      `graph: ${from} nodes, used_memory ${(u / 1048576).toFixed(0)} MB on the master in ${Math.round(now() - t0)} ms`,
    );
    return { nodes: from, usedMemoryMb: Math.round(u / 1048576) };
  } finally {
    c.disconnect();
  }
}

async function main() {
  log(`lab ${LAB_ID} up...`);
  const up = await lab('up');
  if (up.code !== 0) throw new Error(`scripts/lab up failed (exit ${up.code}):\n${up.stderr}`);
  const labInv = up.stdout.trim().split('\n').pop();
  const dir = labInv.replace(/\/falkorctl\.yaml$/, '');
  state = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8'));
  password = readFileSync(join(dir, 'password'), 'utf8').trim();

  // The lab inventory with room for the graph (the lab's own is 256 MB): the graph, the writer's data, headroom.
  const doc = parseYaml(readFileSync(labInv, 'utf8'));
  const maxMb = Math.max(256, Math.ceil(GRAPH_MB * 1.5) + 256);
  doc.redis.maxmemory = `${maxMb}mb`;
  const inv = join(work, 'inventory.yaml');
  writeFileSync(inv, stringifyYaml(doc));

  // a fresh lab has no data volumes yet (the unit needs its mount): provision is idempotent
  const p = await falkorctl('-i', inv, '--yes', 'provision');
  if (p.code !== 0) throw new Error(`provision failed (exit ${p.code}):\n${p.stdout}\n${p.stderr}`);
  log(`deploy (maxmemory ${maxMb}mb)...`);
  const d = await falkorctl('-i', inv, '--yes', 'deploy');
  if (d.code !== 0) throw new Error(`deploy failed (exit ${d.code}):\n${d.stdout}\n${d.stderr}`);
  await waitHealthy(inv, 'after deploy');
  log(`loading a ${GRAPH_MB} MB graph through the write port...`);
  const graph = await loadGraph(GRAPH_MB);

  const rows = [];
  for (const name of RUNS) {
    if (!['seed', 'rolling', 'switchover'].includes(name)) throw new Error(`unknown run ${name}`);
    log(`run ${name}...`);
    const row = await measure(inv, name);
    rows.push(row);
    out(
      `${name.padEnd(10)} unavailable ${String(row.unavailableMs).padStart(6)} ms in ${row.windows} window(s), ` +
        `lost ${row.lost}${row.unverified ? ` (UNVERIFIED: ${row.unverified})` : ''}, full resyncs ${row.fullResyncs}, ` +
        `wall ${(row.wallMs / 1000).toFixed(1)} s` +
        (row.readinessSumMs !== undefined
          ? `, readiness sum ${(row.readinessSumMs / 1000).toFixed(1)} s (wall/readiness ${row.wallOverReadiness}, ` +
            `CLI/readiness ${row.cliOverReadiness}), AOF rebuilds ${(row.aofRebuildSumMs / 1000).toFixed(1)} s`
          : '') +
        (row.switchoverPhasesMs ? `, switchover phases ${JSON.stringify(row.switchoverPhasesMs)}` : '') +
        `, ${row.writesPerS} writes/s acknowledged, master ${row.masterBefore}→${row.masterAfter}`,
    );
    if (row.writesPerS < 500) out(`  warning: the writer managed ${row.writesPerS} writes/s, below the 500 asked`);
  }
  await waitHealthy(inv, 'after the last run');
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  const ratios = {};
  if (by.seed && by.rolling) {
    ratios.rollingVsSeedUnavailability = by.seed.unavailableMs
      ? +(by.rolling.unavailableMs / by.seed.unavailableMs).toFixed(3)
      : null;
    ratios.rollingVsSeedWall = +(by.rolling.wallMs / by.seed.wallMs).toFixed(3);
    out(`ratio rolling/seed: unavailability ${ratios.rollingVsSeedUnavailability}, wall ${ratios.rollingVsSeedWall}`);
  }
  if (by.rolling) {
    ratios.rollingWallOverReadiness = by.rolling.wallOverReadiness;
    out(`ratio rolling wall/readiness-sum: ${ratios.rollingWallOverReadiness}`);
  }
  const summary = { labId: LAB_ID, graphMb: GRAPH_MB, graph, writerIntervalMs: INTERVAL_MS, runs: rows, ratios };
  if (JSON_OUT) console.log(JSON.stringify(summary, null, 2));
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${JSON.stringify(summary, null, 2)}\n`);
}

let failed = false;
const teardown = async () => {
  if (KEEP_LAB) return log(`BENCH_KEEP_LAB=1: lab ${LAB_ID} left up`);
  log(`lab ${LAB_ID} down...`);
  const r = await lab('down');
  if (r.code !== 0) log(`scripts/lab down failed (exit ${r.code}): ${r.stderr}`);
};
process.once('SIGINT', async () => {
  log('interrupted');
  await teardown();
  rmSync(work, { recursive: true, force: true });
  process.exit(130);
});
try {
  await main();
} catch (e) {
  failed = true;
  log(`FAILED: ${e.stack ?? e}`);
} finally {
  await teardown();
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
