// Runs every benchmark and prints ratios against a baseline measured in the same run.
// Benchmarks are not tests: they report, they do not gate CI.
import { benchInventory } from './inventory.mjs';
import { benchStartup } from './startup.mjs';

const results = [benchStartup(), ...benchInventory()];
for (const r of results) {
  const verdict =
    r.goal === undefined ? '' : r.ratio <= r.goal ? `  (goal <= ${r.goal}: met)` : `  (goal <= ${r.goal}: NOT met)`;
  console.log(
    `${r.name}: baseline ${r.baselineMs.toFixed(1)} ms, candidate ${r.candidateMs.toFixed(1)} ms, ratio ${r.ratio.toFixed(2)} over ${r.runs} runs${verdict}`,
  );
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
