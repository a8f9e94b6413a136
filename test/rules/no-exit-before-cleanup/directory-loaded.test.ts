// Modules a directory loader requires at run time (`autoload(path.join(root, 'models'))`) run with
// the service, although no import names them: an exit in them is library code of the service. So
// do the modules a hand-written scan imports (`fs.readdirSync(dir)`, then `import(computed)`).
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-exit-before-cleanup']!;
const project = fixtureProject('rules', 'no-exit-before-cleanup', 'directory-loaded');

ruleTesterFor(project).run('no-exit-before-cleanup: modules a directory loader requires', rule, {
  // The folder no loader loads stays a one-shot tool (tools.ts only lists it).
  valid: [project.file('tools/reset.ts'), project.file('main.ts'), project.file('core/tools.ts')],
  invalid: [
    {
      ...project.file('models/users.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 7,
          data: { exit: 'process.exit()', where: 'User.guest', label: 'HTTP server' },
        },
      ],
    },
    {
      // Imported by a computed path in a file that reads the plugins folder.
      ...project.file('plugins/billing/index.ts'),
      errors: [
        {
          messageId: 'exitInLibrary',
          line: 5,
          data: { exit: 'process.exit()', where: 'charge', label: 'HTTP server' },
        },
      ],
    },
  ],
});
