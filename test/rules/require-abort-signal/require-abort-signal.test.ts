import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'require-abort-signal');
const rule = plugin.rules['require-abort-signal']!;

const fetchRoute = project.file('invalid-fetch-route.ts');
const frameworks = project.file('invalid-frameworks.ts');
const derived = project.file('invalid-express-derived.ts');
const sveltekit = project.file('invalid-sveltekit/+server.ts');
const remix = project.file('app/routes/invalid-remix-loader.ts');
const testFile = project.file('handler.test.ts');
const ignoreCalls = project.file('valid-ignore-calls.ts');
const aiSdk = project.file('invalid-ai-sdk.ts');

/** The suggestion that rewrites `from` (found once in `code`) into `to`. */
function pass(code: string, signal: string, from: string, to: string) {
  const at = code.indexOf(from);
  if (at < 0 || code.indexOf(from, at + 1) >= 0) throw new Error(`not found once: ${from}`);
  return [
    { messageId: 'suggestPassSignal', data: { signal }, output: code.slice(0, at) + to + code.slice(at + from.length) },
  ];
}

ruleTesterFor(project).run('require-abort-signal', rule, {
  valid: [
    project.file('valid-passes-signal.ts'),
    // A Fetch-API route with no request parameter is skipped even with the option.
    { ...project.file('valid-passes-signal.ts'), options: [{ checkHandlersWithoutSignal: true }] },
    project.file('valid-loops.ts'),
    // Pagination and a counted-down range: cursors the body advances, no sleep between rounds.
    project.file('valid-cursor-loops.ts'),
    project.file('valid-signal-parameters.ts'),
    project.file('work.ts'),
    project.file('service.ts'),
    { ...ignoreCalls, options: [{ ignoreCalls: [{ from: 'file', name: 'warmCache' }] }] },
    // Express gives no signal: reported only with checkHandlersWithoutSignal.
    project.file('invalid-express-without-signal.ts'),
    // Test files are skipped unless checkTestFiles.
    testFile,
  ],
  invalid: [
    {
      ...fetchRoute,
      errors: [
        {
          messageId: 'missingSignal',
          line: 7,
          column: 26,
          data: { name: 'fetch(…)', signal: 'request.signal' },
          suggestions: pass(
            fetchRoute.code,
            'request.signal',
            'fetch(UPSTREAM);',
            'fetch(UPSTREAM, { signal: request.signal });',
          ),
        },
        {
          messageId: 'missingSignal',
          line: 8,
          column: 24,
          suggestions: pass(
            fetchRoute.code,
            'request.signal',
            "{ method: 'POST' }",
            "{ method: 'POST', signal: request.signal }",
          ),
        },
        // timers/promises setTimeout(ms): the options go third, after a value the call leaves out.
        { messageId: 'missingSignal', line: 9, column: 9, data: { name: 'sleep(…)', signal: 'request.signal' } },
        {
          messageId: 'missingSignal',
          line: 10,
          column: 9,
          data: { name: 'once(…)', signal: 'request.signal' },
          suggestions: pass(
            fetchRoute.code,
            'request.signal',
            "once(bus, 'ready')",
            "once(bus, 'ready', { signal: request.signal })",
          ),
        },
        // The program's own functions, by their parameter types.
        {
          messageId: 'missingSignal',
          line: 11,
          column: 24,
          data: { name: 'loadReport(…)', signal: 'request.signal' },
          suggestions: pass(
            fetchRoute.code,
            'request.signal',
            'loadReport(UPSTREAM);',
            'loadReport(UPSTREAM, { signal: request.signal });',
          ),
        },
        {
          messageId: 'missingSignal',
          line: 12,
          column: 23,
          suggestions: pass(
            fetchRoute.code,
            'request.signal',
            'loadReport(UPSTREAM, {})',
            'loadReport(UPSTREAM, { signal: request.signal })',
          ),
        },
        {
          messageId: 'missingSignal',
          line: 13,
          column: 23,
          data: { name: 'poll(…)', signal: 'request.signal' },
          suggestions: pass(fetchRoute.code, 'request.signal', 'poll(UPSTREAM)', 'poll(UPSTREAM, request.signal)'),
        },
        // while, do, for (;;): reported at the loop keyword.
        { messageId: 'uncancellableLoop', line: 20, column: 3, data: { signal: 'request.signal' } },
        { messageId: 'uncancellableLoop', line: 23, column: 3 },
        { messageId: 'uncancellableLoop', line: 26, column: 3 },
      ],
    },
    {
      ...frameworks,
      errors: [
        // Hono: c.req.raw.signal
        {
          messageId: 'missingSignal',
          line: 13,
          column: 26,
          data: { name: 'fetch(…)', signal: 'c.req.raw.signal' },
          suggestions: pass(
            frameworks.code,
            'c.req.raw.signal',
            'fetch(UPSTREAM);',
            'fetch(UPSTREAM, { signal: c.req.raw.signal });',
          ),
        },
        // A namespace import, an empty options literal.
        {
          messageId: 'missingSignal',
          line: 14,
          column: 9,
          data: { name: 'timers.setTimeout(…)', signal: 'c.req.raw.signal' },
          suggestions: pass(
            frameworks.code,
            'c.req.raw.signal',
            'undefined, {})',
            'undefined, { signal: c.req.raw.signal })',
          ),
        },
        // Destructured from a default import, an options literal without a signal.
        {
          messageId: 'missingSignal',
          line: 15,
          column: 9,
          data: { name: 'delay(…)', signal: 'c.req.raw.signal' },
          suggestions: pass(
            frameworks.code,
            'c.req.raw.signal',
            '{ ref: false }',
            '{ ref: false, signal: c.req.raw.signal }',
          ),
        },
        // Renamed on import.
        {
          messageId: 'missingSignal',
          line: 16,
          column: 9,
          data: { name: 'onceEvent(…)', signal: 'c.req.raw.signal' },
          suggestions: pass(
            frameworks.code,
            'c.req.raw.signal',
            "onceEvent(bus, 'ready')",
            "onceEvent(bus, 'ready', { signal: c.req.raw.signal })",
          ),
        },
        // Fastify request.signal; `new Request(url)` carries a signal nothing aborts.
        {
          messageId: 'missingSignal',
          line: 23,
          column: 26,
          data: { name: 'fetch(…)', signal: 'request.signal' },
          suggestions: pass(
            frameworks.code,
            'request.signal',
            'fetch(new Request(UPSTREAM))',
            'fetch(new Request(UPSTREAM), { signal: request.signal })',
          ),
        },
      ],
    },
    {
      ...derived,
      errors: [
        {
          messageId: 'missingSignal',
          line: 14,
          column: 24,
          data: { name: 'fetch(…)', signal: 'ac.signal' },
          suggestions: pass(derived.code, 'ac.signal', 'fetch(UPSTREAM);', 'fetch(UPSTREAM, { signal: ac.signal });'),
        },
        {
          messageId: 'missingSignal',
          line: 16,
          column: 29,
          data: { name: 'llm.stream(…)', signal: 'ac.signal' },
          suggestions: pass(
            derived.code,
            'ac.signal',
            'llm.stream(await first.text())',
            'llm.stream(await first.text(), { signal: ac.signal })',
          ),
        },
      ],
    },
    {
      ...project.file('invalid-unaborted-controller.ts'),
      errors: [
        { messageId: 'unabortedController', line: 7, column: 22, data: { name: 'fetch(…)', controller: 'ac' } },
        // through a const holding ac.signal
        { messageId: 'unabortedController', line: 9, column: 23, data: { name: 'fetch(…)', controller: 'ac' } },
      ],
    },
    {
      // With the option, the Express handler's unaborted controller is reported too.
      ...project.file('invalid-unaborted-controller.ts'),
      options: [{ checkHandlersWithoutSignal: true }],
      errors: [
        { messageId: 'unabortedController', line: 7, column: 22 },
        { messageId: 'unabortedController', line: 9, column: 23 },
        { messageId: 'unabortedController', line: 17, column: 22, data: { name: 'fetch(…)', controller: 'ac' } },
      ],
    },
    {
      ...project.file('invalid-express-without-signal.ts'),
      options: [{ checkHandlersWithoutSignal: true }],
      errors: [{ messageId: 'missingSignalNoRequestSignal', line: 7, column: 26, data: { name: 'fetch(…)' } }],
    },
    {
      ...project.file('invalid-polls.ts'),
      errors: [
        // the variable is replaced, not advanced from itself: a status poll
        { messageId: 'uncancellableLoopNoRequestSignal', line: 10, column: 3 },
        // a cursor, but the loop sleeps between rounds
        { messageId: 'uncancellableLoopNoRequestSignal', line: 14, column: 3 },
      ],
    },
    {
      ...project.file('invalid-loops.ts'),
      errors: [
        // Case 17: an Express streaming loop, no close listener.
        { messageId: 'uncancellableLoopNoRequestSignal', line: 9, column: 3 },
        { messageId: 'uncancellableLoop', line: 19, column: 3, data: { signal: 'c.req.raw.signal' } },
        { messageId: 'missingSignal', line: 20, column: 11, data: { name: 'sleep(…)', signal: 'c.req.raw.signal' } },
      ],
    },
    {
      ...project.file('invalid-unused-signal.ts'),
      errors: [
        { messageId: 'unusedSignal', line: 4, column: 51, data: { param: 'signal' } },
        { messageId: 'unusedOptionsSignal', line: 9, column: 52, data: { param: 'options', property: 'signal' } },
        // destructured and never used: reported at the element
        { messageId: 'unusedSignal', line: 17, column: 40, data: { param: 'signal' } },
        // destructured without it
        { messageId: 'unusedDestructuredSignal', line: 22, column: 33 },
        // a callback whose type hands it a signal
        { messageId: 'unusedSignal', line: 29, column: 10, data: { param: 'signal' } },
        // callbacks of calls: the declared signatures hand an options bag with a signal
        { messageId: 'unusedOptionsSignal', line: 39, column: 23, data: { param: 'options', property: 'signal' } },
        { messageId: 'unusedOptionsSignal', line: 44, column: 23, data: { param: 'options', property: 'signal' } },
        // a signal only once the call's type parameters are inferred: the checker answers
        { messageId: 'unusedSignal', line: 51, column: 45, data: { param: 'signal' } },
        { messageId: 'unusedOptionsSignal', line: 59, column: 41, data: { param: 'job', property: 'signal' } },
      ],
    },
    {
      ...aiSdk,
      errors: [
        {
          messageId: 'missingSignal',
          line: 6,
          column: 22,
          data: { name: 'streamText(…)', signal: 'request.signal' },
          suggestions: pass(
            aiSdk.code,
            'request.signal',
            'streamText({ prompt })',
            'streamText({ prompt, abortSignal: request.signal })',
          ),
        },
      ],
    },
    {
      ...sveltekit,
      errors: [
        {
          messageId: 'missingSignal',
          line: 10,
          column: 26,
          data: { name: 'fetch(…)', signal: 'request.signal' },
          suggestions: pass(
            sveltekit.code,
            'request.signal',
            '`${UPSTREAM}${url.search}`)',
            '`${UPSTREAM}${url.search}`, { signal: request.signal })',
          ),
        },
      ],
    },
    {
      ...remix,
      errors: [
        {
          messageId: 'missingSignal',
          line: 10,
          column: 26,
          data: { name: 'fetch(…)', signal: 'request.signal' },
          suggestions: pass(
            remix.code,
            'request.signal',
            '`${UPSTREAM}/${params.id}`)',
            '`${UPSTREAM}/${params.id}`, { signal: request.signal })',
          ),
        },
      ],
    },
    {
      // Without ignoreCalls, the program's own warmCache is a call that accepts a signal.
      ...ignoreCalls,
      errors: [
        {
          messageId: 'missingSignal',
          line: 5,
          column: 9,
          data: { name: 'warmCache(…)', signal: 'request.signal' },
          suggestions: pass(
            ignoreCalls.code,
            'request.signal',
            'warmCache(request.url)',
            'warmCache(request.url, { signal: request.signal })',
          ),
        },
      ],
    },
    {
      ...testFile,
      options: [{ checkTestFiles: true }],
      errors: [
        {
          messageId: 'missingSignal',
          line: 5,
          column: 10,
          suggestions: pass(
            testFile.code,
            'request.signal',
            'fetch(UPSTREAM)',
            'fetch(UPSTREAM, { signal: request.signal })',
          ),
        },
      ],
    },
  ],
});
