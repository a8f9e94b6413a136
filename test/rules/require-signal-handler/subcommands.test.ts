// A multi-command CLI runs one command per process: a SIGTERM listener that only another command
// installs (a `daemon` supervisor that kills its child) does not handle the signal for the server
// `start` runs (deepstream.io's `deepstream start` and `deepstream daemon`).
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'require-signal-handler', 'subcommands');
const rule = plugin.rules['require-signal-handler']!;

ruleTesterFor(project).run('require-signal-handler: commands of a multi-command CLI', rule, {
  valid: [
    // its own action handles SIGTERM for the server it starts
    project.file('commands/api.ts'),
    project.file('cli.ts'),
    project.file('supervise.ts'),
  ],
  invalid: [
    {
      // `acme start` handles SIGINT; the SIGTERM listeners belong to `acme daemon` and `acme api`
      ...project.file('server.ts'),
      errors: [
        {
          messageId: 'noSigtermHandler',
          line: 5,
          column: 3,
          data: { name: 'server.listen()', label: 'HTTP server', signals: 'SIGINT' },
        },
      ],
    },
  ],
});
