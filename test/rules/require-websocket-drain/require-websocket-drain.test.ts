import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const project = fixtureProject('rules', 'require-websocket-drain');
const rule = plugin.rules['require-websocket-drain']!;

const wsFix = 'On the shutdown path send each client `close(1001)`, then `terminate()` those still open at a deadline.';
const ioFix = 'Call `close()` on the shutdown path.';

const leftOpen = (line: number, column: number, name: string, label: string, fix: string) => ({
  messageId: 'clientsLeftOpen' as const,
  line,
  column,
  data: { name, label, fix },
});

ruleTesterFor(project).run('require-websocket-drain', rule, {
  valid: [
    // Close frames then terminate at a deadline (for-of, forEach, a spread copy, Array.from), in a
    // helper shutdown calls with the server, `closeTimeout` bounding the frames, terminate at once.
    project.file('valid-ws.ts'),
    // io.close(), disconnectSockets(true) in a closer list shutdown runs, io.engine.close().
    project.file('valid-socketio.ts'),
    // closeServer() on the attached server, lifecycle.addServer() (also for noServer + handleUpgrade),
    // lifecycle.defer(() => io.close()), lifecycle.adopt(wss, closer).
    project.file('valid-lifecycle.ts'),
    // The ws or socket.io server itself handed to lifecycle.addServer() (wrapped at its creation or
    // later), or to closeServer() / lifecycle.closeServer() on a shutdown path.
    project.file('valid-add-server.ts'),
    // A hand-written handler whose sockets shutdown destroys; one that only turns upgrades away.
    project.file('valid-upgrade.ts'),
    // stoppable stopped by a closer a registry runs (also for a server passed as a parameter),
    // terminus; upgrade listeners that only watch for errors or turn the upgrade away via a helper.
    project.file('valid-wrappers.ts'),
    // require() in CommonJS, `forEach` drain.
    project.file('valid-commonjs.cjs'),
    // The clients terminated in a subclass's stop(), which shutdown runs through the base class
    // (`for (const extension of extensions) await extension.stop()`).
    project.file('valid-extension-dispatch.ts'),
    // Each client ended by a loop on the shutdown path: socket.io's `io.sockets.sockets` walked by
    // id (Object.keys) or `io.of('/').sockets` (a Map), each `disconnect(true)`.
    project.file('valid-each-client.cjs'),
    // The service's own map of client wrappers, filled by the server's 'connection' listener,
    // each destroyed by a close() that SIGTERM runs.
    project.file('valid-tracked-clients.ts'),
    // Test files are skipped by default.
    project.file('sockets.test.ts'),
    project.file('service.ts'),
  ],
  invalid: [
    {
      ...project.file('invalid-ws.ts'),
      errors: [
        leftOpen(6, 23, 'prices', 'WebSocket server', wsFix),
        { messageId: 'serverCloseOnly', line: 10, column: 14, data: { name: 'chat' } },
        { messageId: 'notTerminated', line: 18, column: 14, data: { name: 'feed' } },
        { messageId: 'notKept', line: 24, column: 1, data: { label: 'WebSocket server', fix: wsFix } },
        // terminated only in a function shutdown never calls
        leftOpen(27, 16, 'alerts', 'WebSocket server', wsFix),
      ],
    },
    {
      ...project.file('invalid-socketio.ts'),
      errors: [
        // only the HTTP server is closed
        leftOpen(7, 12, 'io', 'socket.io server', ioFix),
        // closeServer() on another server; disconnectSockets() without `true`
        leftOpen(16, 15, 'rooms', 'socket.io server', ioFix),
        // the `engine` closed at shutdown is another object's
        leftOpen(24, 18, 'presence', 'socket.io server', ioFix),
      ],
    },
    {
      ...project.file('invalid-each-client.ts'),
      errors: [
        // `disconnect()` without `true` in the loop
        leftOpen(7, 12, 'io', 'socket.io server', ioFix),
        // kept clients terminated only outside shutdown
        leftOpen(15, 14, 'feed', 'WebSocket server', wsFix),
      ],
    },
    {
      ...project.file('invalid-upgrade.ts'),
      errors: [
        // handed to a proxy
        { messageId: 'upgradeLeftOpen', line: 8, column: 1 },
        // kept in a set shutdown never empties
        { messageId: 'upgradeLeftOpen', line: 14, column: 1 },
      ],
    },
    {
      ...project.file('invalid-require.ts'),
      errors: [
        leftOpen(10, 21, 'live', 'WebSocket server', wsFix),
        leftOpen(11, 23, 'legacy', 'WebSocket server', wsFix),
        // require('socket.io')(server)
        leftOpen(12, 19, 'io', 'socket.io server', ioFix),
      ],
    },
  ],
});
