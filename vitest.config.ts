import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores here and on CI: the integration suites start loopback servers and the engine.
    maxWorkers: 2,
  },
});
