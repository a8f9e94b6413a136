import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'close-in-reverse-order');
const undrained = fixtureProject('rules', 'close-in-reverse-order-undrained');
const builders = fixtureProject('rules', 'close-in-reverse-order-builders');
const collections = fixtureProject('rules', 'close-in-reverse-order-collections');
const registry = fixtureProject('rules', 'close-in-reverse-order-registry');
const clients = fixtureProject('rules', 'close-in-reverse-order-clients');
const rule = plugin.rules['close-in-reverse-order']!;

const server = { user: 'the HTTP server', work: 'request handlers' };

ruleTesterFor(project).run('close-in-reverse-order', rule, {
  valid: [
    project.file('valid-awaited.ts'),
    project.file('valid-frameworks.ts'),
    project.file('valid-lifecycle.ts'),
    project.file('valid-unused.ts'),
    project.file('valid-script.ts'),
    project.file('store.ts'),
    // Test files are skipped unless checkTestFiles.
    project.file('shutdown.test.ts'),
  ],
  invalid: [
    {
      // peer-linters §4 case 28(a): the pool ends, then the server drains
      ...project.file('invalid-same-function.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 14,
          column: 9,
          data: { close: 'pool.end()', name: 'pool', label: 'pg Pool', at: 'line 15', ...server },
        },
      ],
    },
    {
      // server.close() only starts the drain
      ...project.file('invalid-not-awaited.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 13,
          column: 9,
          data: { close: 'redis.quit()', name: 'redis', label: 'ioredis client', at: 'line 12', ...server },
        },
      ],
    },
    {
      ...project.file('invalid-promise-all.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 11,
          column: 35,
          data: { close: 'db.destroy()', name: 'db', label: 'knex instance', at: 'line 11', ...server },
        },
      ],
    },
    {
      // through helpers, an import alias and a namespace import
      ...project.file('invalid-helpers.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 19,
          column: 9,
          data: { close: 'db.end()', name: 'pool', label: 'pg Pool', at: 'line 15', ...server },
        },
      ],
    },
    {
      // two SIGTERM listeners; close-with-grace beside a listener
      ...project.file('invalid-concurrent-listeners.ts'),
      errors: [
        {
          messageId: 'closedConcurrently',
          line: 20,
          column: 9,
          data: { close: 'cache.quit()', name: 'cache', label: 'ioredis client', at: 'line 17', ...server },
        },
        {
          messageId: 'closedConcurrently',
          line: 23,
          column: 9,
          data: { close: 'sessions.destroy()', name: 'sessions', label: 'knex instance', at: 'line 17', ...server },
        },
      ],
    },
    {
      // onModuleDestroy and beforeApplicationShutdown run before Nest closes the server
      ...project.file('invalid-nest.ts'),
      errors: [
        {
          messageId: 'closedInEarlyHook',
          line: 9,
          column: 11,
          data: {
            close: 'this.$disconnect()',
            name: 'PrismaService',
            label: 'PrismaClient',
            hook: 'onModuleDestroy',
            owner: 'NestJS',
            instead: 'onApplicationShutdown',
          },
        },
        {
          messageId: 'closedInEarlyHook',
          line: 16,
          column: 11,
          data: {
            close: 'this.$disconnect()',
            name: 'AuditStore',
            label: 'PrismaClient',
            hook: 'beforeApplicationShutdown',
            owner: 'NestJS',
            instead: 'onApplicationShutdown',
          },
        },
      ],
    },
    {
      ...project.file('invalid-fastify-preclose.ts'),
      errors: [
        {
          messageId: 'closedInEarlyHook',
          line: 9,
          column: 9,
          data: {
            close: 'redis.quit()',
            name: 'redis',
            label: 'ioredis client',
            hook: 'preClose',
            owner: 'Fastify',
            instead: 'onClose',
          },
        },
      ],
    },
    {
      ...project.file('invalid-terminus.ts'),
      errors: [
        {
          messageId: 'closedInEarlyHook',
          line: 12,
          column: 25,
          data: {
            close: 'reports.end()',
            name: 'reports',
            label: 'pg Pool',
            hook: 'beforeShutdown',
            owner: 'terminus',
            instead: 'onSignal',
          },
        },
      ],
    },
    {
      ...project.file('invalid-worker.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 12,
          column: 9,
          data: {
            close: 'jobsDb.destroy()',
            name: 'jobsDb',
            label: 'knex instance',
            user: 'the BullMQ Worker `worker`',
            work: 'jobs',
            at: 'line 13',
          },
        },
      ],
    },
    {
      ...project.file('invalid-consumer.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 17,
          column: 9,
          data: {
            close: 'events.end()',
            name: 'events',
            label: 'pg Pool',
            user: 'the kafkajs consumer `consumer`',
            work: 'jobs',
            at: 'line 18',
          },
        },
      ],
    },
    {
      // the lifecycle's closers run LIFO, lightship's handlers FIFO
      ...project.file('invalid-registration-order.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 14,
          column: 1,
          data: {
            close: 'lifecycle.adopt()',
            name: 'archive',
            label: 'knex instance',
            user: 'the BullMQ Worker `archiver`',
            work: 'jobs',
            at: 'line 13',
          },
        },
        {
          messageId: 'closedBeforeDrain',
          line: 21,
          column: 41,
          data: {
            close: 'billing.end()',
            name: 'billing',
            label: 'pg Pool',
            user: 'the BullMQ Worker `invoicer`',
            work: 'jobs',
            at: 'line 22',
          },
        },
      ],
    },
    {
      // Fastify's onClose hooks run last-in first-out
      ...project.file('invalid-fastify-onclose.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 16,
          column: 9,
          data: {
            close: 'thumbnails.end()',
            name: 'thumbnails',
            label: 'pg Pool',
            user: 'the BullMQ Worker `resizer`',
            work: 'jobs',
            at: 'line 13',
          },
        },
      ],
    },
    {
      // locals of main(), closed by the listener it installs; the server closes in `.then`
      ...project.file('invalid-main-locals.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 14,
          column: 10,
          data: { close: 'client.end()', name: 'client', label: 'pg Client', at: 'line 14', ...server },
        },
      ],
    },
    {
      // mongoose's own connection, used through a model
      ...project.file('invalid-mongoose.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 14,
          column: 9,
          data: {
            close: 'mongoose.disconnect()',
            name: 'mongoose',
            label: 'mongoose connection',
            at: 'line 15',
            ...server,
          },
        },
      ],
    },
    {
      ...project.file('invalid-require.cjs'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 13,
          column: 3,
          data: { close: 'pool.end()', name: 'pool', label: 'pg Pool', at: 'line 14', ...server },
        },
      ],
    },
    {
      ...project.file('shutdown.test.ts'),
      options: [{ checkTestFiles: true }],
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 10,
          column: 9,
          data: { close: 'testPool.end()', name: 'testPool', label: 'pg Pool', at: 'line 11', ...server },
        },
      ],
    },
  ],
});

