// Work that settles the promises its callers were handed: a batching queue whose `add()` returns
// `new Promise((resolve, reject) => { this.pending.push({ item, resolve, reject }); … })` and
// drops `this.flush()`, which takes `this.pending` and calls each entry's `resolve()` once the
// batch is written (a meilisearch document batcher, a DataLoader-style writer). A caller awaiting
// `add()` waits for that flush, so the flush's own promise holds nothing the callers' do not.
import type * as ts from 'typescript';
import type { ProgramIndex } from '../../src/core/program-index.js';
import {
  enclosingFunction,
  isFunctionLikeWithBody,
  propertyValue,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';

/** Where executors keep their resolvers: the field, and the names an entry holds them under. */
interface StoredResolvers {
  field: string;
  /** The property names of the stored entry (`{ item, resolve, reject }`); empty when the field is the resolver. */
  names: ReadonlySet<string>;
}

const collectionAdds = new Set(['push', 'unshift', 'add', 'set']);
/** Callbacks that run before the call that takes them returns: their settles happen in place. */
const inPlaceIterations = new Set(['forEach', 'map', 'filter', 'some', 'every', 'reduce', 'flatMap']);
const maxDepth = 3;

/**
 * Whether every function `callee` may run settles resolvers that a `new Promise` executor of the
 * same class (or module) stored in a field: the function (or a program function it calls, a few
 * calls deep) reads that field and calls an entry's stored `resolve`/`reject`. A settle with an
 * `await` after it in the function that runs it acknowledges before the work is done, and the
 * work is still reported, as is a function that settles nobody's promise.
 */
export function settlesStoredResolvers(index: ProgramIndex, callee: ts.Expression): boolean {
  const t = index.ts;
  const functions = index.resolveFunctions(callee, 0, false);
  return (
    functions.length > 0 &&
    functions.every((fn) => {
      const stored = storedResolvers(t, holderOf(t, fn));
      return stored.length > 0 && new Settles(index, stored).follow(fn);
    })
  );
}

function holderOf(t: TS, fn: FunctionLikeWithBody): ts.Node {
  for (let p: ts.Node | undefined = fn.parent; p; p = p.parent) {
    if (t.isClassLike(p)) return p;
  }
  return fn.getSourceFile();
}

function storedResolvers(t: TS, holder: ts.Node): StoredResolvers[] {
  const found: StoredResolvers[] = [];
  const visit = (node: ts.Node): void => {
    if (t.isNewExpression(node) && t.isIdentifier(node.expression) && node.expression.text === 'Promise') {
      const executor = node.arguments?.[0];
      if (executor && (t.isArrowFunction(executor) || t.isFunctionExpression(executor))) {
        const resolvers = new Set(
          executor.parameters.slice(0, 2).flatMap((p) => (t.isIdentifier(p.name) ? [p.name.text] : [])),
        );
        if (resolvers.size > 0) collectStores(t, executor.body, resolvers, found);
      }
    }
    t.forEachChild(node, visit);
  };
  visit(holder);
  return found;
}

/** `this.f.push({ item, resolve })`, `this.f.set(k, { resolve })`, `this.f[k] = { resolve }`, `this.f = resolve`. */
function collectStores(t: TS, body: ts.Node, resolvers: ReadonlySet<string>, found: StoredResolvers[]): void {
  const entryNames = (value: ts.Expression): Set<string> => {
    const names = new Set<string>();
    if (!t.isObjectLiteralExpression(value)) return names;
    for (const property of value.properties) {
      const initializer = propertyValue(t, property);
      const name = staticPropertyName(t, property.name);
      if (name && initializer && t.isIdentifier(initializer) && resolvers.has(initializer.text)) names.add(name);
    }
    return names;
  };
  const visit = (node: ts.Node): void => {
    if (t.isCallExpression(node) && t.isPropertyAccessExpression(node.expression)) {
      const receiver = node.expression.expression;
      const field = t.isPropertyAccessExpression(receiver) ? receiver.name.text : undefined;
      if (field && collectionAdds.has(node.expression.name.text)) {
        for (const argument of node.arguments) {
          const names = entryNames(argument);
          if (names.size > 0) found.push({ field, names });
        }
      }
    }
    if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const target = node.left;
      if (t.isPropertyAccessExpression(target) && t.isIdentifier(node.right) && resolvers.has(node.right.text)) {
        found.push({ field: target.name.text, names: new Set() });
      } else if (t.isElementAccessExpression(target) && t.isPropertyAccessExpression(target.expression)) {
        const names = entryNames(node.right);
        if (names.size > 0) found.push({ field: target.expression.name.text, names });
      }
    }
    t.forEachChild(node, visit);
  };
  visit(body);
}

class Settles {
  private readonly t: TS;
  private readonly seen = new Set<ts.Node>();
  private readsField = false;
  private settles = 0;
  private early = false;

  constructor(
    private readonly index: ProgramIndex,
    private readonly stored: readonly StoredResolvers[],
  ) {
    this.t = index.ts;
  }

  follow(fn: FunctionLikeWithBody): boolean {
    this.walk(fn, 0);
    return this.readsField && this.settles > 0 && !this.early;
  }

  private walk(fn: FunctionLikeWithBody, depth: number): void {
    const t = this.t;
    if (this.seen.has(fn) || depth > maxDepth) return;
    this.seen.add(fn);
    const visit = (node: ts.Node): void => {
      if (t.isPropertyAccessExpression(node) && this.stored.some((s) => s.field === node.name.text)) {
        this.readsField = true;
      }
      if (t.isCallExpression(node)) {
        if (this.isSettle(node)) {
          this.settles++;
          if (awaitsAfter(t, node)) this.early = true;
        } else {
          for (const callee of this.index.resolveFunctions(node.expression, 0, false)) this.walk(callee, depth + 1);
        }
      }
      t.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
  }

  /** `entry.resolve()` for a stored entry name, or `this.f()` for a field that is the resolver. */
  private isSettle(call: ts.CallExpression): boolean {
    const t = this.t;
    let callee: ts.Expression = call.expression;
    while (t.isNonNullExpression(callee) || t.isParenthesizedExpression(callee)) callee = callee.expression;
    if (!t.isPropertyAccessExpression(callee)) return false;
    const name = callee.name.text;
    const receiver = callee.expression;
    if (t.isIdentifier(receiver) && receiver.text === 'Promise') return false;
    return this.stored.some((s) => (s.names.size > 0 ? s.names.has(name) : s.field === name));
  }
}

/**
 * An `await` after the settle in the function that runs it (an iteration callback runs in its
 * caller's place): the callers were answered before the work was done.
 */
function awaitsAfter(t: TS, settle: ts.CallExpression): boolean {
  let fn = enclosingFunction(t, settle);
  while (fn && (t.isArrowFunction(fn) || t.isFunctionExpression(fn))) {
    const call = fn.parent;
    if (!t.isCallExpression(call) || !call.arguments.includes(fn as ts.Expression)) break;
    const method = t.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined;
    if (!method || !inPlaceIterations.has(method)) break;
    fn = enclosingFunction(t, call);
  }
  if (!fn?.body) return false;
  const body = fn.body;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (node !== body && isFunctionLikeWithBody(t, node)) return;
    const isAwait = t.isAwaitExpression(node) || (t.isForOfStatement(node) && node.awaitModifier !== undefined);
    if (isAwait && node.getStart() > settle.getEnd()) {
      found = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  visit(body);
  return found;
}
