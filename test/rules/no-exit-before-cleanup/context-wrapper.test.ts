// Startup code run inside a callback the start awaits (issue 14, papra-hq/papra
// config.models.ts:63, trap T6): `await withLogContext(ctx, async () => { await loadConfig() })`
// runs the callback in place, so the config validation it reaches is still the start's.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-exit-before-cleanup']!;
const project = fixtureProject('rules', 'no-exit-before-cleanup', 'context-wrapper');

ruleTesterFor(project).run('no-exit-before-cleanup: a callback the start awaits', rule, {
  valid: [
    // Called from main() and from a script runner's awaited context callback.
    project.file('config.ts'),
    project.file('run-script.ts'),
    project.file('migrate.ts'),
    project.file('main.ts'),
  ],
  invalid: [
    {
      // The same wrapper, not awaited, from a timer while the server serves.
      ...project.file('reload.ts'),
      errors: [{ messageId: 'exitInLibrary', line: 7, column: 5 }],
    },
  ],
});
