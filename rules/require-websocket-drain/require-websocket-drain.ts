// require-websocket-drain: WebSocket clients no shutdown path closes. An HTTP server detaches the
// sockets it upgrades: `server.close()` and `closeAllConnections()` never end them, and the close
// callback waits for them; ws 8's `wss.close()` leaves its clients open (runtime-facts §1.2, §3).
import type * as ts from 'typescript';
import { kinds, kindSpec, listenerMethods, type ClientsSpec, type KindSpec } from '../../src/core/catalogue.js';
import { checkTestFilesSchema, isTestFile } from '../../src/core/files.js';
import type { ServerRecord } from '../../src/core/program-index.js';
import {
  callsNamed,
  closesOf,
  countingCloses,
  heldSymbolOf,
  holdingOf,
  inTeardownCalledUntyped,
  refersToHolding,
  runsAtShutdown,
  type Holding,
} from '../../src/core/resources.js';
import { defineRule, type RuleContext } from '../../src/core/rule.js';
import {
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
} from '../../src/core/ts-utils.js';
import {
  closesUpgradedSockets,
  drainedAsServer,
  elementCalls,
  sameSymbol,
  throughHelpers,
  type Target,
} from './upgrades.js';

export type MessageId = 'clientsLeftOpen' | 'serverCloseOnly' | 'notTerminated' | 'notKept' | 'upgradeLeftOpen';

export interface Options {
  /** Also lint test files. */
  checkTestFiles: boolean;
}

/** What a finding carries for its message and its codemod. */
export type RequireWebsocketDrainData = {
  name?: string;
  label?: string;
  fix?: string;
};

type Context = RuleContext<MessageId, Options, RequireWebsocketDrainData>;

/** Methods that end a socket a hand-written upgrade handler keeps. */
const socketEnders = ['destroy', 'end', 'destroySoon', 'resetAndDestroy'];
/** Methods that store a value in a collection. */
const storeMethods = new Set(['add', 'push', 'set', 'unshift']);
/** Methods by which a WebSocket server takes over an upgrade's socket (`handleUpgrade`). */
const adoptMethods = new Set(kinds.flatMap((k) => k.clients?.adopt ?? []));
/** Methods of a socket that keep serving it after the handler returns: reading it, not only watching it for errors. */
const servingMethods = new Set(['pipe']);
const listenerMethodsOfSocket = new Set(['on', 'once', 'addListener', 'prependListener']);
const servingEvents = new Set(['data', 'readable']);

export default defineRule<MessageId, Options, RequireWebsocketDrainData>({
  meta: {
    id: 'require-websocket-drain',
    description: 'Require the WebSocket clients a service accepts to be closed on its shutdown path',
    goLesson: 'hijacked connections: `srv.Shutdown()` does not close them',
    recommended: 'error',
    requiresTypeChecking: true,
    hasSuggestions: false,
    messages: {
      clientsLeftOpen:
        'No shutdown path closes the clients of `{{name}}` ({{label}}): upgraded connections are ' +
        'invisible to `server.close()` and `closeAllConnections()`, so a close of the HTTP server waits ' +
        'for them, and the signal that ends the process cuts them off without a close frame. {{fix}}',
      serverCloseOnly:
        '`{{name}}.close()` on the shutdown path stops new connections, but since ws 8 it leaves every ' +
        'client open, and the HTTP server waits for them until SIGKILL. Send each client `close(1001)`, ' +
        'then `terminate()` those still open at a deadline.',
      notTerminated:
        'The clients of `{{name}}` get close frames at shutdown but are never terminated: a client that ' +
        "never answers holds its socket for ws' `closeTimeout` (30 s by default, as long as Kubernetes' " +
        'whole grace period). `terminate()` the clients still open at a deadline, or create the server ' +
        'with a shorter `closeTimeout`.',
      notKept:
        'This {{label}} is not kept anywhere, so no shutdown path can close its clients: upgraded ' +
        'connections are invisible to `server.close()` and `closeAllConnections()`. Keep it where ' +
        'shutdown can reach it. {{fix}}',
      upgradeLeftOpen:
        "The sockets this `'upgrade'` handler takes over are invisible to `server.close()` and " +
        '`closeAllConnections()`, and no shutdown path ends them: the close never completes and SIGKILL ' +
        'cuts them off. Keep them in a set and `destroy()` each on the shutdown path, or close the ' +
        'server with `closeServer()` from shutdown-lint/lifecycle.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checkTestFiles: checkTestFilesSchema,
      },
    },
    defaultOptions: { checkTestFiles: false },
  },

  create(context) {
    const t = context.ts;
    if (!context.options.checkTestFiles && isTestFile(context.sourceFile.fileName)) return {};
    const checkCreation = (node: ts.Node): void => {
      const record = context.index.serverOf(node as ts.Expression);
      const spec = record && record.creation === node ? kindSpec(record.kind) : undefined;
      if (record && spec?.clients) checkServer(context, record, spec, spec.clients);
    };
    return {
      [t.SyntaxKind.NewExpression]: checkCreation,
      [t.SyntaxKind.CallExpression]: (node) => {
        checkCreation(node);
        checkUpgradeListener(context, node as ts.CallExpression);
      },
    };
  },
});