ruleTesterFor(undrained).run('close-in-reverse-order (no drain anywhere)', rule, {
  valid: [undrained.file('valid-unknown-server.ts')],
  invalid: [
    {
      ...undrained.file('invalid-never-drained.ts'),
      errors: [
        {
          messageId: 'closedWhileServing',
          line: 13,
          column: 9,
          data: { close: 'pool.end()', name: 'pool', label: 'pg Pool' },
        },
      ],
    },
  ],
});

// Stores handed as values (directly or in an object literal) to the function that builds the
// server or its handlers, and stores a program factory returns (`cache = createCache()`).
ruleTesterFor(builders).run('close-in-reverse-order (stores handed to the server builder)', rule, {
  valid: [
    // the drain is awaited before the store closes
    builders.file('valid-awaited-builder.ts'),
    // handed to a builder that is not the server's: the handlers never use it
    builders.file('valid-other-builder.ts'),
    builders.file('cache.ts'),
    builders.file('handlers.ts'),
  ],
  invalid: [
    {
      ...builders.file('invalid-builder.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 24,
          column: 7,
          data: { close: 'cache.disconnect()', name: 'cache', label: 'ioredis client', at: 'line 21', ...server },
        },
      ],
    },
    {
      ...builders.file('invalid-direct.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 19,
          column: 9,
          data: { close: 'sessions.quit()', name: 'sessions', label: 'ioredis client', at: 'line 18', ...server },
        },
      ],
    },
  ],
});

