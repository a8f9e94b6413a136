// require-flush -> the buffer's flush registered on the shutdown path where it is created:
// `lifecycle.adopt(new NodeSDK(cfg), (s) => s.shutdown())`, and `lifecycle.defer(() =>
// Sentry.close(2000))` below `Sentry.init()`. The lifecycle runs its closers after the servers
// drained and the tracked work finished, last registered first: telemetry set up before the pools
// and servers is flushed after they closed, so the spans and logs of the shutdown itself go out.
import type { ASTPath } from 'jscodeshift';
import requireFlush from '../rules/require-flush/require-flush.js';
import type { FindingOf } from '../src/core/analysis.js';
import { defineCodemod, type RewriteContext, type RewriteResult } from './lib/codemod.js';

type Node = any; // see lib/imports.ts
type Finding = FindingOf<typeof requireFlush>;

/** The deadline handed to a flush whose API takes one (Sentry's "always pass a timeout"); the lifecycle bounds the rest. */
const FLUSH_TIMEOUT_MS = 2000;

/** How each kind the rule reports is flushed, as the closer `adopt` is given (`p` is the buffer). */
const closers: Readonly<Record<string, (context: RewriteContext, p: () => Node) => Node>> = {
  'otel.NodeSDK': (context, p) => call(context, p(), 'shutdown'),
  'otel.Provider': (context, p) => call(context, p(), 'shutdown'),
  'kafkajs.Producer': (context, p) => call(context, p(), 'disconnect'),
  'posthog.Client': (context, p) => call(context, p(), 'shutdown', [timeout(context)]),
  // Written as text: recast prints a new object literal over several lines.
  'segment.Analytics': (context, p) =>
    call(context, p(), 'closeAndFlush', [context.j.identifier(`{ timeout: ${FLUSH_TIMEOUT_MS} }`)]),
  // `close(callback)`, `flush(callback)`: the callback says it is done.
  'hotshots.StatsD': (context, p) => untilCalledBack(context, (resolve) => call(context, p(), 'close', [resolve])),
  'pino.Logger': (context, p) => untilCalledBack(context, (resolve) => call(context, p(), 'flush', [resolve])),
  // `end()` returns at once: the logger's 'finish' says the transports wrote everything (winston#2594).
  // Ended already (by the service's own shutdown code): a second `end()` is ignored and 'finish' never
  // comes again (readable-stream 3), so the closer would wait out its deadline.
  'winston.Logger': (context, p) =>
    context.j.conditionalExpression(
      context.j.memberExpression(p(), context.j.identifier('writable')),
      untilCalledBack(context, (resolve) =>
        call(context, call(context, p(), 'once', [context.j.stringLiteral('finish'), resolve]), 'end'),
      ),
      context.j.identifier('undefined'),
    ),
};

/**
 * Kinds whose flush does nothing when it runs a second time, so that a flush the service already
 * calls off the shutdown path can stay where it is when the buffer is adopted: OpenTelemetry's
 * providers shut down once (`LoggerProvider` and `MeterProvider` warn and return, the span
 * processors' `shutdown` is a once-future), and `NodeSDK.shutdown()` only shuts its providers
 * down. Whichever of the two flushes runs second finds nothing to do. Not so for the others: a
 * winston logger ended twice never says 'finish' again, and kafkajs, PostHog and Segment do not
 * document a second call.
 */
const flushesOnce: ReadonlySet<string> = new Set(['otel.NodeSDK', 'otel.Provider']);

function call(context: RewriteContext, object: Node, method: string, args: Node[] = []): Node {
  const { j } = context;
  return j.callExpression(j.memberExpression(object, j.identifier(method)), args);
}

function timeout(context: RewriteContext): Node {
  return context.j.numericLiteral(FLUSH_TIMEOUT_MS);
}

