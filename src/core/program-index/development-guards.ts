// Code that runs only in development: a branch the program guards with a test that its environment
// is `development`. A deploy does not run it, so SIGTERM never reaches it (outline's start clears a
// cache `if (env.isDevelopment)`, so that code changes show at once).
//
// What counts is an equality with the literal 'development' (or 'dev') of a value named for the
// environment (`process.env.NODE_ENV === 'development'`, `this.ENVIRONMENT == 'dev'`), or a name
// whose declaration is one: a `const` (`const isDev = …`), an object's property, a class's
// readonly field, a getter or a function without parameters that returns one
// (`get isDevelopment() { return this.ENVIRONMENT === 'development' }`). A test against
// production (`NODE_ENV !== 'production'`, `!env.isProduction`) is not one: it is true in test and
// staging, and in every deploy that leaves NODE_ENV unset, which many do.
import type * as ts from 'typescript';
import type { TS } from '../ts-utils.js';
import { aliasTarget, type TypeQuestions } from '../type-questions.js';

const developmentValue = /^(development|dev)$/;
/** The last name of a value that says which environment runs: NODE_ENV, APP_ENV, ENVIRONMENT, env, mode, stage. */
const environmentName = /env|mode|stage/i;

/**
 * Whether `node` lies where only development runs it: the `then` branch of an `if` (or of a
 * `?:`, or the right of `&&`) whose condition is a development test (alone or in a conjunction),
 * or the `else` branch of one whose condition denies it (`if (!isDev) … else …`).
 */
export function isDevelopmentOnly(t: TS, types: TypeQuestions, node: ts.Node): boolean {
  for (let child = node, p = node.parent; p && !t.isSourceFile(p); child = p, p = p.parent) {
    if (t.isIfStatement(p) || t.isConditionalExpression(p)) {
      const whenTrue = t.isIfStatement(p) ? p.thenStatement : p.whenTrue;
      const whenFalse = t.isIfStatement(p) ? p.elseStatement : p.whenFalse;
      const condition = t.isIfStatement(p) ? p.expression : p.condition;
      if (child === whenTrue && isDevelopmentTest(t, types, condition, new Set())) return true;
      if (child === whenFalse && deniesDevelopment(t, types, condition)) return true;
    }
    if (
      t.isBinaryExpression(p) &&
      p.operatorToken.kind === t.SyntaxKind.AmpersandAmpersandToken &&
      child === p.right &&
      isDevelopmentTest(t, types, p.left, new Set())
    )
      return true;
  }
  return false;
}

