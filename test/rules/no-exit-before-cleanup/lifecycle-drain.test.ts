// An exit on a shutdown path while work handed to the lifecycle is pending, with no
// `lifecycle.shutdown()` on that path, cuts the work off. Each case is a program of its own.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-exit-before-cleanup']!;
const pending = fixtureProject('rules', 'no-exit-before-cleanup', 'lifecycle-drain', 'pending');
const handlerDrains = fixtureProject('rules', 'no-exit-before-cleanup', 'lifecycle-drain', 'handler-drains');
const handlesSignals = fixtureProject('rules', 'no-exit-before-cleanup', 'lifecycle-drain', 'handles-signals');

ruleTesterFor(pending).run('no-exit-before-cleanup: an exit the lifecycle never drains before', rule, {
  valid: [pending.file('work.ts')],
  invalid: [
    {
      ...pending.file('service.ts'),
      errors: [
        {
          messageId: 'exitBeforeLifecycleDrains',
          line: 15,
          column: 22,
          data: { exit: 'process.exit()', trigger: "process.on('SIGTERM')", held: 'lifecycle.adopt(…)' },
        },
        { messageId: 'exitBeforeLifecycleDrains', line: 20, column: 3 },
      ],
    },
  ],
});

ruleTesterFor(handlerDrains).run('no-exit-before-cleanup: a handler that awaits lifecycle.shutdown()', rule, {
  valid: [handlerDrains.file('service.ts')],
  invalid: [],
});

ruleTesterFor(handlesSignals).run('no-exit-before-cleanup: a service that calls handleSignals()', rule, {
  valid: [handlesSignals.file('service.ts')],
  invalid: [],
});
