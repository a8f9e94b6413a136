// Holders of a resource that a program writes itself: a singleton, lazy or memoised wrapper over a
// value a factory makes, whose close runs a cleanup callback given where the holder is made.
//
//   export const mongodb = getSingleton<MongoClient>('mongodb', createClient, {
//     cleanupFunc: async (client) => { await client.close() },
//   });
//
// The holder holds what its factory makes (its kind is the kind of the factory's result: the type
// argument, or what the factory returns), and calling the holder's close closes it. Found from the
// holder's own code, not from its name: a member of what the holder function returns, named like a
// close (`result.close = () => opts.cleanupFunc(value)`, `{ dispose() { … } }`), calls a callback
// the caller passes (a parameter, or a property of an options parameter), or a close-named method
// of a holder class calls one its constructor kept; and the caller's callback closes its parameter
// with a close method of that kind.
//
// Only this rule asks today; when no-unclosed-resource asks too (a holder whose close no shutdown
// path calls), this moves to src/core beside resources.ts.
import type * as ts from 'typescript';
import { kindSpec } from '../../src/core/catalogue.js';
import { factKey, type ProgramIndex } from '../../src/core/program-index.js';
import { closeMethodsOf, heldSymbolOf } from '../../src/core/resources.js';
import {
  functionBody,
  isFunctionLikeWithBody,
  methodCallParts,
  ownReturnStatements,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';
import { aliasTarget } from '../../src/core/type-questions.js';

/** What a holder call holds, and the holder's methods that close it. */
export interface HeldResource {
  /** The call that makes the holder: `getSingleton<MongoClient>('mongodb', createClient, { … })`. */
  holder: ts.CallExpression | ts.NewExpression;
  /** The catalogue kind of what its factory makes: `mongodb.MongoClient`. */
  kind: string;
  /** The holder's members that run a cleanup that closes it: `close`. */
  closeMethods: readonly string[];
}

/** The names a holder's closing member goes by. */
export const holderCloseMethods: readonly string[] = [
  'close',
  'dispose',
  'destroy',
  'cleanup',
  'shutdown',
  'stop',
  'end',
  'quit',
  'disconnect',
  'teardown',
];
const holderCloseNames: ReadonlySet<string> = new Set(holderCloseMethods);

/** Where the caller's cleanup callback comes in: a parameter, or a property of an options parameter. */
interface CleanupInput {
  position: number;
  property?: string;
}

/** A closing member of what a holder function returns, and the cleanup input it calls. */
interface HolderCloser {
  method: string;
  cleanup: CleanupInput;
}

/** A holder function, or a holder class (`new Lazy(createPool, (p) => p.end())`). */
type HolderMaker = FunctionLikeWithBody | ts.ClassLikeDeclaration;
type HolderCall = ts.CallExpression | ts.NewExpression;

const holderShapes = factKey<Map<HolderMaker, readonly HolderCloser[]>>('holder functions and classes');
const heldByCall = factKey<Map<HolderCall, HeldResource | null>>('resources held by holder calls');

/**
 * The resource a holder call holds, when its function is the program's own holder (see above),
 * the factory's result is a resource kind, and the caller's cleanup closes it.
 */
export function resourceHeldBy(index: ProgramIndex, call: HolderCall): HeldResource | undefined {
  const cache = index.fact(heldByCall, () => new Map());
  let held = cache.get(call);
  if (held === undefined) {
    held = findHeldResource(index, call) ?? null;
    cache.set(call, held);
  }
  return held ?? undefined;
}

/**
 * The holder call a name keeps (`mongodb` in `mongodb.close()`, also through imports and
 * re-exports): the initializer of the variable or field it names, or the default export, when that
 * makes a holder of a resource.
 */
export function resourceHolderNamedBy(index: ProgramIndex, expression: ts.Expression): HeldResource | undefined {
  const t = index.ts;
  const symbol = heldSymbolOf(index, expression);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  const made =
    declaration && (t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration))
      ? declaration.initializer
      : declaration && t.isExportAssignment(declaration) // `export default getSingleton(…)`
        ? declaration.expression
        : undefined;
  if (!made) return undefined;
  const value = skipOuterExpressions(t, made);
  return t.isCallExpression(value) || t.isNewExpression(value) ? resourceHeldBy(index, value) : undefined;
}

