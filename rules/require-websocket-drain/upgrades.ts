// Upgraded connections (runtime-facts §1.2, §3 ws, socket.io): an HTTP server detaches a socket it
// upgrades, so neither `server.close()` nor `closeAllConnections()` ends it. What ends them at
// shutdown: a per-client close over a server's client set, a server method that closes every
// client, a bounded server close that includes upgraded sockets, or destroying sockets kept by hand.
import type * as ts from 'typescript';
import {
  refIn,
  sameRef,
  socketTrackingStops,
  upgradeClosingServerAdopters,
  upgradeClosingServerCloses,
} from '../../src/core/catalogue.js';
import { factKey, type ProgramIndex } from '../../src/core/program-index.js';
import { callsNamed, heldSymbolOf, runsAtShutdown } from '../../src/core/resources.js';
import {
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
} from '../../src/core/ts-utils.js';

/** Whether an expression names the thing a question is about (a kept server, a collection, a parameter bound to it). */
export type Target = (expression: ts.Expression) => boolean;

/**
 * `target`, or a parameter of a helper every call of which passes the target:
 * `function drain(wss) { for (const c of wss.clients) c.close() }` called as `drain(wss)`.
 */
export function throughHelpers(index: ProgramIndex, target: Target, depth = 0): Target {
  const t = index.ts;
  return (expression) => {
    if (target(expression)) return true;
    if (depth > 2) return false;
    const e = skipOuterExpressions(t, expression);
    if (!t.isIdentifier(e)) return false;
    const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
    if (!declaration || !t.isParameter(declaration) || !isFunctionLikeWithBody(t, declaration.parent)) return false;
    const fn = declaration.parent;
    const position = fn.parameters.indexOf(declaration);
    const name = functionName(index, fn);
    if (!name) return false;
    const outer = throughHelpers(index, target, depth + 1);
    return callsNamed(index, name).some((call) => {
      const argument = call.arguments[position];
      return (
        argument !== undefined && outer(argument) && index.resolveFunctions(call.expression, 0, false).includes(fn)
      );
    });
  };
}

function functionName(index: ProgramIndex, fn: FunctionLikeWithBody): string | undefined {
  const t = index.ts;
  if (fn.name && t.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent;
  if (parent && (t.isVariableDeclaration(parent) || t.isPropertyAssignment(parent)) && t.isIdentifier(parent.name))
    return parent.name.text;
  return undefined;
}

/** A call on each element of a collection, and the collection it iterates. */
export interface ElementCall {
  call: ts.CallExpression;
  method: string;
  collection: ts.Expression;
}

/**
 * Calls of `methods` on each element of a collection: `for (const c of wss.clients) c.close()`,
 * `sockets.forEach((s) => s.destroy())`, over `[...x]`, `Array.from(x)` and `x.values()` too.
 */
export function elementCalls(index: ProgramIndex, methods: readonly string[]): ElementCall[] {
  const t = index.ts;
  const found: ElementCall[] = [];
  for (const method of methods) {
    for (const call of callsNamed(index, method)) {
      const parts = methodCallParts(t, call);
      if (!parts || parts.name !== method) continue;
      const receiver = skipOuterExpressions(t, parts.receiver);
      if (!t.isIdentifier(receiver)) continue;
      const collection = iteratedBy(index, receiver);
      if (collection) found.push({ call, method, collection: unwrapCollection(index, collection) });
    }
  }
  return found;
}

/** The collection a loop variable or a `forEach` callback parameter walks. */
function iteratedBy(index: ProgramIndex, element: ts.Identifier): ts.Expression | undefined {
  const t = index.ts;
  const declaration = index.types.getSymbolAtLocation(element)?.valueDeclaration;
  if (!declaration) return undefined;
  if (
    t.isVariableDeclaration(declaration) &&
    t.isVariableDeclarationList(declaration.parent) &&
    t.isForOfStatement(declaration.parent.parent)
  ) {
    return declaration.parent.parent.expression;
  }
  if (
    t.isParameter(declaration) &&
    isFunctionLikeWithBody(t, declaration.parent) &&
    declaration.parent.parameters[0] === declaration
  ) {
    let callback: ts.Node = declaration.parent;
    while (t.isParenthesizedExpression(callback.parent)) callback = callback.parent;
    const call = callback.parent;
    if (t.isCallExpression(call) && call.arguments[0] === callback) {
      const parts = methodCallParts(t, call);
      if (parts?.name === 'forEach') return parts.receiver;
    }
  }
  // `const socket = sockets[id]` where `id` walks the keys of `sockets`: `Object.keys(sockets).forEach((id) => …)`,
  // `for (const id of Object.keys(sockets))`, `for (const id in sockets)`.
  if (t.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = skipOuterExpressions(t, declaration.initializer);
    if (!t.isElementAccessExpression(init)) return undefined;
    const key = skipOuterExpressions(t, init.argumentExpression);
    if (!t.isIdentifier(key)) return undefined;
    const keys = keysWalkedBy(index, key);
    return keys && keys.getText() === init.expression.getText() ? init.expression : undefined;
  }
  return undefined;
}

/** The object whose keys a loop variable or a `forEach` parameter walks: `o` of `Object.keys(o)`, or of `for (k in o)`. */
function keysWalkedBy(index: ProgramIndex, key: ts.Identifier): ts.Expression | undefined {
  const t = index.ts;
  const declaration = index.types.getSymbolAtLocation(key)?.valueDeclaration;
  if (
    declaration &&
    t.isVariableDeclaration(declaration) &&
    t.isVariableDeclarationList(declaration.parent) &&
    t.isForInStatement(declaration.parent.parent)
  )
    return declaration.parent.parent.expression;
  const walked = iteratedBy(index, key);
  const e = walked && skipOuterExpressions(t, walked);
  if (!e || !t.isCallExpression(e) || !e.arguments[0]) return undefined;
  const ref = index.binding.resolve(e.expression);
  return ref?.module === 'global' && ref.path.join('.') === 'Object.keys' ? e.arguments[0] : undefined;
}

/** `[...x]`, `Array.from(x)`, `x.values()` are `x`. */
function unwrapCollection(index: ProgramIndex, expression: ts.Expression): ts.Expression {
  const t = index.ts;
  let e = skipOuterExpressions(t, expression);
  for (let depth = 0; depth < 4; depth++) {
    if (t.isArrayLiteralExpression(e) && e.elements.length === 1 && t.isSpreadElement(e.elements[0]!)) {
      e = skipOuterExpressions(t, e.elements[0].expression);
      continue;
    }
    if (t.isCallExpression(e)) {
      const parts = methodCallParts(t, e);
      if (parts?.name === 'values' && e.arguments.length === 0) {
        e = skipOuterExpressions(t, parts.receiver);
        continue;
      }
      const ref = index.binding.resolve(e.expression);
      if (ref?.module === 'global' && /^(Array\.from|Object\.values)$/.test(ref.path.join('.')) && e.arguments[0]) {
        e = skipOuterExpressions(t, e.arguments[0]);
        continue;
      }
    }
    break;
  }
  return e;
}

/** `lifecycle.addServer(http.createServer())`, or a variable that holds what it returns. */
function handedToAdopter(index: ProgramIndex, server: ts.Expression): boolean {
  const t = index.ts;
  let e = skipOuterExpressions(t, server);
  if (t.isIdentifier(e) || t.isPropertyAccessExpression(e)) {
    const declaration = heldSymbolOf(index, e)?.valueDeclaration;
    if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer) return false;
    e = skipOuterExpressions(t, declaration.initializer);
  }
  if (!t.isCallExpression(e)) return false;
  const ref = index.binding.resolve(e.expression);
  return ref !== undefined && refIn(ref, upgradeClosingServerAdopters);
}

