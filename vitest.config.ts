import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start TLS servers and BullMQ workers; two cores are shared,
    // so keep file-level parallelism modest.
    maxWorkers: 2,
  },
});
