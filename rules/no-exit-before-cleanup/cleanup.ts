// Cleanup as the flow sees it: which calls start a close, a flush or a drain, whether one is still
// running at a given point of a function, whether one has finished there, and whether a shutdown
// path does any at all. Known kinds come from the catalogue; for code whose receivers have no
// known kind, the promise a call returns (types first) and cleanup-like names decide.
import type * as ts from 'typescript';
import {
  cleanupNames,
  deadlineTimers,
  findShutdownLibrary,
  kindSpec,
  listenerMethods,
  refIn,
} from '../../src/core/catalogue.js';
import { isForceClose } from '../../src/core/deadlines.js';
import { awaitsOneOf, callsRunBy, holderNames, isAwaitedWithin, ranBefore } from '../../src/core/flow.js';
import type { ProgramIndex, ShutdownRoot } from '../../src/core/program-index.js';
import { isChainMethod, isPromiseValued, originOfChain } from '../../src/core/promises.js';
import {
  calleeText,
  functionBody,
  isAsyncFunction,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';

export interface CleanupStart {
  call: ts.CallExpression | ts.NewExpression;
  /** How messages name it: `server.close()`, `shutdown()`. */
  name: string;
}

/**
 * What counts as started work: `cleanup` only closes, flushes, drains and calls of the program's
 * shutdown functions; `any-promise` also any other promise-valued call (on a shutdown path,
 * everything started there is part of the drain).
 */
export type CleanupMode = 'cleanup' | 'any-promise';

function nameOf(t: TS, call: ts.CallExpression | ts.NewExpression, sourceFile: ts.SourceFile): string {
  return `${calleeText(t, call.expression, sourceFile)}()`;
}

/** The last name of a callee: `close` for `server.close`, `shutdown` for `shutdown`. */
function simpleCalleeName(t: TS, call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = skipOuterExpressions(t, call.expression);
  if (t.isIdentifier(callee)) return callee.text;
  if (t.isCallExpression(call)) return methodCallParts(t, call)?.name;
  return undefined;
}

/** `setTimeout(…)`, `sleep(ms)` from timers/promises, or a program's own `sleep` (a timer in a promise). */
export function isTimerCall(index: ProgramIndex, call: ts.CallExpression | ts.NewExpression): boolean {
  const t = index.ts;
  const ref = index.binding.resolve(call.expression);
  if (ref && refIn(ref, deadlineTimers)) return true;
  if (!t.isCallExpression(call)) return false;
  return index.resolveFunctions(call.expression, 0, false).some((fn) => isSleepFunction(index, fn));
}

/** `const sleep = (ms) => new Promise((r) => setTimeout(r, ms))`: a short function that only arms a timer. */
export function isSleepFunction(index: ProgramIndex, fn: FunctionLikeWithBody): boolean {
  const t = index.ts;
  if (!fn.body || (t.isBlock(fn.body) && fn.body.statements.length > 2)) return false;
  let timer = false;
  let other = false;
  const visit = (n: ts.Node): void => {
    if (t.isCallExpression(n) || t.isNewExpression(n)) {
      const ref = index.binding.resolve(n.expression);
      if (ref && refIn(ref, deadlineTimers)) timer = true;
      else if (!(ref?.module === 'global' && ref.path[0] === 'Promise')) other = true;
    }
    t.forEachChild(n, visit);
  };
  visit(fn.body);
  return timer && !other;
}

/** The cleanup `call` starts, if it starts one (chains are named after the call that started them). */
export function cleanupStartOf(
  index: ProgramIndex,
  call: ts.CallExpression | ts.NewExpression,
  mode: CleanupMode,
): CleanupStart | undefined {
  const t = index.ts;
  const sourceFile = call.getSourceFile();
  if (t.isNewExpression(call)) return undefined; // `new Promise(…)`: what its executor starts counts
  if (isTimerCall(index, call)) return undefined;
  const parts = methodCallParts(t, call);
  if (parts && isChainMethod(parts.name)) {
    const origin = originOfChain(t, call);
    if (origin === call || (!t.isCallExpression(origin) && !t.isNewExpression(origin))) return undefined;
    const started = cleanupStartOf(index, origin, mode);
    return started && { call, name: started.name };
  }
  if (parts) {
    const kind = index.kindOf(parts.receiver, true);
    const spec = kind ? kindSpec(kind) : undefined;
    if (spec && (spec.close?.includes(parts.name) || spec.flush?.includes(parts.name))) {
      return { call, name: `${calleeText(t, parts.receiver, sourceFile)}.${parts.name}()` };
    }
  }
  const name = simpleCalleeName(t, call);
  const promise = isPromiseValued(t, index, call);
  if (!promise) {
    // Plain JavaScript: nothing says what `db.close()` returns; its name says it releases something.
    const type = index.types.getTypeAtLocation(call);
    const unknown = (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) !== 0;
    return unknown && parts && name && cleanupNames.test(name) && !isForceClose(t, call)
      ? { call, name: nameOf(t, call, sourceFile) }
      : undefined;
  }
  if (mode === 'any-promise') return { call, name: nameOf(t, call, sourceFile) };
  if (name && cleanupNames.test(name)) return { call, name: nameOf(t, call, sourceFile) };
  const functions = index.resolveFunctions(call.expression, 0, false);
  if (functions.some((fn) => index.startsShutdown(fn))) return { call, name: nameOf(t, call, sourceFile) };
  return undefined;
}

/**
 * A synchronous function that starts cleanup and returns before it finishes:
 * `function stopAll() { server.close(); pool.end(); }`. It cannot await, so what it starts runs on.
 */
function startedByHelper(
  index: ProgramIndex,
  call: ts.CallExpression | ts.NewExpression,
  mode: CleanupMode,
  depth: number,
): CleanupStart | undefined {
  const t = index.ts;
  if (depth > 2 || !t.isCallExpression(call)) return undefined;
  for (const fn of index.resolveFunctions(call.expression, 0, false)) {
    if (isAsyncFunction(t, fn) || !fn.body) continue;
    const inner = pendingIn(index, [fn.body], mode, depth + 1);
    if (inner) return { call, name: `${nameOf(t, call, call.getSourceFile())}` };
  }
  return undefined;
}

/** The first cleanup started in `pieces` (run in this order) that nothing after it waits for. */
function pendingIn(
  index: ProgramIndex,
  pieces: readonly ts.Node[],
  mode: CleanupMode,
  depth: number,
): CleanupStart | undefined {
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    let found: CleanupStart | undefined;
    callsRunBy(index, piece, (call) => {
      const started = cleanupStartOf(index, call, mode) ?? startedByHelper(index, call, mode, depth);
      if (!started || isAwaitedWithin(index, call, piece)) return;
      if (awaitsOneOf(index.ts, pieces.slice(i + 1), holderNames(index, call))) return;
      found = started;
      return true;
    });
    if (found) return found;
  }
  return undefined;
}

