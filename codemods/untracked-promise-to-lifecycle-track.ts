// no-untracked-promise -> `lifecycle.track(…)`: work started and dropped becomes work shutdown
// waits for. The rejection handler stays where it was (`lifecycle.track(p.catch(log))`).
import type { ASTPath } from 'jscodeshift';
import noUntrackedPromise from '../rules/no-untracked-promise/no-untracked-promise.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof noUntrackedPromise>;

function unparenthesized(node: Node): Node {
  let e = node;
  while (
    e?.type === 'ParenthesizedExpression' ||
    e?.type === 'TSAsExpression' ||
    e?.type === 'TSSatisfiesExpression' ||
    e?.type === 'TSNonNullExpression'
  ) {
    e = e.expression;
  }
  return e;
}

function isVoid(node: Node): boolean {
  return node?.type === 'UnaryExpression' && node.operator === 'void';
}

/** `lifecycle.track(…)` or `<anything>.track(…)` on a lifecycle: already in the target form. */
function isTracked(node: Node): boolean {
  const e = unparenthesized(node);
  return (
    e?.type === 'CallExpression' &&
    e.callee.type === 'MemberExpression' &&
    !e.callee.computed &&
    e.callee.property.name === 'track' &&
    /lifecycle$/i.test(
      e.callee.object.type === 'Identifier' ? e.callee.object.name : (e.callee.object.property?.name ?? ''),
    )
  );
}

function track(context: RewriteContext, work: Node): Node {
  const { j } = context;
  return j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('track')), [work]);
}

/** `work();`, `void work();`, `work().catch(log);`, `ready && work();` */
function rewriteStatement(context: RewriteContext, statement: ASTPath<Node>): RewriteResult {
  let expression = unparenthesized(statement.node.expression);
  if (isVoid(expression)) expression = expression.argument;
  if (isTracked(expression)) return 'unchanged';
  if (expression.type === 'LogicalExpression') {
    // Only the right side's value is dropped: `ready && lifecycle.track(work())`.
    let right = unparenthesized(expression.right);
    if (isVoid(right)) right = right.argument;
    if (isTracked(right)) return 'unchanged';
    if (!isCallLike(right))
      return {
        leftForPerson: 'the dropped promise is inside a nested expression: wrap it in `lifecycle.track(…)` by hand',
      };
    expression.right = track(context, right);
    statement.node.expression = expression;
    return 'rewritten';
  }
  if (!isCallLike(expression)) {
    return {
      leftForPerson:
        expression.type === 'ConditionalExpression' || expression.type === 'SequenceExpression'
          ? 'a branch of this expression drops a promise: wrap the promise-valued branch in `lifecycle.track(…)` by hand'
          : 'the dropped promise is not a call: wrap it in `lifecycle.track(…)` by hand',
    };
  }
  statement.node.expression = track(context, expression);
  return 'rewritten';
}

function isCallLike(node: Node): boolean {
  return node?.type === 'CallExpression' || node?.type === 'NewExpression' || node?.type === 'OptionalCallExpression';
}

/** `items.forEach(async (item) => …);` -> `lifecycle.track(Promise.all(items.map(async (item) => …)));` */
function rewriteForEach(context: RewriteContext, finding: Finding, call: ASTPath<Node>): RewriteResult {
  const { j } = context;
  const callee = call.node.callee;
  const isForEach = callee.type === 'MemberExpression' && !callee.computed && callee.property.name === 'forEach';
  if (!isForEach) {
    return {
      leftForPerson: `\`${finding.data.dropper}\` drops the promise of its callback: track the work inside it, e.g. \`() => void lifecycle.track(work())\``,
    };
  }
  if (!finding.data.arrayForEach) {
    return {
      leftForPerson:
        '`forEach` over something that is not an array (a Map, a Set): collect the promises and track ' +
        '`Promise.all` of them by hand',
    };
  }
  const statement = call.parent;
  if (statement?.node.type !== 'ExpressionStatement' || statement.node.expression !== call.node) {
    return {
      leftForPerson:
        'this `forEach` is not a statement of its own: rewrite it into a tracked `Promise.all(items.map(…))` by hand',
    };
  }
  callee.property = j.identifier('map');
  const all = j.callExpression(j.memberExpression(j.identifier('Promise'), j.identifier('all')), [call.node]);
  statement.node.expression = track(context, all);
  return 'rewritten';
}

export default defineCodemod({
  name: 'untracked-promise-to-lifecycle-track',
  rule: noUntrackedPromise,
  description: 'Wraps work that is started and dropped in `lifecycle.track(…)`, so shutdown waits for it',
  rewrite(context, finding) {
    switch (finding.messageId) {
      case 'untracked':
      case 'untrackedInHandler': {
        const statement = context.nodeAt(finding, ['ExpressionStatement']);
        if (statement) return rewriteStatement(context, statement);
        // `() => void work()`: the arrow keeps returning undefined.
        const voided = context.nodeAt(finding, ['UnaryExpression']);
        if (voided && isVoid(voided.node)) {
          const work = unparenthesized(voided.node.argument);
          if (isTracked(work)) return 'unchanged';
          voided.node.argument = track(context, work);
          return 'rewritten';
        }
        break;
      }
      case 'unusedLocal':
      case 'unusedLocalInHandler': {
        // `const audit = writeAudit(req)` -> `const audit = lifecycle.track(writeAudit(req))`
        const initializer = context.nodeAt(finding, ['CallExpression', 'NewExpression', 'OptionalCallExpression']);
        if (!initializer) break;
        if (isTracked(initializer.node)) return 'unchanged';
        initializer.replace(track(context, initializer.node));
        return 'rewritten';
      }
      case 'lifecycleNotDrained':
        // Already tracked: what is missing is the drain, on the service's shutdown path.
        return {
          leftForPerson:
            'tracked, but no shutdown path waits for the lifecycle: `await lifecycle.shutdown()` in the shutdown handler before it exits',
        };
      case 'droppedInShutdownHook':
        // The framework awaits the hook: the fix is to wait in it, not to hand the work elsewhere.
        return { leftForPerson: 'dropped inside a shutdown hook the framework awaits: await or return it in the hook' };
      case 'untrackedWorker':
        return {
          leftForPerson: "a worker thread, not a promise: keep the worker and wait for its 'exit' at shutdown",
        };
      case 'droppedCallback':
      case 'droppedCallbackInHandler': {
        const call = context.nodeAt(finding, ['CallExpression', 'OptionalCallExpression']);
        if (call) return rewriteForEach(context, finding, call);
        break;
      }
    }
    return { leftForPerson: `no rewrite for this form of \`${finding.messageId}\`: track the work by hand` };
  },
});
