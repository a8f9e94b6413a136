// A cluster primary that exits on its shutdown path while the workers it forks still run: each
// worker exits as soon as it loses its primary. Each case is a program of its own.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['no-exit-before-cleanup']!;
const forked = fixtureProject('rules', 'no-exit-before-cleanup', 'cluster', 'forked');
const disconnected = fixtureProject('rules', 'no-exit-before-cleanup', 'cluster', 'disconnected');

ruleTesterFor(forked).run('no-exit-before-cleanup: a cluster primary exits with its workers running', rule, {
  valid: [forked.file('main.ts')],
  invalid: [
    {
      // Forked through a field typed with node:cluster's Cluster, the process handed in.
      ...forked.file('primary.ts'),
      errors: [
        {
          messageId: 'exitWithWorkersRunning',
          line: 23,
          data: { exit: 'this.proc.exit()', trigger: "process.on('SIGTERM')", fork: 'this.cluster.fork()' },
        },
      ],
    },
  ],
});

ruleTesterFor(disconnected).run('no-exit-before-cleanup: a cluster primary that disconnects its workers', rule, {
  valid: [disconnected.file('main.ts')],
  invalid: [],
});
