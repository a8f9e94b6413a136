// require-signal-handler -> `lifecycle.handleSignals()` once in the listening module, and the
// server handed to the lifecycle (`lifecycle.addServer(app.listen(port))`), so that the first
// SIGTERM drains it, waits for the tracked work and runs the closers. NestJS gets its own way,
// `app.enableShutdownHooks()`.
import type { ASTPath } from 'jscodeshift';
import requireSignalHandler from '../rules/require-signal-handler/require-signal-handler.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';
import { quoteStyle } from './lib/imports.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof requireSignalHandler>;

/** Kinds whose `listen()` (or listening factory, `serve()`) returns the node:net/http server itself. */
const returnsServer = new Set(['http.Server', 'http2.Server', 'net.Server', 'express.App', 'koa.App']);

/** Files that already got their `handleSignals()` in this run. */
const installed = new WeakSet<object>();

function isMethodCall(node: Node, name: string): boolean {
  return (
    (node?.type === 'CallExpression' || node?.type === 'OptionalCallExpression') &&
    (node.callee.type === 'MemberExpression' || node.callee.type === 'OptionalMemberExpression') &&
    !node.callee.computed &&
    node.callee.property.name === name
  );
}

function isFunction(node: Node): boolean {
  return /Function|ArrowFunctionExpression|ObjectMethod|ClassMethod/.test(node?.type ?? '');
}

/** The statement holding `path` in a statement list, without leaving the function it is in. */
function statementOf(path: ASTPath<Node>): ASTPath<Node> | undefined {
  for (let p: ASTPath<Node> | undefined = path; p; p = p.parent) {
    if (isFunction(p.node)) return undefined;
    const parent = p.parent?.node as Node;
    if (parent && Array.isArray(parent.body) && /Statement|Declaration/.test(p.node.type)) return p;
    if (parent?.type === 'SwitchCase' && parent.consequent.includes(p.node)) return p;
  }
  return undefined;
}

/** `app`, `this.app`, `server.http`: a receiver that can be named again without side effects. */
function isPlainReference(node: Node): boolean {
  if (node?.type === 'Identifier' || node?.type === 'ThisExpression') return true;
  return node?.type === 'MemberExpression' && !node.computed && isPlainReference(node.object);
}

/** `{ signals: ['SIGTERM'] }` when the service handles SIGINT already: a second SIGINT listener would make Ctrl-C do two things. */
function handleSignalsArguments(context: RewriteContext, finding: Finding): Node[] {
  const handled = (finding.data.signals ?? '').split(/,\s*/);
  if (!handled.includes('SIGINT')) return [];
  const quote = quoteStyle(context.j, context.root) === 'double' ? '"' : "'";
  // Written as text: recast prints every new object literal over several lines.
  return [context.j.identifier(`{ signals: [${quote}SIGTERM${quote}] }`)];
}

/** `lifecycle.handleSignals()` once per file, at the top level after the imports: it runs as the module loads. */
function installHandleSignals(context: RewriteContext, finding: Finding): void {
  const { j, root } = context;
  const program = root.find(j.Program).get().node as object;
  if (
    installed.has(program) ||
    root
      .find(j.CallExpression)
      .filter((p) => isMethodCall(p.node, 'handleSignals'))
      .size() > 0
  )
    return;
  installed.add(program);
  const call = j.callExpression(
    j.memberExpression(context.lifecycle(), j.identifier('handleSignals')),
    handleSignalsArguments(context, finding),
  );
  context.addStatement(call);
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const { kind = '', name, label } = finding.data;
  const call = context.nodeAt(finding, ['CallExpression', 'NewExpression']);
  if (!call)
    return {
      leftForPerson: `no rewrite for \`${name}\`: hand the server to \`lifecycle.addServer()\` and call \`lifecycle.handleSignals()\` by hand`,
    };
  const node = call.node as Node;

  if (kind === 'nest.App') {
    const statement = statementOf(call);
    const app = node.callee?.object;
    if (!isMethodCall(node, 'listen') || !statement || !isPlainReference(app)) {
      return { leftForPerson: `a NestJS app: call \`app.enableShutdownHooks()\` before \`${name}\` by hand` };
    }
    const signals = (finding.data.signals ?? '').split(/,\s*/).includes('SIGINT')
      ? [j.arrayExpression([j.stringLiteral('SIGTERM')])]
      : [];
    statement.insertBefore(
      j.expressionStatement(j.callExpression(j.memberExpression(app, j.identifier('enableShutdownHooks')), signals)),
    );
    return 'rewritten';
  }

  if (kind === 'fastify.Instance') {
    const statement = statementOf(call);
    const app = node.callee?.object;
    if (!isMethodCall(node, 'listen') || !isPlainReference(app)) {
      return {
        leftForPerson: `a Fastify app started through \`${name}\`: call \`lifecycle.addServer(app)\` after it by hand`,
      };
    }
    if (!statement || statement.node.type === 'ReturnStatement') {
      return {
        leftForPerson: `\`${name}\` is not a statement of its own: call \`lifecycle.addServer(app)\` after it by hand`,
      };
    }
    // Fastify's listen() resolves to the address: the lifecycle takes the app (its close runs the onClose hooks).
    installHandleSignals(context, finding);
    statement.insertAfter(
      j.expressionStatement(
        j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('addServer')), [app]),
      ),
    );
    return 'rewritten';
  }

  if (!returnsServer.has(kind) || node.type === 'NewExpression') {
    return {
      leftForPerson: `\`lifecycle.addServer\` does not take a ${label}: call \`lifecycle.handleSignals()\` and close it with \`lifecycle.defer(() => …)\` by hand`,
    };
  }
  if (isMethodCall(call.parent?.node, 'addServer')) return 'unchanged';
  installHandleSignals(context, finding);
  // `listen()` returns the server (Express and Koa: the http.Server they create), and so does `addServer`.
  call.replace(j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('addServer')), [node]));
  return 'rewritten';
}

export default defineCodemod({
  name: 'no-signal-handler-to-lifecycle-handle-signals',
  rule: requireSignalHandler,
  description:
    'Installs `lifecycle.handleSignals()` in a service that listens without handling SIGTERM, and ' +
    'hands the server to `lifecycle.addServer()`',
  rewrite,
});
