// Stop conditions of repeating work: whether code consults an AbortSignal or a stop flag, and
// whether a loop has a way out. The Go counterpart is a worker that selects on `ctx.Done()`.
import type * as ts from 'typescript';
import { processExits, refIn, sameRef, timeoutTimers } from '../../src/core/catalogue.js';
import type { ProgramIndex } from '../../src/core/program-index.js';
import { isAbortSignalType } from '../../src/core/signals.js';
import { isFunctionLikeWithBody, skipOuterExpressions, type TS } from '../../src/core/ts-utils.js';

/** Names of flags and predicates that say whether to go on: `stopped`, `this.running`, `isShuttingDown()`. */
const stopNames =
  /stop|shut|clos|abort|cancel|running|active|alive|enabled|disposed|destroyed|terminat|exit|quit|paused|started|polling|done|finish|halt|kill/i;

/** What the project's runtime exposes to stop work: `lifecycle.signal`, `lifecycle.closing`. */
const lifecycleStops = [
  { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'signal'] },
  { module: 'shutdown-lint/lifecycle', path: ['lifecycle', 'closing'] },
];

/** The code a scope runs: a function's body, or the node itself (a loop). */
function bodyOf(t: TS, scope: ts.Node): ts.Node | undefined {
  return isFunctionLikeWithBody(t, scope) ? scope.body : scope;
}

function isWithin(node: ts.Node, scopes: readonly ts.Node[]): boolean {
  return scopes.some((s) => s.getSourceFile() === node.getSourceFile() && s.pos <= node.pos && node.end <= s.end);
}

/**
 * Whether code in `scopes` (callbacks inside included, nested declarations not) consults an
 * AbortSignal (reads `aborted`, calls `throwIfAborted`, hands a signal on, `lifecycle.signal` or
 * `lifecycle.closing`) or a stop flag in a condition: a mutable variable, field or predicate
 * declared outside them, named for stopping or running (`if (this.stopped) return`). With
 * `boundedByParameters`, a comparison with a parameter of one of the scopes counts too (a retry
 * counter: `if (attempt >= max) return`).
 */
