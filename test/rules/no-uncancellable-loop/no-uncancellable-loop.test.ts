import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'no-uncancellable-loop');
const rule = plugin.rules['no-uncancellable-loop']!;

const interval = (line: number, column: number) => ({ messageId: 'intervalNeverCleared' as const, line, column });
const loop = (line: number, keyword: string) => ({
  messageId: 'endlessLoop' as const,
  line,
  column: 3,
  data: { keyword },
});
const reschedules = (line: number, column: number, name: string) => ({
  messageId: 'timeoutReschedules' as const,
  line,
  column,
  data: { name },
});

ruleTesterFor(project).run('no-uncancellable-loop', rule, {
  valid: [
    // unref'd, cleared through lifecycle.defer, a field, collections (Map values, forEach(clearInterval)), returned, cleared from another module
    project.file('valid-interval.ts'),
    project.file('shutdown.ts'),
    // stop flags, signals, lifecycle.closing, a cleared handle, a bounded retry, retries on failure, cycles that end, one-shot timers
    project.file('valid-timeout.ts'),
    // signals, exits, retry loops that return, generators, labelled breaks, process.exit, timers/promises with a signal
    project.file('valid-loop.ts'),
    // a loop inside a request handler
    project.file('valid-handler-loop.ts'),
    project.file('valid-handler-interval.ts'),
    // no service entry loads it
    project.file('valid-script.ts'),
    project.file('work.ts'),
    project.file('service.ts'),
    // test files are skipped unless checkTestFiles
    project.file('sweeper.test.ts'),
  ],
  invalid: [
    {
      ...project.file('invalid-interval.ts'),
      // dropped; kept in a const; a field the stop() method forgets; a collection nothing clears
      errors: [interval(7, 1), interval(10, 15), interval(17, 18), interval(28, 14)],
    },
    {
      ...project.file('invalid-require.ts'),
      errors: [interval(5, 24)],
    },
    {
      // cleared only in sweeper.test.ts
      ...project.file('invalid-cleared-in-test.ts'),
      errors: [interval(4, 24)],
    },
    {
      ...project.file('invalid-handler-interval.ts'),
      errors: [interval(7, 3)],
    },
    {
      ...project.file('invalid-timeout.ts'),
      // directly, through an arrow calling the scheduler, through a method that calls it back
      errors: [
        reschedules(7, 3, 'tick'),
        reschedules(17, 3, 'poll'),
        reschedules(29, 18, 'schedule'),
        // every path reschedules: both calls
        reschedules(42, 5, 'pollJobs'),
        reschedules(46, 3, 'pollJobs'),
        // from a `.then` callback inside the scheduler
        reschedules(52, 34, 'refreshLoop'),
      ],
    },
    {
      ...project.file('invalid-loop.ts'),
      errors: [
        loop(6, 'while (true)'),
        loop(13, 'for (;;)'),
        // `continue` in the catch goes round again
        loop(20, 'do … while (true)'),
        // the `break` leaves only the inner loop
        loop(32, 'while (1)'),
        { messageId: 'intervalIteratorWithoutSignal', line: 42, column: 25 },
      ],
    },
    {
      // Per-call deadlines (a controller made in the loop body, AbortSignal.timeout) stop no loop
      // (linkwarden's RSS polling); a controller made outside it does.
      ...project.file('invalid-loop-call-deadlines.ts'),
      errors: [loop(8, 'while (true)'), loop(23, 'for (;;)')],
    },
    {
      ...project.file('sweeper.test.ts'),
      options: [{ checkTestFiles: true }],
      errors: [interval(4, 1)],
    },
  ],
});
