import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests; integration tests against real local processes (redis-server 8 +
// FalkorDB, Sentinel, HAProxy, sshd on loopback); lab tests against the systemd-nspawn / QEMU lab, run
// one file at a time because they share one lab. File parallelism is a root-only option in vitest 3 (a
// project's `fileParallelism` is silently ignored), so `npm test` runs the lab project in a second
// invocation with --no-file-parallelism.
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
          globalSetup: ['test/tmpdir-setup.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          globalSetup: ['test/tmpdir-setup.ts'],
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          pool: 'forks',
          globalSetup: ['test/tmpdir-setup.ts', 'test/lab/global-setup.ts'],
        },
      },
    ],
  },
});
