// Closes and drains through a collection: `for (const queue of queues) await queue.close()`,
// `workers.forEach((w) => w.close())`, `Promise.all(pools.map((p) => p.end()))`, where the
// collection is an array the program fills with known stores or workers (its literal, and what is
// pushed on it). Each element's close is a close of every store the collection holds.
import type * as ts from 'typescript';
import { factKey, type ProgramIndex } from '../../src/core/program-index.js';
import { callsNamed, heldSymbolOf, refersToHolding, type Holding } from '../../src/core/resources.js';
import { elementCallbackMethods } from '../../src/core/registries.js';
import { isFunctionLikeWithBody, methodCallParts, skipOuterExpressions } from '../../src/core/ts-utils.js';

type Kept = Extract<Holding, { type: 'kept' }>;

interface ElementCall {
  call: ts.CallExpression;
  /** The values the collection may hold: its array literal's elements and what is pushed on it. */
  elements: readonly ts.Expression[];
}

const elementCallsFact = factKey<Map<string, ElementCall[]>>('method calls on the elements of a collection');
const elementsFact = factKey<Map<ts.Symbol, ts.Expression[]>>('what a collection holds');

/** The calls of `methods` on an element of a collection that holds what `holding` keeps. */
export function collectionCallsOf(index: ProgramIndex, holding: Kept, methods: readonly string[]): ts.CallExpression[] {
  const result: ts.CallExpression[] = [];
  for (const method of methods) {
    for (const { call, elements } of elementCallsNamed(index, method)) {
      if (elements.some((e) => refersToHolding(index, e, holding))) result.push(call);
    }
  }
  return result;
}

function elementCallsNamed(index: ProgramIndex, method: string): ElementCall[] {
  const byMethod = index.fact(elementCallsFact, () => new Map<string, ElementCall[]>());
  let found = byMethod.get(method);
  if (found) return found;
  found = [];
  const t = index.ts;
  for (const call of callsNamed(index, method)) {
    const parts = methodCallParts(t, call);
    if (!parts || parts.name !== method) continue;
    const collection = collectionOfElement(index, parts.receiver);
    if (!collection) continue;
    const elements = elementsOf(index, collection, 0);
    if (elements.length > 0) found.push({ call, elements });
  }
  byMethod.set(method, found);
  return found;
}

/**
 * The collection an element comes from: `queue` in `for (const queue of queues)` or in
 * `queues.forEach((queue) => …)` gives `queues`.
 */
function collectionOfElement(index: ProgramIndex, receiver: ts.Expression): ts.Expression | undefined {
  const t = index.ts;
  const e = skipOuterExpressions(t, receiver);
  if (!t.isIdentifier(e)) return undefined;
  const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
  if (!declaration) return undefined;
  if (t.isVariableDeclaration(declaration) && t.isIdentifier(declaration.name)) {
    const list = declaration.parent;
    const loop = t.isVariableDeclarationList(list) ? list.parent : undefined;
    return loop && t.isForOfStatement(loop) && loop.initializer === list ? loop.expression : undefined;
  }
  if (t.isParameter(declaration) && t.isIdentifier(declaration.name)) {
    const fn = declaration.parent;
    if (!isFunctionLikeWithBody(t, fn) || fn.parameters[0] !== declaration) return undefined;
    let owner: ts.Node = fn;
    while (t.isParenthesizedExpression(owner.parent)) owner = owner.parent;
    const call = owner.parent;
    if (!call || !t.isCallExpression(call) || call.arguments[0] !== owner) return undefined;
    const parts = methodCallParts(t, call);
    return parts && elementCallbackMethods.has(parts.name) ? parts.receiver : undefined;
  }
  return undefined;
}

/** The values an array may hold: the elements of its literal (spreads followed) and the arguments of its `push`/`unshift`. */
function elementsOf(index: ProgramIndex, collection: ts.Expression, depth: number): ts.Expression[] {
  const t = index.ts;
  if (depth > 3) return [];
  const e = skipOuterExpressions(t, collection);
  if (t.isArrayLiteralExpression(e)) {
    return e.elements.flatMap((element) =>
      t.isSpreadElement(element) ? elementsOf(index, element.expression, depth + 1) : [element],
    );
  }
  if (!t.isIdentifier(e) && !t.isPropertyAccessExpression(e)) return [];
  const symbol = heldSymbolOf(index, e);
  if (!symbol) return [];
  const cache = index.fact(elementsFact, () => new Map<ts.Symbol, ts.Expression[]>());
  const cached = cache.get(symbol);
  if (cached) return cached;
  cache.set(symbol, []); // cycle guard
  const result: ts.Expression[] = [];
  const declaration = symbol.valueDeclaration;
  if (declaration && t.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = skipOuterExpressions(t, declaration.initializer);
    if (t.isArrayLiteralExpression(init)) result.push(...elementsOf(index, init, depth + 1));
  }
  for (const method of ['push', 'unshift']) {
    for (const call of callsNamed(index, method)) {
      const parts = methodCallParts(t, call);
      if (!parts || heldSymbolOf(index, parts.receiver) !== symbol) continue;
      for (const arg of call.arguments)
        result.push(...(t.isSpreadElement(arg) ? elementsOf(index, arg.expression, depth + 1) : [arg]));
    }
  }
  cache.set(symbol, result);
  return result;
}