/**
 * Whether shutdown closes a WebSocket server itself, with its clients: it is handed to
 * `lifecycle.addServer()` where it is created or later, or `closeServer()` gets it on a shutdown
 * path (the runtime drains ws and socket.io servers too).
 */
export function drainedAsServer(index: ProgramIndex, creation: ts.Expression): boolean {
  const t = index.ts;
  let e: ts.Node = creation;
  while (t.isParenthesizedExpression(e.parent) || t.isAsExpression(e.parent) || t.isSatisfiesExpression(e.parent))
    e = e.parent;
  if (t.isCallExpression(e.parent) && e.parent.arguments[0] === e) {
    const ref = index.binding.resolve(e.parent.expression);
    if (ref && refIn(ref, upgradeClosingServerAdopters)) return true;
  }
  return closesServerSockets(index, creation);
}

/** Whether two expressions name the same server: the same creation, or the same variable or field. */
export function sameServer(index: ProgramIndex, a: ts.Expression, b: ts.Expression): boolean {
  const recordA = index.serverOf(a);
  if (recordA && recordA === index.serverOf(b)) return true;
  return sameSymbol(heldSymbolOf(index, a), heldSymbolOf(index, b));
}

/** The same symbol, or two views of one declaration (a JavaScript property seen through an inferred type is a transient copy). */
export function sameSymbol(a: ts.Symbol | undefined, b: ts.Symbol | undefined): boolean {
  if (!a || !b) return false;
  return a === b || (a.valueDeclaration !== undefined && a.valueDeclaration === b.valueDeclaration);
}

/**
 * Whether shutdown ends the upgraded sockets of `server`: `closeServer(server)` on a shutdown path,
 * `lifecycle.addServer(server)` anywhere, or a wrapper that tracks its sockets and is stopped at
 * shutdown (`stoppable(server).stop()`, terminus). A server only known as a parameter whose
 * callers the index cannot see (`init(app, server)` from a dynamic import) matches any such close.
 */
export function closesUpgradedSockets(index: ProgramIndex, server: ts.Expression): boolean {
  const candidates = serverCandidates(index, server);
  if (candidates === 'unknown') return anyServerClosed(index);
  return candidates.some((candidate) => closesServerSockets(index, candidate));
}

/**
 * What a server expression can be: itself, or for a parameter the arguments its callers pass;
 * 'unknown' for a parameter whose callers the index cannot see (`init(app, server)` called from
 * a dynamic import).
 */
