// Clients ended in a plugin's teardown method that its host calls only through an untyped bag of
// services (`(this.services as any)[name].close()`), which the index cannot follow: issue 14,
// deepstreamIO/deepstream.io src/services/http/node/node-http.ts:141. Undecidable statically; a
// teardown that ends what the class owns is taken as run by its owner's shutdown, unless a caller
// the index does see decides otherwise.
import plugin from '../../../src/eslint/plugin.js';
import { fixtureProject } from '../../support/fixtures.js';
import { ruleTesterFor } from '../../support/rule-tester.js';

const rule = plugin.rules['require-websocket-drain']!;
const project = fixtureProject('rules', 'require-websocket-drain', 'plugin-host');
const wsFix = 'On the shutdown path send each client `close(1001)`, then `terminate()` those still open at a deadline.';
const leftOpen = (line: number, column: number, name: string) => ({
  messageId: 'clientsLeftOpen' as const,
  line,
  column,
  data: { name, label: 'WebSocket server', fix: wsFix },
});

ruleTesterFor(project).run('require-websocket-drain: a plugin closed by its host through an untyped bag', rule, {
  valid: [project.file('socket-service.ts'), project.file('host.ts')],
  invalid: [
    // A resolved caller of dispose() that is not shutdown decides, despite an untyped dispose().
    { ...project.file('invalid-relay.ts'), errors: [leftOpen(7, 29, 'this.server')] },
    // No call of shutdown() at all, typed or not.
    { ...project.file('invalid-feed.ts'), errors: [leftOpen(6, 29, 'this.server')] },
  ],
});
