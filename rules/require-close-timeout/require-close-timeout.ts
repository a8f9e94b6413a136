// require-close-timeout: a server close that waits for in-flight work with no deadline and no
// force path. `server.close()` waits for every open request and, before Node 19, every idle
// keep-alive socket; Fastify's close waits out a 72 s keep-alive (runtime-facts §1.1, §3).
import type * as ts from 'typescript';
import { findFactory, kindSpec, refIn, selfListeningServers } from '../../src/core/catalogue.js';
import { findCloseBound } from '../../src/core/deadlines.js';
import { defineRule, type RuleContext, type TestFileOptions } from '../../src/core/rule.js';
import { namedScopeOf, openedBefore, runsBeforeAnythingOpens } from '../../src/core/startup.js';
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
  if (neverListened(context, target.receiver) || probesFreePort(context, call, target.receiver)) return;
  if (closedBeforeListening(context, call, target.receiver)) return;
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

/** Uses of a server that make it listen, or hand it to code that may. */
const listeningMethods = new Set(['listen', 'getHttpServer', 'getHttpAdapter', 'getUrl']);

/**
 * `const configApp = await NestFactory.create(AppModule); …; await configApp.close()`: a server
 * or app held in a local of the function that created it, which neither listens nor leaves that
 * function (no `listen()`, not passed, returned or stored). It never accepted
 * a connection, so its close has nothing in flight to wait for.
 */
