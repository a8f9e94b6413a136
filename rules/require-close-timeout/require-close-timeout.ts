// require-close-timeout: a server close that waits for in-flight work with no deadline and no
// force path. `server.close()` waits for every open request and, before Node 19, every idle
// keep-alive socket; Fastify's close waits out a 72 s keep-alive (runtime-facts §1.1, §3).
import type * as ts from 'typescript';
import { kindSpec, refIn } from '../../src/core/catalogue.js';
import { findCloseBound } from '../../src/core/deadlines.js';
import { defineRule, type RuleContext, type TestFileOptions } from '../../src/core/rule.js';
import {
  calleeText,
  enclosingFunction,
  methodCallParts,
  skipOuterExpressions,
  type TS,
} from '../../src/core/ts-utils.js';

export type MessageId = 'unboundedClose';

export type Options = TestFileOptions;

/** What a finding carries for its message and its codemod. */
export type RequireCloseTimeoutData = {
  name: string;
  label: string;
  /** The catalogue kind of the server (`http.Server`, `Fastify app`, …). */
  kind: string;
  /** The close runs on a shutdown path (the codemod drains the lifecycle after it). */
  onShutdownPath: boolean;
};

type Context = RuleContext<MessageId, Options, RequireCloseTimeoutData>;

const promisifiers = [
  { module: 'util', path: ['promisify'] },
  { module: 'global', path: ['util', 'promisify'] },
];

export default defineRule<MessageId, Options, RequireCloseTimeoutData>({
  meta: {
    id: 'require-close-timeout',
    description: 'Require a deadline and a force path for server closes that wait for in-flight work',
    goLesson: '`srv.Shutdown(context.Background())`: a shutdown with no deadline',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: false,
    messages: {
      unboundedClose:
        '`{{name}}` waits for every in-flight request and keep-alive socket of this {{label}} with no ' +
        'deadline: one slow client holds shutdown until SIGKILL. Arm a timer that force-closes ' +
        '(`closeAllConnections()`) or race the close with a deadline.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {},
    },
    defaultOptions: {},
  },

  create(context) {
    const t = context.ts;
    return {
      [t.SyntaxKind.CallExpression]: (node) => checkCall(context, node as ts.CallExpression),
    };
  },
});

/** `server.close()`, `server[Symbol.asyncDispose]()`, `promisify(server.close)`, `server.close.bind(server)`. */
function closeTarget(
  t: TS,
  call: ts.CallExpression,
  index: Context['index'],
): { receiver: ts.Expression; method: string } | undefined {
  const callee = skipOuterExpressions(t, call.expression);
  if (t.isElementAccessExpression(callee) && /^Symbol\.asyncDispose$/.test(callee.argumentExpression.getText())) {
    return { receiver: callee.expression, method: '[Symbol.asyncDispose]' };
  }
  const parts = methodCallParts(t, call);
  if (parts) {
    // `server.close.bind(server)()` is reported at the bind call.
    if (
      (parts.name === 'bind' || parts.name === 'call' || parts.name === 'apply') &&
      t.isPropertyAccessExpression(skipOuterExpressions(t, parts.receiver))
    ) {
      const inner = skipOuterExpressions(t, parts.receiver) as ts.PropertyAccessExpression;
      return { receiver: inner.expression, method: inner.name.text };
    }
    return { receiver: parts.receiver, method: parts.name };
  }
  const ref = index.binding.resolve(call.expression);
  const first = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
  if (ref && refIn(ref, promisifiers) && first && t.isPropertyAccessExpression(first)) {
    return { receiver: first.expression, method: first.name.text };
  }
  return undefined;
}

function closeName(t: TS, target: { receiver: ts.Expression; method: string }, sourceFile: ts.SourceFile): string {
  const receiver = calleeText(t, target.receiver, sourceFile);
  return target.method.startsWith('[') ? `${receiver}${target.method}()` : `${receiver}.${target.method}()`;
}

function onShutdownPath(context: Context, call: ts.CallExpression): boolean {
  const fn = enclosingFunction(context.ts, call);
  return context.index.shutdownRootsOf(call).length > 0 || (fn !== undefined && context.index.startsShutdown(fn));
}

function checkCall(context: Context, call: ts.CallExpression): void {
  const t = context.ts;
  const { index, sourceFile } = context;
  const target = closeTarget(t, call, index);
  if (!target) return;
  // Cheap name check before any kind or type question.
  if (target.method !== 'close' && target.method !== '[Symbol.asyncDispose]') return;
  const kind = index.kindOf(target.receiver, true);
  const spec = kind ? kindSpec(kind) : undefined;
  if (!spec?.drainsOnClose || !spec.close?.includes(target.method)) return;
  if (findCloseBound(index, call, target.receiver)) return;
  context.report({
    node: call,
    messageId: 'unboundedClose',
    // `kind`: the codemod rewrites only what `lifecycle.closeServer` can close.
    // `kind` and `onShutdownPath` are for the codemod: which servers `closeServer` takes, and
    // whether the close is where the rest of the drain (tracked work, closers) belongs.
    data: {
      name: closeName(t, target, sourceFile),
      label: spec.label,
      kind: spec.kind,
      onShutdownPath: onShutdownPath(context, call),
    },
  });
}
