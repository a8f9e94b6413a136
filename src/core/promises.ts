// Is an expression a promise? The checker's answer when it has one; when types are unknown
// (node_modules missing, plain JavaScript), what the program itself says: an async function it
// declares, `new Promise`, a `.then/.catch/.finally` chain on a promise.
import type * as ts from 'typescript';
import { kindSpec } from './catalogue.js';
import type { ProgramIndex } from './program-index.js';
import {
  isAsyncFunction,
  isFunctionLikeWithBody,
  isInDeclarationFileOrNodeModules,
  methodCallParts,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
} from './ts-utils.js';
import { type TypeQuestions } from './type-questions.js';

const chainMethods = new Set(['then', 'catch', 'finally']);

export function isPromiseType(t: TS, types: TypeQuestions, type: ts.Type): boolean {
  for (const part of type.isUnion() ? type.types : [type]) {
    if (isBuiltinPromise(t, types, part, 0)) return true;
  }
  return false;
}

function isBuiltinPromise(t: TS, types: TypeQuestions, type: ts.Type, depth: number): boolean {
  if (depth > 5) return false;
  const symbol = type.getSymbol();
  if (symbol?.name === 'Promise' && symbol.declarations?.some((d) => d.getSourceFile().isDeclarationFile)) return true;
  if (type.isClassOrInterface()) {
    for (const base of types.getBaseTypes(type)) {
      if (isBuiltinPromise(t, types, base, depth + 1)) return true;
    }
  }
  if (type.isIntersection()) return type.types.some((p) => isBuiltinPromise(t, types, p, depth + 1));
  return false;
}

function isUnknownType(t: TS, type: ts.Type): boolean {
  return (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) !== 0;
}

/** Whether evaluating `expression` yields a promise (types first, then what the program declares). */
export function isPromiseValued(t: TS, index: ProgramIndex, expression: ts.Expression, depth = 0): boolean {
  const e = skipOuterExpressions(t, expression);
  if (depth > 8) return false;
  if (t.isAwaitExpression(e) || t.isVoidExpression(e) || t.isLiteralExpression(e)) return false;
  if (!t.isCallExpression(e) && !t.isNewExpression(e) && !t.isIdentifier(e) && !t.isPropertyAccessExpression(e)) {
    return false;
  }
  if (t.isCallExpression(e) && cannotReturnPromise(t, index.types, e)) return isAsyncDocumentedVoid(t, index, e);
  const type = index.types.getTypeAtLocation(e);
  if (!isUnknownType(t, type)) return isPromiseType(t, index.types, type) || isAsyncDocumentedVoid(t, index, e);
  return isPromiseBySyntax(t, index, e, depth);
}

/**
 * A call, in JavaScript, of the program's async functions whose JSDoc says `@returns {void}`
 * (uptime-kuma's `safeBeat`): the checker takes the comment for the declared type, but an async
 * function returns a promise whatever its comment says (TypeScript rejects `async (): void`).
 */
function isAsyncDocumentedVoid(t: TS, index: ProgramIndex, e: ts.Expression): boolean {
  if (!t.isCallExpression(e) || !(e.getSourceFile().flags & t.NodeFlags.JavaScriptFile)) return false;
  const functions = index.resolveFunctions(e.expression, 0, false);
  return (
    functions.length > 0 &&
    functions.every((fn) => isAsyncFunction(t, fn) && (fn.getSourceFile().flags & t.NodeFlags.JavaScriptFile) !== 0)
  );
}

/** Types whose instantiation can be anything: the call's own type must be asked. */
function isOpenType(t: TS, type: ts.Type): boolean {
  return (
    (type.flags &
      (t.TypeFlags.Any |
        t.TypeFlags.Unknown |
        t.TypeFlags.TypeParameter |
        t.TypeFlags.Conditional |
        t.TypeFlags.IndexedAccess |
        t.TypeFlags.Substitution |
        t.TypeFlags.Index)) !==
    0
  );
}

/**
 * No signature of the callee declares a promise, or anything that could become one: the call is
 * not a promise whichever overload it resolves to, so the costly question (the call's own type,
 * which resolves overloads and types every callback argument: `app.get(path, async (req, res) =>
 * …)`) need not be asked. The callee's type is a property lookup on its receiver, no resolution.
 */
