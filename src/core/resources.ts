// Resources and their closes (runtime-facts §4): where a created resource is kept, which calls close
// what keeps it anywhere in the program (through aliases, imports, helpers and registries), whether
// a call runs at shutdown, and whether a function closes what it opened on every way out.
import type * as ts from 'typescript';
import { isTestFile } from './files.js';
import {
  cleanupNames,
  findFactory,
  findShutdownLibrary,
  kindSpec,
  listenerMethods,
  refIn,
  resourceAdopters,
  servingCategories,
  sameRef,
  shutdownSignals,
  type ApiRef,
} from './catalogue.js';
import { lifecycleRoleOf } from './lifecycle-calls.js';
import { factKey, type ProgramIndex } from './program-index.js';
import {
  enclosingFunction,
  functionBody,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
  ownReturnStatements,
} from './ts-utils.js';
import { aliasTarget } from './type-questions.js';

/** Where the value a creation evaluates to ends up. */
export type Holding =
  /** Kept in a variable, field, property or default export that a close can name. */
  | {
      type: 'kept';
      symbol: ts.Symbol;
      declaration: ts.Node;
      /** How messages name it: `pool`, `this.redis`, `db.pool`. */
      name: string;
      /** A local (or parameter) of this function; undefined for module and object state. */
      fn?: FunctionLikeWithBody;
      /** `using` / `await using`: disposed when its block ends. */
      using: boolean;
    }
  /** Returned, passed as an argument, or stored in a collection: its new owner closes it. */
  | { type: 'handed' }
  /** Not kept anywhere (`new Worker(…);`, `new Pool().query(…)`): nothing can close it. */
  | { type: 'dropped' }
  | { type: 'unknown' };

/** Promise methods whose result is still the resource (when it opened). */
const promisePassThrough = new Set(['catch', 'finally']);

/**
 * Where the value of `creation` is kept. `returnsSelf` names the methods whose result is the same
 * resource (`new PrismaClient().$extends(…)`, `createClient().on(…).connect()`).
 */
export function holdingOf(index: ProgramIndex, creation: ts.Expression, returnsSelf: readonly string[] = []): Holding {
  const t = index.ts;
  const types = index.types;
  let e: ts.Node = creation;
  for (let depth = 0; depth < 20; depth++) {
    const parent: ts.Node = e.parent;
    if (
      t.isParenthesizedExpression(parent) ||
      t.isAsExpression(parent) ||
      t.isSatisfiesExpression(parent) ||
      t.isNonNullExpression(parent) ||
      t.isTypeAssertionExpression(parent) ||
      t.isAwaitExpression(parent) ||
      (t.isConditionalExpression(parent) && parent.condition !== e) ||
      (t.isBinaryExpression(parent) && isLogicalOperator(t, parent.operatorToken.kind))
    ) {
      e = parent;
      continue;
    }
    if (t.isPropertyAccessExpression(parent) && parent.expression === e) {
      const call = parent.parent;
      if (!t.isCallExpression(call) || call.expression !== parent) return { type: 'dropped' };
      const method = parent.name.text;
      if (returnsSelf.includes(method) || promisePassThrough.has(method)) {
        e = call;
        continue;
      }
      if (method === 'then') return thenParameterHolding(index, call);
      return { type: 'dropped' };
    }
    if ((t.isCallExpression(parent) || t.isNewExpression(parent)) && parent.arguments?.includes(e as ts.Expression))
      return { type: 'handed' };
    if (t.isReturnStatement(parent) || t.isYieldExpression(parent) || (t.isArrowFunction(parent) && parent.body === e))
      return { type: 'handed' };
    if (t.isArrayLiteralExpression(parent) || t.isSpreadElement(parent)) return { type: 'handed' };
    if (t.isPropertyAssignment(parent) && parent.initializer === e) {
      // `{ pool: new Pool() }`: kept where the object is kept, under the property's name.
      const outer = holdingOf(index, parent.parent, []);
      if (outer.type !== 'kept') return outer;
      const symbol = types.getSymbolAtLocation(parent.name);
      const property = staticPropertyName(t, parent.name);
      if (!symbol || property === undefined) return { type: 'unknown' };
      return { ...outer, symbol, declaration: parent, name: `${outer.name}.${property}`, using: false };
    }
    if (t.isVariableDeclaration(parent) && parent.initializer === e) {
      if (!t.isIdentifier(parent.name)) return { type: 'unknown' };
      const symbol = types.getSymbolAtLocation(parent.name);
      if (!symbol) return { type: 'unknown' };
      const using = t.isVariableDeclarationList(parent.parent) && (parent.parent.flags & t.NodeFlags.Using) !== 0;
      return {
        type: 'kept',
        symbol,
        declaration: parent,
        name: parent.name.text,
        fn: enclosingFunction(t, parent),
        using,
      };
    }
    if (t.isPropertyDeclaration(parent) && parent.initializer === e) {
      const symbol = types.getSymbolAtLocation(parent.name);
      const property = staticPropertyName(t, parent.name);
      if (!symbol || property === undefined) return { type: 'unknown' };
      return { type: 'kept', symbol, declaration: parent, name: `this.${property}`, using: false };
    }
    if (t.isBinaryExpression(parent) && parent.right === e && isAssignmentOperator(t, parent.operatorToken.kind)) {
      return assignmentHolding(index, parent);
    }
    if (t.isExportAssignment(parent)) {
      const moduleSymbol = types.getSymbolAtLocation(parent.getSourceFile());
      const symbol =
        moduleSymbol &&
        types.getExportsOfModule(moduleSymbol).find((s) => s.name === 'default' || s.name === 'export=');
      return symbol
        ? { type: 'kept', symbol, declaration: parent, name: 'the default export', using: false }
        : { type: 'unknown' };
    }
    if (t.isExpressionStatement(parent) || t.isVoidExpression(parent)) return { type: 'dropped' };
    return { type: 'unknown' };
  }
  return { type: 'unknown' };
}