function serverCandidates(index: ProgramIndex, server: ts.Expression, depth = 0): ts.Expression[] | 'unknown' {
  const t = index.ts;
  if (index.serverOf(server)) return [server];
  const declaration = heldSymbolOf(index, server)?.valueDeclaration;
  if (!declaration || !t.isParameter(declaration) || !isFunctionLikeWithBody(t, declaration.parent)) return [server];
  const fn = declaration.parent;
  const position = fn.parameters.indexOf(declaration);
  const name = functionName(index, fn);
  const calls = name
    ? callsNamed(index, name).filter((call) => index.resolveFunctions(call.expression, 0, false).includes(fn))
    : [];
  const passed = calls.map((call) => call.arguments[position]).filter((a): a is ts.Expression => a !== undefined);
  if (passed.length === 0 || depth > 2) return 'unknown';
  const result: ts.Expression[] = [];
  for (const argument of passed) {
    const inner = serverCandidates(index, argument, depth + 1);
    if (inner === 'unknown') return 'unknown';
    result.push(...inner);
  }
  return result;
}

/** Some server of the program has its upgraded sockets ended at shutdown. */
function anyServerClosed(index: ProgramIndex): boolean {
  return closesServerSockets(index, undefined);
}

/** `closesUpgradedSockets` for one known server, or (undefined) for any server. */
function closesServerSockets(index: ProgramIndex, server: ts.Expression | undefined): boolean {
  if (server && handedToAdopter(index, server)) return true;
  const matches = (e: ts.Expression): boolean => server === undefined || sameServer(index, e, server);
  const names = new Set(
    [...upgradeClosingServerCloses, ...upgradeClosingServerAdopters].map((ref) => ref.path[ref.path.length - 1]!),
  );
  for (const name of names) {
    for (const call of callsNamed(index, name)) {
      const argument = call.arguments[0];
      if (!argument || !matches(argument)) continue;
      const ref = index.binding.resolve(call.expression);
      if (!ref) continue;
      if (refIn(ref, upgradeClosingServerAdopters)) return true;
      if (refIn(ref, upgradeClosingServerCloses) && runsAtShutdown(index, call)) return true;
    }
  }
  return trackingWrappers(index).some(({ call, wrapped, stop }) => {
    const holder = holderOf(index, call);
    if (!matches(wrapped) && !(server && sameSymbol(holder, heldSymbolOf(index, server)))) return false;
    if (!stop) return true;
    return callsNamed(index, stop).some((stopCall) => {
      const parts = methodCallParts(index.ts, stopCall);
      if (!parts || parts.name !== stop || !runsAtShutdown(index, stopCall)) return false;
      return sameSymbol(heldSymbolOf(index, parts.receiver), holder) || sameServer(index, parts.receiver, wrapped);
    });
  });
}

/** The symbol of the variable a call's result is kept in: `const server = stoppable(…)`. */
function holderOf(index: ProgramIndex, call: ts.CallExpression): ts.Symbol | undefined {
  const t = index.ts;
  let e: ts.Node = call;
  while (t.isParenthesizedExpression(e.parent) || t.isAsExpression(e.parent)) e = e.parent;
  const parent = e.parent;
  if (t.isVariableDeclaration(parent) && parent.initializer === e && t.isIdentifier(parent.name))
    return index.types.getSymbolAtLocation(parent.name);
  if (t.isBinaryExpression(parent) && parent.right === e && parent.operatorToken.kind === t.SyntaxKind.EqualsToken)
    return heldSymbolOf(index, parent.left);
  return undefined;
}

interface TrackingWrapper {
  call: ts.CallExpression;
  /** The server it wraps. */
  wrapped: ts.Expression;
  stop?: string;
}

const trackingWrappersFact = factKey<TrackingWrapper[]>('socket-tracking server wrappers');

/** Every `stoppable(server)`, `createHttpTerminator({ server })`, `createTerminus(server, …)` of the program. */
function trackingWrappers(index: ProgramIndex): TrackingWrapper[] {
  return index.fact(trackingWrappersFact, () => findTrackingWrappers(index));
}

function findTrackingWrappers(index: ProgramIndex): TrackingWrapper[] {
  const t = index.ts;
  const found: TrackingWrapper[] = [];
  for (const call of index.calls) {
    if (!t.isCallExpression(call)) continue;
    const ref = index.binding.resolve(call.expression);
    const spec = ref && socketTrackingStops.find((s) => sameRef(s.ref, ref));
    if (!spec) continue;
    let wrapped: ts.Expression | undefined;
    if (typeof spec.server === 'number') wrapped = call.arguments[spec.server];
    else {
      const options = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
      const option = (spec.server as { option: string }).option;
      const property =
        options && t.isObjectLiteralExpression(options)
          ? options.properties.find((p) => staticPropertyName(t, p.name) === option)
          : undefined;
      if (property && t.isPropertyAssignment(property)) wrapped = property.initializer;
      else if (property && t.isShorthandPropertyAssignment(property)) wrapped = property.name;
    }
    if (wrapped) found.push({ call, wrapped, stop: spec.stop });
  }
  return found;
}
