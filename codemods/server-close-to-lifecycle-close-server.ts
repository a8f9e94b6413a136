// require-close-timeout -> `lifecycle.closeServer(server, { timeoutMs })`: a close with a
// deadline and a force path (idle keep-alives closed, in-flight responses told to close their
// connection, everything force-closed at the deadline, upgraded sockets included).
import type { ASTPath } from 'jscodeshift';
import requireCloseTimeout from '../rules/require-close-timeout/require-close-timeout.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof requireCloseTimeout>;

/** The per-server deadline of the lifecycle's own drain. */
const timeoutMs = 10_000;

/** What `closeServer` closes (the catalogue's kinds): node:http/https/http2 servers and Fastify. */
const closable = new Set(['http.Server', 'http2.Server', 'fastify.Instance']);

function closeServerCall(context: RewriteContext, server: Node): Node {
  const { j } = context;
  // Written as text: recast prints every new object literal over several lines.
  const options = j.identifier(`{ timeoutMs: ${timeoutMs.toLocaleString('en-US').replace(/,/g, '_')} }`);
  return j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('closeServer')), [server, options]);
}

/** `server.close(…)` or `server[Symbol.asyncDispose]()`: the server and the arguments. */
function closeParts(call: Node): { server: Node; args: Node[] } | undefined {
  const callee = call.callee;
  if (callee?.type !== 'MemberExpression') return undefined;
  if (!callee.computed && callee.property.name === 'close') return { server: callee.object, args: call.arguments };
  const key = callee.property;
  if (
    callee.computed &&
    key.type === 'MemberExpression' &&
    key.object.name === 'Symbol' &&
    key.property.name === 'asyncDispose'
  ) {
    return { server: callee.object, args: [] };
  }
  return undefined;
}

function enclosingFunction(path: ASTPath<Node>): Node | undefined {
  for (let p = path.parent; p; p = p.parent) {
    if (/Function|ArrowFunctionExpression|ObjectMethod|ClassMethod/.test(p.node.type)) return p.node;
  }
  return undefined;
}

function isFunction(node: Node): boolean {
  return node?.type === 'ArrowFunctionExpression' || node?.type === 'FunctionExpression';
}