/** `=`, and the lazy `??=` / `||=` of a singleton. */
function isAssignmentOperator(t: TS, kind: ts.SyntaxKind): boolean {
  return (
    kind === t.SyntaxKind.EqualsToken ||
    kind === t.SyntaxKind.QuestionQuestionEqualsToken ||
    kind === t.SyntaxKind.BarBarEqualsToken
  );
}

function isLogicalOperator(t: TS, kind: ts.SyntaxKind): boolean {
  return (
    kind === t.SyntaxKind.BarBarToken ||
    kind === t.SyntaxKind.QuestionQuestionToken ||
    kind === t.SyntaxKind.AmpersandAmpersandToken
  );
}

/** `connect(url).then((conn) => …)`: kept in the callback's parameter. */
function thenParameterHolding(index: ProgramIndex, call: ts.CallExpression): Holding {
  const t = index.ts;
  const callback = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
  if (!callback || !isFunctionLikeWithBody(t, callback)) return { type: 'unknown' };
  const parameter = callback.parameters[0];
  if (!parameter) return { type: 'dropped' };
  if (!t.isIdentifier(parameter.name)) return { type: 'unknown' };
  const symbol = index.types.getSymbolAtLocation(parameter.name);
  return symbol
    ? { type: 'kept', symbol, declaration: parameter, name: parameter.name.text, fn: callback, using: false }
    : { type: 'unknown' };
}

/** `pool = new Pool()`, `this.redis = new Redis()`, `cache[key] = new Redis()`. */
function assignmentHolding(index: ProgramIndex, assignment: ts.BinaryExpression): Holding {
  const t = index.ts;
  const left = skipOuterExpressions(t, assignment.left);
  if (t.isElementAccessExpression(left)) return { type: 'handed' };
  const target = t.isIdentifier(left) ? left : t.isPropertyAccessExpression(left) ? left.name : undefined;
  if (!target) return { type: 'unknown' };
  const symbol =
    index.types.getSymbolAtLocation(target) ??
    (t.isPropertyAccessExpression(left) ? globalVariableOf(index, left) : undefined);
  if (!symbol) return { type: 'unknown' };
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0] ?? assignment;
  if (t.isIdentifier(left)) {
    // A local assigned in the function that declared it is that function's; an outer one lives on.
    const declaredIn = enclosingFunction(t, declaration);
    const fn = declaredIn && declaredIn === enclosingFunction(t, assignment) ? declaredIn : undefined;
    return { type: 'kept', symbol, declaration, name: left.text, fn, using: false };
  }
  const receiver = skipOuterExpressions(t, (left as ts.PropertyAccessExpression).expression);
  const owner =
    receiver.kind === t.SyntaxKind.ThisKeyword ? 'this' : t.isIdentifier(receiver) ? receiver.text : undefined;
  return { type: 'kept', symbol, declaration, name: owner ? `${owner}.${target.text}` : target.text, using: false };
}

/**
 * `global.prisma` where `global` has no type (Node's types not installed) and the program declares
 * `declare global { var prisma: … }`: that global variable. `globalThis.prisma` resolves without it.
 */
function globalVariableOf(index: ProgramIndex, access: ts.PropertyAccessExpression): ts.Symbol | undefined {
  const t = index.ts;
  const receiver = skipOuterExpressions(t, access.expression);
  if (!t.isIdentifier(receiver) || (receiver.text !== 'global' && receiver.text !== 'globalThis')) return undefined;
  if (index.binding.resolve(receiver) === undefined && index.types.getSymbolAtLocation(receiver)) return undefined;
  const symbol = index.types.resolveName(access.name.text, undefined, t.SymbolFlags.Variable, false);
  return symbol?.declarations?.some((d) => t.isVariableDeclaration(d)) ? symbol : undefined;
}

/** The symbol an expression names, through import aliases, `const p = pool` aliases and shorthand properties. */
export function heldSymbolOf(index: ProgramIndex, expression: ts.Expression): ts.Symbol | undefined {
  const t = index.ts;
  const types = index.types;
  let e = skipOuterExpressions(t, expression);
  let symbol = t.isIdentifier(e)
    ? types.getSymbolAtLocation(e)
    : t.isPropertyAccessExpression(e)
      ? (types.getSymbolAtLocation(e.name) ?? globalVariableOf(index, e))
      : undefined;
  for (let depth = 0; symbol && depth < 6; depth++) {
    if (symbol.flags & t.SymbolFlags.Alias) {
      try {
        symbol = types.getAliasedSymbol(symbol);
      } catch {
        return symbol;
      }
      continue;
    }
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (declaration && t.isShorthandPropertyAssignment(declaration)) {
      symbol = types.getShorthandAssignmentValueSymbol(declaration);
      continue;
    }
    // `export default global.prisma as PrismaClient`: the default export is what it names.
    if (declaration && t.isExportAssignment(declaration)) {
      e = skipOuterExpressions(t, declaration.expression);
      const next = t.isIdentifier(e)
        ? types.getSymbolAtLocation(e)
        : t.isPropertyAccessExpression(e)
          ? (types.getSymbolAtLocation(e.name) ?? globalVariableOf(index, e))
          : undefined;
      if (!next) return symbol;
      symbol = next;
      continue;
    }
    if (declaration && t.isVariableDeclaration(declaration) && declaration.initializer) {
      e = skipOuterExpressions(t, declaration.initializer);
      if (!t.isIdentifier(e) && !t.isPropertyAccessExpression(e)) return symbol;
      const next = t.isIdentifier(e) ? types.getSymbolAtLocation(e) : types.getSymbolAtLocation(e.name);
      if (!next) return symbol;
      symbol = next;
      continue;
    }
    return symbol;
  }
  return symbol;
}

/** Whether `expression` names what `holding` keeps. */
export function refersToHolding(
  index: ProgramIndex,
  expression: ts.Expression,
  holding: Extract<Holding, { type: 'kept' }>,
): boolean {
  const symbol = heldSymbolOf(index, expression);
  if (!symbol) return heldThroughUntypedOwner(index, expression, holding);
  return (
    symbol === holding.symbol ||
    ((symbol.declarations as readonly ts.Node[] | undefined)?.includes(holding.declaration) ?? false)
  );
}

