import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject, insertAt, replaceAt } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'no-untracked-promise');
const rule = plugin.rules['no-untracked-promise']!;

const handler = project.file('invalid-express-handler.ts');
const frameworks = project.file('invalid-frameworks.ts');
const suggestTrack = project.file('invalid-suggest-track.ts');
const suggestLifecycle = project.file('invalid-suggest-lifecycle.ts');
const getters = project.file('invalid-own-getters.ts');
const asyncImplementation = project.file('invalid-async-implementation.ts');
const refreshNeighbours = project.file('invalid-read-only-refresh-neighbours.ts');
const pushNeighbours = project.file('invalid-socket-push-neighbours.ts');
const forwardedValues = project.file('invalid-forwarded-values.ts');
const requiredModule = project.file('invalid-required-module.ts');
const awaitAt = (code: string, line: number, column: number) => [
  { messageId: 'suggestAwait', output: insertAt(code, line, column, 'await ') },
];

ruleTesterFor(project).run('no-untracked-promise', rule, {
  valid: [
    // Bull's queue.process(…): a processing loop that settles when the queue is closed.
    project.file('valid-processing-loop.cjs'),
    // CommonJS modules required from TypeScript, their async exports awaited, their sync ones called.
    project.file('valid-required-module.ts'),
    project.file('pad-store.ts'),
    project.file('pad-history.ts'),
    project.file('pad-shape.ts'),
    // `Promise.resolve(v).catch(() => {})`, `Promise.resolve(ret).then(settle)`: a value in hand, no work.
    project.file('valid-promise-resolve.ts'),
    project.file('valid-tracked.ts'),
    project.file('valid-lifecycle.ts'),
    project.file('valid-entry-module.ts'),
    project.file('valid-shutdown-listeners.ts'),
    project.file('valid-callbacks.ts'),
    project.file('valid-frameworks.ts'),
    project.file('work.ts'),
    project.file('service.ts'),
    project.file('valid-shutdown-itself.ts'),
    project.file('valid-browser-bundle.ts'),
    project.file('valid-settles-at-once.ts'),
    project.file('valid-responds-when-done.ts'),
    project.file('valid-stream-producer.ts'),
    project.file('valid-own-tracker.ts'),
    project.file('valid-timeout-cleared.ts'),
    project.file('valid-loop-resolves.ts'),
    // Batching queues whose dropped flush settles the resolvers their callers' promises stored.
    project.file('valid-batch-resolvers.ts'),
    project.file('valid-worker-thread-entry.ts'),
    project.file('valid-release-handled.ts'),
    // A Redis health ping, a queue-metrics tick, an in-memory rate limiter: nothing outside the process.
    project.file('valid-read-only-work.ts'),
    // Refreshes of in-memory state whose only outside effects are HTTP GETs, through wrapper classes.
    project.file('valid-read-only-refresh.ts'),
    project.file('valid-read-only-refresh.cjs'),
    // Reads of the database pushed to socket.io clients, and the rooms of a connection.
    project.file('valid-socket-pushes.ts'),
    project.file('valid-socket-pushes.cjs'),
    // Work that ends the stream a response's body is (Koa's `ctx.body`, a pipe to `res`).
    project.file('valid-response-body-stream.ts'),
    // ProseMirror views, plugin views and props, and `if (!isNode)`: only a browser runs them.
    project.file('editor/valid-editor-view.ts'),
    project.file('editor/server.ts'),
    // A client made for one message, closed in the rejection handler of its own send or connect.
    project.file('valid-failed-client-release.ts'),
    // A hook typed `void | Promise<void>` with no async function of the program given as it.
    project.file('valid-optional-hook.ts'),
    // Members typed `void | Promise<void>` whose every implementation in the program is synchronous.
    project.file('valid-sync-implementations.ts'),
    // Writes to a receiver named a cache: a cache miss, not data, if cut off.
    project.file('valid-cache-write.ts'),
    // Branches only development runs (`if (env.isDevelopment)`): no deploy runs them.
    project.file('valid-development-only.ts'),
    project.file('development-env.ts'),
    {
      ...project.file('valid-tracker-option.ts'),
      options: [{ trackers: ['inflight.track'], allowForKnownSafeCalls: [{ from: 'file', name: 'fireAndForget' }] }],
    },
    // The listener option is off by default.
    project.file('invalid-event-listener.ts'),
    // Repositories reached through the program's getters, awaited or returned; `create` is no query.
    project.file('valid-own-getters.ts'),
    // A job listener that starts no work; a program's own emitter stays opt-in.
    project.file('valid-job-events.ts'),
    // Worker threads kept and waited for, and one started with the service.
    project.file('valid-worker-thread.ts'),
  ],
  invalid: [
    // An async implementation, none in the program, or a library's type: the call may drop work.
    {
      ...asyncImplementation,
      errors: [34, 35, 36, 67].map((line) => ({
        messageId: 'untracked' as const,
        line,
        column: 3,
        suggestions: awaitAt(asyncImplementation.code, line, 3),
      })),
    },
    {
      ...project.file('invalid-async-hook.ts'),
      errors: [
        { messageId: 'untracked', line: 13, suggestions: null },
        { messageId: 'untracked', line: 19, suggestions: null },
        { messageId: 'untracked', line: 25, suggestions: null },
        { messageId: 'untracked', line: 34, suggestions: null },
        { messageId: 'untracked', line: 43, suggestions: null },
        { messageId: 'untracked', line: 44, suggestions: null },
        // `setData` on a store not named a cache, `setDeleted` and `clearData` on one: no fills.
        { messageId: 'untracked', line: 60, suggestions: null },
        { messageId: 'untracked', line: 61, suggestions: null },
        { messageId: 'untracked', line: 62, suggestions: null },
        // A `set`-prefixed fill through a getter not named for a cache.
        { messageId: 'untracked', line: 69, suggestions: null },
      ],
    },
    {
      ...handler,
      errors: [
        // Plain call, .catch, void, .then(a, b), .finally: all still untracked.
        { messageId: 'untrackedInHandler', line: 9, column: 3, suggestions: awaitAt(handler.code, 9, 3) },
        { messageId: 'untrackedInHandler', line: 10, column: 3, suggestions: awaitAt(handler.code, 10, 3) },
        {
          messageId: 'untrackedInHandler',
          line: 11,
          column: 3,
          suggestions: [
            { messageId: 'suggestAwait', output: replaceAt(handler.code, 11, 3, 'void '.length, 'await ') },
          ],
        },
        { messageId: 'untrackedInHandler', line: 12, column: 3, suggestions: awaitAt(handler.code, 12, 3) },
        { messageId: 'untrackedInHandler', line: 13, column: 3, suggestions: awaitAt(handler.code, 13, 3) },
        // Kept in a local that is never awaited.
        { messageId: 'unusedLocalInHandler', line: 14, column: 17 },
        // setImmediate(() => void reindex(id))
        { messageId: 'droppedCallbackInHandler', line: 15, column: 3 },
      ],
    },
    {
      ...frameworks,
      errors: [
        { messageId: 'untrackedInHandler', line: 10, column: 3 }, // node:http createServer callback
        { messageId: 'untrackedInHandler', line: 15, column: 3, suggestions: awaitAt(frameworks.code, 15, 3) }, // Fastify
        { messageId: 'untrackedInHandler', line: 22, column: 3, suggestions: awaitAt(frameworks.code, 22, 3) }, // Koa
        { messageId: 'untrackedInHandler', line: 27, column: 3 }, // Hono
        { messageId: 'untrackedInHandler', line: 35, column: 5 }, // NestJS controller method
      ],
    },
    {
      // Every parameter forwarded in order, as a handler wrapper does, but values, not the response.
      ...forwardedValues,
      errors: [
        {
          messageId: 'untrackedInHandler',
          line: 15,
          column: 5,
          data: { name: 'markVisited(…)' },
          suggestions: [
            { messageId: 'suggestAwait', output: replaceAt(forwardedValues.code, 15, 5, 'void '.length, 'await ') },
          ],
        },
        { messageId: 'untracked', line: 21, column: 3, data: { name: 'markVisited(…)' }, suggestions: null },
      ],
    },
    {
      ...project.file('invalid-outside-handler.ts'),
      errors: [
        { messageId: 'droppedCallback', line: 5, column: 3, data: { dropper: 'setTimeout' } },
        { messageId: 'droppedCallback', line: 8, column: 3, data: { dropper: 'later' } }, // timers' setTimeout, renamed
        { messageId: 'droppedCallback', line: 14, column: 3 }, // forEach(async …)
        { messageId: 'untracked', line: 17, column: 3 }, // async IIFE
        { messageId: 'untracked', line: 23, column: 3, data: { name: 'writeAudit(…)' } },
        { messageId: 'unusedLocal', line: 27, column: 19, data: { variable: 'pending', name: 'writeAudit(…)' } }, // its only use is a dropped .catch
        { messageId: 'untracked', line: 39, column: 3, data: { name: 'saveLater(…)' } }, // async, awaits
        { messageId: 'untracked', line: 40, column: 3, data: { name: 'saveReturned(…)' } }, // async, returns a promise
        { messageId: 'untracked', line: 50, column: 3, data: { name: 'loadInto(…)' } }, // pushes into an array, not a stream
        { messageId: 'untracked', line: 60, column: 3, data: { name: 'destroyNote(…)' } }, // returns untyped work
        { messageId: 'untracked', line: 67, column: 5, data: { name: 'this.flush(…)' } }, // an empty hook
        { messageId: 'untracked', line: 77, column: 3, data: { name: 'notifyLater(…)' } }, // resolves its own promise
        { messageId: 'untracked', line: 86, column: 5, data: { name: 'this.stop(…)' } }, // hands back a run nothing awaited yet
      ],
    },
    {
      // require(path.resolve(__dirname, …)) and path.join: the loaded function returns Promise.all(…).
      ...project.file('invalid-required-by-path.cjs'),
      errors: [
        { messageId: 'untrackedInHandler', line: 12, column: 5, data: { name: 'processVisit(…)' } },
        { messageId: 'untrackedInHandler', line: 15, column: 5, data: { name: 'processLater(…)' } },
      ],
    },
    {
      // `const m = require('./m')` in a `.ts` file is `any` to the checker: the analysis follows the
      // relative path to the module's CommonJS exports (`exports.f =`, `module.exports = { … }`).
      ...requiredModule,
      errors: [
        { messageId: 'untrackedInHandler', line: 13, column: 5, data: { name: 'padStore.removePad(…)' } },
        { messageId: 'untrackedInHandler', line: 14, column: 5, data: { name: 'padStore.savePad(…)' } },
        { messageId: 'untrackedInHandler', line: 15, column: 5, data: { name: 'padHistory.appendRevision(…)' } },
        { messageId: 'untrackedInHandler', line: 16, column: 5, data: { name: 'padHistory.appendLater(…)' } },
        {
          messageId: 'untrackedInHandler',
          line: 26,
          column: 5,
          data: { name: 'pad.remove(…)' },
          suggestions: awaitAt(requiredModule.code, 26, 5),
        },
        {
          messageId: 'untrackedInHandler',
          line: 27,
          column: 5,
          data: { name: 'pad.appendRevision(…)' },
          suggestions: awaitAt(requiredModule.code, 27, 5),
        },
      ],
    },
    {
      // `Promise.resolve().then(() => writeFile(…))`: the handler starts the work, and it is dropped.
      ...project.file('invalid-promise-resolve.ts'),
      errors: [{ messageId: 'untrackedInHandler', line: 7, column: 5, data: { name: 'Promise.resolve(…)' } }],
    },
    {
      // A plugin's state, a `window` guard and a `view` outside a plugin can run on the server.
      ...project.file('editor/invalid-editor-state.ts'),
      errors: [13, 22, 28].map((line) => ({ messageId: 'untracked' as const, line, suggestions: null })),
    },
    {
      // Reads followed by a write, a call nobody can see into, a limiter that also counts in Redis.
      ...project.file('invalid-read-only-neighbours.ts'),
      errors: [
        { messageId: 'droppedCallback', line: 14, data: { dropper: 'setInterval' } },
        { messageId: 'droppedCallback', line: 18, data: { dropper: 'setInterval' } },
        { messageId: 'untracked', line: 26, data: { name: 'redis.get(…)' }, suggestions: null },
        { messageId: 'untrackedInHandler', line: 46, data: { name: 'limiter.removeTokens(…)' }, suggestions: null },
      ],
    },
    {
      // An audit written after the body stream ended; a stream that is no response's body.
      ...project.file('invalid-response-body-neighbours.ts'),
      errors: [15, 28].map((line) => ({ messageId: 'untracked' as const, line, column: 3, suggestions: null })),
    },
    {
      // A row written and pushed, a model's own findAll that writes, a push to the cluster's other
      // servers, a send to another service's WebSocket, a value the analysis cannot see into.
      ...pushNeighbours,
      errors: [24, 30, 36, 42, 48].map((line) => ({
        messageId: 'untracked' as const,
        line,
        column: 3,
        suggestions: null,
      })),
    },
    {
      // A GET then a database save, a POST, a PUT, an init built elsewhere, a GET through an unknown
      // function, a DELETE through the wrapper class, a GET whose answer is dropped (sent for its effect).
      ...refreshNeighbours,
      errors: [
        ...[23, 29, 34, 38, 43].map((line) => ({
          messageId: 'untracked' as const,
          line,
          column: 3,
          suggestions: null,
        })),
        { messageId: 'untracked', line: 66, column: 5, suggestions: awaitAt(refreshNeighbours.code, 66, 5) },
        { messageId: 'untracked', line: 83, column: 3, suggestions: null },
      ],
    },
    {
      // Not production (also test and staging), a disjunction, the production branch, a function given
      // the environment, a `let`, and 'development' compared with a value not named for the environment.
      ...project.file('invalid-development-neighbours.ts'),
      errors: [11, 12, 13, 14, 18, 21, 22, 24].map((line) => ({ messageId: 'untracked' as const, line })),
    },
    {
      // A shared client closed when one send fails, and a per-call one closed after a success.
      ...project.file('invalid-failed-client-release.ts'),
      errors: [8, 9, 15, 18].map((line) => ({ messageId: 'untracked' as const, line, suggestions: null })),
    },
    {
      // An async function whose JSDoc says `@returns {void}` still returns a promise (uptime-kuma H1).
      ...project.file('invalid-jsdoc-void-async.cjs'),
      errors: [
        { messageId: 'droppedCallback', line: 29, column: 22, data: { dropper: 'setTimeout' } },
        {
          messageId: 'untracked',
          line: 42,
          column: 5,
          data: { name: 'safeBeat(…)' },
          suggestions: awaitAt(project.file('invalid-jsdoc-void-async.cjs').code, 42, 5),
        },
      ],
    },
    {
      ...project.file('invalid-top-level-of-imported-module.ts'),
      errors: [{ messageId: 'untracked', line: 4, column: 1 }],
    },
    {
      ...project.file('invalid-tracker-without-option.ts'),
      errors: [{ messageId: 'untrackedInHandler', line: 8, column: 3, data: { name: 'inflight.track(…)' } }],
    },
    {
      ...suggestTrack,
      options: [{ trackers: ['inflight.track'] }],
      errors: [
        {
          messageId: 'untrackedInHandler',
          line: 9,
          column: 3,
          suggestions: [
            {
              messageId: 'suggestTrack',
              data: { tracker: 'inflight.track' },
              output: suggestTrack.code.replace(
                'void sendReceipt({ id: String(req.query.id) });',
                'inflight.track(sendReceipt({ id: String(req.query.id) }));',
              ),
            },
          ],
        },
      ],
    },
    {
      ...suggestLifecycle,
      errors: [
        {
          messageId: 'untrackedInHandler',
          line: 10,
          column: 3,
          suggestions: [
            {
              messageId: 'suggestTrack',
              data: { tracker: 'life.track' },
              output: suggestLifecycle.code.replace(
                'void sendReceipt({ id: String(req.query.id) });',
                'life.track(sendReceipt({ id: String(req.query.id) }));',
              ),
            },
          ],
        },
      ],
    },
    {
      ...project.file('invalid-responds-before.ts'),
      errors: [
        { messageId: 'untrackedInHandler', line: 11, column: 3 }, // answered before; `.catch` only on failure
        { messageId: 'untracked', line: 15, column: 3 }, // a WebSocket, not a request's response
        { messageId: 'untrackedInHandler', line: 20, column: 3 }, // an IIFE that answers, then awaits more
      ],
    },
    {
      // Next to a batching queue: a flush that acknowledges before it writes, a call that settles nobody.
      ...project.file('invalid-batch-resolvers-neighbours.ts'),
      errors: [
        { messageId: 'untracked', line: 11, column: 7 },
        { messageId: 'untracked', line: 29, column: 7 },
      ],
    },
    {
      ...project.file('invalid-interval-cleared.ts'),
      errors: [
        { messageId: 'droppedCallback', line: 9, column: 16, data: { dropper: 'setInterval' } },
        { messageId: 'droppedCallback', line: 12, column: 16, data: { dropper: 'setTimeout' } },
      ],
    },
    {
      // Issue 17: a tracker of the program's own that no shutdown path drains.
      ...project.file('invalid-tracker-not-drained.ts'),
      errors: [
        {
          messageId: 'trackerNotDrained',
          line: 21,
          column: 3,
          data: { name: 'inflight.run(…)', drain: 'settleAll' },
        },
      ],
    },
    {
      // No types for the library: the catalogue knows `queue.add()` and Redis commands return promises.
      ...project.file('invalid-untyped-libraries.ts'),
      errors: [
        { messageId: 'untracked', line: 12, column: 5, data: { name: 'this.generalQueue.add(…)' } },
        { messageId: 'untracked', line: 16, column: 5, data: { name: 'this.redis.set(…)' } },
        // What util.promisify returns, over an untyped method.
        { messageId: 'untracked', line: 33, column: 3, data: { name: 'destroySession(…)' } },
        { messageId: 'untracked', line: 34, column: 3, data: { name: 'promisify(request.session.regenerate)(…)' } },
      ],
    },
    {
      // A release whose rejection is unhandled, a writable's close (a flush), a helper that also writes.
      ...project.file('invalid-release.ts'),
      errors: [
        { messageId: 'untracked', line: 14, column: 3, data: { name: 'response.body.cancel(…)' } },
        { messageId: 'untracked', line: 15, column: 3, data: { name: 'sink.close(…)' } },
        { messageId: 'untracked', line: 16, column: 3, data: { name: 'cancelAndAudit(…)' } },
      ],
    },
    {
      ...project.file('invalid-event-listener.ts'),
      options: [{ checkEventListeners: true }],
      errors: [{ messageId: 'droppedCallback', line: 7, column: 3, data: { dropper: 'bus.on' } }],
    },
    {
      // No types for typeorm: the repository comes from a function declared to return one, and
      // from a field an async getter returns (issue 14, overseerr H5/H6).
      ...getters,
      errors: [
        {
          messageId: 'untracked',
          line: 19,
          column: 5,
          data: { name: 'orders.save(…)' },
          suggestions: awaitAt(getters.code, 19, 5),
        },
        {
          messageId: 'untracked',
          line: 27,
          column: 5,
          data: { name: '(await this.orders(…)).remove(…)' },
          suggestions: awaitAt(getters.code, 27, 5),
        },
      ],
    },
    {
      // A worker thread started for a request and dropped (issue 14, zipline H7).
      ...project.file('invalid-worker-thread.ts'),
      errors: [
        { messageId: 'untrackedWorker', line: 7, column: 3, data: { name: 'new Worker(…)' } },
        { messageId: 'untrackedWorker', line: 12, column: 3, data: { name: 'new Worker(…)' } },
      ],
    },
    {
      // A job queue's events, reported without the option (issue 14, garbo H4).
      ...project.file('invalid-job-events.ts'),
      errors: [
        { messageId: 'droppedCallback', line: 13, column: 1, data: { dropper: 'events.on' } },
        { messageId: 'droppedCallback', line: 14, column: 1, data: { dropper: 'worker.on' } },
      ],
    },
  ],
});
