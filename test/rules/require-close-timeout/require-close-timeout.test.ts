import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'require-close-timeout');
const rule = plugin.rules['require-close-timeout']!;

ruleTesterFor(project).run('require-close-timeout', rule, {
  valid: [
    project.file('valid-bounded.ts'),
    project.file('valid-lifecycle.ts'),
    project.file('valid-libraries.ts'),
    // closeAllConnections() or a helper destroying the tracked sockets one line above a close
    // wrapped in `new Promise((cb) => server.close(cb))`
    project.file('valid-force-before-close.ts'),
    // an untyped helper whose calls pass a server and something else
    project.file('valid-helper-parameter.ts'),
    // Test files are skipped unless checkTestFiles.
    project.file('server.test.ts'),
    // A server or app closed in the function that created it, before it ever listened.
    project.file('valid-never-listened.ts'),
    // Free-port probes: no connection listener, closed in their own listen callback.
    project.file('valid-port-probe.ts'),
    // A failed start closing the app before it listens: in the start itself, or a helper only it calls.
    project.file('valid-closed-before-listening.ts'),
  ],
  invalid: [
    {
      // A dropped close followed by process.exit(): the exit's remedy (wait for the close) needs a deadline.
      ...project.file('invalid-exit-follows.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 15, column: 3, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 30, column: 8, data: { name: 'server.close()', label: 'HTTP server' } },
      ],
    },
    {
      // After its listen, in a signal listener, after a hand-off, in a helper a listener also calls.
      ...project.file('invalid-closed-while-listening.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 13, data: { name: 'app.close()', label: 'NestJS app' } },
        { messageId: 'unboundedClose', line: 19, data: { name: 'app.close()', label: 'NestJS app' } },
        { messageId: 'unboundedClose', line: 24, data: { name: 'app.close()', label: 'NestJS app' } },
        { messageId: 'unboundedClose', line: 32, data: { name: 'app.close()', label: 'NestJS app' } },
      ],
    },
    {
      // The close is waited on (callback, Promise wrapper), or the exit after it may not come.
      ...project.file('invalid-exit-neighbours.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 12, column: 3, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 16, column: 34, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 21, column: 3, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 27, column: 3, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 32, column: 3, data: { name: 'server.close()', label: 'HTTP server' } },
      ],
    },
    {
      // Shaped like a port probe, but with a connection or request listener, or closed elsewhere.
      ...project.file('invalid-port-probe-neighbours.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 11, data: { name: 'server.close()', label: 'TCP server' } },
        { messageId: 'unboundedClose', line: 19, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 26, data: { name: 'server.close()', label: 'HTTP server' } },
      ],
    },
    {
      ...project.file('invalid-listened-elsewhere.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 15, data: { name: 'app.close()', label: 'NestJS app' } },
        { messageId: 'unboundedClose', line: 21, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 27, data: { name: 'server.close()', label: 'HTTP server' } },
      ],
    },
    {
      // terminating the WebSocket clients before the close leaves the HTTP requests unbounded
      ...project.file('invalid-websocket-terminate.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 13, column: 34, data: { name: 'server.close()', label: 'HTTP server' } },
        { messageId: 'unboundedClose', line: 21, column: 34, data: { name: 'admin.close()', label: 'HTTP server' } },
      ],
    },
    {
      // an untyped helper's parameter is the server every call passes
      ...project.file('invalid-helper-parameter.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 10, column: 3, data: { name: 'http.close()', label: 'HTTP server' } },
      ],
    },
    {
      ...project.file('invalid-node-http.ts'),
      errors: [
        // server.close(() => process.exit(0)) in a SIGTERM listener
        { messageId: 'unboundedClose', line: 8, column: 3, data: { name: 'server.close()', label: 'HTTP server' } },
        // a net server closed inside a Promise wrapper
        { messageId: 'unboundedClose', line: 15, column: 40, data: { name: 'tcp.close()', label: 'TCP server' } },
      ],
    },
    {
      // promisify(server.close.bind(server)) on the server app.listen returned
      ...project.file('invalid-express.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 8, column: 19, data: { name: 'server.close()', label: 'HTTP server' } },
      ],
    },
    {
      ...project.file('invalid-fastify.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 7, column: 9, data: { name: 'app.close()', label: 'Fastify app' } },
      ],
    },
    {
      ...project.file('invalid-nest.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 11, column: 11, data: { name: 'app.close()', label: 'NestJS app' } },
      ],
    },
    {
      ...project.file('invalid-class-and-hono.ts'),
      errors: [
        {
          messageId: 'unboundedClose',
          line: 14,
          column: 11,
          data: { name: 'this.server[Symbol.asyncDispose]()', label: 'HTTP server' },
        },
        {
          messageId: 'unboundedClose',
          line: 22,
          column: 3,
          data: { name: 'honoServer.close()', label: 'HTTP server' },
        },
        // a parameter typed http.Server: the kind comes from the annotation
        { messageId: 'unboundedClose', line: 26, column: 3, data: { name: 'server.close()', label: 'HTTP server' } },
      ],
    },
    {
      ...project.file('invalid-close-with-grace-no-delay.ts'),
      errors: [{ messageId: 'unboundedClose', line: 9, column: 34 }],
    },
    {
      ...project.file('server.test.ts'),
      options: [{ checkTestFiles: true }],
      errors: [{ messageId: 'unboundedClose', line: 6, column: 3 }],
    },
  ],
});

// Closes in closers of a program's own registry: bounded by what the path that walks the registry arms.
const registry = fixtureProject('rules', 'require-close-timeout-registry');

ruleTesterFor(registry).run('require-close-timeout (closers of a program registry)', rule, {
  valid: [registry.file('valid-registered.ts'), registry.file('shutdown.ts')],
  invalid: [
    {
      ...registry.file('invalid-registered.ts'),
      errors: [
        { messageId: 'unboundedClose', line: 9, column: 49, data: { name: 'server.close()', label: 'HTTP server' } },
      ],
    },
  ],
});