/**
 * `WIKI.models.knex` where the checker knows nothing of `WIKI` (a global of a plain-JS service)
 * but the program assigns `WIKI.models = require('./db').init()`, and `init()` of the object
 * literal that keeps `this.knex` returns that object (`return this`, `return { ...this, ...models }`):
 * the property of the object the untyped owner was given.
 */
function heldThroughUntypedOwner(
  index: ProgramIndex,
  expression: ts.Expression,
  holding: Extract<Holding, { type: 'kept' }>,
): boolean {
  const t = index.ts;
  const e = skipOuterExpressions(t, expression);
  if (!t.isPropertyAccessExpression(e) || e.name.text !== holding.symbol.name) return false;
  let literal: ts.Node | undefined = holding.declaration.parent;
  while (literal && !t.isObjectLiteralExpression(literal)) literal = literal.parent;
  if (!literal) return false;
  return objectLiteralsOf(index, e.expression, undefined, 0).has(literal as ts.ObjectLiteralExpression);
}

const assignmentsByTargetFact = factKey<Map<string, ts.Expression[]>>('values assigned to property paths');

/** The object literals an expression may hold: through untyped property paths the program assigns, calls and their returns, `this`, spreads. */
function objectLiteralsOf(
  index: ProgramIndex,
  expression: ts.Expression,
  self: ts.ObjectLiteralExpression | undefined,
  depth: number,
): Set<ts.ObjectLiteralExpression> {
  const t = index.ts;
  const found = new Set<ts.ObjectLiteralExpression>();
  if (depth > 5) return found;
  const e = skipOuterExpressions(t, expression);
  const add = (more: Set<ts.ObjectLiteralExpression>): void => more.forEach((literal) => found.add(literal));
  if (e.kind === t.SyntaxKind.ThisKeyword) {
    if (self) found.add(self);
  } else if (t.isObjectLiteralExpression(e)) {
    found.add(e);
    for (const property of e.properties) {
      if (t.isSpreadAssignment(property)) add(objectLiteralsOf(index, property.expression, self, depth + 1));
    }
  } else if (t.isCallExpression(e)) {
    for (const fn of index.resolveFunctions(e.expression, 0, false)) {
      const owner = fn.parent && t.isObjectLiteralExpression(fn.parent) ? fn.parent : undefined;
      const body = fn.body;
      if (!body) continue;
      if (!t.isBlock(body)) {
        add(objectLiteralsOf(index, body as ts.Expression, owner, depth + 1));
        continue;
      }
      for (const statement of ownReturnStatements(t, body))
        if (statement.expression) add(objectLiteralsOf(index, statement.expression, owner, depth + 1));
    }
  } else if (t.isPropertyAccessExpression(e) && heldSymbolOf(index, e) === undefined) {
    for (const value of assignmentsTo(index).get(e.getText()) ?? [])
      add(objectLiteralsOf(index, value, undefined, depth + 1));
  }
  return found;
}

/** `a.b = value` anywhere in the program, by the target's text. */
function assignmentsTo(index: ProgramIndex): Map<string, ts.Expression[]> {
  return index.fact(assignmentsByTargetFact, () => {
    const t = index.ts;
    const map = new Map<string, ts.Expression[]>();
    const visit = (node: ts.Node): void => {
      if (
        t.isBinaryExpression(node) &&
        node.operatorToken.kind === t.SyntaxKind.EqualsToken &&
        t.isPropertyAccessExpression(node.left)
      ) {
        const key = node.left.getText();
        const list = map.get(key);
        if (list) list.push(node.right);
        else map.set(key, [node.right]);
      }
      t.forEachChild(node, visit);
    };
    for (const file of index.sourceFiles) if (!file.isDeclarationFile && !isTestFile(file.fileName)) visit(file);
    return map;
  });
}

/** A call that closes a resource: its close method on it, a helper that closes its parameter, or an adopting registry. */
export interface CloseSite {
  call: ts.CallExpression;
  /** `adopted`: handed to a registry that closes it at shutdown, wherever the registration is. */
  how: 'close' | 'helper' | 'adopted' | 'module';
}

const callsByCalleeFact = factKey<Map<string, ts.CallExpression[]>>('calls by callee name');

/** The program's calls by the last name of the callee: `end` for `pool.end()`, `closeQuietly` for `closeQuietly(pool)`. */
export function callsNamed(index: ProgramIndex, name: string): readonly ts.CallExpression[] {
  const byName = index.fact(callsByCalleeFact, () => {
    const t = index.ts;
    const byName = new Map<string, ts.CallExpression[]>();
    for (const call of index.calls) {
      if (!t.isCallExpression(call)) continue;
      const callee = skipOuterExpressions(t, call.expression);
      const calleeName = t.isIdentifier(callee) ? callee.text : methodCallParts(t, call)?.name;
      if (calleeName === undefined) continue;
      const list = byName.get(calleeName);
      if (list) list.push(call);
      else byName.set(calleeName, [call]);
    }
    return byName;
  });
  return byName.get(name) ?? [];
}

/**
 * Every call in the program that closes what `holding` keeps: `pool.end()` on it or an alias,
 * `closeQuietly(pool)` where the helper closes its parameter, and `lifecycle.adopt(pool, …)`.
 */
