// Is a close bounded? A close that waits for in-flight work is bounded when the shutdown path
// that runs it also arms a force path: a force-close of connections, a timer that exits or
// force-closes, a race with a deadline, an `AbortSignal.timeout`, a library that bounds its hooks,
// or a server created with an option that force-closes on close. (runtime-facts §1, §2, §3)
import type * as ts from 'typescript';
import { deadlineTimers, forceCloseCalls, processExits, promiseRaces, refIn } from './catalogue.js';
import type { ProgramIndex } from './program-index.js';
import { registeredClosuresOf } from './registries.js';
import {
  enclosingFunction,
  functionBody,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  type TS,
} from './ts-utils.js';

export type BoundReason = 'library' | 'force-option' | 'force-close' | 'timer' | 'race' | 'abort-timeout';

/** The functions that run together with `node` at shutdown: its shutdown paths, or its own function. */
export function shutdownScopeOf(
  index: ProgramIndex,
  node: ts.Node,
): { functions: Set<ts.Node>; boundedByLibrary: boolean } {
  const t = index.ts;
  const direct = index.shutdownRootsOf(node);
  // A closer stored in a program's registry runs on the paths that walk the registry
  // (`await runShutdownHandlers(); setTimeout(() => process.exit(0), 500)`).
  const roots =
    direct.length > 0 ? direct : registeredClosuresOf(index, node).flatMap((r) => r.runs.map((run) => run.root));
  const functions = new Set<ts.Node>();
  for (const root of roots) for (const fn of index.shutdownPath(root)) functions.add(fn);
  // Its own function, and the functions an inline callback runs in: `new Promise((r) =>
  // server.close(r))` runs with the function that builds it, where a force-close one line above
  // (`this.closeConnections()`, `server.closeAllConnections()`) bounds the close.
  let own: ts.Node | undefined = enclosingFunction(t, node);
  for (;;) {
    for (const fn of index.reachableFrom(own ?? node.getSourceFile())) functions.add(fn);
    if (!own || !isInlineCallback(t, own)) break;
    own = enclosingFunction(t, own.parent);
  }
  return { functions, boundedByLibrary: roots.some((r) => r.bounded) };
}

/** A function written as an argument of a call or `new`: `new Promise((resolve) => …)`, `fromCallback((cb) => …)`. */
function isInlineCallback(t: TS, fn: ts.Node): boolean {
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  const parent = skipParentheses(t, fn);
  return (t.isCallExpression(parent) || t.isNewExpression(parent)) && (parent.arguments ?? []).some((a) => a === fn);
}

function skipParentheses(t: TS, node: ts.Node): ts.Node {
  let parent = node.parent;
  while (t.isParenthesizedExpression(parent)) {
    node = parent;
    parent = parent.parent;
  }
  return parent;
}

/**
 * `client.terminate()` on a WebSocket client (the variable of a loop over `wss.clients`, or the
 * parameter of `wss.clients.forEach(…)`): it ends that upgraded socket, not the server's HTTP
 * requests, so it bounds no HTTP close.
 */
function terminatesWebSocketClient(t: TS, call: ts.CallExpression): boolean {
  const parts = methodCallParts(t, call);
  if (!parts || parts.name !== 'terminate') return false;
  const receiver = skipOuterExpressions(t, parts.receiver);
  if (!t.isIdentifier(receiver)) return false;
  const isClients = (e: ts.Expression): boolean => {
    const inner = skipOuterExpressions(t, e);
    return t.isPropertyAccessExpression(inner) && inner.name.text === 'clients';
  };
  for (let node: ts.Node | undefined = call.parent; node; node = node.parent) {
    if (t.isForOfStatement(node) && isClients(node.expression)) {
      const list = node.initializer;
      if (
        t.isVariableDeclarationList(list) &&
        list.declarations.some((d) => t.isIdentifier(d.name) && d.name.text === receiver.text)
      ) {
        return true;
      }
    }
    if ((t.isArrowFunction(node) || t.isFunctionExpression(node)) && t.isCallExpression(node.parent)) {
      const loop = methodCallParts(t, node.parent);
      if (
        loop?.name === 'forEach' &&
        isClients(loop.receiver) &&
        node.parameters.some((p) => t.isIdentifier(p.name) && p.name.text === receiver.text)
      ) {
        return true;
      }
    }
  }
  return false;
}

/** How the close is bounded, or undefined when nothing on its path bounds it. */
export function findCloseBound(
  index: ProgramIndex,
  close: ts.CallExpression,
  receiver: ts.Expression,
): BoundReason | undefined {
  const t = index.ts;
  if (index.serverOf(receiver)?.forceClosesOnClose) return 'force-option';
  const { functions, boundedByLibrary } = shutdownScopeOf(index, close);
  if (boundedByLibrary) return 'library';
  for (const fn of functions) {
    const reason = boundInFunction(t, index, fn);
    if (reason) return reason;
  }
  return undefined;
}

/** `server.closeAllConnections()`, `socket.destroy()`, `ws.terminate()`: ends connections now. */
export function isForceClose(t: TS, call: ts.CallExpression): boolean {
  const parts = methodCallParts(t, call);
  if (!parts) return false;
  const spec = forceCloseCalls.find((c) => c.method === parts.name);
  if (!spec) return false;
  if (!spec.receiver) return true;
  const receiver = skipOuterExpressions(t, parts.receiver);
  const name = t.isIdentifier(receiver)
    ? receiver.text
    : t.isPropertyAccessExpression(receiver)
      ? receiver.name.text
      : '';
  return spec.receiver.test(name);
}

/** Looks at one function's own body (nested functions are on the path on their own). */
function boundInFunction(t: TS, index: ProgramIndex, fn: ts.Node): BoundReason | undefined {
  const body = functionBody(t, fn);
  if (!body) return undefined;
  let reason: BoundReason | undefined;
  const visit = (node: ts.Node): void => {
    if (reason) return;
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isCallExpression(node)) {
      if (isForceClose(t, node) && !terminatesWebSocketClient(t, node)) {
        reason = 'force-close';
        return;
      }
      const ref = index.binding.resolve(node.expression);
      if (ref && refIn(ref, promiseRaces)) {
        reason = 'race';
        return;
      }
      if (ref && refIn(ref, deadlineTimers)) {
        if (ref.path.join('.') === 'AbortSignal.timeout') {
          reason = 'abort-timeout';
          return;
        }
        const callback = node.arguments[0];
        if (callback && index.resolveFunctions(callback).some((cb) => forcesInside(t, index, cb))) {
          reason = 'timer';
          return;
        }
      }
    }
    t.forEachChild(node, visit);
  };
  visit(body);
  return reason;
}

/** A callback that exits the process or force-closes (directly or through what it calls). */
export function forcesInside(t: TS, index: ProgramIndex, callback: ts.Node): boolean {
  for (const fn of index.reachableFrom(callback)) {
    const body = functionBody(t, fn);
    if (!body) continue;
    let found = false;
    const visit = (node: ts.Node): void => {
      // Callbacks inside are reached on their own: walk each function once.
      if (found || (node !== body && (t.isArrowFunction(node) || t.isFunctionExpression(node)))) return;
      if (t.isCallExpression(node)) {
        const ref = index.binding.resolve(node.expression);
        if (isForceClose(t, node) || (ref && refIn(ref, processExits))) {
          found = true;
          return;
        }
      }
      t.forEachChild(node, visit);
    };
    visit(body);
    if (found) return true;
  }
  return false;
}