function fixFor(clients: ClientsSpec): string {
  if (clients.closeAll?.length) return `Call \`${clients.closeAll[0]!.method}()\` on the shutdown path.`;
  return 'On the shutdown path send each client `close(1001)`, then `terminate()` those still open at a deadline.';
}

/** Calls that run at shutdown, outside test files unless the server is created in one. */
function atShutdown(context: Context, creation: ts.Node, calls: readonly ts.CallExpression[]): ts.CallExpression[] {
  const counted = countingCloses(
    calls.map((call) => ({ call, how: 'close' as const })),
    creation,
  );
  return counted
    .map((s) => s.call)
    .filter((call) => runsAtShutdown(context.index, call) || inTeardownCalledUntyped(context.index, call));
}

function checkServer(context: Context, record: ServerRecord, spec: KindSpec, clients: ClientsSpec): void {
  const { index } = context;
  const t = context.ts;
  const node = record.creation;
  const holding = holdingOf(index, node, spec.returnsSelf ?? []);
  const target = holding.type === 'kept' ? serverTarget(context, holding) : undefined;
  if (attachedServers(context, node, clients, target).some((server) => closesUpgradedSockets(index, server))) return;
  if (drainedAsServer(index, node)) return;
  const data = { name: holding.type === 'kept' ? holding.name : '', label: spec.label, fix: fixFor(clients) };
  if (holding.type === 'dropped') {
    context.report({ node, messageId: 'notKept', data });
    return;
  }
  if (!target) return;
  const onTarget = (methods: readonly string[]): ts.CallExpression[] =>
    methods.flatMap((method) =>
      callsNamed(index, method).filter((call) => {
        const parts = methodCallParts(t, call);
        return parts !== undefined && parts.name === method && target(parts.receiver);
      }),
    );
  // `io.engine.close()`: the method on an object the server holds, in the property `through`.
  const onHeld = (method: string, through: string): ts.CallExpression[] =>
    callsNamed(index, method).filter((call) => {
      const parts = methodCallParts(t, call);
      const held = parts && skipOuterExpressions(t, parts.receiver);
      return (
        parts?.name === method &&
        held !== undefined &&
        t.isPropertyAccessExpression(held) &&
        held.name.text === through &&
        target(held.expression)
      );
    });
  const closeAll = (clients.closeAll ?? []).flatMap(({ method, firstArgument, through }) =>
    (through === undefined ? onTarget([method]) : onHeld(method, through)).filter(
      (call) => !firstArgument || call.arguments[0]?.kind === t.SyntaxKind.TrueKeyword,
    ),
  );
  if (atShutdown(context, node, closeAll).length > 0) return;
  // The server itself, or a namespace of it that holds the clients too (`io.sockets`, `io.of('/')`).
  const serverOrNamespace = (expression: ts.Expression): boolean => {
    if (target(expression)) return true;
    const e = skipOuterExpressions(t, expression);
    if (t.isPropertyAccessExpression(e) && clients.namespaces?.properties.includes(e.name.text))
      return target(e.expression);
    const parts = t.isCallExpression(e) ? methodCallParts(t, e) : undefined;
    return parts !== undefined && clients.namespaces?.methods.includes(parts.name) === true && target(parts.receiver);
  };
  const ofClients = (methods: readonly { method: string; firstArgument?: true }[]): ts.CallExpression[] =>
    elementCalls(
      index,
      methods.map((m) => m.method),
    )
      .filter(({ call, method, collection }) => {
        const wanted = methods.find((m) => m.method === method);
        if (wanted?.firstArgument && call.arguments[0]?.kind !== t.SyntaxKind.TrueKeyword) return false;
        const e = skipOuterExpressions(t, collection);
        return t.isPropertyAccessExpression(e) && e.name.text === clients.collection && serverOrNamespace(e.expression);
      })
      .map((c) => c.call);
  if (atShutdown(context, node, ofClients(clients.terminate ?? [])).length > 0) return;
  if (atShutdown(context, node, endedTrackedClients(context, target)).length > 0) return;
  if (atShutdown(context, node, ofClients((clients.close ?? []).map((method) => ({ method })))).length > 0) {
    if (!record.forceClosesOnClose) context.report({ node, messageId: 'notTerminated', data });
    return;
  }
  if (atShutdown(context, node, onTarget(spec.close ?? [])).length > 0) {
    context.report({ node, messageId: 'serverCloseOnly', data });
    return;
  }
  context.report({ node, messageId: 'clientsLeftOpen', data });
}