/** Identifiers a function reads, except property names. */
function identifiersIn(j: RewriteContext['j'], node: Node): string[] {
  const names: string[] = [];
  j(node)
    .find(j.Identifier)
    .forEach((p) => {
      const parent = p.parent?.node as Node;
      if (
        (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') &&
        parent.property === p.node &&
        !parent.computed
      )
        return;
      names.push(p.node.name);
    });
  return names;
}

/**
 * `new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))`:
 * the whole promise is the close. The callback may only settle the promise.
 */
function promiseAdapterOf(j: RewriteContext['j'], call: ASTPath<Node>, callback: Node): ASTPath<Node> | undefined {
  let executor = call.parent;
  if (executor?.node.type === 'ExpressionStatement') executor = executor.parent;
  if (executor?.node.type === 'BlockStatement') {
    if (executor.node.body.length !== 1) return undefined;
    executor = executor.parent;
  }
  if (!isFunction(executor?.node)) return undefined;
  const promise = executor!.parent;
  if (
    promise?.node.type !== 'NewExpression' ||
    promise.node.callee.name !== 'Promise' ||
    promise.node.arguments[0] !== executor!.node
  )
    return undefined;
  const settlers = executor!.node.params.map((p: Node) => p.name);
  if (callback.type === 'Identifier') return settlers.includes(callback.name) ? promise : undefined;
  if (!isFunction(callback)) return undefined;
  const allowed = new Set([...settlers, ...callback.params.map((p: Node) => p.name), 'undefined']);
  return identifiersIn(j, callback.body).every((name) => allowed.has(name)) ? promise : undefined;
}

/** Per function, the `await lifecycle.shutdown();` this codemod put there, kept after its last close (whatever order the closes come in). */
const drainsAdded = new WeakMap<Node, ASTPath<Node>>();

/**
 * On a shutdown path, what the hand-written drain does next (end pools, exit) must wait for the
 * rest of the lifecycle's drain: the work requests handed to `track()` and the closers that
 * `adopt`/`defer` registered. So an awaited close there is followed by `await lifecycle.shutdown()`,
 * once per function, after its last close, unless the function already runs it.
 */
function drainLifecycleAfter(context: RewriteContext, finding: Finding, statement: ASTPath<Node>, fn: Node): void {
  const { j } = context;
  if (!finding.data.onShutdownPath || !fn?.async) return;
  const added = drainsAdded.get(fn);
  if (added) {
    // The findings run innermost first, so a later close may come first: the drain stays after the last.
    if (added.parentPath === statement.parentPath && Number(added.name) > Number(statement.name)) return;
    added.prune();
  } else {
    const runsShutdown = j(fn)
      .find(j.CallExpression)
      .some(
        (p: ASTPath<Node>) =>
          p.node.callee?.type === 'MemberExpression' &&
          p.node.callee.property?.name === 'shutdown' &&
          p.node.callee.object?.type === 'Identifier' &&
          /lifecycle/i.test(p.node.callee.object.name),
      );
    if (runsShutdown) return;
  }
  const drain = j.expressionStatement(
    j.awaitExpression(j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('shutdown')), [])),
  );
  statement.insertAfter(drain);
  const inserted = statement.parentPath.get(Number(statement.name) + 1) as ASTPath<Node>;
  drainsAdded.set(fn, inserted);
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  if (!closable.has(finding.data.kind ?? '')) {
    return {
      leftForPerson: `\`lifecycle.closeServer\` does not close a ${finding.data.label}: bound \`${finding.data.name}\` with a deadline by hand`,
    };
  }
  const call = context.nodeAt(finding, ['CallExpression']);
  const parts = call && closeParts(call.node);
  if (!call || !parts) {
    return {
      leftForPerson: `\`${finding.data.name}\` is closed through a wrapper (\`promisify\`, \`bind\`): replace it with \`await lifecycle.closeServer(server, { timeoutMs })\` by hand`,
    };
  }
  const parent = call.parent.node as Node;
  const statement = parent.type === 'ExpressionStatement' && parent.expression === call.node;
  const fn = enclosingFunction(call);

  if (parts.args.length === 0) {
    const replacement = closeServerCall(context, parts.server);
    if (
      parent.type === 'AwaitExpression' ||
      parent.type === 'ReturnStatement' ||
      (parent.type === 'ArrowFunctionExpression' && parent.body === call.node)
    ) {
      if (
        finding.data.kind === 'http.Server' &&
        call.node.callee.computed !== true &&
        parent.type !== 'AwaitExpression'
      ) {
        return {
          leftForPerson: `the value of \`${finding.data.name}\` (the server itself) is used: replace it with \`lifecycle.closeServer(server, { timeoutMs })\` by hand`,
        };
      }
      call.replace(replacement);
      if (parent.type === 'AwaitExpression' && call.parent.parent?.node.type === 'ExpressionStatement')
        drainLifecycleAfter(context, finding, call.parent.parent, fn);
      return 'rewritten';
    }
    if (!statement) {
      return {
        leftForPerson: `the value of \`${finding.data.name}\` is used: replace it with \`lifecycle.closeServer(server, { timeoutMs })\` by hand`,
      };
    }
    // Awaited where it can be; elsewhere the open server holds the process until it is closed.
    call.replace(fn?.async ? j.awaitExpression(replacement) : j.unaryExpression('void', replacement));
    if (fn?.async) drainLifecycleAfter(context, finding, call.parent, fn);
    return 'rewritten';
  }

  const callback = parts.args[0];
  if (parts.args.length > 1)
    return { leftForPerson: `\`${finding.data.name}\` takes unexpected arguments: bound it by hand` };
  const promise = promiseAdapterOf(j, call, callback);
  if (promise) {
    const awaited =
      promise.parent?.node.type === 'AwaitExpression' && promise.parent.parent?.node.type === 'ExpressionStatement'
        ? promise.parent.parent
        : undefined;
    const outer = awaited && enclosingFunction(awaited);
    promise.replace(closeServerCall(context, parts.server));
    if (awaited) drainLifecycleAfter(context, finding, awaited, outer);
    return 'rewritten';
  }
  if (!statement) {
    return {
      leftForPerson: `the value of \`${finding.data.name}\` is used: replace it with \`lifecycle.closeServer(server, { timeoutMs })\` by hand`,
    };
  }
  let then: Node;
  if (callback.type === 'Identifier') {
    // `server.close(done)`: `done()` once closed, `done(error)` if the close fails.
    then = j.callExpression(j.memberExpression(closeServerCall(context, parts.server), j.identifier('then')), [
      j.arrowFunctionExpression([], j.callExpression(j.identifier(callback.name), [])),
      j.identifier(callback.name),
    ]);
  } else if (isFunction(callback) && callback.params.length === 0) {
    then = j.callExpression(j.memberExpression(closeServerCall(context, parts.server), j.identifier('then')), [
      callback,
    ]);
  } else {
    return {
      leftForPerson: `the callback of \`${finding.data.name}\` reads the close error: rewrite it as \`await lifecycle.closeServer(server, { timeoutMs })\` in a try/catch by hand`,
    };
  }
  call.replace(j.unaryExpression('void', then));
  return 'rewritten';
}

export default defineCodemod({
  name: 'server-close-to-lifecycle-close-server',
  rule: requireCloseTimeout,
  description:
    'Replaces an unbounded server close with `lifecycle.closeServer(server, { timeoutMs })`, a close ' +
    'with a deadline and a force path',
  rewrite,
});
