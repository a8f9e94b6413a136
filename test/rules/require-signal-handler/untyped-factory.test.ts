import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['require-signal-handler']!;

// Without the framework's types (a checkout before `npm install`), the app the program's own
// factory returns is still known by what that factory returns (garbo's `await startApp()`).
const untyped = fixtureProject('rules', 'require-signal-handler', 'untyped-factory');

ruleTesterFor(untyped).run("require-signal-handler: an app made by the program's factory, no types", rule, {
  valid: [untyped.file('app.ts')],
  invalid: [
    {
      ...untyped.file('index.ts'),
      errors: [
        { messageId: 'noSignalHandler', line: 5, column: 1, data: { name: 'app.listen()', label: 'Fastify app' } },
      ],
    },
  ],
});