export function closesOf(
  index: ProgramIndex,
  holding: Extract<Holding, { type: 'kept' }>,
  closeMethods: readonly string[],
): CloseSite[] {
  const t = index.ts;
  const sites: CloseSite[] = [];
  const helpers: { fn: FunctionLikeWithBody; position: number }[] = [];
  for (const method of closeMethods) {
    for (const call of callsNamed(index, method)) {
      const parts = methodCallParts(t, call);
      if (!parts || parts.name !== method) continue;
      if (refersToHolding(index, parts.receiver, holding)) sites.push({ call, how: 'close' });
      else {
        const helper = closedParameter(index, parts.receiver);
        if (helper) helpers.push(helper);
      }
    }
  }
  for (const { fn, position } of helpers) {
    const name =
      fn.name && t.isIdentifier(fn.name)
        ? fn.name.text
        : fn.parent && t.isVariableDeclaration(fn.parent) && t.isIdentifier(fn.parent.name)
          ? fn.parent.name.text
          : undefined;
    for (const call of name ? callsNamed(index, name) : []) {
      const argument = call.arguments[position];
      if (
        argument &&
        refersToHolding(index, argument, holding) &&
        index.resolveFunctions(call.expression, 0, false).includes(fn)
      ) {
        sites.push({ call, how: 'helper' });
      }
    }
  }
  for (const name of new Set(resourceAdopters.map((ref) => ref.path[ref.path.length - 1]!))) {
    for (const call of callsNamed(index, name)) {
      const ref = index.binding.resolve(call.expression);
      // The process-wide `lifecycle.adopt`, and `adopt` of a `createLifecycle()` instance.
      const adopts =
        (ref !== undefined && refIn(ref, resourceAdopters)) || lifecycleRoleOf(index, call) === 'closes-at-shutdown';
      if (adopts && call.arguments.some((a) => refersToHolding(index, a, holding)))
        sites.push({ call, how: 'adopted' });
    }
  }
  return sites;
}

/** `async function closeQuietly(resource) { await resource.end() }`: the function and the position of the parameter it closes. */
function closedParameter(
  index: ProgramIndex,
  receiver: ts.Expression,
): { fn: FunctionLikeWithBody; position: number } | undefined {
  const t = index.ts;
  const e = skipOuterExpressions(t, receiver);
  if (!t.isIdentifier(e)) return undefined;
  const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
  if (!declaration || !t.isParameter(declaration) || !isFunctionLikeWithBody(t, declaration.parent)) return undefined;
  return { fn: declaration.parent, position: declaration.parent.parameters.indexOf(declaration) };
}

/** Calls of module functions that close a module-level singleton: `mongoose.disconnect()`. */
export function moduleClosesOf(index: ProgramIndex, closedBy: readonly ApiRef[]): CloseSite[] {
  const sites: CloseSite[] = [];
  for (const name of new Set(closedBy.map((ref) => ref.path[ref.path.length - 1]!))) {
    for (const call of callsNamed(index, name)) {
      const ref = index.binding.resolve(call.expression);
      if (ref && closedBy.some((c) => sameRef(c, ref))) sites.push({ call, how: 'module' });
    }
  }
  return sites;
}

/** The close methods of a kind, graceful and forced: either releases the connections. */
export function closeMethodsOf(kind: string): readonly string[] {
  const spec = kindSpec(kind);
  return [...(spec?.close ?? []), ...(spec?.forceClose ?? [])];
}

/** Close sites outside test files, unless the resource itself is created in one. */
export function countingCloses(sites: readonly CloseSite[], creation: ts.Node): CloseSite[] {
  if (isTestFile(creation.getSourceFile().fileName)) return [...sites];
  return sites.filter((s) => !isTestFile(s.call.getSourceFile().fileName));
}

// ── Does a call run at shutdown? ──

const shutdownSymbolsFact = factKey<Set<ts.Symbol>>('symbols named on shutdown paths');

/** The symbols the code on every shutdown path names (registries it runs, closers it calls). */
function symbolsUsedAtShutdown(index: ProgramIndex): Set<ts.Symbol> {
  return index.fact(shutdownSymbolsFact, () => findSymbolsUsedAtShutdown(index));
}

function findSymbolsUsedAtShutdown(index: ProgramIndex): Set<ts.Symbol> {
  const t = index.ts;
  const found = new Set<ts.Symbol>();
  const add = (symbol: ts.Symbol | undefined): void => {
    if (!symbol) return;
    found.add(symbol);
    if (symbol.flags & t.SymbolFlags.Alias) {
      try {
        found.add(index.types.getAliasedSymbol(symbol));
      } catch {
        // an alias the checker cannot follow names nothing of this program
      }
    }
  };
  const seen = new Set<ts.Node>();
  for (const root of index.shutdownRoots) {
    for (const fn of index.shutdownPath(root)) {
      if (seen.has(fn) && !(fn === root.fn && root.afterPos !== undefined)) continue;
      seen.add(fn);
      const body = functionBody(t, fn);
      if (!body) continue;
      const from = fn === root.fn ? root.afterPos : undefined;
      const visit = (node: ts.Node): void => {
        if (from !== undefined && node.end < from) return;
        if (node !== body && isFunctionLikeWithBody(t, node)) return; // on the path on its own when it runs
        if (t.isIdentifier(node)) add(index.types.getSymbolAtLocation(node));
        t.forEachChild(node, visit);
      };
      visit(body);
    }
  }
  return found;
}

/**
 * Whether `node` runs at shutdown: on a shutdown path (a signal listener or shutdown hook, and
 * what it calls), or inside a closure registered with something a shutdown path runs:
 * `closers.push(() => pool.end())` where shutdown loops over `closers`, `onShutdown(() => …)`
 * where `onShutdown` stores its argument in a list shutdown runs, or hands it to `process.once('SIGTERM')`.
 */
export function runsAtShutdown(index: ProgramIndex, node: ts.Node, depth = 0): boolean {
  if (index.shutdownRootsOf(node).length > 0) return true;
  const t = index.ts;
  for (let fn = enclosingFunction(t, node); fn; fn = enclosingFunction(t, fn)) {
    if (index.handlers.has(fn)) return false;
    if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return depth < 3 && calledAtShutdown(index, fn, depth);
    const registration = registrationOf(index, fn);
    if (registration.atShutdown) return true;
    const used = symbolsUsedAtShutdown(index);
    if (registration.registries.some((symbol) => used.has(symbol))) return true;
  }
  return false;
}

