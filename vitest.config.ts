import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start TLS servers and BullMQ workers; two cores are shared,
    // so keep file-level parallelism modest.
    maxWorkers: 2,
    // Operational logs only when something is wrong; tests assert on responses and the exchange log.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  },
});