/** `new Promise((resolve) => <start(resolve)>)` */
function untilCalledBack(context: RewriteContext, start: (resolve: Node) => Node): Node {
  const { j } = context;
  return j.newExpression(j.identifier('Promise'), [
    j.arrowFunctionExpression([j.identifier('resolve')], start(j.identifier('resolve'))),
  ]);
}

/** The closer's parameter, named after the buffer's initial (`(s) => s.shutdown()` for `sdk`). */
function parameterName(finding: Finding): string {
  const last = (finding.data.name ?? finding.data.label).split(/[ .]/).pop() ?? '';
  return /^[A-Za-z]/.test(last) ? last[0]!.toLowerCase() : 'b';
}

/** `x.<method>(…)`, whatever `x` is (the lifecycle under any local name, the SDK's namespace). */
function isMethodCall(node: Node, method: string): boolean {
  return (
    node?.type === 'CallExpression' &&
    node.callee.type === 'MemberExpression' &&
    !node.callee.computed &&
    node.callee.property.name === method
  );
}

const textOf = (context: RewriteContext, node: Node): string => context.textOf(node);

function isStatementList(node: Node): boolean {
  return node?.type === 'Program' || node?.type === 'BlockStatement' || node?.type === 'StaticBlock';
}

/** `lifecycle.adopt(<creation>, (p) => <flush of p>)` in place of the creation. */
function adoptAtCreation(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const closer = closers[finding.data.kind];
  if (!closer) {
    return {
      leftForPerson: `no flush this codemod knows for a ${finding.data.label}: register it with \`lifecycle.defer(() => …)\` by hand, under a deadline`,
    };
  }
  const creation = context.nodeAt(finding, ['NewExpression', 'CallExpression', 'OptionalCallExpression']);
  if (!creation) return { leftForPerson: `no rewrite for this creation: adopt the ${finding.data.label} by hand` };
  const target = creation.parent?.node.type === 'AwaitExpression' ? creation.parent : creation;
  if (isMethodCall(target.parent?.node, 'adopt')) return 'unchanged';
  const parameter = parameterName(finding);
  target.replace(
    j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('adopt')), [
      target.node,
      j.arrowFunctionExpression(
        [j.identifier(parameter)],
        closer(context, () => j.identifier(parameter)),
      ),
    ]),
  );
  return 'rewritten';
}

/** Whether `statement` is followed by `lifecycle.defer(() => <namespace>.close(…))` already. */
function deferredAfter(block: Node[], statement: Node, namespace: string): boolean {
  const next = block[block.indexOf(statement) + 1];
  const e = next?.type === 'ExpressionStatement' ? next.expression : undefined;
  if (!isMethodCall(e, 'defer')) return false;
  const body = e.arguments[0]?.body;
  return (
    isMethodCall(body, 'close') && body.callee.object.type === 'Identifier' && body.callee.object.name === namespace
  );
}