// Stores and workers closed through a collection (`for (const queue of queues)`, `queues.map(…)`,
// `workers.forEach(…)`), the arrays filled by factories (`generateQueue`, `generateWorker(name,
// processor)`) and by `push`.
const flowWorker = { user: 'the BullMQ Worker `flowWorker`', work: 'jobs' };
const flowQueue = { name: 'flowQueue', label: 'BullMQ Queue' };

ruleTesterFor(collections).run('close-in-reverse-order (closes through a collection)', rule, {
  valid: [
    collections.file('valid-loops.ts'),
    // another entry (the API), whose SIGTERM stops another process than the worker's
    collections.file('api.ts'),
    collections.file('queues.ts'),
    collections.file('workers.ts'),
  ],
  invalid: [
    {
      ...collections.file('invalid-loops.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 8,
          column: 11,
          data: { close: 'queue.close()', at: 'line 11', ...flowQueue, ...flowWorker },
        },
      ],
    },
    {
      ...collections.file('invalid-parallel.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 7,
          column: 91,
          data: { close: 'queue.close()', at: 'line 7', ...flowQueue, ...flowWorker },
        },
        {
          messageId: 'closedDuringDrain',
          line: 14,
          column: 49,
          data: { close: 'queue.close()', at: 'line 12', ...flowQueue, ...flowWorker },
        },
      ],
    },
  ],
});

// Closers stored in a program's own registry that a shutdown path runs: all at once (an element
// method walks the list), one after another (`for…of`), or where the listener that runs it says.
ruleTesterFor(registry).run('close-in-reverse-order (a program registry of closers)', rule, {
  valid: [registry.file('valid-registered.ts'), registry.file('shutdown.ts'), registry.file('server.ts')],
  invalid: [
    {
      ...registry.file('invalid-registered.ts'),
      errors: [
        {
          // beside 'web-server-close', which only starts the drain
          messageId: 'closedDuringDrain',
          line: 8,
          column: 18,
          data: { close: 'documents.end()', name: 'documents', label: 'pg Pool', at: 'server.ts:29', ...server },
        },
        {
          // started by the same forEach as the closer that waits for the drain
          messageId: 'closedConcurrently',
          line: 13,
          column: 9,
          data: { close: 'sessions.end()', name: 'sessions', label: 'pg Pool', at: 'server.ts:38', ...server },
        },
        {
          // SIGHUP runs the finalizers before it drains the server
          messageId: 'closedBeforeDrain',
          line: 17,
          column: 18,
          data: { close: 'reports.end()', name: 'reports', label: 'pg Pool', at: 'server.ts:38', ...server },
        },
        {
          // one after another, but the server's stopper returns with its drain still running
          messageId: 'closedDuringDrain',
          line: 21,
          column: 21,
          data: { close: 'invoices.end()', name: 'invoices', label: 'pg Pool', at: 'server.ts:34', ...server },
        },
      ],
    },
  ],
});

// A registry of order groups: closers registered with an order value (an enum member, a number),
// run by groups sorted by it, each group awaited before the next; one group's closers at once.
const groups = fixtureProject('rules', 'close-in-reverse-order-groups');

