// Work dropped inside a shutdown hook the framework awaits (issue 14, laudspeaker H9): NestJS
// `onModuleDestroy` not awaiting `producer.disconnect()` lets Nest go on and exit before the flush.
// A program of its own: NestJS hook classes make it a Nest service, whose files the others are not.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject, insertAt } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-untracked-promise']!;
const project = fixtureProject('rules', 'no-untracked-promise', 'shutdown-hook');
const hooks = project.file('invalid-shutdown-hook.ts');
const awaitAt = (line: number, column: number) => [
  { messageId: 'suggestAwait', output: insertAt(hooks.code, line, column, 'await ') },
];

ruleTesterFor(project).run('no-untracked-promise: shutdown hooks', rule, {
  valid: [
    // Hooks that await or return their work; a signal listener's body is the drain itself.
    project.file('valid-shutdown-hook.ts'),
    project.file('work.ts'),
  ],
  invalid: [
    {
      ...hooks,
      errors: [
        {
          messageId: 'droppedInShutdownHook',
          line: 10,
          column: 5,
          data: { name: 'this.producer.disconnect(…)', hook: 'onModuleDestroy' },
          suggestions: awaitAt(10, 5),
        },
        {
          messageId: 'droppedInShutdownHook',
          line: 14,
          column: 5,
          data: { name: 'writeAudit(…)', hook: 'beforeApplicationShutdown' },
          suggestions: null,
        },
        {
          messageId: 'droppedInShutdownHook',
          line: 20,
          column: 3,
          data: { name: 'writeAudit(…)', hook: 'Fastify app addHook' },
          suggestions: awaitAt(20, 3),
        },
      ],
    },
  ],
});
