import { describe, expect, test } from 'vitest';
import { createLimiter, runParallel } from '../../../src/remote/parallel.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runParallel', () => {
  test('results in input order, whatever order items finish in; peak ≤ limit', async () => {
    let active = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 15, 2, 8];
    const r = await runParallel(delays, 3, async (d, i) => {
      peak = Math.max(peak, ++active);
      await tick(d);
      active--;
      return i * 10;
    });
    expect(r).toEqual(delays.map((_, i) => ({ status: 'fulfilled', value: i * 10 })));
    expect(peak).toBe(3);
  });

  test('errors are collected per item and do not stop the rest', async () => {
    const r = await runParallel([1, 2, 3, 4], 2, async (n) => {
      if (n % 2 === 0) throw new Error(`bad ${n}`);
      return n;
    });
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((r[3] as { reason: Error }).reason.message).toBe('bad 4');
  });

  test('failFast starts nothing new after the first error', async () => {
    const started: number[] = [];
    const r = await runParallel(
      [1, 2, 3, 4, 5],
      1,
      async (n) => {
        started.push(n);
        if (n === 2) throw new Error('stop');
        return n;
      },
      { failFast: true },
    );
    expect(started).toEqual([1, 2]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'skipped', 'skipped', 'skipped']);
  });

  test('empty input and a bad limit', async () => {
    expect(await runParallel([], 4, async () => 1)).toEqual([]);
    await expect(runParallel([1], 0, async () => 1)).rejects.toThrow(/positive integer/);
  });
});

describe('createLimiter', () => {
  test('never more than n at once, with jobs queued and more arriving later', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const job = (ms: number) =>
      limit(async () => {
        peak = Math.max(peak, ++active);
        await tick(ms);
        active--;
      });
    const first = [job(5), job(5), job(5), job(5)];
    await tick(6);
    const late = [job(1), job(1), job(1)];
    await Promise.all([...first, ...late]);
    expect(peak).toBe(2);
  });

  test('a throwing job releases its slot', async () => {
    const limit = createLimiter(1);
    await expect(limit(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await limit(async () => 'next')).toBe('next');
  });
});
