import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'require-signal-handler');
const rule = plugin.rules['require-signal-handler']!;

const noHandler = (line: number, column: number, name: string, label: string) => ({
  messageId: 'noSignalHandler' as const,
  line,
  column,
  data: { name, label },
});

ruleTesterFor(project).run('require-signal-handler', rule, {
  valid: [
    project.file('valid-process-on.ts'),
    project.file('valid-add-listener.ts'),
    project.file('valid-prepend-listener.ts'),
    project.file('valid-signal-list.ts'),
    project.file('valid-listener-factory.ts'),
    project.file('valid-events-once.ts'),
    project.file('valid-listener-param.ts'),
    project.file('valid-close-with-grace.ts'),
    // terminus adds `signals` to its default SIGTERM
    project.file('valid-terminus.ts'),
    project.file('valid-http-graceful-shutdown.ts'),
    project.file('valid-lightship.ts'),
    project.file('valid-exit-hook.ts'),
    project.file('valid-async-exit-hook.ts'),
    project.file('valid-ladjs-graceful.ts'),
    project.file('valid-nest.ts'),
    project.file('valid-lifecycle.ts'),
    project.file('valid-create-lifecycle.ts'),
    // exported, never called in this program
    project.file('valid-library-export.ts'),
    // a serverless function's local listen
    project.file('valid-serverless.ts'),
    // a CLI's brief listen, closed by its own code
    project.file('valid-cli-callback.ts'),
    // WebSocket servers on a shared HTTP server do not listen themselves
    project.file('valid-attached-websocket.ts'),
    // one service of several: its entry loads shutdown.ts
    project.file('valid-api-service.ts'),
    project.file('shutdown.ts'),
    // listens in a module whose entry handles SIGTERM
    project.file('metrics-server.ts'),
    project.file('valid-worker-service.ts'),
    project.file('start.ts'),
    // test files are skipped unless checkTestFiles, and so are helpers only test files load
    project.file('server.test.ts'),
    project.file('handler.test.ts'),
    project.file('helper.test.ts'),
    project.file('main.e2e.ts'),
    project.file('test-server.ts'),
    project.file('e2e/bridge-server.ts'),
  ],
  invalid: [
    {
      ...project.file('invalid-express.ts'),
      errors: [noHandler(8, 1, 'app.listen()', 'Express app'), noHandler(11, 1, 'internal.listen()', 'HTTP server')],
    },
    {
      ...project.file('invalid-sigint-only.ts'),
      errors: [
        {
          messageId: 'noSigtermHandler',
          line: 7,
          column: 7,
          data: { name: 'app.listen()', label: 'Fastify app', signals: 'SIGINT' },
        },
      ],
    },
    {
      ...project.file('invalid-websocket.ts'),
      errors: [
        noHandler(5, 13, 'new WebSocketServer()', 'WebSocket server'),
        noHandler(8, 12, 'new SocketIoServer()', 'socket.io server'),
      ],
    },
    {
      ...project.file('invalid-hono.ts'),
      errors: [noHandler(8, 1, 'serve()', 'HTTP server')],
    },
    {
      ...project.file('invalid-nest.ts'),
      errors: [noHandler(10, 9, 'app.listen()', 'NestJS app')],
    },
    {
      ...project.file('invalid-nest-sigint.ts'),
      errors: [
        {
          messageId: 'noSigtermHandler',
          line: 11,
          column: 9,
          data: { name: 'app.listen()', label: 'NestJS app', signals: 'SIGINT' },
        },
      ],
    },
    {
      // terminus with `signal: 'SIGINT'`, http-graceful-shutdown with `signals: 'SIGINT SIGHUP'`
      ...project.file('invalid-library-signals.ts'),
      errors: [
        {
          messageId: 'noSigtermHandler',
          line: 10,
          column: 1,
          data: { name: 'server.listen()', label: 'HTTP server', signals: 'SIGINT, SIGHUP' },
        },
      ],
    },
    {
      ...project.file('invalid-require.ts'),
      errors: [
        noHandler(9, 5, 'this.server.listen()', 'TCP server'),
        noHandler(13, 1, 'makeServer(…).listen()', 'HTTP server'),
        noHandler(18, 1, 'new SMTPServer(…).listen()', 'SMTP server'),
      ],
    },
    {
      // the program's other service handles SIGTERM; this one never loads its handler
      ...project.file('invalid-admin-service.ts'),
      errors: [noHandler(8, 1, 'admin.listen()', 'Express app')],
    },
    {
      // the only listener is in a test file
      ...project.file('invalid-handler-in-test.ts'),
      errors: [noHandler(4, 23, 'express(…).listen()', 'Express app')],
    },
    {
      // main.e2e.ts imports it (and handles SIGTERM itself): it is still a production entry
      ...project.file('invalid-main-used-by-e2e.ts'),
      errors: [noHandler(5, 1, 'app.listen()', 'Express app')],
    },
    {
      ...project.file('server.test.ts'),
      options: [{ checkTestFiles: true }],
      errors: [noHandler(5, 1, 'server.listen()', 'HTTP server')],
    },
    {
      ...project.file('test-server.ts'),
      options: [{ checkTestFiles: true }],
      errors: [noHandler(5, 10, 'http.createServer(…).listen()', 'HTTP server')],
    },
  ],
});
