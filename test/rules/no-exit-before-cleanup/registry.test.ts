// An exit planned once a program registry's closers have returned (`await runHandlers();
// setTimeout(() => process.exit(0), 500)`), where a closer only started its cleanup: the timer is
// the end of the shutdown, not a deadline, and cuts off the drain that closer left running.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-exit-before-cleanup']!;
const project = fixtureProject('rules', 'no-exit-before-cleanup', 'registry');

ruleTesterFor(project).run('no-exit-before-cleanup: an exit planned after a registry of closers', rule, {
  valid: [
    // a deadline armed before the closers run
    project.file('valid-deadline.ts'),
    // closers that return once their drain has finished
    project.file('valid-awaited-closers.ts'),
    project.file('registry.ts'),
    project.file('server.ts'),
  ],
  invalid: [
    {
      ...project.file('invalid-planned-exit.ts'),
      errors: [
        {
          messageId: 'exitBeforeCleanupFinishes',
          line: 7,
          column: 20,
          data: { exit: 'process.exit()', cleanup: 'server.close()' },
        },
      ],
    },
  ],
});