/**
 * Cleanup a closer starts and has not finished when it returns: `() => { server.close() }`, or
 * `() => server.close()` (an HTTP server's close returns the server, not a promise to wait for).
 * A promise it returns is waited for by whoever awaits the closer.
 */
export function pendingWhenReturns(index: ProgramIndex, fn: FunctionLikeWithBody): CleanupStart | undefined {
  const t = index.ts;
  const body = fn.body;
  if (!body) return undefined;
  const returnsPromise = (e: ts.Expression | undefined): boolean =>
    e !== undefined && isPromiseValued(t, index, skipOuterExpressions(t, e));
  if (!t.isBlock(body))
    return returnsPromise(body as ts.Expression) ? undefined : pendingIn(index, [body], 'cleanup', 0);
  const pieces = body.statements.filter((s) => !(t.isReturnStatement(s) && returnsPromise(s.expression)));
  return pendingIn(index, pieces, 'cleanup', 0);
}

/** Cleanup that ran before `node` in `scope` and is still running there. */
export function pendingCleanupBefore(
  index: ProgramIndex,
  node: ts.Node,
  scope: ts.Node,
  mode: CleanupMode,
): CleanupStart | undefined {
  return pendingIn(index, ranBefore(index.ts, node, scope), mode, 0);
}

/**
 * Cleanup that has finished where `node` runs: `node` is in the completion callback of a close
 * (`server.close(() => …)`, `shutdown().then(() => …)`), or an awaited cleanup ran before it.
 */