/**
 * Whether `node` runs in a teardown method of a class (`close()`, `stop()`, `destroy()`, … also in
 * a callback inside it) that the program calls only through a dispatch the index cannot follow:
 * no call of the program resolves to that method, and some call of that name in the program's
 * own code has a receiver of no known type: a host that closes every plugin it holds,
 * `(this.services as any)[name].close()`, or a state machine of untyped handlers. Who calls it,
 * and whether at shutdown, cannot be decided statically; the class has done its part (its
 * teardown ends what it owns), so rules take such a method as run by its owner's shutdown. A
 * teardown method with a caller the index sees is judged by that caller (`runsAtShutdown`).
 */
export function inTeardownCalledUntyped(index: ProgramIndex, node: ts.Node): boolean {
  const t = index.ts;
  let fn = enclosingFunction(t, node);
  while (fn && (t.isArrowFunction(fn) || t.isFunctionExpression(fn))) fn = enclosingFunction(t, fn);
  if (!fn || !t.isMethodDeclaration(fn) || !t.isClassLike(fn.parent) || !t.isIdentifier(fn.name)) return false;
  const name = fn.name.text;
  if (!cleanupNames.test(name)) return false;
  const method = fn;
  const cache = index.fact(untypedTeardownFact, () => new Map<ts.Node, boolean>());
  const cached = cache.get(method);
  if (cached !== undefined) return cached;
  let resolved = false;
  let untyped = false;
  for (const call of callsNamed(index, name)) {
    if (isTestFile(call.getSourceFile().fileName)) continue;
    const callee = skipOuterExpressions(t, call.expression);
    if (!t.isPropertyAccessExpression(callee) || callee.expression.kind === t.SyntaxKind.ThisKeyword) continue;
    if (index.resolveFunctions(callee, 0, false).includes(method)) {
      resolved = true;
      break;
    }
    if (index.types.getSymbolAtLocation(callee.name) === undefined) untyped = true;
  }
  const result = !resolved && untyped;
  cache.set(method, result);
  return result;
}

const untypedTeardownFact = factKey<Map<ts.Node, boolean>>('teardown methods called only through untyped dispatch');

const calledAtShutdownFact = factKey<Map<ts.Node, boolean>>('named functions called at shutdown');

/**
 * A named function or method some call of which runs at shutdown: `flush()` in a class, called
 * from `ShutdownHelper.add('metrics', () => metrics.flush())`.
 */
function calledAtShutdown(index: ProgramIndex, fn: FunctionLikeWithBody, depth: number): boolean {
  const t = index.ts;
  const cache = index.fact(calledAtShutdownFact, () => new Map<ts.Node, boolean>());
  const cached = cache.get(fn);
  if (cached !== undefined) return cached;
  cache.set(fn, false); // cycle guard
  const name =
    fn.name && (t.isIdentifier(fn.name) || t.isPrivateIdentifier(fn.name))
      ? fn.name.text
      : fn.parent && t.isVariableDeclaration(fn.parent) && t.isIdentifier(fn.parent.name)
        ? fn.parent.name.text
        : undefined;
  const result =
    name !== undefined &&
    callsNamed(index, name).some(
      (call) =>
        index.resolveFunctions(call.expression, 0, false).includes(fn) && runsAtShutdown(index, call, depth + 1),
    );
  cache.set(fn, result);
  return result;
}

interface Registration {
  /** What the closure is stored in or registered with. */
  registries: ts.Symbol[];
  /** Registered, through a helper, as a signal listener or with a shutdown library. */
  atShutdown: boolean;
}

/** What a closure is registered with or stored in. */
function registrationOf(index: ProgramIndex, closure: ts.Node): Registration {
  const t = index.ts;
  const types = index.types;
  const result: Registration = { registries: [], atShutdown: false };
  const push = (symbol: ts.Symbol | undefined): void => {
    if (symbol) result.registries.push(symbol);
  };
  let e: ts.Node = closure;
  for (let depth = 0; depth < 10; depth++) {
    const parent: ts.Node = e.parent;
    if (
      t.isParenthesizedExpression(parent) ||
      t.isAsExpression(parent) ||
      t.isSatisfiesExpression(parent) ||
      t.isArrayLiteralExpression(parent) ||
      (t.isConditionalExpression(parent) && parent.condition !== e)
    ) {
      e = parent;
      continue;
    }
    if (t.isPropertyAssignment(parent) && parent.initializer === e) {
      push(types.getSymbolAtLocation(parent.name));
      e = parent.parent;
      continue;
    }
    if (t.isCallExpression(parent) && parent.arguments.includes(e as ts.Expression)) {
      push(registryReceiver(index, parent));
      const position = parent.arguments.indexOf(e as ts.Expression);
      for (const fn of index.resolveFunctions(parent.expression, 0, false)) {
        const stores = storesOfParameter(index, fn, position);
        result.registries.push(...stores.registries);
        result.atShutdown ||= stores.atShutdown;
      }
      return result;
    }
    if ((t.isVariableDeclaration(parent) || t.isPropertyDeclaration(parent)) && parent.initializer === e) {
      push(types.getSymbolAtLocation(parent.name));
      return result;
    }
    if (t.isBinaryExpression(parent) && parent.right === e && parent.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      push(namedSymbol(index, parent.left));
      return result;
    }
    return result;
  }
  return result;
}

/** Collection methods that call their callback now, before they return: the callback is not stored. */
const iterationMethods: ReadonlySet<string> = new Set([
  'forEach',
  'map',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'flatMap',
  'reduce',
]);

/**
 * The receiver of `closers.push(fn)`, `registry.register(fn)`, `bus.on('stop', fn)`; not a global
 * (`process.on('exit', fn)`), a server, app or resource (`app.get(path, fn)`, `pool.on('error', fn)`),
 * nor a collection walked now (`clients.forEach(fn)`).
 */
function registryReceiver(index: ProgramIndex, call: ts.CallExpression): ts.Symbol | undefined {
  const parts = methodCallParts(index.ts, call);
  if (!parts || iterationMethods.has(parts.name)) return undefined;
  if (index.binding.resolve(parts.receiver)?.module === 'global' || index.kindOf(parts.receiver)) return undefined;
  return namedSymbol(index, parts.receiver);
}

