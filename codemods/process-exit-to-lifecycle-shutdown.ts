// no-exit-before-cleanup -> `process.exitCode = n` and the lifecycle's drain. Only where the
// exit is the last thing its function does: anywhere else, removing it would run code that never
// ran before, and that is a person's call.
import type { ASTPath } from 'jscodeshift';
import noExitBeforeCleanup from '../rules/no-exit-before-cleanup/no-exit-before-cleanup.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof noExitBeforeCleanup>;

function isProcessExit(node: Node): boolean {
  const callee = node?.callee;
  return (
    node?.type === 'CallExpression' &&
    callee?.type === 'MemberExpression' &&
    !callee.computed &&
    callee.object.type === 'Identifier' &&
    callee.object.name === 'process' &&
    callee.property.name === 'exit'
  );
}

function isFunction(node: Node): boolean {
  return /^(FunctionDeclaration|FunctionExpression|ArrowFunctionExpression|ObjectMethod|ClassMethod)$/.test(
    node?.type ?? '',
  );
}

/** The statement `process.exit(…);` when it is the last statement of its function's body. */
function lastStatementOfFunction(call: ASTPath<Node>): ASTPath<Node> | undefined {
  const statement = call.parent;
  if (statement?.node.type !== 'ExpressionStatement' || statement.node.expression !== call.node) return undefined;
  const block = statement.parent;
  if (block?.node.type !== 'BlockStatement' || !isFunction(block.parent?.node)) return undefined;
  const body: Node[] = block.node.body;
  return body[body.length - 1] === statement.node ? statement : undefined;
}

/** `process.exitCode = n;`, or nothing for `process.exit()`, which exits with the current code. */
function exitCodeStatements(context: RewriteContext, call: Node): Node[] {
  const { j } = context;
  const code = call.arguments[0];
  if (!code) return [];
  return [
    j.expressionStatement(
      j.assignmentExpression('=', j.memberExpression(j.identifier('process'), j.identifier('exitCode')), code),
    ),
  ];
}

/** `void lifecycle.shutdown().finally(() => process.exit());` */
function drainThenExit(context: RewriteContext): Node {
  const { j } = context;
  const shutdown = j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('shutdown')), []);
  const exit = j.callExpression(j.memberExpression(j.identifier('process'), j.identifier('exit')), []);
  return j.unaryExpression(
    'void',
    j.callExpression(j.memberExpression(shutdown, j.identifier('finally')), [j.arrowFunctionExpression([], exit)]),
  );
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const why: Record<string, string> = {
    exitInHandler: 'an exit in a request handler: answer the request with an error instead',
    exitInLibrary: 'an exit in library code: throw, and let the entry point decide how to stop',
    exitAfterOpen:
      'an exit after something was opened: validate before opening it, or stop through `lifecycle.shutdown()`',
    exitBeforeLifecycleDrains: 'the lifecycle holds work this exit cuts off: `await lifecycle.shutdown()` before it',
  };
  if (why[finding.messageId]) return { leftForPerson: why[finding.messageId]! };

  // `process.on('SIGINT', process.exit)`: the listener itself.
  const listener = context.nodeAt(finding, ['MemberExpression']);
  if (listener && finding.messageId === 'exitWithoutCleanup') {
    listener.replace(j.arrowFunctionExpression([], drainThenExit(context)));
    return 'rewritten';
  }

  const call = context.nodeAt(finding, ['CallExpression']);
  if (!call || !isProcessExit(call.node)) {
    return { leftForPerson: `\`${finding.data.exit}\` is not a plain \`process.exit(…)\` call: rewrite it by hand` };
  }
  const statement = lastStatementOfFunction(call);
  if (!statement) {
    return {
      leftForPerson: `code after \`${finding.data.exit}\` would run once the exit is gone: set \`process.exitCode\` and return by hand`,
    };
  }
  const replacement = exitCodeStatements(context, call.node);
  if (finding.messageId === 'exitWithoutCleanup') {
    // A signal listener that closed nothing: the lifecycle drains what it knows, then the process
    // exits as before, with the same code, for whatever it does not know.
    replacement.push(j.expressionStatement(drainThenExit(context)));
  }
  // The exit's own comments stay with what replaces it.
  if (replacement[0] && statement.node.comments) replacement[0].comments = statement.node.comments;
  statement.replace(...replacement);
  return 'rewritten';
}

export default defineCodemod({
  name: 'process-exit-to-lifecycle-shutdown',
  rule: noExitBeforeCleanup,
  description: "Replaces `process.exit(n)` on a shutdown path with `process.exitCode = n` and the lifecycle's drain",
  rewrite,
});
