// A program's own shutdown registry (close-in-reverse-order orders its closers, require-close-timeout
// finds the deadline its run arms): closures stored in a list (`handlers.push(fn)`, or through a
// function that stores its parameter, `registerShutdownHandler({ id, handler })`) that a shutdown
// path runs. Where the run walks the list with an element method
// (`Promise.allSettled(handlers.map(async ({ handler }) => handler()))`, `handlers.forEach((h) => h())`),
// every closer starts at once: a store's close runs beside the server's drain registered there.
// A `for…of` that awaits each closer runs them in registration order, which the rule does not
// follow across modules.
import type * as ts from 'typescript';
import { factKey, type ProgramIndex, type ShutdownRoot } from './program-index.js';
import {
  enclosingFunction,
  functionBody,
  functionNameNode,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  type FunctionLikeWithBody,
} from './ts-utils.js';

/** Array methods that call their callback with each element now, before they return. */
export const elementCallbackMethods: ReadonlySet<string> = new Set([
  'forEach',
  'map',
  'flatMap',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
]);

/** Where a shutdown path runs a registry's closers. */
export interface RegistryRun {
  /** What the closers are stored in. */
  registry: ts.Symbol;
  root: ShutdownRoot;
  /** The reference to the registry where the run walks it. */
  site: ts.Identifier;
  /** Every closer starts before any has finished (an element method walks the list). */
  concurrent: boolean;
}

/** A closure registered with a registry that a shutdown path runs, and those runs. */
export interface RegisteredClosure {
  closure: FunctionLikeWithBody;
  runs: RegistryRun[];
}

const registryRunsFact = factKey<Map<ts.Symbol, RegistryRun[]>>('where shutdown paths walk a registry');
const closersFact = factKey<Map<ts.Symbol, FunctionLikeWithBody[]>>('the closures stored in a registry');
const closerReachFact = factKey<Map<ts.Node, Set<ts.Node>>>('what a registered closer reaches');

function reachOf(index: ProgramIndex, fn: ts.Node): Set<ts.Node> {
  const cache = index.fact(closerReachFact, () => new Map<ts.Node, Set<ts.Node>>());
  let set = cache.get(fn);
  if (!set) {
    set = index.reachableFrom(fn);
    cache.set(fn, set);
  }
  return set;
}

/**
 * The closures registered with a registry some shutdown path runs that run `node` (it is in one,
 * or in a function one calls), each with where those paths run it.
 */
export function registeredClosuresOf(index: ProgramIndex, node: ts.Node): RegisteredClosure[] {
  const t = index.ts;
  const own = enclosingFunction(t, node) ?? node.getSourceFile();
  const result: RegisteredClosure[] = [];
  for (const [registry, runs] of runsOf(index)) {
    for (const closure of closersOf(index, registry)) {
      if (closure === own || within(node, closure) || reachOf(index, closure).has(own)) result.push({ closure, runs });
    }
  }
  return result;
}

function within(node: ts.Node, outer: ts.Node): boolean {
  return node.getSourceFile() === outer.getSourceFile() && node.pos >= outer.pos && node.end <= outer.end;
}

/**
 * The closures stored in `registry`: `registry.push(fn)`, `registry.push({ id, handler: fn })`, and
 * through a program function that stores its parameter there (`register(fn)`), what its callers pass.
 */