ruleTesterFor(groups).run('close-in-reverse-order (a registry of order groups)', rule, {
  valid: [
    // groups that sort after the server's: they start once its drain has returned
    groups.file('valid-groups.ts'),
    groups.file('shutdown.ts'),
    groups.file('server.ts'),
  ],
  invalid: [
    {
      ...groups.file('invalid-groups.ts'),
      errors: [
        {
          // ShutdownOrder.normal has finished before ShutdownOrder.last drains the server
          messageId: 'closedBeforeDrain',
          line: 7,
          column: 9,
          data: { close: 'orders.end()', name: 'orders', label: 'pg Pool', at: 'server.ts:24', ...server },
        },
        {
          // the same group: one Promise.allSettled starts both
          messageId: 'closedConcurrently',
          line: 11,
          column: 55,
          data: { close: 'audit.end()', name: 'audit', label: 'pg Pool', at: 'server.ts:24', ...server },
        },
        {
          // stage 5 before stage 10, in a list sorted by its order field
          messageId: 'closedBeforeDrain',
          line: 14,
          column: 18,
          data: { close: 'reports.end()', name: 'reports', label: 'pg Pool', at: 'server.ts:24', ...server },
        },
        {
          // grouped, but no group is awaited: every hook starts at once
          messageId: 'closedConcurrently',
          line: 17,
          column: 18,
          data: { close: 'metrics.end()', name: 'metrics', label: 'pg Pool', at: 'server.ts:24', ...server },
        },
        {
          // phase 2 before phase 10, in a Map grouped by hand and keys sorted as numbers
          messageId: 'closedBeforeDrain',
          line: 20,
          column: 18,
          data: { close: 'payments.end()', name: 'payments', label: 'pg Pool', at: 'server.ts:24', ...server },
        },
        {
          // '10' sorts before '5': Object.keys(groups).sort() compares strings
          messageId: 'closedBeforeDrain',
          line: 23,
          column: 18,
          data: { close: 'carts.end()', name: 'carts', label: 'pg Pool', at: 'server.ts:24', ...server },
        },
      ],
    },
  ],
});

// Stores behind a holder of the program's own (a singleton, a lazy value) whose close runs the
// cleanup callback given where the holder is made: the holder holds what its factory makes.
const holders = fixtureProject('rules', 'close-in-reverse-order-holders');

ruleTesterFor(holders).run('close-in-reverse-order (stores behind a holder)', rule, {
  valid: [
    // the drain is awaited before the holder closes
    holders.file('valid-awaited-holder.ts'),
    // a cleanup that closes nothing, a holder close that never runs its cleanup
    holders.file('valid-noop-cleanup.ts'),
    // no request handler uses what it holds
    holders.file('valid-unused-holder.ts'),
    holders.file('stores.ts'),
    holders.file('singleton.ts'),
    holders.file('lazy.ts'),
    holders.file('search-index.ts'),
  ],
  invalid: [
    {
      ...holders.file('invalid-singleton.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 14,
          column: 9,
          data: { close: 'db.close()', name: 'db', label: 'pg Pool', at: 'line 13', ...server },
        },
      ],
    },
    {
      ...holders.file('invalid-lazy.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 14,
          column: 9,
          data: { close: 'cache.dispose()', name: 'cache', label: 'ioredis client', at: 'line 15', ...server },
        },
      ],
    },
    {
      ...holders.file('invalid-class-holder.ts'),
      errors: [
        {
          messageId: 'closedConcurrently',
          line: 17,
          column: 9,
          data: { close: 'search.close()', name: 'search', label: 'pg Pool', at: 'line 14', ...server },
        },
      ],
    },
    {
      ...holders.file('invalid-default-holder.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 13,
          column: 8,
          data: {
            close: 'searchIndex.close()',
            name: 'the default export',
            label: 'pg Pool',
            at: 'line 12',
            ...server,
          },
        },
      ],
    },
  ],
});

