// node:http's own `req.signal` (declared by recent @types/node, present only from Node 26.1.0):
// the rule reports the dropped signal with the runtime's derived one in its message, and offers no
// suggestion to forward a property that is undefined on the engines services run.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

// The codemod's fixture program declares `IncomingMessage.signal` as @types/node 26 does.
const project = fixtureProject('codemods', 'dropped-signal-to-forwarded-signal');
const rule = plugin.rules['require-abort-signal']!;
const requests = project.file('node-request.input.ts');

ruleTesterFor(project).run('require-abort-signal', rule, {
  valid: [],
  invalid: [
    {
      ...requests,
      errors: [
        {
          messageId: 'missingRequestSignal',
          line: 8,
          data: { name: 'fetch(…)', signal: 'req.signal', request: 'req', response: 'res', responseShown: 'res' },
          suggestions: [],
        },
        {
          messageId: 'missingRequestSignal',
          line: 14,
          data: {
            name: 'fetch(…)',
            signal: 'request.signal',
            request: 'request',
            response: 'response',
            responseShown: 'response',
          },
          suggestions: [],
        },
        {
          messageId: 'missingRequestSignal',
          line: 20,
          data: { name: 'fetch(…)', signal: 'req.signal', request: 'req', responseShown: 'res' },
          suggestions: [],
        },
      ],
    },
  ],
});