export function closersOf(index: ProgramIndex, registry: ts.Symbol): FunctionLikeWithBody[] {
  const cache = index.fact(closersFact, () => new Map<ts.Symbol, FunctionLikeWithBody[]>());
  const cached = cache.get(registry);
  if (cached) return cached;
  const found: FunctionLikeWithBody[] = [];
  cache.set(registry, found);
  const t = index.ts;
  const closuresIn = (value: ts.Expression, depth: number): FunctionLikeWithBody[] => {
    const e = skipOuterExpressions(t, value);
    if (isFunctionLikeWithBody(t, e)) return [e];
    if (t.isObjectLiteralExpression(e)) {
      return e.properties.flatMap((p) =>
        t.isMethodDeclaration(p) && p.body
          ? [p]
          : t.isPropertyAssignment(p)
            ? closuresIn(p.initializer, depth)
            : t.isShorthandPropertyAssignment(p) && depth < 3
              ? fromName(p.name, depth + 1)
              : [],
      );
    }
    if (t.isIdentifier(e) && depth < 3) return fromName(e, depth + 1);
    return [];
  };
  // A parameter of a program function: what the callers of that function pass at its position.
  const fromName = (name: ts.Identifier, depth: number): FunctionLikeWithBody[] => {
    const symbol = t.isShorthandPropertyAssignment(name.parent)
      ? index.types.getShorthandAssignmentValueSymbol(name.parent)
      : index.types.getSymbolAtLocation(name);
    const declaration = symbol?.valueDeclaration;
    if (!declaration) return [];
    if (!t.isParameter(declaration)) {
      return t.isVariableDeclaration(declaration) || t.isFunctionDeclaration(declaration)
        ? index.resolveFunctions(name, 0, false)
        : [];
    }
    const fn = declaration.parent;
    if (!isFunctionLikeWithBody(t, fn)) return [];
    const position = fn.parameters.indexOf(declaration);
    const callee = functionNameNode(t, fn)?.text;
    if (!callee) return [];
    return index
      .callsNamed(callee)
      .filter((c): c is ts.CallExpression => t.isCallExpression(c))
      .filter((c) => index.resolveFunctions(c.expression, 0, false).includes(fn))
      .flatMap((c) => (c.arguments[position] ? closuresIn(c.arguments[position], depth) : []));
  };
  for (const method of storeMethods) {
    for (const call of index.callsNamed(method)) {
      if (!t.isCallExpression(call)) continue;
      const parts = methodCallParts(t, call);
      if (!parts || parts.name !== method || symbolNamed(index, parts.receiver) !== registry) continue;
      for (const arg of call.arguments) found.push(...closuresIn(arg, 0));
    }
  }
  return found;
}

const storeMethods = ['push', 'unshift', 'add', 'set'];

/** The symbol of `x` or `this.x` (its last name). */
function symbolNamed(index: ProgramIndex, expression: ts.Expression): ts.Symbol | undefined {
  const t = index.ts;
  const e = skipOuterExpressions(t, expression);
  if (t.isIdentifier(e)) return index.types.getSymbolAtLocation(e);
  if (t.isPropertyAccessExpression(e)) return index.types.getSymbolAtLocation(e.name);
  return undefined;
}

/** Every reference, on a shutdown path, to a name that a registration can store closers in. */
export function runsOf(index: ProgramIndex): Map<ts.Symbol, RegistryRun[]> {
  return index.fact(registryRunsFact, () => {
    const t = index.ts;
    const result = new Map<ts.Symbol, RegistryRun[]>();
    for (const root of index.shutdownRoots) {
      for (const fn of index.shutdownPath(root)) {
        const body = functionBody(t, fn);
        if (!body) continue;
        const from = fn === root.fn ? root.afterPos : undefined;
        const visit = (node: ts.Node): void => {
          if (from !== undefined && node.end < from) return;
          if (node !== body && isFunctionLikeWithBody(t, node)) return; // on the path on its own
          const run = t.isIdentifier(node) ? walkOf(index, node) : undefined;
          if (run !== undefined) {
            const symbol = index.types.getSymbolAtLocation(node as ts.Identifier);
            if (symbol) {
              const entry: RegistryRun = { registry: symbol, root, site: node as ts.Identifier, concurrent: run };
              const list = result.get(symbol);
              if (list) list.push(entry);
              else result.set(symbol, [entry]);
            }
          }
          t.forEachChild(node, visit);
        };
        visit(body);
      }
    }
    return result;
  });
}

/**
 * Whether `name` is walked to run what it holds, and how: `name.map(cb)` / `name.forEach(cb)`
 * (all at once: true), `for (const h of name)` (one after another: false); otherwise undefined.
 */
function walkOf(index: ProgramIndex, name: ts.Identifier): boolean | undefined {
  const t = index.ts;
  let e: ts.Node = name;
  if (t.isPropertyAccessExpression(e.parent) && e.parent.name === e) e = e.parent; // `this.handlers`
  const parent = e.parent;
  if (t.isPropertyAccessExpression(parent) && parent.expression === e) {
    const call = parent.parent;
    if (!t.isCallExpression(call) || call.expression !== parent) return undefined;
    const method = methodCallParts(t, call)?.name;
    return method !== undefined && elementCallbackMethods.has(method) && call.arguments.length > 0 ? true : undefined;
  }
  if (t.isForOfStatement(parent) && parent.expression === e) return false;
  return undefined;
}