function findHeldResource(index: ProgramIndex, call: HolderCall): HeldResource | undefined {
  const t = index.ts;
  const maker = holderMakerOf(index, call);
  if (!maker) return undefined;
  const closers = closersOf(index, maker);
  if (closers.length === 0) return undefined;
  const cleanups = closers.map((closer) => ({ closer, fns: cleanupFunctions(index, call, closer.cleanup) }));
  const cleanupArguments = new Set(closers.map((c) => c.cleanup.position));

  // The kind of what the factory makes: the type arguments and the factory's returns must agree.
  const kinds = new Set<string>();
  for (const node of call.typeArguments ?? []) {
    const kind = index.kindOfType(node);
    if (kind && closesWhenReleased(kind)) kinds.add(kind);
  }
  call.arguments?.forEach((argument, position) => {
    if (cleanupArguments.has(position)) return;
    const value = skipOuterExpressions(t, argument);
    if (!t.isIdentifier(value) && !t.isPropertyAccessExpression(value) && !isFunctionLikeWithBody(t, value)) return;
    for (const factory of index.resolveFunctions(value, 0, false)) {
      const kind = index.kindFunctionReturns(factory, true);
      if (kind && closesWhenReleased(kind)) kinds.add(kind);
    }
  });
  if (kinds.size !== 1) return undefined;
  const kind = [...kinds][0]!;
  const methods = closeMethodsOf(kind);
  const closeMethods = cleanups
    .filter(({ fns: found }) => found.length > 0 && found.every((fn) => closesItsParameter(index, fn, methods)))
    .map(({ closer }) => closer.method);
  if (closeMethods.length === 0) return undefined;
  return { holder: call, kind, closeMethods: [...new Set(closeMethods)] };
}

/** A resource whose close releases connections (what the rules about closes care for). */
function closesWhenReleased(kind: string): boolean {
  const spec = kindSpec(kind);
  return (
    spec !== undefined && (spec.category === 'resource' || spec.mustClose === true) && closeMethodsOf(kind).length > 0
  );
}

/** The functions a holder call passes as the cleanup input: `{ cleanupFunc: async (c) => … }`. */
function cleanupFunctions(index: ProgramIndex, call: HolderCall, input: CleanupInput): FunctionLikeWithBody[] {
  const t = index.ts;
  const argument = call.arguments?.[input.position];
  if (!argument) return [];
  if (input.property === undefined) return index.resolveFunctions(argument, 0, false);
  const object = skipOuterExpressions(t, argument);
  if (!t.isObjectLiteralExpression(object)) return [];
  for (const property of object.properties) {
    if (staticPropertyName(t, property.name) !== input.property) continue;
    if (t.isMethodDeclaration(property)) return property.body ? [property] : [];
    if (t.isPropertyAssignment(property)) return index.resolveFunctions(property.initializer, 0, false);
    if (t.isShorthandPropertyAssignment(property)) return index.resolveFunctions(property.name, 0, false);
  }
  return [];
}

/**
 * `async (client) => { await client.close() }`: the callback closes its parameter (the first, or
 * `position`) itself, or hands it to a function of the program that does (`(c) => closeQuietly(c)`).
 */
