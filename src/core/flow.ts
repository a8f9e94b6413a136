// Synchronous flow inside one function: what ran before a node, which calls run now (not in a
// callback that runs later), and whether the promise a call returns is waited for. Syntactic:
// branches that may not have run count as run, so "it ran before" errs towards reporting.
import type * as ts from 'typescript';
import type { ProgramIndex } from './program-index.js';
import { isFunctionLikeWithBody, skipOuterExpressions, type FunctionLikeWithBody, type TS } from './ts-utils.js';

/**
 * The code that ran before `node` in `scope` (its function, or the source file), in execution
 * order: preceding statements at every level up to the scope, a `try` block before its `catch` and
 * `finally`, an `if` condition before its branches; not the other branch, nor an earlier `case`.
 */
export function ranBefore(t: TS, node: ts.Node, scope: ts.Node): ts.Node[] {
  const levels: ts.Node[][] = [];
  let child = node;
  for (let parent = node.parent; parent && child !== scope; child = parent, parent = parent.parent) {
    if (isFunctionLikeWithBody(t, parent)) break;
    const level: ts.Node[] = [];
    if (t.isIfStatement(parent)) {
      if (child !== parent.expression) level.push(parent.expression);
    } else if (t.isConditionalExpression(parent)) {
      if (child !== parent.condition) level.push(parent.condition);
    } else if (t.isTryStatement(parent)) {
      if (child === parent.finallyBlock) {
        level.push(parent.tryBlock);
        if (parent.catchClause) level.push(parent.catchClause);
      } else if (child === parent.catchClause) {
        level.push(parent.tryBlock);
      }
    } else if (t.isCaseBlock(parent)) {
      // An earlier clause ran only by falling through; clauses usually end with `break`.
    } else {
      t.forEachChild(parent, (sibling) => {
        if (sibling.end <= child.pos) level.push(sibling);
      });
    }
    levels.push(level);
  }
  return levels.reverse().flat();
}

/** `new Promise((resolve) => …)`: its executor runs now, as part of the expression. */
export function isPromiseExecutor(index: ProgramIndex, fn: ts.Node): boolean {
  const t = index.ts;
  const parent = fn.parent;
  if (!parent || !t.isNewExpression(parent) || parent.arguments?.[0] !== fn) return false;
  const ref = index.binding.resolve(parent.expression);
  return ref?.module === 'global' && ref.path.length === 1 && ref.path[0] === 'Promise';
}

/** Calls that run now when `node` runs, in preorder: not those in callbacks, except promise executors. */
export function callsRunBy(
  index: ProgramIndex,
  node: ts.Node,
  visitCall: (call: ts.CallExpression | ts.NewExpression) => boolean | void,
): void {
  const t = index.ts;
  let stopped = false;
  const visit = (n: ts.Node): void => {
    if (stopped) return;
    if (isFunctionLikeWithBody(t, n) && !isPromiseExecutor(index, n)) return;
    if (t.isClassLike(n)) return;
    if ((t.isCallExpression(n) || t.isNewExpression(n)) && visitCall(n) === true) {
      stopped = true;
      return;
    }
    t.forEachChild(n, visit);
  };
  visit(node);
}

/** The call's value is awaited (or yielded) before `within` ends: `await server.close()`, `await new Promise((r) => server.close(r))`. */
export function isAwaitedWithin(index: ProgramIndex, call: ts.Node, within: ts.Node): boolean {
  const t = index.ts;
  for (let node: ts.Node | undefined = call; node && node !== within.parent; node = node.parent) {
    if (t.isAwaitExpression(node) || t.isYieldExpression(node)) return true;
    if (isFunctionLikeWithBody(t, node) && node !== call && !isPromiseExecutor(index, node)) return false;
  }
  return false;
}

/** The leftmost identifier of `a.b.c` / `a[b]()` / `this.a` (as `this.a`). */
export function rootName(t: TS, expression: ts.Expression): string | undefined {
  let e = skipOuterExpressions(t, expression);
  for (;;) {
    if (t.isIdentifier(e)) return e.text;
    if (t.isPropertyAccessExpression(e)) {
      if (e.expression.kind === t.SyntaxKind.ThisKeyword) return e.name.text;
      e = skipOuterExpressions(t, e.expression);
    } else if (t.isElementAccessExpression(e) || t.isCallExpression(e)) {
      e = skipOuterExpressions(t, e.expression);
    } else {
      return undefined;
    }
  }
}

/**
 * The names through which something can wait for the promise `call` returns later: the variable
 * it is stored in, the collection it is handed to (`tasks.push(p)`), and its receiver
 * (`server.close(); await once(server, 'close')`).
 */
export function holderNames(index: ProgramIndex, call: ts.CallExpression | ts.NewExpression): Set<string> {
  const t = index.ts;
  const names = new Set<string>();
  if (
    t.isCallExpression(call) &&
    (t.isPropertyAccessExpression(call.expression) || t.isElementAccessExpression(call.expression))
  ) {
    const receiver = rootName(t, call.expression.expression);
    if (receiver) names.add(receiver);
  }
  let node: ts.Node = call;
  for (let depth = 0; depth < 8 && node.parent; depth++, node = node.parent) {
    const parent: ts.Node = node.parent;
    if (t.isVariableDeclaration(parent) && parent.initializer === node) {
      if (t.isIdentifier(parent.name)) names.add(parent.name.text);
      break;
    }
    if (
      t.isBinaryExpression(parent) &&
      parent.right === node &&
      parent.operatorToken.kind === t.SyntaxKind.EqualsToken
    ) {
      const left = rootName(t, parent.left);
      if (left) names.add(left);
      break;
    }
    if (
      (t.isCallExpression(parent) || t.isNewExpression(parent)) &&
      parent.arguments?.includes(node as ts.Expression)
    ) {
      const holder = t.isCallExpression(parent) ? rootName(t, parent.expression) : undefined;
      if (holder) names.add(holder);
      continue;
    }
    if (isFunctionLikeWithBody(t, parent) && !isPromiseExecutor(index, parent)) break;
    if (t.isStatement(parent)) break;
  }
  return names;
}

/** Some later code awaits one of `names`: `await p`, `await Promise.all(tasks)`, `await once(server, 'close')`. */
export function awaitsOneOf(t: TS, pieces: readonly ts.Node[], names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  let found = false;
  const mentions = (n: ts.Node): void => {
    if (found) return;
    if (t.isIdentifier(n) && names.has(n.text)) {
      found = true;
      return;
    }
    t.forEachChild(n, mentions);
  };
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (isFunctionLikeWithBody(t, n)) return;
    if (t.isAwaitExpression(n)) {
      mentions(n.expression);
      if (found) return;
    }
    t.forEachChild(n, visit);
  };
  for (const piece of pieces) visit(piece);
  return found;
}

/** The function or source file whose own code `node` belongs to. */
export function ownScope(t: TS, node: ts.Node): FunctionLikeWithBody | ts.SourceFile {
  for (let p = node.parent; p; p = p.parent) {
    if (isFunctionLikeWithBody(t, p)) return p;
  }
  return node.getSourceFile();
}
