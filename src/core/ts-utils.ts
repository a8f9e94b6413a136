// Small predicates over the TypeScript AST. Every function takes the `ts` instance that built
// the program, because SyntaxKind numbers differ between TypeScript versions.
import type * as ts from 'typescript';

export type TS = typeof ts;

export type FunctionLikeWithBody =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

/**
 * The `return` statements of a function's block body: its own, not those of the functions nested
 * in it. The walk the index, the resources and the rules share for what a function returns.
 */
export function ownReturnStatements(t: TS, body: ts.Block): ts.ReturnStatement[] {
  const found: ts.ReturnStatement[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isReturnStatement(node)) {
      found.push(node);
      return;
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(body, visit);
  return found;
}

export function isFunctionLikeWithBody(t: TS, node: ts.Node): node is FunctionLikeWithBody {
  return (
    (t.isFunctionDeclaration(node) ||
      t.isFunctionExpression(node) ||
      t.isArrowFunction(node) ||
      t.isMethodDeclaration(node) ||
      t.isConstructorDeclaration(node) ||
      t.isGetAccessorDeclaration(node) ||
      t.isSetAccessorDeclaration(node)) &&
    node.body !== undefined
  );
}

/** The code a function runs (its body), or the whole file for a top-level root. */
export function functionBody(t: TS, fn: ts.Node): ts.Node | undefined {
  return t.isSourceFile(fn) ? fn : isFunctionLikeWithBody(t, fn) ? fn.body : undefined;
}

export function isAsyncFunction(t: TS, node: ts.Node): boolean {
  return (
    isFunctionLikeWithBody(t, node) &&
    (t.getCombinedModifierFlags(node as ts.Declaration) & t.ModifierFlags.Async) !== 0
  );
}

/** Strips parentheses, `as`, `satisfies`, `!` and type assertions. */
export function skipOuterExpressions(t: TS, node: ts.Expression): ts.Expression {
  let current = node;
  for (;;) {
    if (
      t.isParenthesizedExpression(current) ||
      t.isAsExpression(current) ||
      t.isSatisfiesExpression(current) ||
      t.isNonNullExpression(current) ||
      t.isTypeAssertionExpression(current)
    ) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

/** The innermost function-like node containing `node` (not `node` itself). */
export function enclosingFunction(t: TS, node: ts.Node): FunctionLikeWithBody | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (isFunctionLikeWithBody(t, p)) return p;
  }
  return undefined;
}

/** A property name as text when it is static (`a.b`, `a['b']`, `{ b: … }`). */
export function staticPropertyName(t: TS, node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (t.isIdentifier(node) || t.isPrivateIdentifier(node)) return node.text;
  if (t.isStringLiteralLike(node) || t.isNumericLiteral(node)) return node.text;
  if (t.isComputedPropertyName(node)) return staticPropertyName(t, node.expression);
  return undefined;
}

/**
 * The expression an object literal's property gives its value: `v` of `{ a: v }`, the name `a` of
 * the shorthand `{ a }`; undefined for methods, accessors and spreads.
 */
export function propertyValue(t: TS, property: ts.ObjectLiteralElementLike): ts.Expression | undefined {
  if (t.isPropertyAssignment(property)) return property.initializer;
  if (t.isShorthandPropertyAssignment(property)) return property.name;
  return undefined;
}

/** For `a.b(...)` / `a['b'](...)`: the receiver and the method name. */
export function methodCallParts(t: TS, call: ts.CallExpression): { receiver: ts.Expression; name: string } | undefined {
  const callee = skipOuterExpressions(t, call.expression);
  if (t.isPropertyAccessExpression(callee)) {
    return { receiver: callee.expression, name: callee.name.text };
  }
  if (t.isElementAccessExpression(callee)) {
    const name = staticPropertyName(t, callee.argumentExpression);
    if (name !== undefined) return { receiver: callee.expression, name };
  }
  return undefined;
}

/** A short, readable name for a call: `sendReceipt`, `repo.insert`, `this.audit.write`. */
export function calleeText(t: TS, expression: ts.Expression, sourceFile: ts.SourceFile): string {
  const callee = skipOuterExpressions(t, expression);
  if (t.isIdentifier(callee) || t.isPrivateIdentifier(callee)) return callee.text;
  if (callee.kind === t.SyntaxKind.ThisKeyword) return 'this';
  if (t.isPropertyAccessExpression(callee)) {
    const receiver = skipOuterExpressions(t, callee.expression);
    const callText = (e: ts.Expression): string =>
      t.isCallExpression(e) ? `${calleeText(t, e.expression, sourceFile)}(…)` : calleeText(t, e, sourceFile);
    // `(await this.getProducer()).send`: the parentheses say what is awaited.
    const left = t.isAwaitExpression(receiver)
      ? `(await ${callText(skipOuterExpressions(t, receiver.expression))})`
      : callText(receiver);
    return `${left}.${callee.name.text}`;
  }
  if (t.isFunctionExpression(callee) || t.isArrowFunction(callee)) {
    return isAsyncFunction(t, callee) ? 'async function' : 'function';
  }
  const text = callee.getText(sourceFile).replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

export function isInDeclarationFileOrNodeModules(sourceFile: ts.SourceFile): boolean {
  return sourceFile.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sourceFile.fileName);
}

/**
 * The identifier a function is called by: its own name (a function or method declaration), or the
 * variable or property it is assigned to (`const build = () => …`, `{ build: () => … }`).
 */
export function functionNameNode(t: TS, fn: FunctionLikeWithBody): ts.Identifier | undefined {
  if ((t.isFunctionDeclaration(fn) || t.isMethodDeclaration(fn)) && fn.name && t.isIdentifier(fn.name)) return fn.name;
  let e: ts.Node = fn;
  while (t.isParenthesizedExpression(e.parent)) e = e.parent;
  const parent = e.parent;
  if ((t.isVariableDeclaration(parent) || t.isPropertyAssignment(parent)) && t.isIdentifier(parent.name))
    return parent.name;
  return undefined;
}

/** A call of a function named `require` (`require('x')`, `(require as any)(x)`): whether the global is meant is the checker's question. */
export function isRequireCall(t: TS, call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(t, call.expression);
  return t.isIdentifier(callee) && callee.text === 'require';
}

/**
 * The identifiers under `scope` that denote what `declared` declares (the declaration itself left
 * out), as `symbolAt` resolves them; undefined when `declared` declares no symbol.
 */
export function referencesWithin(
  t: TS,
  declared: ts.Identifier,
  scope: ts.Node,
  symbolAt: (node: ts.Node) => ts.Symbol | undefined,
): ts.Identifier[] | undefined {
  const symbol = symbolAt(declared);
  if (symbol === undefined) return undefined;
  const found: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    // A reference to a declared name is spelled as it is: the text is compared first, symbols only then.
    if (t.isIdentifier(n) && n !== declared && n.text === declared.text && symbolAt(n) === symbol) found.push(n);
    else t.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}
