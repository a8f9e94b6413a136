// Work handed to the lifecycle is tracked only if some shutdown path waits for the lifecycle:
// a service whose own SIGTERM handler exits without `lifecycle.shutdown()` (and that never calls
// `handleSignals()`) loses it as before. Each case is a program of its own: the drain is a fact of
// the whole program. (The main fixture's valid-lifecycle.ts is the `handleSignals()` case.)
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-untracked-promise']!;
const notDrained = fixtureProject('rules', 'no-untracked-promise', 'lifecycle-drain', 'not-drained');
const handlerDrains = fixtureProject('rules', 'no-untracked-promise', 'lifecycle-drain', 'handler-drains');

ruleTesterFor(notDrained).run('no-untracked-promise: a lifecycle nothing drains', rule, {
  valid: [notDrained.file('work.ts')],
  invalid: [
    {
      ...notDrained.file('service.ts'),
      errors: [
        { messageId: 'lifecycleNotDrained', line: 9, column: 3, data: { name: 'writeAudit(…)' } },
        { messageId: 'lifecycleNotDrained', line: 10, column: 19, data: { name: 'writeAudit(…)' } },
      ],
    },
  ],
});

ruleTesterFor(handlerDrains).run('no-untracked-promise: a handler that awaits lifecycle.shutdown()', rule, {
  valid: [handlerDrains.file('service.ts'), handlerDrains.file('work.ts')],
  invalid: [],
});