export function consultsStop(index: ProgramIndex, scopes: readonly ts.Node[], boundedByParameters = false): boolean {
  const t = index.ts;
  const types = index.types;
  const parameters = new Set<ts.Symbol>();
  if (boundedByParameters) {
    for (const scope of scopes) {
      if (!isFunctionLikeWithBody(t, scope)) continue;
      for (const p of scope.parameters) {
        const symbol = t.isIdentifier(p.name) ? types.getSymbolAtLocation(p.name) : undefined;
        if (symbol) parameters.add(symbol);
      }
    }
  }
  let found = false;
  const isFlag = (e: ts.Expression): boolean => {
    const x = skipOuterExpressions(t, e);
    if (t.isCallExpression(x)) {
      const callee = skipOuterExpressions(t, x.expression);
      const name = t.isIdentifier(callee)
        ? callee.text
        : t.isPropertyAccessExpression(callee)
          ? callee.name.text
          : undefined;
      return name !== undefined && stopNames.test(name);
    }
    const nameNode = t.isIdentifier(x) ? x : t.isPropertyAccessExpression(x) ? x.name : undefined;
    if (!nameNode || !stopNames.test(nameNode.text)) return false;
    const symbol = types.getSymbolAtLocation(nameNode);
    const declaration = symbol?.valueDeclaration;
    if (declaration && isWithin(declaration, scopes)) return false;
    if (declaration && t.isVariableDeclaration(declaration) && t.getCombinedNodeFlags(declaration) & t.NodeFlags.Const)
      return false;
    const type = types.getTypeAtLocation(x);
    return (type.flags & (t.TypeFlags.BooleanLike | t.TypeFlags.Any | t.TypeFlags.Unknown)) !== 0 || type.isUnion();
  };
  const inCondition = (condition: ts.Expression): void => {
    const visit = (node: ts.Node): void => {
      if (found || isFunctionLikeWithBody(t, node)) return;
      if (
        (t.isIdentifier(node) || t.isPropertyAccessExpression(node) || t.isCallExpression(node)) &&
        isFlag(node as ts.Expression)
      ) {
        found = true;
        return;
      }
      if (boundedByParameters && t.isBinaryExpression(node) && isRelational(t, node.operatorToken.kind)) {
        for (const side of [node.left, node.right]) {
          const e = skipOuterExpressions(t, side);
          if (t.isIdentifier(e) && parameters.has(types.getSymbolAtLocation(e)!)) found = true;
        }
      }
      t.forEachChild(node, visit);
    };
    visit(condition);
  };
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isFunctionDeclaration(node) || t.isClassLike(node)) return;
    if (t.isPropertyAccessExpression(node) && (node.name.text === 'aborted' || node.name.text === 'throwIfAborted')) {
      found = true;
      return;
    }
    if (
      (t.isPropertyAccessExpression(node) || t.isIdentifier(node)) &&
      refIn(index.binding.resolve(node as ts.Expression) ?? { module: '', path: [] }, lifecycleStops)
    ) {
      found = true;
      return;
    }
    if (t.isCallExpression(node) || t.isNewExpression(node)) {
      for (const argument of node.arguments ?? []) if (handsOnSignal(index, argument, scopes)) found = true;
    }
    if (t.isIfStatement(node) || t.isWhileStatement(node) || t.isDoStatement(node)) inCondition(node.expression);
    else if (t.isForStatement(node) && node.condition) inCondition(node.condition);
    else if (t.isConditionalExpression(node)) inCondition(node.condition);
    else if (t.isBinaryExpression(node) && isLogical(t, node.operatorToken.kind)) inCondition(node.left);
    t.forEachChild(node, visit);
  };
  for (const scope of scopes) {
    const body = bodyOf(t, scope);
    if (body) visit(body);
    if (found) return true;
  }
  return found;
}

/**
 * An argument that is a signal, or an options object that carries one: `fetch(url, { signal })`,
 * `sleep(ms, v, { signal })`. A signal made afresh in `scopes` (`new AbortController()` in the loop
 * body, aborted by its own timer; `AbortSignal.timeout(ms)`) bounds one call, not the loop: nothing
 * outside can abort it, so it is no way to stop the work.
 */
function handsOnSignal(index: ProgramIndex, argument: ts.Expression, scopes: readonly ts.Node[]): boolean {
  const t = index.ts;
  const e = skipOuterExpressions(t, argument);
  if (t.isObjectLiteralExpression(e)) {
    return e.properties.some((p) => {
      if (!(t.isShorthandPropertyAssignment(p) || t.isPropertyAssignment(p)) || !t.isIdentifier(p.name)) return false;
      if (!/signal/i.test(p.name.text)) return false;
      const value = t.isPropertyAssignment(p) ? p.initializer : p.name;
      return !isFreshSignal(index, value, scopes);
    });
  }
  if (!t.isIdentifier(e) && !t.isPropertyAccessExpression(e)) return false;
  return isAbortSignalType(t, index.types, index.types.getTypeAtLocation(e)) && !isFreshSignal(index, e, scopes);
}

/** `AbortSignal.timeout(ms)`, or the signal of a controller (or a signal) declared in `scopes`. */
function isFreshSignal(index: ProgramIndex, value: ts.Expression, scopes: readonly ts.Node[], depth = 0): boolean {
  const t = index.ts;
  const e = skipOuterExpressions(t, value);
  if (t.isCallExpression(e)) {
    const callee = skipOuterExpressions(t, e.expression);
    return (
      t.isPropertyAccessExpression(callee) &&
      callee.name.text === 'timeout' &&
      t.isIdentifier(callee.expression) &&
      callee.expression.text === 'AbortSignal'
    );
  }
  const holder = t.isPropertyAccessExpression(e) && e.name.text === 'signal' ? e.expression : e;
  if (!t.isIdentifier(holder) || depth > 3) return false;
  const declaration = index.types.getSymbolAtLocation(holder)?.valueDeclaration;
  if (!declaration || !t.isVariableDeclaration(declaration) || !isWithin(declaration, scopes)) return false;
  const initializer = declaration.initializer && skipOuterExpressions(t, declaration.initializer);
  if (!initializer) return false;
  if (t.isNewExpression(initializer))
    return t.isIdentifier(initializer.expression) && initializer.expression.text === 'AbortController';
  return isFreshSignal(index, initializer, scopes, depth + 1);
}

