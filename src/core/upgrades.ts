// Upgraded connections (runtime-facts §1.2, §3 ws, socket.io): an HTTP server detaches a socket it
// upgrades, so neither `server.close()` nor `closeAllConnections()` ends it. What ends them at
// shutdown: a per-client close over a server's client set, a server method that closes every
// client, a bounded server close that includes upgraded sockets, or destroying sockets kept by hand.
import type * as ts from 'typescript';
import { refIn, upgradeClosingServerAdopters, upgradeClosingServerCloses } from './catalogue.js';
import type { ProgramIndex } from './program-index.js';
import { callsNamed, heldSymbolOf, runsAtShutdown } from './resources.js';
import { isFunctionLikeWithBody, methodCallParts, skipOuterExpressions, type FunctionLikeWithBody } from './ts-utils.js';

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
    const declaration = index.checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (!declaration || !t.isParameter(declaration) || !isFunctionLikeWithBody(t, declaration.parent)) return false;
    const fn = declaration.parent;
    const position = fn.parameters.indexOf(declaration);
    const name = functionName(index, fn);
    if (!name) return false;
    const outer = throughHelpers(index, target, depth + 1);
    return callsNamed(index, name).some((call) => {
      const argument = call.arguments[position];
      return argument !== undefined && outer(argument) && index.resolveFunctions(call.expression, 0, false).includes(fn);
    });
  };
}

function functionName(index: ProgramIndex, fn: FunctionLikeWithBody): string | undefined {
  const t = index.ts;
  if (fn.name && t.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent;
  if (parent && (t.isVariableDeclaration(parent) || t.isPropertyAssignment(parent)) && t.isIdentifier(parent.name)) return parent.name.text;
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
  const declaration = index.checker.getSymbolAtLocation(element)?.valueDeclaration;
  if (!declaration) return undefined;
  if (t.isVariableDeclaration(declaration) && t.isVariableDeclarationList(declaration.parent) && t.isForOfStatement(declaration.parent.parent)) {
    return declaration.parent.parent.expression;
  }
  if (t.isParameter(declaration) && isFunctionLikeWithBody(t, declaration.parent) && declaration.parent.parameters[0] === declaration) {
    let callback: ts.Node = declaration.parent;
    while (t.isParenthesizedExpression(callback.parent)) callback = callback.parent;
    const call = callback.parent;
    if (t.isCallExpression(call) && call.arguments[0] === callback) {
      const parts = methodCallParts(t, call);
      if (parts?.name === 'forEach') return parts.receiver;
    }
  }
  return undefined;
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
      if (ref?.module === 'global' && ref.path.join('.') === 'Array.from' && e.arguments[0]) {
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

/** Whether two expressions name the same server: the same creation, or the same variable or field. */
export function sameServer(index: ProgramIndex, a: ts.Expression, b: ts.Expression): boolean {
  const recordA = index.serverOf(a);
  if (recordA && recordA === index.serverOf(b)) return true;
  const symbolA = heldSymbolOf(index, a);
  return symbolA !== undefined && symbolA === heldSymbolOf(index, b);
}

/**
 * Whether shutdown closes `server` with a bounded close that ends its upgraded sockets too:
 * `closeServer(server)` on a shutdown path, or `lifecycle.addServer(server)` anywhere.
 */
export function closesUpgradedSockets(index: ProgramIndex, server: ts.Expression): boolean {
  if (handedToAdopter(index, server)) return true;
  const names = new Set([...upgradeClosingServerCloses, ...upgradeClosingServerAdopters].map((ref) => ref.path[ref.path.length - 1]!));
  for (const name of names) {
    for (const call of callsNamed(index, name)) {
      const argument = call.arguments[0];
      if (!argument || !sameServer(index, argument, server)) continue;
      const ref = index.binding.resolve(call.expression);
      if (!ref) continue;
      if (refIn(ref, upgradeClosingServerAdopters)) return true;
      if (refIn(ref, upgradeClosingServerCloses) && runsAtShutdown(index, call)) return true;
    }
  }
  return false;
}
