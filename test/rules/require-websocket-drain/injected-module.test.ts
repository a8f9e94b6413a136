// A socket.io server closed by a module's `shutdown` export that the boot code reaches through the
// module object it is handed in options (`import * as rooms`, `{ realtime: options.realtime || rooms }`,
// then `realtime.shutdown?.()` on SIGTERM): issue 14, lovasoa/whitebophir server/socket/index.mjs:390.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['require-websocket-drain']!;
const project = fixtureProject('rules', 'require-websocket-drain', 'injected-module');

ruleTesterFor(project).run('require-websocket-drain: a module object handed to the boot code', rule, {
  valid: [project.file('rooms.ts'), project.file('boot.ts'), project.file('main.ts')],
  invalid: [
    {
      // The same shape, but the module has no `shutdown`: its `stop()` is never called.
      ...project.file('presence.ts'),
      errors: [
        {
          messageId: 'clientsLeftOpen',
          line: 7,
          column: 8,
          data: { name: 'io', label: 'socket.io server', fix: 'Call `close()` on the shutdown path.' },
        },
      ],
    },
  ],
});