function cannotReturnPromise(t: TS, types: TypeQuestions, call: ts.CallExpression): boolean {
  const calleeType = types.getTypeAtLocation(call.expression);
  if (isOpenType(t, calleeType)) return false;
  const parts = calleeType.isUnion() ? calleeType.types : [calleeType];
  const signatures = parts.flatMap((part) => part.getCallSignatures());
  if (signatures.length === 0) return false;
  return signatures.every((signature) => {
    const returned = signature.getReturnType();
    const returnedParts = returned.isUnion() ? returned.types : [returned];
    return returnedParts.every(
      (part) => !isOpenType(t, part) && !isBuiltinPromise(t, types, part, 0) && !isThenable(part),
    );
  });
}

/** A type with a `then` method (a custom thenable) counts as possibly a promise. */
function isThenable(type: ts.Type): boolean {
  return type.getProperty('then') !== undefined;
}

function isPromiseBySyntax(t: TS, index: ProgramIndex, e: ts.Expression, depth: number): boolean {
  if (t.isNewExpression(e)) {
    const ref = index.binding.resolve(e.expression);
    return ref?.module === 'global' && ref.path.length === 1 && ref.path[0] === 'Promise';
  }
  if (!t.isCallExpression(e)) return false;
  const parts = methodCallParts(t, e);
  if (parts && chainMethods.has(parts.name)) return isPromiseValued(t, index, parts.receiver, depth + 1);
  const ref = index.binding.resolve(e.expression);
  if (ref?.module === 'global' && (ref.path[0] === 'fetch' || ref.path[0] === 'Promise')) return true;
  // A library the catalogue knows, without its types: `queue.add(…)` on a BullMQ queue, `redis.set(…)`,
  // also through the program's own getters (`getRepository(Entity).save(…)`, `(await this.getProducer()).send(…)`).
  if (parts) {
    const kind = index.kindOf(parts.receiver, false, 0, true);
    if (kind && kindSpec(kind)?.promiseMethods?.includes(parts.name)) return true;
  }
  if (isPromisified(t, index, e.expression)) return true;
  if (parts && isDeclaredPromiseMethod(t, index, parts.receiver, parts.name)) return true;
  // The function called itself, not what a wrapper was given: `cors(async fn)` returns a middleware.
  const functions = index.resolveFunctions(e.expression, 0, false);
  return functions.length > 0 && functions.every((fn) => isAsyncFunction(t, fn) || returnsPromise(t, index, fn, depth));
}

/**
 * `promisify(fn)`, or a `const` it initialises: util.promisify returns a function that returns a
 * promise, whatever `fn` is. Asked where the call's type is unknown: HedgeDoc's
 * `promisify(request.session.destroy.bind(request.session))`, the session's type coming from a
 * plugin whose types are not installed.
 */
function isPromisified(t: TS, index: ProgramIndex, callee: ts.Expression): boolean {
  let c = skipOuterExpressions(t, callee);
  if (t.isIdentifier(c)) {
    const declaration = index.types.getSymbolAtLocation(c)?.valueDeclaration;
    if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer) return false;
    if (!t.isVariableDeclarationList(declaration.parent) || !(declaration.parent.flags & t.NodeFlags.Const))
      return false;
    c = skipOuterExpressions(t, declaration.initializer);
  }
  if (!t.isCallExpression(c)) return false;
  const ref = index.binding.resolve(c.expression);
  if (!ref) return false;
  const path = ref.path.join('.');
  return (ref.module === 'util' && path === 'promisify') || (ref.module === 'global' && path === 'util.promisify');
}

/**
 * `retrievedPad.remove()` where the checker types the receiver `any` (it holds `await
 * padManager.getPad(id)`, a module the checker does not follow: a CommonJS `require` in a `.ts`
 * file), but the program's function that gave it declares what it returns (`getPad = async (…):
 * Promise<PadType>`): the method is a promise when that type says its every signature returns one.
 */