// A store the handlers reach through a view of it (`db = drizzle(client)`), handed around in a
// dependencies object and named by its declared type (`db: Database`, `type Database =
// LibSQLDatabase`), closed by a closer of a registry a factory makes and that runs every closer at once.
const views = fixtureProject('rules', 'close-in-reverse-order-views');
const viewsOrdered = fixtureProject('rules', 'close-in-reverse-order-views-ordered');
const viewsAwaited = fixtureProject('rules', 'close-in-reverse-order-views-awaited');
const awaitedMain = viewsAwaited.file('main.ts');

ruleTesterFor(views).run('close-in-reverse-order (a store used through a view handed around)', rule, {
  valid: ['shutdown.ts', 'types.ts', 'notes.ts', 'server.ts', 'main.ts'].map((f) => views.file(f)),
  invalid: [
    {
      // beside 'web-server-close', which only starts the drain
      ...views.file('database.ts'),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 13,
          column: 20,
          data: { close: 'client.close()', name: 'client', label: 'libSQL client', at: 'server.ts:18', ...server },
        },
      ],
    },
  ],
});

// The registry runs its closers one after another, the server's first, and that one waits for the drain.
ruleTesterFor(viewsOrdered).run('close-in-reverse-order (a view, closed after the drain in order)', rule, {
  valid: ['shutdown.ts', 'types.ts', 'server.ts', 'main.ts'].map((f) => viewsOrdered.file(f)),
  invalid: [],
});

// The listener awaits the drain, then closes the client it got back beside the view (`{ client, db }`).
ruleTesterFor(viewsAwaited).run('close-in-reverse-order (a view, closed after the awaited drain)', rule, {
  valid: ['database.ts', 'notes.ts', 'main.ts'].map((f) => viewsAwaited.file(f)),
  invalid: [
    {
      // the same listener with the drain only started
      ...awaitedMain,
      code: awaitedMain.code.replace(
        'await new Promise<void>((resolve) => server.close(() => resolve()));',
        'server.close();',
      ),
      errors: [
        {
          messageId: 'closedDuringDrain',
          line: 10,
          column: 3,
          data: { close: 'client.close()', name: 'client', label: 'libSQL client', at: 'line 9', ...server },
        },
      ],
    },
  ],
});

// A program's own client class (issue 14, atproto's feature-gates client): its shutdown method ends
// one of the program's own batching buffers (or a store of the catalogue), and the handlers use it,
// by name or through the context object they are built from.
const gates = {
  name: 'FeatureGates',
  label: "the program's own client, whose `destroy()` ends its buffer `this.queue`",
  ...server,
};

ruleTesterFor(clients).run("close-in-reverse-order (a program's own client)", rule, {
  valid: [
    // destroyed once the awaited drain has finished
    clients.file('valid-after-drain.ts'),
    // own buffering clients that no handler uses: a startup report, a background sweep's counter
    clients.file('valid-unused.ts'),
    clients.file('metrics.ts'),
    clients.file('feature-gates.ts'),
    clients.file('flag-cache.ts'),
    clients.file('context.ts'),
    clients.file('routes.ts'),
    // OrderStore's close() is reported where it ends the pool (store.ts), not at this call
    clients.file('store-shutdown.ts'),
  ],
  invalid: [
    {
      ...clients.file('store.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 13,
          column: 11,
          data: {
            close: 'this.pool.end()',
            name: 'this.pool',
            label: 'pg Pool',
            at: 'store-shutdown.ts:14',
            ...server,
          },
        },
      ],
    },
    {
      // through the context object; the FlagCache destroyed first only stops a refresh timer
      ...clients.file('invalid-context.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 38,
          column: 13,
          data: { close: 'this.ctx.featureGates.destroy()', at: 'line 40', ...gates },
        },
      ],
    },
    {
      // by name; reported once, at the wrapper's close, not again at the buffer's inside it
      ...clients.file('invalid-module.ts'),
      errors: [
        {
          messageId: 'closedBeforeDrain',
          line: 14,
          column: 9,
          data: { close: 'gates.destroy()', at: 'line 15', ...gates },
        },
      ],
    },
  ],
});
