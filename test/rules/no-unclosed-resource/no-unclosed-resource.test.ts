import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'no-unclosed-resource');
const rule = plugin.rules['no-unclosed-resource']!;

const unclosed = (line: number, column: number, name: string, label: string, close: string) => ({
  messageId: 'unclosed' as const,
  line,
  column,
  data: { name, label, close },
});

const resourceOptions = {
  resources: [
    { module: 'nats-lite', export: 'connect', close: ['drain'], label: 'NATS connection' },
    { path: 'generated/prisma/client', export: 'PrismaClient', close: ['$disconnect'] },
    { module: 'amqp-lite', export: 'Broker', method: 'channel', close: ['close'], label: 'amqp channel' },
  ],
};

ruleTesterFor(project).run('no-unclosed-resource', rule, {
  valid: [
    // Closed through an import alias, a namespace import (a subclass of ioredis' client), a
    // registered closure (peer case 27), a list of closers, a helper, mongoose.disconnect(), and on
    // an extended Prisma client.
    project.file('valid-module-scope.ts'),
    // closed in its own 'ready' listener: a readiness probe
    project.file('valid-readiness-probe.ts'),
    // mongodb 3.x: closed in the callback it is handed to
    project.file('valid-connect-callback.ts'),
    // The lifecycle runtime: adopted at creation or later, by `lifecycle` or an instance; deferred closers.
    project.file('valid-lifecycle.ts'),
    // A destructured require, closed in shutdown.ts.
    project.file('valid-require.ts'),
    // NestJS onApplicationShutdown, a field closed by a method shutdown calls, Fastify onClose,
    // close-with-grace, a lazy singleton.
    project.file('valid-hooks.ts'),
    // finally, await using, a straight path with nothing awaited on it, returned (also through
    // undici's owning `compose`), stored in a collection, handed on, closed by
    // the SIGTERM listener the function installs, closed in its own query's completion callback or
    // in a `.finally`.
    project.file('valid-per-call.ts'),
    // A factory's client closed in `finally` by its caller, a getter's singleton, one handed to a
    // function that keeps it.
    project.file('valid-factory.ts'),
    // Decorated onto the Fastify instance and closed through it in an onClose hook.
    project.file('valid-decorated.ts'),
    // A worker-thread script the service loads: a rejection ends the thread and frees its client.
    project.file('valid-worker-thread.ts'),
    // A script no service loads: closing it when the work is done is enough, also after an awaited
    // step that can reject (the failure ends the script).
    project.file('valid-script.ts'),
    // A module that only makes and exports a resource, for the tool that loads it (an ORM's CLI).
    project.file('valid-loader-module.ts'),
    // Resources the catalogue does not know are not reported without the option.
    project.file('invalid-options.ts'),
    // Test files are skipped by default.
    project.file('metrics.test.ts'),
    project.file('service.ts'),
    project.file('shutdown.ts'),
    project.file('registry.ts'),
  ],
  invalid: [
    {
      ...project.file('invalid-module-scope.ts'),
      errors: [
        unclosed(7, 27, 'rateLimits', 'ioredis client', 'rateLimits.quit()'),
        // new Kafka().consumer(): through the catalogue's methods map (a producer is require-flush's)
        unclosed(10, 23, 'events', 'kafkajs consumer', 'events.disconnect()'),
        unclosed(13, 27, 'subscriber', 'ioredis client', 'subscriber.quit()'),
        unclosed(16, 26, 'analytics', 'mongoose connection', 'analytics.close()'),
        // reports ??= new pg.Pool(): kept in the module variable
        unclosed(21, 15, 'reports', 'pg Pool', 'reports.end()'),
        unclosed(27, 27, 'queueRedis', 'ioredis client', 'queueRedis.quit()'),
        // `new this()` in a subclass of ioredis' client
        unclosed(34, 29, 'this.shared', 'ioredis client', 'this.shared.quit()'),
        // `require('sequelize')`, the module that is the class
        unclosed(40, 25, 'legacyDb', 'Sequelize instance', 'legacyDb.close()'),
      ],
    },
    {
      // Decorated onto the Fastify instance (service scope), and closed by nothing.
      ...project.file('invalid-decorated.ts'),
      errors: [unclosed(7, 17, 'fastify.redis', 'ioredis client', 'fastify.redis.quit()')],
    },
    {
      ...project.file('invalid-closed-off-path.ts'),
      errors: [
        // closeLedger() is never called at shutdown
        {
          messageId: 'closedOffShutdownPath',
          line: 5,
          column: 23,
          data: { name: 'ledger', label: 'pg Pool', close: 'ledger.end()' },
        },
        // closed only in metrics.test.ts
        unclosed(11, 24, 'metrics', 'ioredis client', 'metrics.quit()'),
        // registered with a list nothing runs
        {
          messageId: 'closedOffShutdownPath',
          line: 15,
          column: 22,
          data: { name: 'locks', label: 'ioredis client', close: 'locks.quit()' },
        },
        // closed in its own 'error' listener: open on the happy path
        {
          messageId: 'closedOffShutdownPath',
          line: 20,
          column: 23,
          data: { name: 'events', label: 'ioredis client', close: 'events.quit()' },
        },
      ],
    },
    {
      ...project.file('invalid-bull-queue.ts'),
      errors: [unclosed(5, 23, 'visits', 'BullMQ Queue', 'visits.close()')],
    },
    {
      ...project.file('invalid-not-kept.ts'),
      errors: [
        { messageId: 'notKept', line: 5, column: 1, data: { label: 'BullMQ Worker', close: '.close()' } },
        { messageId: 'notKept', line: 11, column: 17, data: { label: 'MongoClient', close: '.close()' } },
        // handed to a callback that never closes it
        { messageId: 'notKept', line: 16, column: 3, data: { label: 'MongoClient', close: '.close()' } },
      ],
    },
    {
      // What a factory makes on every call is the caller's: closed only after awaited steps (one of
      // them a helper that only borrows it), or never.
      ...project.file('invalid-factory.ts'),
      errors: [
        {
          messageId: 'unclosedInFunction',
          line: 18,
          column: 18,
          data: { name: 'client', label: 'pg Client', fn: 'runQuery', close: 'client.end()' },
        },
        {
          messageId: 'unclosedInFunction',
          line: 28,
          column: 22,
          data: { name: 'pool', label: 'pg Pool', fn: 'countOrders', close: 'pool.end()' },
        },
      ],
    },
    {
      ...project.file('invalid-per-call.ts'),
      errors: [
        // an early return between the creation and the close
        {
          messageId: 'unclosedInFunction',
          line: 10,
          column: 18,
          data: { name: 'client', label: 'pg Client', fn: 'this request handler', close: 'client.end()' },
        },
        {
          messageId: 'unclosedInFunction',
          line: 23,
          column: 18,
          data: { name: 'client', label: 'pg Client', fn: 'exportCsv', close: 'client.end()' },
        },
        // closed only in a callback
        {
          messageId: 'unclosedInFunction',
          line: 31,
          column: 18,
          data: { name: 'client', label: 'pg Client', fn: 'notifyLater', close: 'client.end()' },
        },
        // closed in a `.then` only: not when the work fails
        {
          messageId: 'unclosedInFunction',
          line: 40,
          column: 18,
          data: { name: 'client', label: 'pg Client', fn: 'checkHealth', close: 'client.end()' },
        },
        // kept in the parameter of a `.then` callback
        {
          messageId: 'unclosedInFunction',
          line: 49,
          column: 10,
          data: { name: 'connection', label: 'amqplib connection', fn: 'consumeOrders', close: 'connection.close()' },
        },
        // closed on the straight path, after an awaited query that can reject (service code)
        {
          messageId: 'unclosedInFunction',
          line: 58,
          column: 18,
          data: { name: 'client', label: 'pg Client', fn: 'this request handler', close: 'client.end()' },
        },
        {
          messageId: 'unclosedInFunction',
          line: 68,
          column: 19,
          data: { name: 'probe', label: 'ioredis client', fn: 'redisIsUp', close: 'probe.quit()' },
        },
      ],
    },
    {
      // A script never closing its client: the connection keeps the process alive.
      // exported for a loader, but a worker runs on creation
      ...project.file('invalid-exported-worker.ts'),
      errors: [
        {
          messageId: 'unclosedInScript',
          line: 5,
          column: 17,
          data: { name: 'reindex', label: 'BullMQ Worker', close: 'reindex.close()' },
        },
      ],
    },
    {
      ...project.file('invalid-script-exports.ts'),
      errors: [
        {
          messageId: 'unclosedInScript',
          line: 4,
          column: 21,
          data: { name: 'pool', label: 'pg Pool', close: 'pool.end()' },
        },
      ],
    },
    {
      ...project.file('invalid-script.ts'),
      errors: [
        {
          messageId: 'unclosedInScript',
          line: 4,
          column: 16,
          data: { name: 'client', label: 'pg Client', close: 'client.end()' },
        },
      ],
    },
    {
      ...project.file('invalid-options.ts'),
      options: [resourceOptions],
      errors: [
        unclosed(6, 25, 'nc', 'NATS connection', 'nc.drain()'),
        // a client generated into the program, named by its path
        unclosed(7, 26, 'generated', 'PrismaClient', 'generated.$disconnect()'),
        // what a method of the export's instance returns
        unclosed(8, 24, 'channel', 'amqp channel', 'channel.close()'),
      ],
    },
    {
      // With checkTestFiles: a test's own close counts, wherever it is.
      ...project.file('metrics.test.ts'),
      options: [{ checkTestFiles: true }],
      errors: [
        {
          messageId: 'unclosedInScript',
          line: 10,
          column: 30,
          data: { name: 'fixtureClient', label: 'pg Client', close: 'fixtureClient.end()' },
        },
      ],
    },
  ],
});

// No types installed (as before `npm install`): `global` has no type, and a singleton kept on it is
// found through the program's `declare global { var prisma }`, and closed through the default
// export that hands it out.
const untyped = fixtureProject('rules', 'no-unclosed-resource-untyped');
ruleTesterFor(untyped).run('no-unclosed-resource (no types installed)', rule, {
  valid: [untyped.file('cache.ts'), untyped.file('server.ts')],
  invalid: [
    {
      ...untyped.file('prisma.ts'),
      errors: [unclosed(5, 37, 'global.prisma', 'PrismaClient', 'global.prisma.$disconnect()')],
    },
  ],
});
