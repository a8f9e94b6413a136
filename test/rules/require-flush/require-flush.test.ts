import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'require-flush');
const unhandled = fixtureProject('rules', 'require-flush', 'unhandled-sigterm');
const rule = plugin.rules['require-flush']!;

const unflushed = (line: number, column: number, name: string, label: string, flush: string) => ({
  messageId: 'unflushed' as const,
  line,
  column,
  data: { name, label, flush },
});

ruleTesterFor(project).run('require-flush', rule, {
  valid: [
    // Sentry.close(), sdk.shutdown(), provider.forceFlush(), producer.disconnect(), PostHog
    // shutdown(), StatsD close(), winston end() + once('finish'), all in shutdown.ts; pino's own exit
    // hook in a service that handles SIGTERM; made per call and flushed in a finally, or returned.
    project.file('valid-flushed.ts'),
    // lifecycle.adopt(), lifecycle.defer(), a closer list the SIGTERM listener runs.
    project.file('valid-lifecycle.ts'),
    // A method that flushes, called by a closer a registry of closer objects runs at shutdown.
    project.file('valid-registry.ts'),
    // A plain pino(), a synchronous destination, a winston logger with no transport or only Console.
    project.file('valid-unbuffered.ts'),
    // require() in CommonJS.
    project.file('valid-commonjs.cjs'),
    // A script that disconnects when the work is done.
    project.file('valid-script.ts'),
    // Test files are skipped by default.
    project.file('producer.test.ts'),
    project.file('service.ts'),
    project.file('shutdown.ts'),
    // A program's own batching buffer whose close() sends the last batch; a pruning timer.
    project.file('valid-own-buffer.ts'),
  ],
  invalid: [
    {
      // A program's own batching buffer whose shutdown method only clears the timer (jitsu).
      ...project.file('invalid-own-buffer.ts'),
      errors: [
        {
          messageId: 'ownBufferDropped',
          line: 27,
          column: 5,
          data: { method: 'close', buffer: 'buffer', flush: 'flush()' },
        },
        {
          messageId: 'ownBufferDropped',
          line: 45,
          column: 9,
          data: { method: '[Symbol.asyncDispose]', buffer: 'this.queue', flush: "the timer's callback" },
        },
      ],
    },
    {
      ...project.file('invalid-unflushed.ts'),
      errors: [
        // new Kafka().producer(): through the catalogue's methods map
        unflushed(9, 23, 'orders', 'kafkajs producer', 'orders.disconnect()'),
        // an aliased import
        unflushed(12, 22, 'flags', 'PostHog client', 'flags.shutdown()'),
        {
          messageId: 'flushedOffShutdownPath',
          line: 15,
          column: 24,
          data: { name: 'segment', label: 'Segment client', flush: 'segment.closeAndFlush()' },
        },
        { messageId: 'notKept', line: 21, column: 1, data: { label: 'StatsD client', method: 'close' } },
        {
          messageId: 'flushNotAwaited',
          line: 24,
          column: 26,
          data: { name: 'accessLog', label: 'winston logger', flush: 'accessLog.end()', event: 'finish' },
        },
        // transports added with add()
        unflushed(27, 25, 'errorLog', 'winston logger', 'errorLog.end()'),
        // sdk-node's `tracing` namespace
        unflushed(31, 23, 'tracer', 'OpenTelemetry provider', 'tracer.shutdown()'),
      ],
    },
    {
      // RudderStack's client kept in a field of an exported singleton (the module has no types)
      ...project.file('invalid-rudderstack.ts'),
      errors: [unflushed(9, 19, 'this.client', 'RudderStack client', 'this.client.flush()')],
    },
    {
      ...project.file('invalid-require.ts'),
      errors: [
        unflushed(6, 26, 'analytics', 'PostHog client', 'analytics.shutdown()'),
        unflushed(8, 29, 'legacyEvents', 'kafkajs producer', 'legacyEvents.disconnect()'),
      ],
    },
    {
      ...project.file('invalid-script.ts'),
      errors: [
        {
          messageId: 'unflushedInScript',
          line: 4,
          column: 18,
          data: { name: 'producer', label: 'kafkajs producer', flush: 'producer.disconnect()' },
        },
      ],
    },
  ],
});

ruleTesterFor(unhandled).run('require-flush with no SIGTERM handling', rule, {
  valid: [unhandled.file('service.ts')],
  invalid: [
    {
      ...unhandled.file('invalid-no-handler.ts'),
      errors: [
        // Sentry.init's module-level client, imported by name
        unflushed(6, 1, '@sentry/node', 'Sentry client', 'close(2000)'),
        { messageId: 'notKept', line: 9, column: 1, data: { label: 'OpenTelemetry NodeSDK', method: 'shutdown' } },
        // pino's exit hook never runs: the signal's default action skips 'exit' listeners
        {
          messageId: 'unflushedNoSignalHandler',
          line: 12,
          column: 23,
          data: { name: 'logger', label: 'pino logger', flush: 'logger.flush()' },
        },
      ],
    },
  ],
});