function neverListened(context: Context, receiver: ts.Expression): boolean {
  const t = context.ts;
  const local = localServer(context, receiver);
  if (!local) return false;
  const { name: e, symbol, declaration, factory } = local;
  // Created by a factory that does not listen itself (not `app.listen(port)`, not `serve(app)`,
  // not `new WebSocketServer({ port })`).
  if (selfListeningServers.some((s) => s.kind === factory.kind)) return false;
  const scope = enclosingFunction(t, declaration);
  if (!scope) return false;
  let escapes = false;
  const visit = (node: ts.Node): void => {
    if (escapes) return;
    if (t.isIdentifier(node) && node !== declaration.name && node.text === e.text) {
      if (context.types.getSymbolAtLocation(node) === symbol && !isPlainUse(t, node)) escapes = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(scope, visit);
  return !escapes;
}

/**
 * The receiver of a close when it is a variable initialised by a catalogue factory that does not
 * listen itself (`http.createServer(…)`, `await NestFactory.create(AppModule)`): what
 * `neverListened` and `probesFreePort` then follow through the variable's uses.
 */
function localServer(
  context: Context,
  receiver: ts.Expression,
):
  | {
      name: ts.Identifier;
      symbol: ts.Symbol;
      declaration: ts.VariableDeclaration & { name: ts.Identifier };
      created: ts.CallExpression | ts.NewExpression;
      factory: NonNullable<ReturnType<typeof findFactory>>;
    }
  | undefined {
  const t = context.ts;
  const name = skipOuterExpressions(t, receiver);
  if (!t.isIdentifier(name)) return undefined;
  const symbol = context.types.getSymbolAtLocation(name);
  const declaration = symbol?.valueDeclaration;
  if (!symbol || !declaration || !t.isVariableDeclaration(declaration) || !t.isIdentifier(declaration.name))
    return undefined;
  const initializer = declaration.initializer && skipOuterExpressions(t, declaration.initializer);
  const created =
    initializer && t.isAwaitExpression(initializer) ? skipOuterExpressions(t, initializer.expression) : initializer;
  if (!created || !(t.isCallExpression(created) || t.isNewExpression(created))) return undefined;
  const ref = context.index.binding.resolve(created.expression);
  const factory = ref && findFactory(ref);
  if (!factory || factory.listens) return undefined;
  return {
    name,
    symbol,
    declaration: declaration as ts.VariableDeclaration & { name: ts.Identifier },
    created,
    factory,
  };
}

/** `server.close()`, `app.get(Config)`, `server.maxHeadersCount = 1`: a member used in place, not `listen()`. */
function isPlainUse(t: TS, reference: ts.Identifier): boolean {
  const parent = reference.parent;
  return (
    t.isPropertyAccessExpression(parent) && parent.expression === reference && !listeningMethods.has(parent.name.text)
  );
}

/** Events a port probe may listen for: none of them serves a connection. */
const probeEvents = new Set(['error', 'listening', 'close']);
/** Members a port probe may use in place: listening, reading its port, letting the process exit. */
const probeMembers = new Set(['listen', 'close', 'address', 'unref', 'ref', 'on', 'once']);

/**
 * `const server = net.createServer(); server.listen(0, () => { const { port } = server.address();
 * server.close(() => resolve(port)) })`: a free-port probe. A server made without a connection or
 * request listener, held in a local that never leaves its function, and closed in its own
 * `listen` (or `'listening'`) callback serves nothing: no one has learned its port before the
 * close, so there is nothing in flight to wait for. A server given a handler, or closed anywhere
 * else, is still reported.
 */
function probesFreePort(context: Context, close: ts.CallExpression, receiver: ts.Expression): boolean {
  const t = context.ts;
  const local = localServer(context, receiver);
  if (!local) return false;
  const { name: e, symbol, declaration, created } = local;
  // `createServer()` or `createServer({ … })`: no request or connection listener handed in.
  if (!(created.arguments ?? []).every((argument) => isOptionsLiteral(t, argument))) return false;
  const scope = enclosingFunction(t, declaration);
  if (!scope) return false;
  let closedInListenCallback = false;
  let servesOrEscapes = false;
  const visit = (node: ts.Node): void => {
    if (servesOrEscapes) return;
    if (t.isIdentifier(node) && node !== declaration.name && node.text === e.text) {
      if (context.types.getSymbolAtLocation(node) !== symbol) return;
      const use = node.parent;
      if (!t.isPropertyAccessExpression(use) || use.expression !== node || !probeMembers.has(use.name.text)) {
        servesOrEscapes = true;
        return;
      }
      const call = use.parent;
      if (!t.isCallExpression(call) || call.expression !== use) {
        servesOrEscapes = true;
        return;
      }
      const method = use.name.text;
      if (method === 'on' || method === 'once') {
        const event = call.arguments[0];
        if (!event || !t.isStringLiteralLike(event) || !probeEvents.has(event.text)) servesOrEscapes = true;
      }
      const event = call.arguments[0];
      const listening =
        method === 'listen' || (event !== undefined && t.isStringLiteralLike(event) && event.text === 'listening');
      if (listening && isInsideCallbackOf(t, close, call)) closedInListenCallback = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(scope, visit);
  return closedInListenCallback && !servesOrEscapes;
}

function isOptionsLiteral(t: TS, argument: ts.Expression): boolean {
  const e = skipOuterExpressions(t, argument);
  return (
    t.isObjectLiteralExpression(e) &&
    e.properties.every((p) => t.isPropertyAssignment(p) && !t.isFunctionLike(skipOuterExpressions(t, p.initializer)))
  );
}

/** Whether `node` lies in a function passed as an argument of `call`. */
function isInsideCallbackOf(t: TS, node: ts.Node, call: ts.CallExpression): boolean {
  return call.arguments.some(
    (argument) => t.isFunctionLike(argument) && node.pos >= argument.pos && node.end <= argument.end,
  );
}

/**
 * `if (!config) { await app.close(); process.exit(1) }` in `bootstrap()` before its
 * `app.listen()`, or in a `runMigrations(app)` that only the start calls before the app listens: a
 * failed start closing an app that has accepted no connection. The close is in the own body (not
 * a callback: a signal listener runs later) of a function only the start runs, every call of it
 * made before anything opens (`runsBeforeAnythingOpens`), nothing opens before it in that
 * function (no `listen()`, no pool), and the app is not handed to another function before it (a
 * helper that may listen).
 */
function closedBeforeListening(context: Context, call: ts.CallExpression, receiver: ts.Expression): boolean {
  const t = context.ts;
  const { index } = context;
  const named = namedScopeOf(t, call);
  if (t.isSourceFile(named) || enclosingFunction(t, call) !== named) return false;
  const e = skipOuterExpressions(t, receiver);
  if (!t.isIdentifier(e)) return false;
  if (!runsBeforeAnythingOpens(index, named) || openedBefore(index, call, named)) return false;
  const symbol = context.types.getSymbolAtLocation(e);
  if (!symbol || !named.body) return false;
  const start = call.getStart();
  let handedOn = false;
  const visit = (node: ts.Node): void => {
    if (handedOn || node.getStart() >= start) return;
    if (t.isIdentifier(node) && node.text === e.text) {
      const declared =
        symbol.valueDeclaration && 'name' in symbol.valueDeclaration && symbol.valueDeclaration.name === node;
      if (!declared && context.types.getSymbolAtLocation(node) === symbol && !isPlainUse(t, node)) handedOn = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  visit(named.body);
  return !handedOn;
}