function isDeclaredPromiseMethod(t: TS, index: ProgramIndex, receiver: ts.Expression, name: string): boolean {
  const methods = declaredTypesOf(t, index, receiver).flatMap((type) => {
    const member = index.types.getPropertyOfType(type, name);
    return member ? [index.types.getTypeOfSymbol(member)] : [];
  });
  const signatures = methods.flatMap((type) =>
    (type.isUnion() ? type.types : [type]).flatMap((p) => p.getCallSignatures()),
  );
  return (
    signatures.length > 0 && signatures.every((signature) => isPromiseType(t, index.types, signature.getReturnType()))
  );
}

/**
 * The types the program's own functions declare for an untyped value: a local initialised by a
 * call of them (awaited or not), or such a call itself. Empty when the checker knows the type.
 */
function declaredTypesOf(t: TS, index: ProgramIndex, expression: ts.Expression): ts.Type[] {
  let e = skipOuterExpressions(t, expression);
  if (!isUnknownType(t, index.types.getTypeAtLocation(e))) return [];
  if (t.isIdentifier(e)) {
    const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
    // A `const`: nothing else can be assigned to it later.
    if (
      !declaration ||
      !t.isVariableDeclaration(declaration) ||
      !declaration.initializer ||
      !t.isVariableDeclarationList(declaration.parent) ||
      !(declaration.parent.flags & t.NodeFlags.Const)
    )
      return [];
    e = skipOuterExpressions(t, declaration.initializer);
  }
  const awaited = t.isAwaitExpression(e);
  if (t.isAwaitExpression(e)) e = skipOuterExpressions(t, e.expression);
  if (!t.isCallExpression(e)) return [];
  const functions = index.resolveFunctions(e.expression, 0, false);
  const types: ts.Type[] = [];
  for (const fn of functions) {
    let annotation = fn.type;
    if (!annotation) return [];
    // `async (…): Promise<PadType>` awaited is a `PadType`.
    if (awaited) {
      if (!t.isTypeReferenceNode(annotation) || annotation.typeName.getText() !== 'Promise') return [];
      annotation = annotation.typeArguments?.[0];
      if (!annotation) return [];
    }
    const type = index.types.getTypeAtLocation(annotation);
    if (isUnknownType(t, type)) return [];
    types.push(type);
  }
  return types;
}

/**
 * A function that is not async but returns a promise on every path that returns a value:
 * `function ({ data }) { …; return Promise.all(tasks); }`. Asked only where the call's type is
 * unknown (the function was loaded through `require(path.resolve(__dirname, …))`).
 */
function returnsPromise(t: TS, index: ProgramIndex, fn: FunctionLikeWithBody, depth: number): boolean {
  // A library's JavaScript (socket.io's `join`, typed `Promise<void> | void`) is known by its types.
  if (!fn.body || isInDeclarationFileOrNodeModules(fn.getSourceFile())) return false;
  if (!t.isBlock(fn.body)) return isPromiseValued(t, index, fn.body, depth + 1);
  // Falling off the end returns undefined.
  const last = fn.body.statements.at(-1);
  if (!last || !t.isReturnStatement(last)) return false;
  const returned: ts.Expression[] = [];
  let bare = false;
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isReturnStatement(node)) {
      if (node.expression) returned.push(node.expression);
      else bare = true;
    }
    t.forEachChild(node, visit);
  };
  visit(fn.body);
  return !bare && returned.length > 0 && returned.every((r) => isPromiseValued(t, index, r, depth + 1));
}

/** For `work().then(a).catch(b)`: the call that started the work (`work()`). */
export function originOfChain(t: TS, expression: ts.Expression): ts.Expression {
  let e = skipOuterExpressions(t, expression);
  for (;;) {
    if (!t.isCallExpression(e)) return e;
    const parts = methodCallParts(t, e);
    if (!parts || !chainMethods.has(parts.name)) return e;
    e = skipOuterExpressions(t, parts.receiver);
  }
}

/** The handlers given along a `.then/.catch/.finally` chain, outermost first. */
export function chainHandlers(t: TS, expression: ts.Expression): ts.Expression[] {
  const handlers: ts.Expression[] = [];
  let e = skipOuterExpressions(t, expression);
  while (t.isCallExpression(e)) {
    const parts = methodCallParts(t, e);
    if (!parts || !chainMethods.has(parts.name)) break;
    handlers.push(...e.arguments);
    e = skipOuterExpressions(t, parts.receiver);
  }
  return handlers;
}

export function isChainMethod(name: string): boolean {
  return chainMethods.has(name);
}
