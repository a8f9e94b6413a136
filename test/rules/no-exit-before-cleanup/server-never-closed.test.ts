// An exit at the end of a shutdown path that drained other things, while the HTTP server the
// program listens with is closed nowhere. Each case is a program of its own.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-exit-before-cleanup']!;
const open = fixtureProject('rules', 'no-exit-before-cleanup', 'server-never-closed', 'open');
const closedByValue = fixtureProject('rules', 'no-exit-before-cleanup', 'server-never-closed', 'closed-by-value');

ruleTesterFor(open).run('no-exit-before-cleanup: an exit while the HTTP server is never closed', rule, {
  valid: [],
  invalid: [
    {
      // The server a factory of the file returns, kept by its caller.
      ...open.file('factory.ts'),
      errors: [
        {
          messageId: 'exitWithServerOpen',
          line: 22,
          column: 25,
          data: { exit: 'process.exit()', trigger: "process.on('SIGINT')", server: 'server' },
        },
      ],
    },
    {
      ...open.file('service.ts'),
      errors: [
        {
          messageId: 'exitWithServerOpen',
          line: 17,
          column: 3,
          data: { exit: 'process.exit()', trigger: "process.on('SIGTERM')", server: 'server' },
        },
      ],
    },
  ],
});

ruleTesterFor(closedByValue).run('no-exit-before-cleanup: a server closed through its close read as a value', rule, {
  // Also a server handed to a library that drains it (handed.ts).
  valid: [closedByValue.file('service.ts'), closedByValue.file('handed.ts')],
  invalid: [],
});