function isRelational(t: TS, kind: ts.SyntaxKind): boolean {
  return (
    kind === t.SyntaxKind.LessThanToken ||
    kind === t.SyntaxKind.LessThanEqualsToken ||
    kind === t.SyntaxKind.GreaterThanToken ||
    kind === t.SyntaxKind.GreaterThanEqualsToken
  );
}

function isLogical(t: TS, kind: ts.SyntaxKind): boolean {
  return (
    kind === t.SyntaxKind.AmpersandAmpersandToken ||
    kind === t.SyntaxKind.BarBarToken ||
    kind === t.SyntaxKind.QuestionQuestionToken
  );
}

/** `while (true)`, `while (1)`, `for (;;)`, `for (; true;)`, `do … while (true)`: the keyword, or undefined for other loops. */
export function endlessLoopKeyword(t: TS, node: ts.Node): string | undefined {
  const endless = (e: ts.Expression | undefined): boolean => {
    if (!e) return true;
    const x = skipOuterExpressions(t, e);
    return x.kind === t.SyntaxKind.TrueKeyword || (t.isNumericLiteral(x) && Number(x.text) !== 0);
  };
  if (t.isWhileStatement(node)) return endless(node.expression) ? 'while' : undefined;
  if (t.isDoStatement(node)) return endless(node.expression) ? 'do' : undefined;
  if (t.isForStatement(node)) return endless(node.condition) ? 'for' : undefined;
  return undefined;
}

/** Whether a loop's body awaits (an `await` or a `for await`) outside nested functions; and whether it yields. */
export function loopAwaits(t: TS, loop: ts.IterationStatement): { awaits: boolean; yields: boolean } {
  const result = { awaits: false, yields: false };
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node) || t.isClassLike(node)) return;
    if (t.isAwaitExpression(node) || (t.isForOfStatement(node) && node.awaitModifier)) result.awaits = true;
    if (t.isYieldExpression(node)) result.yields = true;
    t.forEachChild(node, visit);
  };
  visit(loop.statement);
  return result;
}

/**
 * Whether a loop has a way out: a `return`, a `break` or `continue` that leaves it, a `throw` no
 * `try` inside it catches, or a call of `process.exit`.
 */
export function loopHasExit(index: ProgramIndex, loop: ts.IterationStatement): boolean {
  const t = index.ts;
  const innerLabels = new Set<string>();
  const ownLabels = new Set<string>();
  for (let p = loop.parent; t.isLabeledStatement(p); p = p.parent) ownLabels.add(p.label.text);
  const visit = (node: ts.Node, nested: number, caught: boolean): boolean => {
    if (isFunctionLikeWithBody(t, node) || t.isClassLike(node)) return false;
    if (t.isReturnStatement(node)) return true;
    if (t.isThrowStatement(node) && !caught) return true;
    if (t.isBreakStatement(node) || t.isContinueStatement(node)) {
      // `continue outer` on this loop's own label goes round again; any other label leaves it.
      if (node.label)
        return !innerLabels.has(node.label.text) && !(t.isContinueStatement(node) && ownLabels.has(node.label.text));
      if (t.isBreakStatement(node) && nested === 0) return true;
    }
    if (t.isCallExpression(node)) {
      const ref = index.binding.resolve(node.expression);
      if (ref && processExits.some((exit) => sameRef(exit, ref))) return true;
    }
    if (t.isLabeledStatement(node)) innerLabels.add(node.label.text);
    if (t.isTryStatement(node)) {
      if (visit(node.tryBlock, nested, caught || node.catchClause !== undefined)) return true;
      if (node.catchClause && visit(node.catchClause.block, nested, caught)) return true;
      return node.finallyBlock !== undefined && visit(node.finallyBlock, nested, caught);
    }
    const inner = t.isIterationStatement(node, false) || t.isSwitchStatement(node) ? nested + 1 : nested;
    return t.forEachChild(node, (child) => (visit(child, inner, caught) ? true : undefined)) ?? false;
  };
  return visit(loop.statement, 0, false);
}

