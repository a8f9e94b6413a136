// Work that waits in a serial queue shutdown goes through: a queue of the program's own that chains
// each task behind the previous one (`const run = this.pending.then(task, task); this.pending =
// run.then(…)`), which shutdown's own work enters too (the shutdown saves every board through the
// same queue). Its task runs after every task queued before it, so awaiting it waits for them: a
// dropped call whose only awaited work is such a task loses nothing at SIGTERM.
import type * as ts from 'typescript';
import { chainHandlers, isChainMethod, originOfChain } from '../../src/core/promises.js';
import type { ProgramIndex } from '../../src/core/program-index.js';
import { heldSymbolOf, runsAtShutdown } from '../../src/core/resources.js';
import {
  isAsyncFunction,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';

/** Collections whose reads hand back a value stored earlier (`boards.get(name)`), not new work. */
const storedValueReads = new Map<string, ReadonlySet<string>>([
  ['Map', new Set(['get', 'has'])],
  ['WeakMap', new Set(['get', 'has'])],
  ['Set', new Set(['has'])],
  ['WeakSet', new Set(['has'])],
]);

/**
 * Whether the work a call starts waits only in serial queues that shutdown goes through: every
 * `await` and `return` of the functions it runs (followed through the program's calls, and into
 * the async callback a library wrapper is given, `withSpan(name, async () => …)`) is a task of
 * such a queue, a program function whose work is so, a value started elsewhere (a variable of an
 * enclosing scope, a field), or a read of a stored value (`map.get(key)`). Anything else (a
 * library call, `new Promise`, `Promise.all`) is work that can be lost. At least one queued task
 * or stored value must be waited on: a function that waits on nothing is left to the rule's
 * other checks (an empty `async` stub is still reported). A function that awaits only values
 * stored earlier has nothing of its own to lose.
 */
export function waitsOnlyInShutdownQueue(index: ProgramIndex, call: ts.Expression): boolean {
  const checker = new QueuedWork(index);
  return checker.call(call, 0) && checker.waits > 0;
}

/** As `waitsOnlyInShutdownQueue`, for an async callback whose promise its caller drops. */
export function callbackWaitsOnlyInShutdownQueue(index: ProgramIndex, callback: ts.Expression): boolean {
  const functions = index.resolveFunctions(callback);
  const checker = new QueuedWork(index);
  return functions.length > 0 && functions.every((fn) => checker.function(fn, 0)) && checker.waits > 0;
}

class QueuedWork {
  private readonly t: TS;
  private readonly seen = new Set<ts.Node>();
  /**
   * The queued tasks and stored values the work waits on: with none, a function of the program
   * that awaits nothing is a stub an override fills in (`async send() {}`), still reported.
   */
  waits = 0;
  /** A wrapper's parameters, bound to what the followed call gave them (`fn` in `withSpan(name, fn)`). */
  private readonly bindings = new Map<ts.Symbol, ts.Expression>();

  constructor(private readonly index: ProgramIndex) {
    this.t = index.ts;
  }

  call(expression: ts.Expression, depth: number): boolean {
    const t = this.t;
    const e = skipOuterExpressions(t, expression);
    if (!t.isCallExpression(e)) return false;
    if (isChainCall(t, e)) {
      // `save().then(log)`: the origin's work, and the handlers'.
      return this.value(originOfChain(t, e), depth) && chainHandlers(t, e).every((h) => this.callbackOk(h, depth));
    }
    if (this.isDrainedSerialTask(e) || this.isStoredValueRead(e)) {
      this.waits++;
      return true;
    }
    if (depth > 8) return false;
    // `fn()` where `fn` is a parameter of a wrapper followed from its call: the function it was given.
    const callee = skipOuterExpressions(t, e.expression);
    const parameter = t.isIdentifier(callee) ? this.index.types.getSymbolAtLocation(callee) : undefined;
    const bound = parameter && this.bindings.get(parameter);
    if (bound) {
      const given = this.index.resolveFunctions(bound);
      return given.length > 0 && given.every((fn) => this.function(fn, depth + 1));
    }
    // `Promise.resolve(result)`: what it is given.
    const parts = methodCallParts(t, e);
    if (
      parts?.name === 'resolve' &&
      t.isIdentifier(parts.receiver) &&
      parts.receiver.text === 'Promise' &&
      e.arguments.length === 1
    )
      return this.value(e.arguments[0]!, depth + 1, enclosingFunctionOf(t, e) as FunctionLikeWithBody | undefined);
    const functions = this.index.resolveFunctions(e.expression, 0, false);
    if (functions.length > 0) {
      return functions.every((fn) => {
        fn.parameters.forEach((p, i) => {
          const symbol = t.isIdentifier(p.name) ? this.index.types.getSymbolAtLocation(p.name) : undefined;
          if (symbol && e.arguments[i]) this.bindings.set(symbol, e.arguments[i]!);
        });
        return this.function(fn, depth + 1);
      });
    }
    // A library wrapper given the work as a callback whose result it hands back
    // (`tracer.startActiveSpan(name, opts, (span) => …)`, `withSpan(name, async () => …)`).
    const callbacks: FunctionLikeWithBody[] = [];
    for (const argument of e.arguments) {
      const a: ts.Node = skipOuterExpressions(t, argument);
      if (isFunctionLikeWithBody(t, a)) callbacks.push(a);
      else if (t.isIdentifier(a)) {
        // `context.with(ctx, fn)` inside a wrapper: the function the wrapper was given.
        const symbol = this.index.types.getSymbolAtLocation(a);
        const given = symbol && this.bindings.get(symbol);
        if (given) callbacks.push(...this.index.resolveFunctions(given));
      }
    }
    return (
      callbacks.length > 0 &&
      callbacks.every((fn) => (isAsyncFunction(t, fn) || returnsValue(t, fn)) && this.function(fn, depth + 1))
    );
  }

  /** A `.then` handler: its work, also when it is a wrapper's parameter (`this.pending.then(task)`). */
  private callbackOk(handler: ts.Expression, depth: number): boolean {
    const t = this.t;
    const h = skipOuterExpressions(t, handler);
    const symbol = t.isIdentifier(h) ? this.index.types.getSymbolAtLocation(h) : undefined;
    const bound = symbol && this.bindings.get(symbol);
    const functions = this.index.resolveFunctions(bound ?? h);
    // A library's handler (`.catch(console.error)`) does no work of the program's.
    if (functions.length === 0) return bound === undefined;
    return functions.every((fn) => this.function(fn, depth + 1));
  }

  /** Every `await` and `return` of a function's own body (not of the functions it defines). */
  function(fn: FunctionLikeWithBody, depth: number): boolean {
    const t = this.t;
    if (this.seen.has(fn)) return true; // recursion: judged where it started
    this.seen.add(fn);
    const body = fn.body;
    if (!body) return false;
    if (!t.isBlock(body)) return this.value(body, depth, fn);
    let ok = true;
    const visit = (node: ts.Node): void => {
      if (!ok || (node !== body && isFunctionLikeWithBody(t, node))) return;
      if ((t.isAwaitExpression(node) || t.isReturnStatement(node)) && node.expression)
        ok = this.value(node.expression, depth, fn);
      if (ok) t.forEachChild(node, visit);
    };
    visit(body);
    return ok;
  }

  /** What an awaited or returned value waits on. */
  private value(expression: ts.Expression, depth: number, within?: FunctionLikeWithBody): boolean {
    const t = this.t;
    const e = skipOuterExpressions(t, expression);
    if (t.isCallExpression(e)) return this.call(e, depth);
    if (t.isNewExpression(e) || t.isAwaitExpression(e)) return false;
    if (t.isIdentifier(e) && within) {
      // A promise a call of this same function started: that call's work.
      const declaration = this.index.types.getSymbolAtLocation(e)?.valueDeclaration;
      if (
        declaration &&
        t.isVariableDeclaration(declaration) &&
        declaration.initializer &&
        enclosingFunctionOf(t, declaration) === within
      )
        return this.value(declaration.initializer, depth, within);
    }
    if (t.isConditionalExpression(e))
      return this.value(e.whenTrue, depth, within) && this.value(e.whenFalse, depth, within);
    // A value started elsewhere (a field, an outer variable), an object, a literal.
    return true;
  }

  /** `boards.get(name)` on a `Map`: the value stored earlier. */
  private isStoredValueRead(call: ts.CallExpression): boolean {
    const parts = methodCallParts(this.t, call);
    if (!parts) return false;
    const type = this.index.types.getTypeAtLocation(parts.receiver);
    const name = type.getSymbol()?.getName();
    return name !== undefined && storedValueReads.get(name)?.has(parts.name) === true;
  }

  /**
   * `queue.runExclusive(task)` where the method chains the task behind a field of its object
   * (`this.pending = run.then(…)` with `run = this.pending.then(task)`), and a call of it on the
   * same queue runs on a shutdown path: that later task waits for this one.
   */
  private isDrainedSerialTask(call: ts.CallExpression): boolean {
    const t = this.t;
    const parts = methodCallParts(t, call);
    if (!parts) return false;
    const methods = this.index
      .resolveFunctions(call.expression, 0, false)
      .filter((fn) => chainedFields(t, fn).size > 0);
    if (methods.length === 0) return false;
    const queue = heldSymbolOf(this.index, parts.receiver);
    if (!queue) return false;
    return this.index.callsNamed(parts.name).some((other) => {
      if (!t.isCallExpression(other)) return false;
      const otherParts = methodCallParts(t, other);
      if (!otherParts || heldSymbolOf(this.index, otherParts.receiver) !== queue) return false;
      if (!this.index.resolveFunctions(other.expression, 0, false).some((fn) => methods.includes(fn))) return false;
      return runsAtShutdown(this.index, other);
    });
  }
}

/** Whether a function hands back a value: a `return` with one, or an expression body. */
function returnsValue(t: TS, fn: FunctionLikeWithBody): boolean {
  const body = fn.body;
  if (!body) return false;
  if (!t.isBlock(body)) return true;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (node !== body && isFunctionLikeWithBody(t, node))) return;
    if (t.isReturnStatement(node) && node.expression) found = true;
    else t.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** `p.then(…)`, `p.catch(…)`, `p.finally(…)`. */
function isChainCall(t: TS, call: ts.CallExpression): boolean {
  const parts = methodCallParts(t, call);
  return parts !== undefined && isChainMethod(parts.name);
}

function enclosingFunctionOf(t: TS, node: ts.Node): ts.Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLikeWithBody(t, p)) return p;
  return undefined;
}

