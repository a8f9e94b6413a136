// no-unclosed-resource -> `lifecycle.adopt(resource, (r) => r.close())` at its creation: the
// lifecycle closes it at shutdown, after the servers drained and the tracked work finished, in
// reverse registration order (a pool created before the producer that uses it closes after it).
import noUnclosedResource from '../rules/no-unclosed-resource/no-unclosed-resource.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof noUnclosedResource>;

/** `(p) => p.end()`: the closer's parameter is named after the resource's initial. */
function closer(context: RewriteContext, finding: Finding): Node {
  const { j } = context;
  const last = (finding.data.name ?? finding.data.label ?? '').split(/[ .]/).pop() ?? '';
  const parameter = /^[A-Za-z]/.test(last) ? last[0]!.toLowerCase() : 'r';
  return j.arrowFunctionExpression(
    [j.identifier(parameter)],
    j.callExpression(j.memberExpression(j.identifier(parameter), j.identifier(finding.data.method!)), []),
  );
}

function isAdopt(node: Node): boolean {
  return (
    node?.type === 'CallExpression' &&
    node.callee.type === 'MemberExpression' &&
    !node.callee.computed &&
    node.callee.property.name === 'adopt'
  );
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  switch (finding.messageId) {
    case 'unclosedInScript':
      return {
        leftForPerson: `a script is not stopped by a signal: close \`${finding.data.name}\` when its work is done (\`await ${finding.data.close}\` in a \`finally\`)`,
      };
    case 'unclosedInFunction':
      return {
        leftForPerson: `opened on every call of \`${finding.data.fn}\`: close it in a \`finally\` block or declare it with \`await using\` (adopting it would keep one closer per call)`,
      };
    case 'closedOffShutdownPath':
      return {
        leftForPerson: `\`${finding.data.close}\` already runs off the shutdown path: move it into \`lifecycle.defer(() => ${finding.data.close})\`, or adopt it at creation and drop the other close`,
      };
  }
  if (!finding.data.method) {
    return {
      leftForPerson: `a module-level connection closed through \`${finding.data.close}\`: register \`lifecycle.defer(() => ${finding.data.close})\` by hand`,
    };
  }
  const creation = context.nodeAt(finding, ['NewExpression', 'CallExpression', 'OptionalCallExpression']);
  if (!creation) return { leftForPerson: 'no rewrite for this creation: adopt it by hand' };
  // `await MongoClient.connect(url)`: the lifecycle adopts the client, not the promise of it.
  const target = creation.parent?.node.type === 'AwaitExpression' ? creation.parent : creation;
  if (isAdopt(target.parent?.node)) return 'unchanged';
  target.replace(
    j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('adopt')), [
      target.node,
      closer(context, finding),
    ]),
  );
  return 'rewritten';
}

export default defineCodemod({
  name: 'unclosed-resource-to-lifecycle-adopt',
  rule: noUnclosedResource,
  description: 'Hands a pool, client or producer nothing closes to `lifecycle.adopt(resource, close)` at its creation',
  rewrite,
});