/** Methods that end a client, or the program's own wrapper of one (`conn.destroy()`), when called on each of them. */
const clientEnders = ['close', 'terminate', 'destroy', 'end', 'disconnect'];

/**
 * Clients the program keeps itself and ends one by one on the shutdown path: its `'connection'`
 * listener stores each client (or a wrapper made from it) in a collection
 * (`this.connections.set(ws, wrapper)`, `sockets.add(ws)`), and a loop over that collection calls
 * `destroy()`, `close()`, `terminate()`, `end()` or `disconnect()` on each element. The calls, for
 * the caller to keep those that run at shutdown.
 */
function endedTrackedClients(context: Context, target: Target): ts.CallExpression[] {
  const t = context.ts;
  const { index } = context;
  const stores: ts.Expression[] = [];
  for (const method of ['on', 'once', 'addListener']) {
    for (const call of callsNamed(index, method)) {
      const parts = methodCallParts(t, call);
      const event = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
      if (!parts || !event || !t.isStringLiteralLike(event) || event.text !== 'connection' || !call.arguments[1])
        continue;
      if (!target(parts.receiver)) continue;
      for (const listener of index.resolveFunctions(call.arguments[1])) stores.push(...clientStores(context, listener));
    }
  }
  if (stores.length === 0) return [];
  return elementCalls(index, clientEnders)
    .filter(({ collection }) => stores.some((store) => sameCollection(context, store, collection)))
    .map((c) => c.call);
}

/** The collections a `'connection'` listener stores its client in: an argument of `add`/`set`/`push` made from it. */
function clientStores(context: Context, listener: FunctionLikeWithBody): ts.Expression[] {
  const t = context.ts;
  const { index } = context;
  const parameter = listener.parameters[0];
  if (!parameter || !t.isIdentifier(parameter.name) || !listener.body) return [];
  const client = index.types.getSymbolAtLocation(parameter.name);
  if (!client) return [];
  const fromClient = new Set<ts.Symbol>([client]);
  const mentionsClient = (node: ts.Node): boolean => {
    if (t.isIdentifier(node)) {
      const symbol = index.types.getSymbolAtLocation(node);
      if (symbol && fromClient.has(symbol)) return true;
    }
    return t.forEachChild(node, mentionsClient) === true;
  };
  const stores: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    // `const wrapper = createSocketWrapper(ws, …)`: a value made from the client stands for it.
    if (
      t.isVariableDeclaration(node) &&
      t.isIdentifier(node.name) &&
      node.initializer &&
      mentionsClient(node.initializer)
    ) {
      const symbol = index.types.getSymbolAtLocation(node.name);
      if (symbol) fromClient.add(symbol);
    }
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      if (parts && storeMethods.has(parts.name) && node.arguments.some(mentionsClient)) stores.push(parts.receiver);
    }
    t.forEachChild(node, visit);
  };
  visit(listener.body);
  return stores;
}