/**
 * A reschedule that runs only when the work failed: in a `catch` block, or a `.catch(…)` /
 * `.then(_, onRejected)` callback between it and the scheduler. A retry ends once the work succeeds.
 */
export function retriesOnFailure(t: TS, call: ts.Node, scheduler: ts.Node): boolean {
  for (
    let child: ts.Node = call, parent = call.parent;
    parent && child !== scheduler;
    child = parent, parent = parent.parent
  ) {
    if (t.isCatchClause(parent)) return true;
    if (t.isCallExpression(parent) && t.isPropertyAccessExpression(parent.expression)) {
      const position = parent.arguments.indexOf(child as ts.Expression);
      const method = parent.expression.name.text;
      if ((method === 'catch' && position === 0) || (method === 'then' && position === 1)) return true;
    }
  }
  return false;
}

/**
 * Whether a self-rescheduling cycle can end on its own, as a loop with a `break` can: a `return`
 * or `throw` in one of its functions that does not just follow a reschedule, or a reschedule
 * under a condition with no other reschedule for the remaining paths (`if (hasMore) setTimeout(next)`).
 */
export function cycleHasExit(
  index: ProgramIndex,
  call: ts.Node,
  scheduler: ts.Node,
  cycle: readonly ts.Node[],
): boolean {
  const t = index.ts;
  const reschedules = (node: ts.Node | undefined): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (n === call) found = true;
      else if (t.isCallExpression(n)) {
        const ref = index.binding.resolve(n.expression);
        if (ref && refIn(ref, timeoutTimers)) found = true;
      }
      t.forEachChild(n, visit);
    };
    if (node) visit(node);
    return found;
  };
  for (const fn of new Set([scheduler, ...cycle])) {
    if (!isFunctionLikeWithBody(t, fn) || !fn.body) continue;
    let exits = false;
    const visit = (node: ts.Node): void => {
      if (exits || (node !== fn.body && (t.isFunctionDeclaration(node) || t.isClassLike(node)))) return;
      if (t.isReturnStatement(node) || t.isThrowStatement(node)) {
        const block = node.parent;
        const statements = t.isBlock(block) ? block.statements : undefined;
        const before = statements ? statements[statements.indexOf(node) - 1] : undefined;
        if (!reschedules(before) && !(t.isReturnStatement(node) && reschedules(node.expression))) exits = true;
      }
      t.forEachChild(node, visit);
    };
    visit(fn.body);
    if (exits) return true;
  }
  // A conditional reschedule: the paths that skip it end the cycle, unless code after the condition reschedules too.
  for (
    let child: ts.Node = call, parent = call.parent;
    parent && child !== scheduler;
    child = parent, parent = parent.parent
  ) {
    const conditional =
      (t.isIfStatement(parent) && child === parent.thenStatement && !parent.elseStatement) ||
      (t.isBinaryExpression(parent) &&
        child === parent.right &&
        parent.operatorToken.kind === t.SyntaxKind.AmpersandAmpersandToken);
    if (!conditional) continue;
    const statement = t.isIfStatement(parent) ? parent : undefined;
    const block = statement?.parent;
    const after = block && t.isBlock(block) ? block.statements.slice(block.statements.indexOf(statement!) + 1) : [];
    if (!after.some((s) => reschedules(s))) return true;
  }
  return false;
}
