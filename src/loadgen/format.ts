// The human report: totals, one line per window, then the missing sequence numbers (compressed to ranges).
import type { Missing, WriteLoadReport } from './types.js';

export function formatReport(r: WriteLoadReport): string {
  const lines = [
    `write load ${r.runId}: ${r.attempted} attempts in ${secs(r.durationMs)}, ${r.acknowledged} acknowledged, ${r.failed} failed`,
    `  acknowledged writes: graph ${r.ackedGraph}, kv ${r.ackedKv}; latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    `  verified against ${r.verifiedAgainst}`,
  ];
  if (r.windows.length === 0) lines.push('  unavailability windows: none');
  else {
    lines.push(
      `  unavailability windows: ${r.windows.length}, longest ${r.longestWindowMs} ms, total ${r.totalUnavailableMs} ms`,
    );
    lines.push(
      `    ${'start'.padEnd(24)} ${'end'.padEnd(24)} ${'ms'.padStart(9)} ${'errors'.padStart(7)}  first error`,
    );
    for (const w of r.windows) {
      const end = `${iso(w.end)}${w.ongoing ? '+' : ''}`;
      lines.push(
        `    ${iso(w.start).padEnd(24)} ${end.padEnd(24)} ${String(w.ms).padStart(9)} ${String(w.errors).padStart(7)}  ${w.firstError}`,
      );
    }
    if (r.windows.some((w) => w.ongoing)) lines.push('    (+ still failing when the run ended)');
  }
  if (r.unverified) lines.push(`  missing acknowledged writes: NOT VERIFIED (${r.unverified})`);
  else if (r.missing.length === 0) lines.push('  missing acknowledged writes: none');
  else {
    lines.push(`  MISSING acknowledged writes: ${r.missing.length}`);
    for (const kind of ['graph', 'kv'] as const) {
      const seqs = r.missing.filter((m: Missing) => m.kind === kind).map((m) => m.seq);
      if (seqs.length) lines.push(`    ${kind}: ${ranges(seqs)}`);
    }
  }
  return lines.join('\n');
}

/** [1,2,3,7,9,10] → "1-3, 7, 9-10". */
export function ranges(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

const iso = (ms: number) => new Date(ms).toISOString();
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
