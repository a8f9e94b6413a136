// Work dropped into a serial queue that shutdown's own work goes through (issue 14,
// lovasoa/whitebophir server/board/data_persistence.mjs:212, server/socket/index.mjs:722/751/821):
// the queue chains each task behind the previous one, and shutdown saves every board through it,
// so its last task waits for the dropped one.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-untracked-promise']!;
const project = fixtureProject('rules', 'no-untracked-promise', 'serial-queue');

ruleTesterFor(project).run('no-untracked-promise: a serial queue shutdown goes through', rule, {
  valid: [
    // A delayed save through the queue, an unload whose only work is such a save (inside the
    // program's tracing wrapper), and an async forEach callback that only reads loaded boards.
    project.file('boards.ts'),
    project.file('queue.ts'),
  ],
  invalid: [
    {
      ...project.file('invalid-queues.ts'),
      errors: [
        // A serial queue shutdown never enters.
        { messageId: 'untracked', line: 14, column: 3, data: { name: 'auditQueue.run(…)' } },
        // A "queue" that runs each task at once.
        { messageId: 'untracked', line: 16, column: 3, data: { name: 'eager.run(…)' } },
        // The save is queued behind shutdown, the audit line after it is not.
        { messageId: 'untracked', line: 21, column: 3 },
      ],
    },
  ],
});
