// Inventory validation stays linear (issue 14): 1,000 hosts against 100 hosts (~10 when linear), and for
// hostile values (a size padded with 200,000 spaces, which backtracked for over 20 s before; a 1 MB address)
// the whole validation against parsing the same text as YAML alone. Same run, interleaved, medians.
import { parseDocument } from 'yaml';
import { validateInventory } from '../dist/inventory/index.js';

const runs = Number(process.env.BENCH_RUNS ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function inventory(n, extra = '') {
  let s = 'cluster: big\nhosts:\n';
  for (let i = 0; i < n; i++)
    s += `  - name: h${i}\n    address: 10.0.${i >> 8}.${i & 255}\n    role: ${i ? 'replica' : 'master'}\n    hardware: {memory: 64gb}\n`;
  return `${s}sentinel:\n  hosts: [h0, h1, h2]\nauth:\n  password: env:P\n${extra}`;
}

const validate = (text) => validateInventory(text, 'bench.yaml');
const yamlOnly = (text) => parseDocument(text).toJS();

function time(fn, text) {
  const t0 = process.hrtime.bigint();
  fn(text);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function pair(name, [bf, baseline], [cf, candidate], goal) {
  const b = [];
  const c = [];
  time(bf, baseline);
  time(cf, candidate);
  for (let i = 0; i < runs; i++) {
    b.push(time(bf, baseline));
    c.push(time(cf, candidate));
  }
  const baselineMs = median(b);
  const candidateMs = median(c);
  return { name, runs, baselineMs, candidateMs, ratio: candidateMs / baselineMs, goal };
}

export function benchInventory() {
  const padded = inventory(3, `redis:\n  maxmemory: "1${' '.repeat(200_000)}"\n`);
  const hugeAddr = inventory(3).replace('address: 10.0.0.2', `address: "${'a'.repeat(1_000_000)}"`);
  return [
    pair('inventory: validate 1,000 hosts vs 100 hosts', [validate, inventory(100)], [validate, inventory(1000)], 12),
    pair('inventory: size + 200,000 spaces, validate vs YAML parse', [yamlOnly, padded], [validate, padded], 3),
    pair('inventory: 1 MB address, validate vs YAML parse', [yamlOnly, hugeAddr], [validate, hugeAddr], 3),
  ];
}
