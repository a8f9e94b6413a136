// Runs before every test file (vitest.config.ts `setupFiles`).
//
// The core builds its programs with the TypeScript it is handed (src/core/typescript.ts for the
// CLI, the codemods and the deploy checks). In the tests that TypeScript shares the installed
// declaration files between the programs it builds (test/support/declaration-cache.ts): a fixture
// program is mostly TypeScript's libs and @types, and parsing and binding them again for every
// CLI run, codemod analysis and type-check was most of those tests' time. Everything else is
// TypeScript itself.
import { vi } from 'vitest';

vi.mock('../../src/core/typescript.js', async (importOriginal) => {
  const { ts } = await importOriginal<typeof import('../../src/core/typescript.js')>();
  const { sharingTypeScript } = await import('./declaration-cache.js');
  return { ts: sharingTypeScript(ts) };
});
