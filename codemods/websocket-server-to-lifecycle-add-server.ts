// require-websocket-drain -> `lifecycle.addServer(new WebSocketServer(…))` at its creation: the
// lifecycle closes a ws server (1001 to every client, terminate at the deadline) or a socket.io
// server (`io.close()`, bounded) when shutdown begins, in parallel with the HTTP servers.
import requireWebsocketDrain from '../rules/require-websocket-drain/require-websocket-drain.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof requireWebsocketDrain>;

function isAddServer(node: Node): boolean {
  return (
    node?.type === 'CallExpression' &&
    node.callee.type === 'MemberExpression' &&
    !node.callee.computed &&
    node.callee.property.name === 'addServer'
  );
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  switch (finding.messageId) {
    case 'upgradeLeftOpen':
      return {
        leftForPerson:
          'a hand-written `upgrade` handler: keep its sockets and end them at shutdown, or hand them to a ' +
          'ws server given to `lifecycle.addServer()`',
      };
    case 'notKept':
      return {
        leftForPerson:
          'the server is not kept in a variable: keep it and hand it to `lifecycle.addServer()`, or close ' +
          'its clients at shutdown',
      };
  }
  const creation = context.nodeAt(finding, ['NewExpression', 'CallExpression']);
  if (!creation)
    return { leftForPerson: 'no rewrite for this creation: hand the server to `lifecycle.addServer()` by hand' };
  if (isAddServer(creation.parent?.node)) return 'unchanged';
  creation.replace(
    j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('addServer')), [creation.node]),
  );
  return 'rewritten';
}

export default defineCodemod({
  name: 'websocket-server-to-lifecycle-add-server',
  rule: requireWebsocketDrain,
  description:
    'Hands a ws or socket.io server whose clients no shutdown path closes to `lifecycle.addServer()` at its creation',
  rewrite,
});
