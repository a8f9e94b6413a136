// Work the start itself drops (issue 14, requarks/wiki): a plain-JS service whose entry calls
// `app.kernel.init()` on an untyped global, which drops its boot sequence, which loads modules
// whose `init()` drops a cache reload. A function only the start calls is exempt; the same
// reload called from a request handler, or work dropped in a function a timer calls, is not.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-untracked-promise']!;
const project = fixtureProject('rules', 'no-untracked-promise', 'start-sequence');

ruleTesterFor(project).run('no-untracked-promise: work the start drops', rule, {
  valid: [project.file('main.cjs'), project.file('boot.cjs')],
  invalid: [
    {
      ...project.file('kernel.cjs'),
      errors: [{ messageId: 'untracked', line: 18, column: 5 }],
    },
    {
      ...project.file('cache.cjs'),
      errors: [{ messageId: 'untracked', line: 10, column: 5 }],
    },
  ],
});