/** The symbol of `x`, `this.x`, `a.b.x` (the last name), `x[i]` (of `x`). */
function namedSymbol(index: ProgramIndex, expression: ts.Expression): ts.Symbol | undefined {
  const t = index.ts;
  let e = skipOuterExpressions(t, expression);
  while (t.isElementAccessExpression(e)) e = skipOuterExpressions(t, e.expression);
  let symbol = t.isIdentifier(e)
    ? index.types.getSymbolAtLocation(e)
    : t.isPropertyAccessExpression(e)
      ? index.types.getSymbolAtLocation(e.name)
      : undefined;
  if (symbol) {
    const target = aliasTarget(index.types, symbol, t.SymbolFlags.Alias);
    if (!target) return symbol;
    symbol = target;
  }
  return symbol;
}

/**
 * Where a function puts its parameter: `hooks.push(fn)`, `this.closers.add(fn)`, `registry[name] = fn`;
 * or whether it registers it for shutdown itself: `process.once('SIGTERM', fn)`, `closeWithGrace(fn)`.
 */
function storesOfParameter(index: ProgramIndex, fn: FunctionLikeWithBody, position: number): Registration {
  const t = index.ts;
  const result: Registration = { registries: [], atShutdown: false };
  const parameter = fn.parameters[position] ?? fn.parameters.find((p) => p.dotDotDotToken);
  if (!parameter || !t.isIdentifier(parameter.name) || !fn.body) return result;
  const symbol = index.types.getSymbolAtLocation(parameter.name);
  if (!symbol) return result;
  const isParameter = (node: ts.Expression): boolean => {
    const e = skipOuterExpressions(t, node);
    return t.isIdentifier(e) && index.types.getSymbolAtLocation(e) === symbol;
  };
  // `handlers.push({ key, callback })`: stored as a property of what is stored.
  const holdsParameter = (node: ts.Expression): boolean => {
    const e = skipOuterExpressions(t, node);
    if (!t.isObjectLiteralExpression(e)) return isParameter(e);
    return e.properties.some(
      (p) =>
        (t.isShorthandPropertyAssignment(p) && index.types.getShorthandAssignmentValueSymbol(p) === symbol) ||
        (t.isPropertyAssignment(p) && isParameter(p.initializer)),
    );
  };
  const visit = (node: ts.Node): void => {
    if (t.isCallExpression(node) && node.arguments.some(holdsParameter)) {
      if (isShutdownRegistration(index, node)) result.atShutdown = true;
      const receiver = registryReceiver(index, node);
      if (receiver) result.registries.push(receiver);
    } else if (
      t.isBinaryExpression(node) &&
      node.operatorToken.kind === t.SyntaxKind.EqualsToken &&
      isParameter(node.right)
    ) {
      const target = namedSymbol(index, node.left);
      if (target) result.registries.push(target);
    }
    t.forEachChild(node, visit);
  };
  visit(fn.body);
  return result;
}

/** `process.on('SIGTERM', fn)` or a shutdown library's call: what it is given runs at shutdown. */
function isShutdownRegistration(index: ProgramIndex, call: ts.CallExpression): boolean {
  const t = index.ts;
  const ref = index.binding.resolve(call.expression);
  if (ref && findShutdownLibrary(ref)) return true;
  const parts = methodCallParts(t, call);
  if (!parts || !listenerMethods.has(parts.name)) return false;
  const receiver = index.binding.resolve(parts.receiver);
  const event = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
  return (
    receiver !== undefined &&
    sameRef(receiver, { module: 'global', path: ['process'] }) &&
    event !== undefined &&
    t.isStringLiteralLike(event) &&
    shutdownSignals.has(event.text)
  );
}

// ── A function's own resources ──