/** What names the kept server: it, a helper's parameter it is passed as, or the closer `lifecycle.adopt` hands it to. */
function serverTarget(context: Context, holding: Extract<Holding, { type: 'kept' }>): Target {
  const { index } = context;
  const t = context.ts;
  const closerParameters = new Set<ts.Symbol>();
  for (const site of closesOf(index, holding, [])) {
    if (site.how !== 'adopted' || !site.call.arguments[1]) continue;
    for (const closer of index.resolveFunctions(site.call.arguments[1])) {
      const parameter = closer.parameters[0];
      const symbol =
        parameter && t.isIdentifier(parameter.name) ? index.types.getSymbolAtLocation(parameter.name) : undefined;
      if (symbol) closerParameters.add(symbol);
    }
  }
  return throughHelpers(index, (e) => {
    if (refersToHolding(index, e, holding)) return true;
    const inner = skipOuterExpressions(t, e);
    const symbol = t.isIdentifier(inner) ? index.types.getSymbolAtLocation(inner) : undefined;
    return symbol !== undefined && closerParameters.has(symbol);
  });
}

/**
 * The HTTP servers whose upgraded sockets the clients are: `{ server }` in the options, the first
 * argument of `new Server(httpServer)`, or the server whose `'upgrade'` listener hands sockets to
 * `wss.handleUpgrade(…)`.
 */
function attachedServers(
  context: Context,
  node: ServerRecord['creation'],
  clients: ClientsSpec,
  target: Target | undefined,
): ts.Expression[] {
  const t = context.ts;
  const servers: ts.Expression[] = [];
  const first = node.arguments?.[0] && skipOuterExpressions(t, node.arguments[0]);
  if (first && t.isObjectLiteralExpression(first) && clients.serverOption) {
    for (const property of first.properties) {
      if (staticPropertyName(t, property.name) !== clients.serverOption) continue;
      if (t.isPropertyAssignment(property)) servers.push(property.initializer);
      else if (t.isShorthandPropertyAssignment(property)) servers.push(property.name);
    }
  } else if (
    first &&
    clients.serverArgument &&
    !t.isObjectLiteralExpression(first) &&
    !t.isNumericLiteral(first) &&
    !t.isStringLiteralLike(first)
  ) {
    servers.push(first);
  }
  if (target) {
    for (const method of clients.adopt ?? []) {
      for (const call of callsNamed(context.index, method)) {
        const parts = methodCallParts(t, call);
        if (!parts || !target(parts.receiver)) continue;
        const listener = upgradeListenerOf(context, call);
        if (listener) servers.push(listener.server);
      }
    }
  }
  return servers;
}

/** The `server.on('upgrade', fn)` registration of the function that contains `node`. */
function upgradeListenerOf(
  context: Context,
  node: ts.Node,
): { server: ts.Expression; registration: ts.CallExpression } | undefined {
  const t = context.ts;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (!t.isArrowFunction(p) && !t.isFunctionExpression(p)) continue;
    let owner: ts.Node = p;
    while (t.isParenthesizedExpression(owner.parent)) owner = owner.parent;
    const call = owner.parent;
    if (t.isCallExpression(call) && upgradeEventOf(context, call) && call.arguments[1] === owner) {
      return { server: methodCallParts(t, call)!.receiver, registration: call };
    }
  }
  return undefined;
}

/** `server.on('upgrade', …)` on an HTTP server (or on a receiver of unknown kind). */
function upgradeEventOf(context: Context, call: ts.CallExpression): boolean {
  const t = context.ts;
  const parts = methodCallParts(t, call);
  if (!parts || !listenerMethods.has(parts.name)) return false;
  const event = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
  if (!event || !t.isStringLiteralLike(event)) return false;
  const kind = context.index.kindOf(parts.receiver, true);
  if (kind) return kindSpec(kind)?.upgradeEvents?.includes(event.text) ?? false;
  // An untyped receiver: only the event's name says it is a server's.
  return event.text === 'upgrade' && context.index.binding.resolve(parts.receiver) === undefined;
}

/** What a hand-written upgrade listener does with the socket it is given. */
interface SocketUse {
  /** Handed to a WebSocket server (`wss.handleUpgrade(req, socket, …)`): that server owns it. */
  adopted: boolean;
  /** Kept serving after the listener returns: handed on, piped, listened to, or stored. */
  served: boolean;
  /** Collections it is stored in. */
  stores: ts.Expression[];
}