function closesItsParameter(
  index: ProgramIndex,
  fn: FunctionLikeWithBody,
  methods: readonly string[],
  position = 0,
  depth = 0,
): boolean {
  const t = index.ts;
  const parameter = fn.parameters[position];
  const body = functionBody(t, fn);
  if (depth > 2 || !parameter || !t.isIdentifier(parameter.name) || !body) return false;
  const symbol = index.types.getSymbolAtLocation(parameter.name);
  if (!symbol) return false;
  const namesParameter = (expression: ts.Expression): boolean => {
    const e = skipOuterExpressions(t, expression);
    return t.isIdentifier(e) && index.types.getSymbolAtLocation(e) === symbol;
  };
  let closes = false;
  const visit = (node: ts.Node): void => {
    if (closes) return;
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      if (parts && methods.includes(parts.name) && namesParameter(parts.receiver)) {
        closes = true;
        return;
      }
      const at = node.arguments.findIndex(namesParameter);
      if (
        at >= 0 &&
        index
          .resolveFunctions(node.expression, 0, false)
          .some((helper) => helper !== fn && closesItsParameter(index, helper, methods, at, depth + 1))
      ) {
        closes = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(body);
  return closes;
}

/** The program function a holder call calls, or the program class it constructs. */
function holderMakerOf(index: ProgramIndex, call: HolderCall): HolderMaker | undefined {
  const t = index.ts;
  if (t.isCallExpression(call)) {
    const fns = index.resolveFunctions(call.expression, 0, false);
    return fns.length === 1 ? fns[0] : undefined;
  }
  let symbol = index.types.getSymbolAtLocation(skipOuterExpressions(t, call.expression));
  if (symbol) {
    const target = aliasTarget(index.types, symbol, t.SymbolFlags.Alias);
    if (!target) return undefined;
    symbol = target;
  }
  const declaration = symbol?.valueDeclaration;
  return declaration &&
    (t.isClassDeclaration(declaration) || t.isClassExpression(declaration)) &&
    !declaration.getSourceFile().isDeclarationFile
    ? declaration
    : undefined;
}

/** The closing members of what a holder function returns (or of a holder class), each with the cleanup input it calls. */
function closersOf(index: ProgramIndex, maker: HolderMaker): readonly HolderCloser[] {
  const cache = index.fact(holderShapes, () => new Map());
  let closers = cache.get(maker);
  if (!closers) {
    closers = index.ts.isClassLike(maker) ? findClassClosers(index, maker) : findClosers(index, maker);
    cache.set(maker, closers);
  }
  return closers;
}

/**
 * A holder class: a method named like a close calls a callback its constructor was given, kept in
 * a field (`constructor(private make, private cleanup) {}`, `this.cleanup = cleanup`), or a
 * property of an options object it keeps (`this.options.onClose(value)`).
 */
function findClassClosers(index: ProgramIndex, declaration: ts.ClassLikeDeclaration): HolderCloser[] {
  const t = index.ts;
  const constructor = declaration.members.find(
    (m): m is ts.ConstructorDeclaration => t.isConstructorDeclaration(m) && m.body !== undefined,
  );
  if (!constructor || constructor.parameters.length === 0 || declaration.getSourceFile().isDeclarationFile) return [];
  // Which constructor parameter each field keeps, and the property of it (`this.cleanup = options.cleanup`).
  const fields = new Map<string, CleanupInput>();
  for (const parameter of constructor.parameters) {
    if (t.isIdentifier(parameter.name) && t.isParameterPropertyDeclaration(parameter, constructor))
      fields.set(parameter.name.text, { position: constructor.parameters.indexOf(parameter) });
  }
  const inputOf = (expression: ts.Expression): CleanupInput | undefined => {
    const e = skipOuterExpressions(t, expression);
    const name = t.isIdentifier(e)
      ? e
      : t.isPropertyAccessExpression(e) && t.isIdentifier(e.expression)
        ? e.expression
        : undefined;
    const declared = name && index.types.getSymbolAtLocation(name)?.valueDeclaration;
    if (!declared || !t.isParameter(declared) || declared.parent !== constructor) return undefined;
    const position = constructor.parameters.indexOf(declared);
    return t.isPropertyAccessExpression(e) ? { position, property: e.name.text } : { position };
  };
  const visitConstructor = (node: ts.Node): void => {
    if (
      t.isBinaryExpression(node) &&
      node.operatorToken.kind === t.SyntaxKind.EqualsToken &&
      t.isPropertyAccessExpression(node.left) &&
      node.left.expression.kind === t.SyntaxKind.ThisKeyword
    ) {
      const input = inputOf(node.right);
      if (input) fields.set(node.left.name.text, input);
    }
    t.forEachChild(node, visitConstructor);
  };
  visitConstructor(constructor.body!);
  if (fields.size === 0) return [];

  const closers: HolderCloser[] = [];
  for (const member of declaration.members) {
    const method = staticPropertyName(t, member.name);
    if (method === undefined || !holderCloseNames.has(method)) continue;
    const fns = t.isMethodDeclaration(member)
      ? [member]
      : t.isPropertyDeclaration(member) && member.initializer
        ? index.resolveFunctions(member.initializer, 0, false)
        : [];
    for (const fn of fns) {
      const body = functionBody(t, fn);
      const visit = (node: ts.Node): void => {
        if (t.isCallExpression(node)) {
          const callee = skipOuterExpressions(t, node.expression);
          // `this.cleanup(value)`, or `this.options.onClose(value)`.
          const field = t.isPropertyAccessExpression(callee) ? thisField(t, callee) : undefined;
          const owner = t.isPropertyAccessExpression(callee) ? thisField(t, callee.expression) : undefined;
          const direct = field !== undefined ? fields.get(field) : undefined;
          const kept = owner !== undefined ? fields.get(owner) : undefined;
          if (direct) closers.push({ method, cleanup: direct });
          else if (kept && kept.property === undefined && t.isPropertyAccessExpression(callee))
            closers.push({ method, cleanup: { position: kept.position, property: callee.name.text } });
        }
        t.forEachChild(node, visit);
      };
      if (body) visit(body);
    }
  }
  return closers;
}

/** `x` in `this.x`. */
function thisField(t: TS, expression: ts.Expression): string | undefined {
  const e = skipOuterExpressions(t, expression);
  return t.isPropertyAccessExpression(e) && e.expression.kind === t.SyntaxKind.ThisKeyword ? e.name.text : undefined;
}

function findClosers(index: ProgramIndex, fn: FunctionLikeWithBody): HolderCloser[] {
  const t = index.ts;
  const body = fn.body;
  if (!body || fn.parameters.length === 0 || fn.getSourceFile().isDeclarationFile) return [];
  // What the function returns: the values of its own `return`s (or its expression body).
  const returned = t.isBlock(body)
    ? ownReturnStatements(t, body).flatMap((r) => (r.expression ? [skipOuterExpressions(t, r.expression)] : []))
    : [skipOuterExpressions(t, body)];
  if (returned.length === 0) return [];
  const returnedSymbols = new Set<ts.Symbol>();
  for (const value of returned) {
    const symbol = t.isIdentifier(value) ? index.types.getSymbolAtLocation(value) : undefined;
    if (symbol) returnedSymbols.add(symbol);
  }
  const isReturned = (expression: ts.Expression): boolean => {
    const value = skipOuterExpressions(t, expression);
    if (returned.includes(value)) return true;
    const symbol = t.isIdentifier(value) ? index.types.getSymbolAtLocation(value) : undefined;
    return symbol !== undefined && returnedSymbols.has(symbol);
  };
  // An object literal that is returned, or kept in a local that is.
  const literalIsReturned = (literal: ts.ObjectLiteralExpression): boolean => {
    let e: ts.Node = literal;
    while (t.isParenthesizedExpression(e.parent) || t.isAsExpression(e.parent) || t.isSatisfiesExpression(e.parent))
      e = e.parent;
    if (returned.includes(literal)) return true;
    const parent = e.parent;
    if (parent && t.isVariableDeclaration(parent) && parent.initializer === e && t.isIdentifier(parent.name)) {
      const symbol = index.types.getSymbolAtLocation(parent.name);
      return symbol !== undefined && returnedSymbols.has(symbol);
    }
    return false;
  };

  const members: { method: string; fns: FunctionLikeWithBody[] }[] = [];
  const visit = (node: ts.Node): void => {
    // `result.close = () => …` on a value the function returns.
    if (
      t.isBinaryExpression(node) &&
      node.operatorToken.kind === t.SyntaxKind.EqualsToken &&
      (t.isPropertyAccessExpression(node.left) || t.isElementAccessExpression(node.left))
    ) {
      const method = t.isPropertyAccessExpression(node.left)
        ? node.left.name.text
        : staticPropertyName(t, node.left.argumentExpression);
      if (method !== undefined && holderCloseNames.has(method) && isReturned(node.left.expression))
        members.push({ method, fns: index.resolveFunctions(node.right, 0, false) });
    }
    // `return { get, close() { … } }`.
    if (t.isObjectLiteralExpression(node) && literalIsReturned(node)) {
      for (const property of node.properties) {
        const method = staticPropertyName(t, property.name);
        if (method === undefined || !holderCloseNames.has(method)) continue;
        if (t.isMethodDeclaration(property) && property.body) members.push({ method, fns: [property] });
        else if (t.isPropertyAssignment(property))
          members.push({ method, fns: index.resolveFunctions(property.initializer, 0, false) });
        else if (t.isShorthandPropertyAssignment(property))
          members.push({ method, fns: index.resolveFunctions(property.name, 0, false) });
      }
    }
    t.forEachChild(node, visit);
  };
  visit(body);

  const closers: HolderCloser[] = [];
  for (const { method, fns } of members) {
    for (const member of fns) {
      for (const cleanup of cleanupInputsCalledIn(index, fn, member)) closers.push({ method, cleanup });
    }
  }
  return closers;
}

/**
 * The holder function's inputs that `member` calls: `cleanup(value)` (a parameter),
 * `opts.cleanupFunc(value)` (a property of one), `onClose?.(value)` (a destructured property).
 */
function cleanupInputsCalledIn(index: ProgramIndex, fn: FunctionLikeWithBody, member: ts.Node): CleanupInput[] {
  const t = index.ts;
  const body = functionBody(t, member);
  if (!body) return [];
  const inputs: CleanupInput[] = [];
  // A parameter of the holder function, or a name destructured from one (`{ cleanup }`).
  const parameterOf = (identifier: ts.Identifier): ts.Node | undefined => {
    const declaration = index.types.getSymbolAtLocation(identifier)?.valueDeclaration;
    if (!declaration) return undefined;
    if (t.isParameter(declaration)) return declaration.parent === fn ? declaration : undefined;
    const parameter = declaration.parent?.parent;
    return t.isBindingElement(declaration) && parameter && t.isParameter(parameter) && parameter.parent === fn
      ? declaration
      : undefined;
  };
  const visit = (node: ts.Node): void => {
    if (t.isCallExpression(node)) {
      const callee = skipOuterExpressions(t, node.expression);
      if (t.isIdentifier(callee)) {
        const declaration = parameterOf(callee);
        if (declaration && t.isParameter(declaration)) {
          inputs.push({ position: fn.parameters.indexOf(declaration) });
        } else if (declaration && t.isBindingElement(declaration) && t.isObjectBindingPattern(declaration.parent)) {
          const parameter = declaration.parent.parent;
          const property = staticPropertyName(t, declaration.propertyName ?? declaration.name);
          if (t.isParameter(parameter) && property !== undefined)
            inputs.push({ position: fn.parameters.indexOf(parameter), property });
        }
      } else if (t.isPropertyAccessExpression(callee) && t.isIdentifier(callee.expression)) {
        const declaration = parameterOf(callee.expression);
        if (declaration && t.isParameter(declaration))
          inputs.push({ position: fn.parameters.indexOf(declaration), property: callee.name.text });
      }
    }
    t.forEachChild(node, visit);
  };
  visit(body);
  return inputs;
}