/** Whether a local escapes its function: returned, passed on, or stored somewhere else. */
export function escapesFunction(
  index: ProgramIndex,
  holding: Extract<Holding, { type: 'kept' }>,
  fn: FunctionLikeWithBody,
): boolean {
  const t = index.ts;
  if (!fn.body) return false;
  let escapes = false;
  const visit = (node: ts.Node): void => {
    if (escapes) return;
    if (
      t.isShorthandPropertyAssignment(node) &&
      index.types.getShorthandAssignmentValueSymbol(node) === holding.symbol
    ) {
      escapes = true;
      return;
    }
    if (
      t.isIdentifier(node) &&
      node !== (holding.declaration as ts.NamedDeclaration).name &&
      index.types.getSymbolAtLocation(node) === holding.symbol
    ) {
      if (valueEscapes(t, node) && !lentOnly(index, node, 0)) {
        escapes = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(fn.body);
  return escapes;
}

/** Methods that attach work to a resource for its lifetime: whoever calls them uses it from then on. */
const listenerRegistrations = new Set([
  'on',
  'once',
  'addListener',
  'addEventListener',
  'subscribe',
  'psubscribe',
  'pipe',
]);

/**
 * `await setParams(client, params)`: the value is an argument of a program function that only uses
 * its parameter (calls its methods, reads it) and neither keeps, returns nor hands it on, nor
 * attaches listeners to it. The caller still owns it.
 */
function lentOnly(index: ProgramIndex, reference: ts.Node, depth: number): boolean {
  const t = index.ts;
  if (depth > 2) return false;
  const call = reference.parent;
  if (!t.isCallExpression(call) || !call.arguments.includes(reference as ts.Expression)) return false;
  const position = call.arguments.indexOf(reference as ts.Expression);
  const fns = index.resolveFunctions(call.expression, 0, false);
  if (fns.length !== 1) return false;
  const callee = fns[0]!;
  const parameter = callee.parameters[position];
  if (!parameter || parameter.dotDotDotToken || !t.isIdentifier(parameter.name) || !callee.body) return false;
  const symbol = index.types.getSymbolAtLocation(parameter.name);
  if (!symbol) return false;
  let escapes = false;
  const visit = (node: ts.Node): void => {
    if (escapes) return;
    if (t.isShorthandPropertyAssignment(node) && index.types.getShorthandAssignmentValueSymbol(node) === symbol) {
      escapes = true;
      return;
    }
    if (t.isIdentifier(node) && node !== parameter.name && index.types.getSymbolAtLocation(node) === symbol) {
      // Reassigned, kept, returned or handed on, or given listeners that keep it working for them:
      // the callee may own it.
      if (
        (t.isBinaryExpression(node.parent) && node.parent.left === node) ||
        (t.isPropertyAccessExpression(node.parent) &&
          node.parent.expression === node &&
          listenerRegistrations.has(node.parent.name.text)) ||
        (valueEscapes(t, node) && !lentOnly(index, node, depth + 1))
      ) {
        escapes = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(callee.body);
  return !escapes;
}

/**
 * Methods whose result wraps the receiver and owns it: undici's `dispatcher.compose(...)` returns a
 * dispatcher whose `close()` and `destroy()` close the one it wraps. Where that result goes, the
 * receiver goes.
 */
const owningWrappers = new Set(['compose']);

function valueEscapes(t: TS, reference: ts.Node): boolean {
  let node = reference;
  for (;;) {
    const parent = node.parent;
    if (
      t.isPropertyAccessExpression(parent) &&
      parent.expression === node &&
      owningWrappers.has(parent.name.text) &&
      t.isCallExpression(parent.parent) &&
      parent.parent.expression === parent
    ) {
      node = parent.parent;
      continue;
    }
    if (
      t.isParenthesizedExpression(parent) ||
      t.isAsExpression(parent) ||
      t.isSatisfiesExpression(parent) ||
      t.isNonNullExpression(parent) ||
      t.isAwaitExpression(parent) ||
      (t.isConditionalExpression(parent) && parent.condition !== node) ||
      (t.isBinaryExpression(parent) && parent.right === node && isLogicalOperator(t, parent.operatorToken.kind))
    ) {
      node = parent;
      continue;
    }
    if ((t.isCallExpression(parent) || t.isNewExpression(parent)) && parent.arguments?.includes(node as ts.Expression))
      return true;
    if (
      t.isReturnStatement(parent) ||
      t.isYieldExpression(parent) ||
      (t.isArrowFunction(parent) && parent.body === node)
    )
      return true;
    if (t.isArrayLiteralExpression(parent) || t.isSpreadElement(parent) || t.isPropertyAssignment(parent)) return true;
    if (t.isVariableDeclaration(parent) && parent.initializer === node) return true;
    if (t.isBinaryExpression(parent) && parent.right === node && parent.operatorToken.kind === t.SyntaxKind.EqualsToken)
      return true;
    return false;
  }
}

/**
 * Where a close in a callback stands in the function that opened the resource: a callback that
 * always runs once the work it was given ends counts as that call. A completion callback given
 * to the resource itself (`client.query(sql, (err, res) => { client.end() })`, not an `on`
 * listener) or a `.finally` callback. Undefined when the close sits in any other callback.
 */
export function completionSite(
  index: ProgramIndex,
  holding: Extract<Holding, { type: 'kept' }>,
  call: ts.Node,
  fn: FunctionLikeWithBody,
): ts.Node | undefined {
  const t = index.ts;
  let site = call;
  for (let callback = enclosingFunction(t, site); callback && callback !== fn; callback = enclosingFunction(t, site)) {
    let owner: ts.Node = callback;
    while (t.isParenthesizedExpression(owner.parent)) owner = owner.parent;
    const runner = owner.parent;
    if (!t.isCallExpression(runner) || !runner.arguments.includes(owner as ts.Expression)) return undefined;
    const parts = methodCallParts(t, runner);
    if (!parts) return undefined;
    const completes =
      parts.name === 'finally' || (!listenerMethods.has(parts.name) && refersToHolding(index, parts.receiver, holding));
    if (!completes) return undefined;
    site = runner;
  }
  return site;
}

/** A close in a `finally` block of the function itself. */
export function isInFinally(t: TS, call: ts.Node, fn: FunctionLikeWithBody): boolean {
  for (
    let child: ts.Node = call, parent = call.parent;
    parent && parent !== fn;
    child = parent, parent = parent.parent
  ) {
    if (isFunctionLikeWithBody(t, parent)) return false;
    if (t.isTryStatement(parent) && parent.finallyBlock === child) return true;
  }
  return false;
}

/**
 * A close that runs on the one straight path from the creation: after it in the same block (or in
 * a `try` block there), not under a condition, a loop, a `catch` or a callback, with no `return`,
 * `throw`, `break` or `continue` in between. With `rejections`, an `await` (or `for await`) in
 * between leaves the path too: the promise it waits for can reject, and the close is skipped.
 */
export function closedOnStraightPath(
  t: TS,
  creation: ts.Node,
  call: ts.Node,
  fn: FunctionLikeWithBody,
  rejections = false,
): boolean {
  const start = creationStatement(t, creation, fn);
  const block = start ? start.parent : fn.body;
  if (!block) return false;
  let child: ts.Node = call;
  for (let parent = call.parent; parent; child = parent, parent = parent.parent) {
    if (parent === block) break;
    if (isFunctionLikeWithBody(t, parent) || t.isClassLike(parent)) return false;
    if (t.isIfStatement(parent) && child !== parent.expression) return false;
    if (t.isConditionalExpression(parent) && child !== parent.condition) return false;
    if (t.isBinaryExpression(parent) && child === parent.right && isLogicalOperator(t, parent.operatorToken.kind))
      return false;
    if (
      t.isIterationStatement(parent, false) ||
      t.isCaseClause(parent) ||
      t.isDefaultClause(parent) ||
      t.isCatchClause(parent)
    )
      return false;
    if (t.isBlock(parent) && exitsBefore(t, parent.statements, undefined, child, rejections)) return false;
  }
  if (child.parent !== block) return false;
  const statements = statementsOf(t, block);
  if (!statements || (start && child.pos < start.end)) return false;
  return !exitsBefore(t, statements, start, child, rejections);
}

function statementsOf(t: TS, block: ts.Node): readonly ts.Statement[] | undefined {
  if (
    t.isBlock(block) ||
    t.isSourceFile(block) ||
    t.isModuleBlock(block) ||
    t.isCaseClause(block) ||
    t.isDefaultClause(block)
  )
    return block.statements;
  return undefined;
}

/** The statement directly in a block that contains the creation. */
function creationStatement(t: TS, creation: ts.Node, fn: FunctionLikeWithBody): ts.Statement | undefined {
  for (let node: ts.Node = creation; node.parent && node !== fn; node = node.parent) {
    if (statementsOf(t, node.parent) && t.isStatement(node as ts.Node)) return node as ts.Statement;
  }
  return undefined;
}

/** A statement between `after` and `before` (exclusive) can leave the block early. */
function exitsBefore(
  t: TS,
  statements: readonly ts.Statement[],
  after: ts.Statement | undefined,
  before: ts.Node,
  rejections: boolean,
): boolean {
  for (const statement of statements) {
    if (after && statement.pos < after.end) continue;
    if (statement.pos >= before.pos) break;
    if (canExit(t, statement, rejections)) return true;
  }
  return false;
}

function canExit(t: TS, node: ts.Node, rejections: boolean, loopDepth = 0): boolean {
  if (t.isReturnStatement(node) || t.isThrowStatement(node)) return true;
  if ((t.isBreakStatement(node) || t.isContinueStatement(node)) && loopDepth === 0) return true;
  if (isFunctionLikeWithBody(t, node) || t.isClassLike(node)) return false;
  if (rejections && (t.isAwaitExpression(node) || (t.isForOfStatement(node) && node.awaitModifier))) return true;
  const inner = t.isIterationStatement(node, false) || t.isSwitchStatement(node) ? loopDepth + 1 : loopDepth;
  return t.forEachChild(node, (child) => (canExit(t, child, rejections, inner) ? true : undefined)) ?? false;
}

/** How messages name a function: `exportCsv`, `this request handler`, or `this callback`. */
export function functionName(index: ProgramIndex, fn: FunctionLikeWithBody): string {
  const t = index.ts;
  if (index.handlers.has(fn)) return 'this request handler';
  // A promise executor, or a `.then` continuation, runs as part of the function that makes the promise.
  const made = fn.parent;
  const outer = made && enclosingFunction(t, made);
  if (outer && t.isNewExpression(made) && made.arguments?.[0] === fn) {
    const ref = index.binding.resolve(made.expression);
    if (ref?.module === 'global' && ref.path.join('.') === 'Promise') return functionName(index, outer);
  }
  if (outer && t.isCallExpression(made) && made.arguments[0] === fn && methodCallParts(t, made)?.name === 'then')
    return functionName(index, outer);
  if (fn.name && (t.isIdentifier(fn.name) || t.isStringLiteral(fn.name))) return fn.name.text;
  const parent = fn.parent;
  if (parent && (t.isVariableDeclaration(parent) || t.isPropertyAssignment(parent)) && t.isIdentifier(parent.name))
    return parent.name.text;
  if (parent && t.isBinaryExpression(parent) && parent.right === fn && t.isPropertyAccessExpression(parent.left))
    return parent.left.name.text;
  if (t.isConstructorDeclaration(fn)) return 'constructor';
  return 'this callback';
}

const untilShutdownFact = factKey<Set<ts.SourceFile>>('files that run until shutdown');

/**
 * Whether a file is loaded by an entry that creates a server, registers request handlers or
 * handles shutdown: its resources live until SIGTERM. A script that ends on its own is not.
 */
export function runsUntilShutdown(index: ProgramIndex, file: ts.SourceFile): boolean {
  const files = index.fact(untilShutdownFact, () => {
    const seeds = new Set<ts.SourceFile>([
      ...index.servers
        .filter((s) => {
          const category = kindSpec(s.kind)?.category;
          return category !== undefined && servingCategories.has(category);
        })
        .map((s) => s.creation.getSourceFile()),
      ...[...index.handlers.keys()].map((fn) => fn.getSourceFile()),
      // Not a closer handed to the lifecycle: `migrate` writes them, and a second run must see the same service.
      ...index.shutdownRoots.filter((r) => !r.lifecycleCloser).map((r) => r.registration.getSourceFile()),
    ]);
    return index.filesRunningWith(seeds);
  });
  return files.has(file);
}

/**
 * The catalogue kind a program class inherits: `new RedisAdapter()` where
 * `class RedisAdapter extends Redis` (ioredis), and `new this()` in its static methods.
 */
export function inheritedFactoryKind(index: ProgramIndex, creation: ts.NewExpression): string | undefined {
  const t = index.ts;
  const callee = skipOuterExpressions(t, creation.expression);
  let cls: ts.ClassLikeDeclaration | undefined;
  if (callee.kind === t.SyntaxKind.ThisKeyword) {
    for (let p: ts.Node | undefined = creation.parent; p; p = p.parent) {
      if (t.isClassLike(p)) {
        cls = p;
        break;
      }
    }
  } else {
    cls = classOf(index, callee);
  }
  for (let depth = 0; cls && depth < 5; depth++) {
    const base = cls.heritageClauses?.find((h) => h.token === t.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!base) return undefined;
    const ref = index.binding.resolve(base);
    const factory = ref && findFactory(ref);
    if (factory) return factory.kind;
    cls = classOf(index, base);
  }
  return undefined;
}

function classOf(index: ProgramIndex, expression: ts.Expression): ts.ClassLikeDeclaration | undefined {
  const t = index.ts;
  const e = skipOuterExpressions(t, expression);
  let symbol = t.isIdentifier(e)
    ? index.types.getSymbolAtLocation(e)
    : t.isPropertyAccessExpression(e)
      ? index.types.getSymbolAtLocation(e.name)
      : undefined;
  if (symbol) {
    const target = aliasTarget(index.types, symbol, t.SymbolFlags.Alias);
    if (!target) return undefined;
    symbol = target;
  }
  const declaration = symbol?.valueDeclaration;
  return declaration && t.isClassLike(declaration) && !declaration.getSourceFile().isDeclarationFile
    ? declaration
    : undefined;
}