function checkUpgradeListener(context: Context, call: ts.CallExpression): void {
  const t = context.ts;
  const { index } = context;
  if (!upgradeEventOf(context, call)) return;
  const server = methodCallParts(t, call)!.receiver;
  const listener = call.arguments[1];
  if (!listener) return;
  const uses = index.resolveFunctions(listener).map((fn) => socketUse(context, fn));
  if (uses.length === 0 || uses.some((u) => u.adopted) || !uses.some((u) => u.served)) return;
  if (closesUpgradedSockets(index, server)) return;
  const stores = uses.flatMap((u) => u.stores);
  const destroyed = elementCalls(index, socketEnders).filter(
    ({ call: end, collection }) =>
      stores.some((store) => sameCollection(context, store, collection)) &&
      (runsAtShutdown(index, end) || inTeardownCalledUntyped(index, end)),
  );
  if (destroyed.length > 0) return;
  context.report({ node: call, messageId: 'upgradeLeftOpen', data: {} });
}

function sameCollection(context: Context, a: ts.Expression, b: ts.Expression): boolean {
  return sameSymbol(heldSymbolOf(context.index, a), heldSymbolOf(context.index, b));
}

function socketUse(context: Context, fn: FunctionLikeWithBody, position = 1, depth = 0): SocketUse {
  const t = context.ts;
  const { index } = context;
  const use: SocketUse = { adopted: false, served: false, stores: [] };
  const parameter = fn.parameters[position];
  if (!parameter || !t.isIdentifier(parameter.name) || !fn.body) return use;
  const socket = index.types.getSymbolAtLocation(parameter.name);
  const visit = (node: ts.Node): void => {
    if (t.isIdentifier(node) && node !== parameter.name && index.types.getSymbolAtLocation(node) === socket)
      classify(node);
    t.forEachChild(node, visit);
  };
  const classify = (reference: ts.Identifier): void => {
    let e: ts.Node = reference;
    while (t.isParenthesizedExpression(e.parent) || t.isAsExpression(e.parent) || t.isNonNullExpression(e.parent))
      e = e.parent;
    const parent = e.parent;
    if (t.isCallExpression(parent) && parent.arguments.includes(e as ts.Expression)) {
      const parts = methodCallParts(t, parent);
      const receiverKind = parts ? index.kindOf(parts.receiver, true) : undefined;
      const adopts = receiverKind
        ? kindSpec(receiverKind)?.clients?.adopt?.includes(parts!.name)
        : parts && adoptMethods.has(parts.name);
      if (adopts) {
        use.adopted = true;
        return;
      }
      if (parts && storeMethods.has(parts.name)) {
        use.served = true;
        use.stores.push(parts.receiver);
        return;
      }
      // A helper of the program: what it does with the socket (`rejectUpgrade(socket)` ends it).
      const callees = depth < 3 ? index.resolveFunctions(parent.expression, 0, false) : [];
      if (callees.length === 0) {
        use.served = true;
        return;
      }
      for (const callee of callees) {
        const inner = socketUse(context, callee, parent.arguments.indexOf(e as ts.Expression), depth + 1);
        use.adopted ||= inner.adopted;
        use.served ||= inner.served;
        use.stores.push(...inner.stores);
      }
      return;
    }
    if (t.isPropertyAccessExpression(parent) && parent.expression === e && t.isCallExpression(parent.parent)) {
      const event = parent.parent.arguments[0] && skipOuterExpressions(t, parent.parent.arguments[0]);
      const listensToData =
        listenerMethodsOfSocket.has(parent.name.text) &&
        event !== undefined &&
        t.isStringLiteralLike(event) &&
        servingEvents.has(event.text);
      if (servingMethods.has(parent.name.text) || listensToData) use.served = true;
      return;
    }
    if (t.isBinaryExpression(parent) && parent.right === e && parent.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      use.served = true;
      const left = skipOuterExpressions(t, parent.left);
      use.stores.push(t.isElementAccessExpression(left) ? left.expression : left);
    }
  };
  visit(fn.body);
  return use;
}
