// Startup cost of `falkorctl --help` against bare `node -e 0`, measured in the same run, interleaved so
// machine noise hits both alike. Goal (issue 2): ratio <= 2.0.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/falkorctl.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 30);

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchStartup() {
  const base = [];
  const cli = [];
  time(['-e', '0']);
  time([bin, '--help']); // warm the page cache
  for (let i = 0; i < runs; i++) {
    base.push(time(['-e', '0']));
    cli.push(time([bin, '--help']));
  }
  const b = median(base);
  const c = median(cli);
  return {
    name: 'startup: falkorctl --help vs node -e 0',
    runs,
    baselineMs: b,
    candidateMs: c,
    ratio: c / b,
    goal: 2.0,
  };
}