export function completedCleanupBefore(index: ProgramIndex, node: ts.Node, scope: ts.Node): boolean {
  const t = index.ts;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (!isFunctionLikeWithBody(t, p)) continue;
    const call = p.parent;
    if (call && (t.isCallExpression(call) || t.isNewExpression(call)) && call.arguments?.includes(p as ts.Expression)) {
      if (cleanupStartOf(index, call, 'cleanup')) return true;
      if (t.isCallExpression(call) && isCompletionListenerOfStop(index, call)) return true;
    }
  }
  const pieces = ranBefore(t, node, scope);
  let found = false;
  pieces.forEach((piece, i) => {
    if (found) return;
    callsRunBy(index, piece, (call) => {
      if (!cleanupStartOf(index, call, 'cleanup')) return;
      if (isAwaitedWithin(index, call, piece) || awaitsOneOf(t, pieces.slice(i + 1), holderNames(index, call))) {
        found = true;
        return true;
      }
    });
  });
  return found;
}

/**
 * Whether anything on a shutdown path releases or waits for something: a close, flush or
 * force-close, a call named like one, a shutdown library, or an `await`.
 */
export function pathDoesCleanup(index: ProgramIndex, root: ShutdownRoot): boolean {
  const t = index.ts;
  for (const fn of index.shutdownPath(root)) {
    const body = functionBody(t, fn);
    if (!body) continue;
    const from = fn === root.fn ? root.afterPos : undefined;
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found || (from !== undefined && n.end < from)) return;
      if (isFunctionLikeWithBody(t, n)) return; // on the path on its own
      if (t.isAwaitExpression(n)) {
        found = true;
        return;
      }
      if (t.isCallExpression(n) || t.isNewExpression(n)) {
        const name = simpleCalleeName(t, n);
        const ref = index.binding.resolve(n.expression);
        if (
          (name !== undefined && cleanupNames.test(name)) ||
          (t.isCallExpression(n) && isForceClose(t, n)) ||
          (ref !== undefined && findShutdownLibrary(ref) !== undefined) ||
          cleanupStartOf(index, n, 'cleanup')
        ) {
          found = true;
          return;
        }
      }
      t.forEachChild(n, visit);
    };
    visit(body);
    if (found) return true;
  }
  return false;
}

/** Events a closable emits once it has finished stopping. */
const completionEvents = /^(stopped|close|closed|end|ended|finish|finished|shutdown|terminated|disconnected)$/;

/**
 * `ds.on('stopped', () => process.exit(0)); ds.stop();`: a listener for the completion event of a
 * stop that the same function starts on the same receiver. The listener runs once the stop has
 * finished, like a completion callback.
 */
function isCompletionListenerOfStop(index: ProgramIndex, call: ts.CallExpression): boolean {
  const t = index.ts;
  const parts = methodCallParts(t, call);
  if (!parts || !listenerMethods.has(parts.name)) return false;
  const [event] = call.arguments;
  if (!event || !t.isStringLiteralLike(event) || !completionEvents.test(event.text)) return false;
  const receiver = skipOuterExpressions(t, parts.receiver);
  if (!t.isIdentifier(receiver) && !t.isPropertyAccessExpression(receiver)) return false;
  const text = receiver.getText();
  let scope: ts.Node = call.getSourceFile();
  for (let p: ts.Node | undefined = call.parent; p; p = p.parent) {
    if (isFunctionLikeWithBody(t, p)) {
      scope = p;
      break;
    }
  }
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || (n !== scope && isFunctionLikeWithBody(t, n))) return;
    if (t.isCallExpression(n) && n !== call) {
      const stop = methodCallParts(t, n);
      if (stop && skipOuterExpressions(t, stop.receiver).getText() === text && cleanupNames.test(stop.name)) {
        found = true;
        return;
      }
    }
    t.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}
