// Timers and their handles: whether the handle a `setInterval`/`setTimeout` returns is ever cleared
// or unref'd, wherever it is kept (a variable, a field, a collection), through the program. A
// ref'd timer keeps the event loop alive until it is cleared (runtime-facts §1.5).
import type * as ts from 'typescript';
import { isTestFile } from '../../src/core/files.js';
import { refIn, timerClears, timerReleaseMethods } from '../../src/core/catalogue.js';
import { factKey, type ProgramIndex } from '../../src/core/program-index.js';
import { holdingOf, refersToHolding } from '../../src/core/resources.js';
import { isFunctionLikeWithBody, methodCallParts, skipOuterExpressions, type TS } from '../../src/core/ts-utils.js';

/** Methods that put a value into a collection. */
const collectionAdders: ReadonlySet<string> = new Set(['push', 'unshift', 'add', 'set']);

interface TimerCalls {
  /** `clearInterval(h)`, `clearTimeout(h)`, and calls that hand `clearInterval` on (`timers.forEach(clearInterval)`). */
  clears: ts.CallExpression[];
  /** `h.unref()`, `h.close()`, `h[Symbol.dispose]()`. */
  releases: ts.CallExpression[];
}

const timerCallsFact = factKey<TimerCalls>('timer clears and releases');

function timerCalls(index: ProgramIndex): TimerCalls {
  return index.fact(timerCallsFact, () => {
    const t = index.ts;
    const found: TimerCalls = { clears: [], releases: [] };
    for (const call of index.calls) {
      if (!t.isCallExpression(call)) continue;
      if (isTimerClear(index, call.expression)) found.clears.push(call);
      else if (call.arguments.some((a) => isTimerClear(index, a))) found.clears.push(call);
      const parts = methodCallParts(t, call);
      if (parts && (timerReleaseMethods.has(parts.name) || /^\[?Symbol\.dispose\]?$/.test(parts.name)))
        found.releases.push(call);
      else if (
        t.isElementAccessExpression(skipOuterExpressions(t, call.expression)) &&
        /Symbol\.dispose/.test(call.expression.getText())
      )
        found.releases.push(call);
    }
    return found;
  });
}

function isTimerClear(index: ProgramIndex, expression: ts.Expression): boolean {
  const t = index.ts;
  const e = skipOuterExpressions(t, expression);
  if (!t.isIdentifier(e) && !t.isPropertyAccessExpression(e)) return false;
  const ref = index.binding.resolve(e);
  return ref !== undefined && refIn(ref, timerClears);
}

/** `setInterval(…).unref()`: released where it is created. */
function releasedAtCreation(t: TS, creation: ts.CallExpression): boolean {
  let e: ts.Node = creation;
  while (t.isParenthesizedExpression(e.parent) || t.isNonNullExpression(e.parent) || t.isAsExpression(e.parent))
    e = e.parent;
  const access = e.parent;
  return (
    access !== undefined &&
    t.isPropertyAccessExpression(access) &&
    access.expression === e &&
    timerReleaseMethods.has(access.name.text) &&
    t.isCallExpression(access.parent) &&
    access.parent.expression === access
  );
}

/** What becomes of a timer's handle: cleared or unref'd somewhere, handed to code that owns it, or neither. */
export type TimerHandleFate = 'released' | 'handed' | 'unreleased';

/**
 * What becomes of the handle `creation` returns, through the whole program: `released` when a
 * `clearInterval`/`clearTimeout` or an `unref()` reaches it (kept in a variable, a field or a
 * collection); `handed` when it is returned or passed to a function, whose code owns it, or kept
 * where the rule cannot follow; `unreleased` otherwise. A clear in a test file counts only for a
 * timer created in one.
 */
export function timerHandleFate(index: ProgramIndex, creation: ts.CallExpression): TimerHandleFate {
  const t = index.ts;
  if (releasedAtCreation(t, creation)) return 'released';
  const inTest = isTestFile(creation.getSourceFile().fileName);
  const counts = (call: ts.CallExpression | ts.NewExpression): boolean =>
    inTest || !isTestFile(call.getSourceFile().fileName);
  const calls = timerCalls(index);
  const collection = collectionOf(t, creation);
  if (collection)
    return calls.clears.some((clear) => counts(clear) && clearReaches(index, clear, collection))
      ? 'released'
      : 'unreleased';
  const holding = holdingOf(index, creation);
  if (holding.type === 'dropped') return 'unreleased';
  if (holding.type !== 'kept') return 'handed';
  const name = holding.name.split('.').pop()!;
  const refers = (e: ts.Expression | undefined): boolean => e !== undefined && refersToHolding(index, e, holding);
  // A name check first where calls are many (`close`, any argument); clears and unrefs are few, and may go through an alias.
  const mentions = (e: ts.Expression | undefined): boolean => e !== undefined && lastName(t, e) === name && refers(e);
  if (calls.clears.some((clear) => counts(clear) && refers(clear.arguments[0]))) return 'released';
  for (const release of calls.releases) {
    if (!counts(release)) continue;
    const parts = methodCallParts(t, release);
    const receiver = parts?.receiver ?? elementReceiver(t, release);
    if (parts?.name === 'close' ? mentions(receiver) : refers(receiver)) return 'released';
  }
  // Handed on later to the program's own code (`stopLater(timer)`) or a collection: its new owner decides.
  const handed = index.calls.some(
    (call) =>
      call !== creation &&
      counts(call) &&
      (call.arguments ?? []).some((a) => mentions(a)) &&
      (index.resolveFunctions(call.expression, 0, false).length > 0 ||
        (t.isCallExpression(call) && collectionAdders.has(methodCallParts(t, call)?.name ?? ''))),
  );
  return handed ? 'handed' : 'unreleased';
}