/**
 * The fields a method chains its work behind: `this.F = E` where `E` continues `this.F`
 * (`this.tail = this.tail.then(task)`, or `const run = this.pending.then(task, task);
 * this.pending = run.then(…)`).
 */
function chainedFields(t: TS, fn: FunctionLikeWithBody): Set<string> {
  const fields = new Set<string>();
  const body = fn.body;
  if (!body || !t.isBlock(body)) return fields;
  const locals = new Map<string, ts.Expression>();
  const thisField = (e: ts.Expression): string | undefined => {
    const inner = skipOuterExpressions(t, e);
    return t.isPropertyAccessExpression(inner) && inner.expression.kind === t.SyntaxKind.ThisKeyword
      ? inner.name.text
      : undefined;
  };
  /** The field a `.then` chain continues, through locals. */
  const continues = (e: ts.Expression, depth = 0): string | undefined => {
    if (depth > 4) return undefined;
    const inner = skipOuterExpressions(t, e);
    const field = thisField(inner);
    if (field) return field;
    if (t.isIdentifier(inner)) {
      const init = locals.get(inner.text);
      return init ? continues(init, depth + 1) : undefined;
    }
    if (t.isCallExpression(inner) && isChainCall(t, inner)) return continues(originOfChain(t, inner), depth + 1);
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    if (node !== body && isFunctionLikeWithBody(t, node)) return;
    if (t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.initializer)
      locals.set(node.name.text, node.initializer);
    if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const field = thisField(node.left);
      const right = skipOuterExpressions(t, node.right);
      if (field && t.isCallExpression(right) && isChainCall(t, right) && continues(right) === field) fields.add(field);
    }
    t.forEachChild(node, visit);
  };
  visit(body);
  return fields;
}
