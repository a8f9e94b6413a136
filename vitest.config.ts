import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests build real TypeScript programs (a second or more each) on shared 2-core machines: time
// limits are generous, and speed is measured by benchmarks, not by timed tests.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // vitest's default is one worker fewer than the cores, so one test file at a time on a 2-core
    // machine; the main process mostly waits, and the drills mostly wait for their servers.
    maxWorkers: Math.max(2, availableParallelism()),
    hookTimeout: 180_000,
    // The lifecycle drills run the built runtime: rebuild it first if its sources changed.
    globalSetup: ['test/lifecycle/global-setup.ts'],
    // Programs share the installed declaration files (test/support/setup.ts), and a worker keeps its
    // modules from one test file to the next, so each worker loads TypeScript, ESLint and the
    // libs' declarations once, not once per file. Test files keep no state in shared modules: each
    // builds its own programs and temporary projects, and restores what it changes on process.
    isolate: false,
    setupFiles: ['test/support/setup.ts'],
  },
});