function elementReceiver(t: TS, call: ts.CallExpression): ts.Expression | undefined {
  const callee = skipOuterExpressions(t, call.expression);
  return t.isElementAccessExpression(callee) ? callee.expression : undefined;
}

function lastName(t: TS, expression: ts.Expression): string | undefined {
  const e = skipOuterExpressions(t, expression);
  return t.isIdentifier(e) ? e.text : t.isPropertyAccessExpression(e) ? e.name.text : undefined;
}

/** The collection a timer is put into: `timers.push(setInterval(…))`, `timers.set(id, …)`, `timers[id] = …`. */
function collectionOf(t: TS, creation: ts.CallExpression): ts.Expression | undefined {
  let e: ts.Node = creation;
  while (t.isParenthesizedExpression(e.parent) || t.isAsExpression(e.parent)) e = e.parent;
  const parent = e.parent;
  if (t.isCallExpression(parent) && parent.arguments.includes(e as ts.Expression)) {
    const parts = methodCallParts(t, parent);
    return parts && collectionAdders.has(parts.name) ? parts.receiver : undefined;
  }
  if (t.isBinaryExpression(parent) && parent.right === e && parent.operatorToken.kind === t.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(t, parent.left);
    return t.isElementAccessExpression(left) ? left.expression : undefined;
  }
  return undefined;
}

/** The symbols an expression names: every identifier and property name in it. */
function mentionedSymbols(index: ProgramIndex, expression: ts.Node): Set<ts.Symbol> {
  const t = index.ts;
  const symbols = new Set<ts.Symbol>();
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isIdentifier(node)) {
      const symbol = index.types.getSymbolAtLocation(node);
      if (symbol) symbols.add(symbol);
    }
    t.forEachChild(node, visit);
  };
  visit(expression);
  return symbols;
}

/**
 * A clear that reaches a collection's timers: `clearInterval(timers.get(id))`,
 * `for (const t of timers) clearInterval(t)`, `timers.forEach((t) => clearInterval(t))`,
 * `timers.forEach(clearInterval)`.
 */
function clearReaches(index: ProgramIndex, clear: ts.CallExpression, collection: ts.Expression): boolean {
  const t = index.ts;
  const wanted = mentionedSymbols(index, collection);
  const names = (node: ts.Node): boolean => [...mentionedSymbols(index, node)].some((s) => wanted.has(s));
  if (clear.arguments.some((a) => names(a))) return true;
  const parts = methodCallParts(t, clear);
  if (parts && names(parts.receiver)) return true;
  let functions = 0;
  for (
    let child: ts.Node = clear, parent = clear.parent;
    parent && functions < 3;
    child = parent, parent = parent.parent
  ) {
    if (isFunctionLikeWithBody(t, parent)) functions++;
    if (
      (t.isForOfStatement(parent) || t.isForInStatement(parent)) &&
      child === parent.statement &&
      names(parent.expression)
    )
      return true;
    if (t.isCallExpression(parent) && parent.arguments.includes(child as ts.Expression)) {
      const outer = methodCallParts(t, parent);
      if (outer && names(outer.receiver)) return true;
    }
  }
  return false;
}

/**
 * Whether one of `from` is `target` or calls it, directly or through functions it calls (up to
 * `depth` calls away): the functions visited on the way, or undefined.
 */
export function callsBackInto(
  index: ProgramIndex,
  from: readonly ts.Node[],
  target: ts.Node,
  depth = 3,
): ts.Node[] | undefined {
  const t = index.ts;
  const seen = new Set<ts.Node>(from);
  let frontier = [...from];
  for (let level = 0; level <= depth && frontier.length; level++) {
    if (frontier.includes(target)) return [...seen];
    const next: ts.Node[] = [];
    for (const fn of frontier) {
      if (!isFunctionLikeWithBody(t, fn) || !fn.body) continue;
      const visit = (node: ts.Node): void => {
        if (t.isFunctionDeclaration(node) || t.isClassLike(node)) return;
        if (t.isCallExpression(node) || t.isNewExpression(node)) {
          for (const callee of index.resolveFunctions(node.expression, 0, false)) {
            if (!seen.has(callee)) {
              seen.add(callee);
              next.push(callee);
            }
          }
        }
        t.forEachChild(node, visit);
      };
      visit(fn.body);
    }
    frontier = next;
  }
  return undefined;
}
