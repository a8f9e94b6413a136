// A program's own batching buffer: an array that calls fill (`buffer.push(entry)`) and a
// `setInterval` drains (`flush()`: copy, `buffer.length = 0`, send), and the shutdown methods that
// clear that timer for good. A stop that sends nothing loses what was buffered since the last tick
// (require-flush: the same loss as an unflushed Sentry or Kafka client, in code the program wrote
// itself); a stop that sends the last batch still ends the buffer, so what callers add after it is
// never sent (close-in-reverse-order: stopped before the requests that fill it have drained).
import type * as ts from 'typescript';
import { intervalTimers, refIn, timerClears } from './catalogue.js';
import { factKey, type ProgramIndex } from './program-index.js';
import { heldSymbolOf, holdingOf } from './resources.js';
import {
  enclosingFunction,
  functionBody,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from './ts-utils.js';

/** Names of the methods that stop such a buffer (or a program's own client) for good. */
export const shutdownMethodNames: ReadonlySet<string> = new Set([
  'close',
  'stop',
  'shutdown',
  'destroy',
  'dispose',
  'end',
  'terminate',
  'disconnect',
  'teardown',
  '[Symbol.dispose]',
  '[Symbol.asyncDispose]',
]);

export interface OwnBufferStop {
  /** The shutdown method that clears the timer. */
  fn: FunctionLikeWithBody;
  /** Its name node: where require-flush reports it. */
  node: ts.Node;
  /** How messages name them: `close`, `buffer`, `flush`. */
  method: string;
  buffer: string;
  flush: string;
  /** Whether its path sends the last batch (empties the buffer) itself. */
  flushes: boolean;
}

export type UnflushedOwnBuffer = OwnBufferStop;

/**
 * The shutdown methods that clear the timer `interval` (a `setInterval` call) without draining the
 * buffer it drains, when that buffer is an array other code fills.
 */
export function unflushedOwnBuffers(index: ProgramIndex, interval: ts.CallExpression): UnflushedOwnBuffer[] {
  return ownBufferStops(index, interval).filter((stop) => !stop.flushes);
}

const ownBufferStopsFact = factKey<ReadonlyMap<ts.Node, OwnBufferStop>>('shutdown methods that end an own buffer');

/** Every shutdown method of the program that stops one of its own batching buffers for good (flushing or not). */
export function ownBufferStopMethods(index: ProgramIndex): ReadonlyMap<ts.Node, OwnBufferStop> {
  return index.fact(ownBufferStopsFact, () => {
    const t = index.ts;
    const found = new Map<ts.Node, OwnBufferStop>();
    // `setInterval(…)`, `timers.setInterval(…)`: ownBufferStops checks the binding.
    for (const call of index.callsNamed('setInterval')) {
      if (!t.isCallExpression(call)) continue;
      for (const stop of ownBufferStops(index, call)) if (!found.has(stop.fn)) found.set(stop.fn, stop);
    }
    return found;
  });
}

/**
 * The shutdown methods that clear the timer `interval` (a `setInterval` call) that drains a buffer
 * other code fills, each with whether it drains that buffer itself on the way out.
 */
export function ownBufferStops(index: ProgramIndex, interval: ts.CallExpression): OwnBufferStop[] {
  const t = index.ts;
  const ref = index.binding.resolve(interval.expression);
  if (!ref || !refIn(ref, intervalTimers)) return [];
  const handle = holdingOf(index, interval);
  if (handle.type !== 'kept') return [];
  const callback = interval.arguments[0];
  const ticks = callback ? index.resolveFunctions(callback) : [];
  if (ticks.length === 0) return [];
  // What each tick runs, and the buffers it empties there.
  const tickPath = index.reachableFromAll(ticks);
  const drained = new Map<ts.Symbol, { fn: ts.Node; name: string }>();
  for (const fn of tickPath) {
    for (const { symbol, name } of drainsIn(index, fn)) if (!drained.has(symbol)) drained.set(symbol, { fn, name });
  }
  if (drained.size === 0) return [];
  const found: OwnBufferStop[] = [];
  for (const clear of clearsOf(index, handle.symbol)) {
    const method = enclosingFunction(t, clear);
    if (!method || tickPath.has(method)) continue;
    const name = methodName(t, method);
    if (!name || !shutdownMethodNames.has(name)) continue;
    // A stop that runs the timer's callback itself flushes. The handle handed to `clearInterval`
    // leads to that callback too, so the rest of the stop's path is walked without entering it.
    const runsTick = callsOneOf(index, method, ticks);
    const stopPath = runsTick ? undefined : index.reachableAvoiding([method], new Set(ticks));
    // The buffers other code fills; one the stop leaves unsent is the one to name.
    let stop: OwnBufferStop | undefined;
    for (const [symbol, drain] of drained) {
      if (!isFilledOutside(index, symbol, tickPath)) continue;
      const flushes = runsTick || [...stopPath!].some((fn) => drainsIn(index, fn).some((d) => d.symbol === symbol));
      if (stop && (flushes || !stop.flushes)) continue;
      stop = {
        fn: method,
        node: t.isMethodDeclaration(method) ? method.name : methodNameNode(t, method),
        method: name,
        buffer: drain.name,
        flush: flushName(t, drain.fn, ticks),
        flushes,
      };
      if (!flushes) break;
    }
    if (stop) found.push(stop);
  }
  return found;
}

/** Whether `fn`'s own code calls one of `targets` (`this.tick()` where the timer runs `this.tick`). */
function callsOneOf(index: ProgramIndex, fn: FunctionLikeWithBody, targets: readonly ts.Node[]): boolean {
  const t = index.ts;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn.body && isFunctionLikeWithBody(t, node))) return;
    if (t.isCallExpression(node)) {
      const callee = skipOuterExpressions(t, node.expression);
      if (
        (t.isIdentifier(callee) || t.isPropertyAccessExpression(callee)) &&
        index.resolveFunctions(callee, 0, false).some((f) => targets.includes(f))
      ) {
        found = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** `buffer.length = 0`, `buffer.splice(0)`, `buffer = []`, `this.queue = []`: the arrays `fn`'s own code empties. */
function drainsIn(index: ProgramIndex, fn: ts.Node): { symbol: ts.Symbol; name: string }[] {
  const t = index.ts;
  const body = functionBody(t, fn);
  if (!body) return [];
  const found: { symbol: ts.Symbol; name: string }[] = [];
  const add = (target: ts.Expression): void => {
    const symbol = heldSymbolOf(index, target);
    if (symbol && isArrayState(index, symbol)) found.push({ symbol, name: target.getText() });
  };
  const visit = (node: ts.Node): void => {
    if (node !== body && isFunctionLikeWithBody(t, node)) return;
    if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const left = skipOuterExpressions(t, node.left);
      const right = skipOuterExpressions(t, node.right);
      if (t.isPropertyAccessExpression(left) && left.name.text === 'length' && isZero(t, right)) add(left.expression);
      else if (t.isArrayLiteralExpression(right) && right.elements.length === 0) add(left);
    } else if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      if (parts?.name === 'splice' && node.arguments[0] && isZero(t, skipOuterExpressions(t, node.arguments[0])))
        add(parts.receiver);
    }
    t.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

function isZero(t: TS, e: ts.Expression): boolean {
  return t.isNumericLiteral(e) && Number(e.text) === 0;
}

/** A variable or field that starts as an array literal (`const buffer: Entry[] = []`, `private queue = []`). */
function isArrayState(index: ProgramIndex, symbol: ts.Symbol): boolean {
  const t = index.ts;
  const declaration = symbol.valueDeclaration;
  if (!declaration || !(t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration))) return false;
  const initializer = declaration.initializer && skipOuterExpressions(t, declaration.initializer);
  if (initializer) return t.isArrayLiteralExpression(initializer);
  // `private buffer: Entry[]` assigned `[]` in the constructor
  return declaration.type !== undefined && t.isArrayTypeNode(declaration.type);
}

/** Whether code off the timer's path adds to the buffer (`buffer.push(entry)`): calls fill it. */
function isFilledOutside(index: ProgramIndex, symbol: ts.Symbol, tickPath: ReadonlySet<ts.Node>): boolean {
  const t = index.ts;
  for (const call of index.callsNamed('push')) {
    if (!t.isCallExpression(call)) continue;
    const parts = methodCallParts(t, call);
    if (!parts || heldSymbolOf(index, parts.receiver) !== symbol) continue;
    const fn = enclosingFunction(t, call);
    if (fn && !tickPath.has(fn)) return true;
  }
  return false;
}

/** `clearInterval(handle)` calls, in any function. */
function clearsOf(index: ProgramIndex, handle: ts.Symbol): ts.CallExpression[] {
  const t = index.ts;
  const found: ts.CallExpression[] = [];
  for (const name of ['clearInterval', 'clearTimeout']) {
    for (const call of index.callsNamed(name)) {
      if (!t.isCallExpression(call) || !call.arguments[0]) continue;
      const ref = index.binding.resolve(call.expression);
      if (!ref || !refIn(ref, timerClears)) continue;
      if (heldSymbolOf(index, call.arguments[0]) === handle) found.push(call);
    }
  }
  return found;
}

/** `close` for `close() {…}`, `close: () => {…}`, `this.close = () => {…}`. */
export function methodName(t: TS, fn: FunctionLikeWithBody): string | undefined {
  if (t.isMethodDeclaration(fn)) return staticPropertyName(t, fn.name) ?? computedName(t, fn.name);
  const parent = fn.parent;
  if (t.isPropertyAssignment(parent) || t.isPropertyDeclaration(parent))
    return staticPropertyName(t, parent.name) ?? computedName(t, parent.name);
  if (t.isBinaryExpression(parent) && t.isPropertyAccessExpression(parent.left)) return parent.left.name.text;
  if (t.isFunctionDeclaration(fn) || t.isFunctionExpression(fn)) return fn.name?.text;
  if (t.isVariableDeclaration(parent) && t.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

/** `[Symbol.asyncDispose]` as written. */
function computedName(t: TS, name: ts.PropertyName): string | undefined {
  return t.isComputedPropertyName(name) ? `[${name.expression.getText()}]` : undefined;
}

function methodNameNode(t: TS, fn: FunctionLikeWithBody): ts.Node {
  const parent = fn.parent;
  if (t.isPropertyAssignment(parent) || t.isPropertyDeclaration(parent)) return parent.name;
  if (t.isBinaryExpression(parent)) return parent.left;
  return fn;
}

/** How to name the flush: the named function that drains (`flush()`), or the timer's callback. */
function flushName(t: TS, fn: ts.Node, ticks: readonly ts.Node[]): string {
  if (!ticks.includes(fn) && isFunctionLikeWithBody(t, fn)) {
    const name = methodName(t, fn);
    if (name) return `${name}()`;
  }
  return "the timer's callback";
}