function skipParens(t: TS, e: ts.Expression): ts.Expression {
  while (t.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** `!isDev`, `NODE_ENV !== 'development'`: false exactly in development. */
function deniesDevelopment(t: TS, types: TypeQuestions, condition: ts.Expression): boolean {
  const e = skipParens(t, condition);
  if (t.isPrefixUnaryExpression(e) && e.operator === t.SyntaxKind.ExclamationToken)
    return isDevelopmentTest(t, types, e.operand, new Set());
  return t.isBinaryExpression(e) && comparesWithDevelopment(t, e, 'differs');
}

function isDevelopmentTest(
  t: TS,
  types: TypeQuestions,
  condition: ts.Expression | undefined,
  seen: Set<ts.Node>,
): boolean {
  if (!condition) return false;
  const e = skipParens(t, condition);
  if (t.isBinaryExpression(e)) {
    if (e.operatorToken.kind === t.SyntaxKind.AmpersandAmpersandToken)
      return isDevelopmentTest(t, types, e.left, seen) || isDevelopmentTest(t, types, e.right, seen);
    return comparesWithDevelopment(t, e, 'equals');
  }
  if (t.isCallExpression(e) && e.arguments.length === 0)
    return declaresDevelopmentTest(t, types, skipParens(t, e.expression), seen, true);
  if (t.isIdentifier(e) || t.isPropertyAccessExpression(e)) return declaresDevelopmentTest(t, types, e, seen, false);
  return false;
}

/** `process.env.NODE_ENV === 'development'`, `'dev' == env.APP_ENV` (or `!==` for 'differs'). */
function comparesWithDevelopment(t: TS, e: ts.BinaryExpression, test: 'equals' | 'differs'): boolean {
  const kind = e.operatorToken.kind;
  const equality = kind === t.SyntaxKind.EqualsEqualsEqualsToken || kind === t.SyntaxKind.EqualsEqualsToken;
  const inequality = kind === t.SyntaxKind.ExclamationEqualsEqualsToken || kind === t.SyntaxKind.ExclamationEqualsToken;
  if (test === 'equals' ? !equality : !inequality) return false;
  const isDevelopmentLiteral = (x: ts.Expression): boolean => t.isStringLiteralLike(x) && developmentValue.test(x.text);
  const namesEnvironment = (x: ts.Expression): boolean => {
    const v = skipParens(t, x);
    const name = t.isIdentifier(v) ? v.text : t.isPropertyAccessExpression(v) ? v.name.text : undefined;
    return name !== undefined && environmentName.test(name);
  };
  const left = skipParens(t, e.left);
  const right = skipParens(t, e.right);
  return (
    (isDevelopmentLiteral(right) && namesEnvironment(left)) || (isDevelopmentLiteral(left) && namesEnvironment(right))
  );
}

/**
 * A name whose declaration holds a development test: read (`isDev`, `env.isDevelopment`), a const,
 * a property, a readonly field or a getter; called without arguments (`isDevelopment()`), a
 * function or method without parameters, or a const or property holding one, that only returns one.
 */
function declaresDevelopmentTest(
  t: TS,
  types: TypeQuestions,
  e: ts.Expression,
  seen: Set<ts.Node>,
  called: boolean,
): boolean {
  const at = t.isPropertyAccessExpression(e) ? e.name : e;
  const found = types.getSymbolAtLocation(at);
  const symbol = found && aliasTarget(types, found, t.SymbolFlags.Alias);
  const declarations = symbol?.declarations ?? [];
  if (declarations.length !== 1) return false;
  const declaration = declarations[0]!;
  if (seen.has(declaration)) return false;
  seen.add(declaration);
  let value: ts.Expression | undefined;
  if (t.isVariableDeclaration(declaration)) {
    const list = declaration.parent;
    if (t.isVariableDeclarationList(list) && list.flags & t.NodeFlags.Const) value = declaration.initializer;
  } else if (t.isPropertyAssignment(declaration)) {
    value = declaration.initializer;
  } else if (t.isPropertyDeclaration(declaration)) {
    const readonly = (declaration.modifiers ?? []).some((m) => m.kind === t.SyntaxKind.ReadonlyKeyword);
    if (readonly) value = declaration.initializer;
  } else if (t.isGetAccessorDeclaration(declaration)) {
    return !called && isDevelopmentTest(t, types, onlyReturned(t, declaration.body), seen);
  } else if (t.isFunctionDeclaration(declaration) || t.isMethodDeclaration(declaration)) {
    return (
      called &&
      declaration.parameters.length === 0 &&
      isDevelopmentTest(t, types, onlyReturned(t, declaration.body), seen)
    );
  }
  if (!value) return false;
  value = skipParens(t, value);
  const isFunction = t.isArrowFunction(value) || t.isFunctionExpression(value);
  // A function read as a value is always truthy: `if (isDev)` for `const isDev = () => …` tests nothing.
  if (called !== isFunction) return false;
  if (t.isArrowFunction(value) || t.isFunctionExpression(value)) {
    if (value.parameters.length > 0) return false;
    return isDevelopmentTest(t, types, t.isBlock(value.body) ? onlyReturned(t, value.body) : value.body, seen);
  }
  return isDevelopmentTest(t, types, value, seen);
}

/** The expression of a body that is a single `return` statement. */
function onlyReturned(t: TS, body: ts.Node | undefined): ts.Expression | undefined {
  if (!body || !t.isBlock(body) || body.statements.length !== 1) return undefined;
  const only = body.statements[0]!;
  return t.isReturnStatement(only) ? only.expression : undefined;
}
