// Work the start drops in a service loaded through a table of dynamic imports (issue 14,
// outline/outline): throng runs each worker's start once, the start loads the module through
// `import('./main').then(({ start }) => start(…))`, and sets up each service it runs through
// `const { default: init } = await services[name]()` over `{ web: () => import('./web') }`. The
// same table form called from a request handler still runs its work after the start.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-untracked-promise']!;
const project = fixtureProject('rules', 'no-untracked-promise', 'start-table');

ruleTesterFor(project).run('no-untracked-promise: start-up work loaded through an import table', rule, {
  valid: [
    project.file('index.ts'),
    project.file('main.ts'),
    project.file('services/web.ts'),
    project.file('services/worker.ts'),
  ],
  invalid: [
    {
      // Also loaded by `import()` in a request handler: the table is not its only caller.
      ...project.file('services/admin.ts'),
      errors: [{ messageId: 'untracked', line: 5, column: 3 }],
    },
    {
      ...project.file('tasks/reindex.ts'),
      errors: [{ messageId: 'untracked', line: 5, column: 3 }],
    },
  ],
});