/** `Sentry.init(…)`: the module's own client, closed through the module below the statement that starts it. */
function deferModuleClose(context: RewriteContext, finding: Finding): RewriteResult {
  const { j } = context;
  const init = context.nodeAt(finding, ['CallExpression']);
  if (!init)
    return {
      leftForPerson: `no rewrite for this creation: register \`lifecycle.defer(() => ${finding.data.flush})\` by hand`,
    };
  const callee = init.node.callee;
  if (callee.type !== 'MemberExpression' || callee.computed || callee.object.type !== 'Identifier') {
    return {
      leftForPerson:
        'the client is started through a function imported by name: import `close` from the SDK too and register ' +
        `\`lifecycle.defer(() => close(${FLUSH_TIMEOUT_MS}))\` below it`,
    };
  }
  const namespace: string = callee.object.name;
  let statement: ASTPath<Node> | undefined = init.parent;
  if (statement?.node.type === 'VariableDeclarator') statement = statement.parent;
  if (statement?.parent?.node.type === 'ExportNamedDeclaration') statement = statement.parent;
  const block = statement?.parent?.node;
  if (
    !statement ||
    !(statement.node.type === 'ExpressionStatement' || statement.node.type === 'VariableDeclaration') ||
    !isStatementList(block)
  ) {
    return {
      leftForPerson: `\`${namespace}.init()\` is not a statement of its own: register \`lifecycle.defer(() => ${finding.data.flush})\` below it by hand`,
    };
  }
  const body: Node[] = block.body;
  if (deferredAfter(body, statement.node, namespace)) return 'unchanged';
  const close = j.arrowFunctionExpression([], call(context, j.identifier(namespace), 'close', [timeout(context)]));
  const defer = j(j.callExpression(j.memberExpression(context.lifecycle(), j.identifier('defer')), [close])).toSource();
  // Written as text, with the statement's own: recast sets a new statement next to a multi-line one
  // off with blank lines. A comment that ends the statement's line stays on it.
  const comments: Node[] = statement.node.comments ?? [];
  const endLine = statement.node.loc?.end.line;
  const sameLine = comments.filter((c) => c.trailing && c.loc?.start.line === endLine);
  // recast indents the lines after the first as the block: they lose the indentation they have in the file.
  const lineStart = context.source.lastIndexOf('\n', statement.node.start - 1) + 1;
  const indent = /^[ \t]*/.exec(context.source.slice(lineStart, statement.node.start))![0];
  const first = [textOf(context, statement.node), ...sameLine.map((c) => context.source.slice(c.start, c.end))]
    .join(' ')
    .split('\n')
    .map((line, i) => (i > 0 && line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
  const replacement = j.expressionStatement(j.identifier(`${first}\n${defer}`));
  (replacement as Node).comments = comments.filter((c) => !sameLine.includes(c));
  statement.replace(replacement);
  return 'rewritten';
}

function rewrite(context: RewriteContext, finding: Finding): RewriteResult {
  const { data } = finding;
  switch (finding.messageId) {
    case 'unflushedInScript':
      return {
        leftForPerson: `a script is not stopped by a signal: flush \`${data.name}\` when its work is done (\`await ${data.flush}\` in a \`finally\`)`,
      };
    case 'flushedOffShutdownPath':
      // Flushed where shutdown never goes (a function only the tests call): the lifecycle flushes
      // it at shutdown too, and the other flush, left in place, does nothing if it runs second.
      if (flushesOnce.has(data.kind) && data.fn === undefined) return adoptAtCreation(context, finding);
      return {
        leftForPerson: `\`${data.flush}\` already runs off the shutdown path: move it into \`lifecycle.defer(() => …)\` (under a deadline), or adopt the ${data.label} at its creation and drop the other flush`,
      };
    case 'ownBufferDropped':
      return {
        leftForPerson: `\`${data.method}()\` clears the timer that sends \`${data.buffer}\`: call \`${data.flush}\` there, and await it, so the last batch is sent`,
      };
    case 'flushNotAwaited':
      return {
        leftForPerson: `\`${data.flush}\` runs on the shutdown path, but nothing waits for \`'${data.event}'\`: wait for it before the exit (\`await once(${data.name}, '${data.event}')\`, under a deadline)`,
      };
  }
  if (data.fn !== undefined) {
    const flush = data.flush ?? `.${data.method}()`;
    return {
      leftForPerson: `made in \`${data.fn}\`, not at module or service scope: if it runs once, register \`${flush}\` there with \`lifecycle.defer\`; if on every call, flush it in a \`finally\``,
    };
  }
  if (data.kind === 'sentry.Client') return deferModuleClose(context, finding);
  return adoptAtCreation(context, finding);
}

export default defineCodemod({
  name: 'unflushed-buffer-to-lifecycle-defer',
  rule: requireFlush,
  description:
    'Registers the flush of a logger, telemetry client or producer nothing flushes on the shutdown path: ' +
    '`lifecycle.adopt(buffer, flush)` at its creation, `lifecycle.defer(() => Sentry.close(2000))` below `Sentry.init()`',
  rewrite,
});
