import { defineConfig } from 'vitest/config';

// Tests build real TypeScript programs (a second or more each) on shared 2-core machines: time
// limits are generous, and speed is measured by benchmarks, not by timed tests.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The lifecycle drills run the built runtime: rebuild it first if its sources changed.
    globalSetup: ['test/lifecycle/global-setup.ts'],
  },
});
