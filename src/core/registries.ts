// A program's own shutdown registry (close-in-reverse-order orders its closers, require-close-timeout
// finds the deadline its run arms): closures stored in a list (`handlers.push(fn)`, or through a
// function that stores its parameter, `registerShutdownHandler({ id, handler })`) that a shutdown
// path runs. Where the run walks the list with an element method
// (`Promise.allSettled(handlers.map(async ({ handler }) => handler()))`, `handlers.forEach((h) => h())`),
// every closer starts at once: a store's close runs beside the server's drain registered there.
// A `for…of` that awaits each closer runs them in registration order, which the rule does not
// follow across modules.
// A registry of order groups stores an order value beside each closure (`handlers.push({ key,
// order, callback })`, the order an enum member or a number its callers pass) and runs the groups
// sorted by that value, each awaited before the next (`const groups = groupBy(handlers, 'order')`,
// `for (const key of Object.keys(groups).sort()) await Promise.allSettled(groups[key].map(…))`, the
// groups also filled by hand (`(groups[h.order] ??= []).push(h)`, a `Map` keyed by the order), or
// the list sorted by the field and walked by an awaiting `for…of`): a closer of a lower group has
// finished before any closer of a higher group starts.
import type * as ts from 'typescript';
import { isAwaitedWithin } from './flow.js';
import { factKey, type ProgramIndex, type ShutdownRoot } from './program-index.js';
import {
  enclosingFunction,
  functionBody,
  functionNameNode,
  isFunctionLikeWithBody,
  methodCallParts,
  propertyValue,
  referencesWithin,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
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
  /**
   * Every closer starts before any has finished (an element method walks the list); for a run of
   * order groups, every closer of one group.
   */
  concurrent: boolean;
  /**
   * The run sorts the closers into groups by the order value stored beside each (`key`), and runs
   * the groups in ascending order of that value (compared as strings, as `Object.keys(…).sort()`
   * does, or as numbers), each awaited before the next.
   */
  groups?: { key: string; compare: 'string' | 'number' };
}

/** A closure registered with a registry that a shutdown path runs, and those runs. */
export interface RegisteredClosure {
  closure: FunctionLikeWithBody;
  runs: RegistryRun[];
}

const registryRunsFact = factKey<Map<ts.Symbol, RegistryRun[]>>('where shutdown paths walk a registry');
const closersFact = factKey<Map<ts.Symbol, StoredClosure[]>>('the closures stored in a registry');
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

/** A closure stored in a registry, with the constants stored beside it (`{ order, callback }`). */
interface StoredClosure {
  closure: FunctionLikeWithBody;
  /** The value of each property beside the closure in the stored object, when it is a constant. */
  fields: Map<string, OrderValue | undefined>;
  /** For each program function whose parameter led to the closure, the call that passed it. */
  bindings: Map<ts.Node, ts.CallExpression>;
}

/** An order value: a number or string constant (an enum member, a literal, a `const`). */
export type OrderValue = number | string;

/**
 * The closures stored in `registry`: `registry.push(fn)`, `registry.push({ id, handler: fn })`, and
 * through a program function that stores its parameter there (`register(fn)`), what its callers pass.
 */
export function closersOf(index: ProgramIndex, registry: ts.Symbol): FunctionLikeWithBody[] {
  return storedIn(index, registry).map((s) => s.closure);
}

/**
 * The order value stored beside `closure` in `registry` under `key` (`order` of `{ key, order,
 * callback }`, as its callers pass it: `add('queue', ShutdownOrder.normal, close)`); undefined when
 * it is not a constant or its registrations disagree.
 */
export function closerGroup(
  index: ProgramIndex,
  registry: ts.Symbol,
  closure: ts.Node,
  key: string,
): OrderValue | undefined {
  const values = storedIn(index, registry)
    .filter((s) => s.closure === closure)
    .map((s) => s.fields.get(key));
  if (values.length === 0 || values.some((v) => v === undefined || v !== values[0])) return undefined;
  return values[0];
}

/** How a run of order groups orders two closers' groups: `before` when `a`'s group runs first. */
export function groupOrder(
  run: RegistryRun,
  a: OrderValue | undefined,
  b: OrderValue | undefined,
): 'before' | 'after' | 'same' | undefined {
  if (!run.groups || a === undefined || b === undefined) return undefined;
  if (run.groups.compare === 'number') {
    if (typeof a !== 'number' || typeof b !== 'number') return undefined;
    return a < b ? 'before' : a > b ? 'after' : 'same';
  }
  // `Object.keys(groups).sort()`: the keys are strings, compared by their UTF-16 code units.
  const x = String(a);
  const y = String(b);
  return x < y ? 'before' : x > y ? 'after' : 'same';
}

function storedIn(index: ProgramIndex, registry: ts.Symbol): StoredClosure[] {
  const cache = index.fact(closersFact, () => new Map<ts.Symbol, StoredClosure[]>());
  const cached = cache.get(registry);
  if (cached) return cached;
  const found: StoredClosure[] = [];
  cache.set(registry, found);
  const t = index.ts;
  const closuresIn = (value: ts.Expression, depth: number): StoredClosure[] => {
    const e = skipOuterExpressions(t, value);
    if (isFunctionLikeWithBody(t, e)) return [{ closure: e, fields: new Map(), bindings: new Map() }];
    if (t.isObjectLiteralExpression(e)) {
      const stored = e.properties.flatMap((p) =>
        t.isMethodDeclaration(p) && p.body
          ? [{ closure: p, fields: new Map(), bindings: new Map() }]
          : t.isPropertyAssignment(p)
            ? closuresIn(p.initializer, depth)
            : t.isShorthandPropertyAssignment(p) && depth < 3
              ? fromName(p.name, depth + 1)
              : [],
      );
      // The constants beside each closure, read with the calls that led to it.
      for (const s of stored) {
        for (const p of e.properties) {
          const name = p.name && (t.isIdentifier(p.name) || t.isStringLiteral(p.name)) ? p.name.text : undefined;
          if (name === undefined || s.fields.has(name)) continue;
          const valueOf = propertyValue(t, p);
          if (valueOf) s.fields.set(name, constantOf(index, valueOf, s.bindings, 0));
        }
      }
      return stored;
    }
    if (t.isIdentifier(e) && depth < 3) return fromName(e, depth + 1);
    return [];
  };
  // A parameter of a program function: what the callers of that function pass at its position.
  const fromName = (name: ts.Identifier, depth: number): StoredClosure[] => {
    const symbol = t.isShorthandPropertyAssignment(name.parent)
      ? index.types.getShorthandAssignmentValueSymbol(name.parent)
      : index.types.getSymbolAtLocation(name);
    const declaration = symbol?.valueDeclaration;
    if (!declaration) return [];
    if (!t.isParameter(declaration)) {
      return t.isVariableDeclaration(declaration) || t.isFunctionDeclaration(declaration)
        ? index.resolveFunctions(name, 0, false).map((closure) => ({ closure, fields: new Map(), bindings: new Map() }))
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
      .flatMap((c) => {
        if (!c.arguments[position]) return [];
        const stored = closuresIn(c.arguments[position], depth);
        for (const s of stored) if (!s.bindings.has(fn)) s.bindings.set(fn, c);
        return stored;
      });
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

/**
 * The constant `expression` stands for: a number or string literal, a member of an enum
 * (`ShutdownOrder.normal`, counted from the last initialised member), a `const` with one, or a
 * parameter of a function that led to the closure, as the call that passed it gives it.
 */
function constantOf(
  index: ProgramIndex,
  expression: ts.Expression,
  bindings: ReadonlyMap<ts.Node, ts.CallExpression>,
  depth: number,
): OrderValue | undefined {
  const t = index.ts;
  if (depth > 6) return undefined;
  const e = skipOuterExpressions(t, expression);
  if (t.isNumericLiteral(e)) return Number(e.text);
  if (t.isStringLiteral(e) || t.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (t.isPrefixUnaryExpression(e) && e.operator === t.SyntaxKind.MinusToken) {
    const v = constantOf(index, e.operand, bindings, depth + 1);
    return typeof v === 'number' ? -v : undefined;
  }
  const name = t.isIdentifier(e)
    ? e
    : t.isPropertyAccessExpression(e)
      ? e.name
      : t.isElementAccessExpression(e) && t.isStringLiteral(e.argumentExpression)
        ? e.argumentExpression
        : undefined;
  if (!name) return undefined;
  const symbol =
    t.isShorthandPropertyAssignment(name.parent) && name.parent.name === name
      ? index.types.getShorthandAssignmentValueSymbol(name.parent)
      : index.types.getSymbolAtLocation(name);
  const declaration = symbol?.valueDeclaration;
  if (!declaration) return undefined;
  if (t.isEnumMember(declaration)) return enumMemberValue(index, declaration, depth);
  if (t.isParameter(declaration)) {
    const fn = declaration.parent;
    const call = bindings.get(fn);
    const arg = call?.arguments[fn.parameters.indexOf(declaration)];
    return arg ? constantOf(index, arg, bindings, depth + 1) : undefined;
  }
  if (
    t.isVariableDeclaration(declaration) &&
    declaration.initializer &&
    t.isVariableDeclarationList(declaration.parent) &&
    (declaration.parent.flags & t.NodeFlags.Const) !== 0
  )
    return constantOf(index, declaration.initializer, new Map(), depth + 1);
  return undefined;
}

function enumMemberValue(index: ProgramIndex, member: ts.EnumMember, depth: number): OrderValue | undefined {
  const members = member.parent.members;
  const at = members.indexOf(member);
  // Counted from the last member before it with an initialiser (from 0 when there is none).
  let from = at;
  while (from >= 0 && !members[from]!.initializer) from--;
  const base = from < 0 ? -1 : constantOf(index, members[from]!.initializer!, new Map(), depth + 1);
  if (from === at) return base;
  return typeof base === 'number' ? base + (at - from) : undefined;
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
              const entry: RegistryRun = { registry: symbol, root, site: node as ts.Identifier, ...run };
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
 * (all at once), `for (const h of name)` (one after another), or in order groups (`groupBy(name,
 * 'order')` whose groups a loop runs sorted, or `[...name].sort((a, b) => a.order - b.order)`
 * walked by an awaiting `for…of`); otherwise undefined.
 */
function walkOf(index: ProgramIndex, name: ts.Identifier): Pick<RegistryRun, 'concurrent' | 'groups'> | undefined {
  const t = index.ts;
  let e: ts.Node = name;
  if (t.isPropertyAccessExpression(e.parent) && e.parent.name === e) e = e.parent; // `this.handlers`
  const parent = e.parent;
  if (t.isPropertyAccessExpression(parent) && parent.expression === e) {
    const call = parent.parent;
    if (!t.isCallExpression(call) || call.expression !== parent) return undefined;
    const method = methodCallParts(t, call)?.name;
    if (method === 'slice' && call.arguments.length === 0) return sortedWalkOf(index, call);
    return method !== undefined && elementCallbackMethods.has(method) && call.arguments.length > 0
      ? { concurrent: true }
      : undefined;
  }
  if (t.isForOfStatement(parent) && parent.expression === e)
    return handGroupedWalkOf(index, parent) ?? { concurrent: false };
  if (t.isCallExpression(parent) && parent.arguments[0] === e) return groupedWalkOf(index, parent);
  if (t.isSpreadElement(parent) && t.isArrayLiteralExpression(parent.parent) && parent.parent.elements.length === 1)
    return sortedWalkOf(index, parent.parent);
  return undefined;
}

/** The last name of a callee: `groupBy` of `groupBy(…)`, `_.groupBy(…)`, `Object.groupBy(…)`. */
function calleeName(t: TS, call: ts.CallExpression): string | undefined {
  const callee = skipOuterExpressions(t, call.expression);
  return t.isIdentifier(callee) ? callee.text : t.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
}

/** The property a `groupBy` key selects: `'order'`, `(h) => h.order`, `({ order }) => order`. */
function keyOf(t: TS, selector: ts.Expression | undefined): string | undefined {
  if (!selector) return undefined;
  const e = skipOuterExpressions(t, selector);
  if (t.isStringLiteral(e)) return e.text;
  if (!t.isArrowFunction(e) || e.parameters.length !== 1 || !t.isExpression(e.body)) return undefined;
  const body = skipOuterExpressions(t, e.body);
  const parameter = e.parameters[0]!.name;
  if (
    t.isIdentifier(parameter) &&
    t.isPropertyAccessExpression(body) &&
    t.isIdentifier(body.expression) &&
    body.expression.text === parameter.text
  )
    return body.name.text;
  if (t.isObjectBindingPattern(parameter) && t.isIdentifier(body) && parameter.elements.length === 1) {
    const element = parameter.elements[0]!;
    if (!element.propertyName && t.isIdentifier(element.name) && element.name.text === body.text) return body.text;
  }
  return undefined;
}

/** The variable an expression's value is kept in (`const groups = groupBy(…)`, also `await`ed). */
function keptIn(t: TS, expression: ts.Expression): ts.Identifier | undefined {
  let e: ts.Node = expression;
  while (t.isParenthesizedExpression(e.parent) || t.isAwaitExpression(e.parent) || t.isAsExpression(e.parent))
    e = e.parent;
  const parent = e.parent;
  return t.isVariableDeclaration(parent) && parent.initializer === e && t.isIdentifier(parent.name)
    ? parent.name
    : undefined;
}

/** The references to `declared` in `scope`, its declaration left out. */
function referencesTo(index: ProgramIndex, scope: ts.Node, declared: ts.Identifier): ts.Identifier[] {
  return referencesWithin(index.ts, declared, scope, (node) => index.types.getSymbolAtLocation(node)) ?? [];
}

/**
 * How `[…].sort(cmp)` orders order values: `sort()` as strings, `(a, b) => a - b` (also
 * `Number(a) - Number(b)`, `a.order - b.order`) as numbers, ascending; undefined otherwise. The
 * field compared is `field` when given (`a.order`), none otherwise.
 */
function sortCompare(t: TS, call: ts.CallExpression, field: string | undefined): 'string' | 'number' | undefined {
  const comparator = call.arguments[0];
  if (!comparator) return field === undefined ? 'string' : undefined;
  const e = skipOuterExpressions(t, comparator);
  if (!t.isArrowFunction(e) && !t.isFunctionExpression(e)) return undefined;
  const [a, b] = e.parameters;
  if (!a || !b || !t.isIdentifier(a.name) || !t.isIdentifier(b.name)) return undefined;
  let body: ts.Node | undefined = e.body;
  if (t.isBlock(body)) {
    const only = body.statements.length === 1 ? body.statements[0] : undefined;
    body = only && t.isReturnStatement(only) ? only.expression : undefined;
  }
  if (!body || !t.isExpression(body)) return undefined;
  const difference = skipOuterExpressions(t, body);
  if (!t.isBinaryExpression(difference) || difference.operatorToken.kind !== t.SyntaxKind.MinusToken) return undefined;
  const operand = (x: ts.Expression): string | undefined => {
    let v = skipOuterExpressions(t, x);
    if (t.isCallExpression(v) && calleeName(t, v) === 'Number' && v.arguments.length === 1)
      v = skipOuterExpressions(t, v.arguments[0]!);
    if (field === undefined) return t.isIdentifier(v) ? v.text : undefined;
    return t.isPropertyAccessExpression(v) && v.name.text === field && t.isIdentifier(v.expression)
      ? v.expression.text
      : undefined;
  };
  return operand(difference.left) === a.name.text && operand(difference.right) === b.name.text ? 'number' : undefined;
}

/** The `.sort(…)` / `.toSorted(…)` call on `expression`, if its value is sorted right there. */
function sortedBy(t: TS, expression: ts.Expression): ts.CallExpression | undefined {
  const access = expression.parent;
  if (!t.isPropertyAccessExpression(access) || access.expression !== expression) return undefined;
  const call = access.parent;
  if (!t.isCallExpression(call) || call.expression !== access) return undefined;
  return access.name.text === 'sort' || access.name.text === 'toSorted' ? call : undefined;
}

/** The `for…of` statements of `scope` that walk `value`, directly or through the `const` it is kept in. */
function loopsOver(index: ProgramIndex, scope: ts.Node, value: ts.Expression): ts.ForOfStatement[] {
  const t = index.ts;
  let e: ts.Node = value;
  while (t.isParenthesizedExpression(e.parent)) e = e.parent;
  if (t.isForOfStatement(e.parent) && e.parent.expression === e) return [e.parent];
  const kept = keptIn(t, value);
  if (!kept) return [];
  return referencesTo(index, scope, kept).flatMap((ref) => {
    let at: ts.Node = ref;
    while (t.isParenthesizedExpression(at.parent)) at = at.parent;
    return t.isForOfStatement(at.parent) && at.parent.expression === at ? [at.parent] : [];
  });
}

/**
 * `groupBy(name, key)` whose groups a loop runs in sorted order, each awaited before the next:
 * `for (const k of Object.keys(groups).sort()) await Promise.allSettled(groups[k].map(…))`.
 */
function groupedWalkOf(
  index: ProgramIndex,
  call: ts.CallExpression,
): Pick<RegistryRun, 'concurrent' | 'groups'> | undefined {
  const t = index.ts;
  if (calleeName(t, call) !== 'groupBy') return undefined;
  const key = keyOf(t, call.arguments[1]);
  const groups = keptIn(t, call);
  const scope = enclosingFunction(t, call);
  if (key === undefined || !groups || !scope) return undefined;
  return sortedGroupsRun(index, scope, groups, key);
}

/**
 * The list sorted into groups by hand, by the loop that walks it: `(groups[h.order] ??= []).push(h)`,
 * `groups.get(h.order)!.push(h)`, or a `list` got that way (`groups.get(h.order) ?? []`), then run
 * like `groupBy`'s groups.
 */
function handGroupedWalkOf(
  index: ProgramIndex,
  loop: ts.ForOfStatement,
): Pick<RegistryRun, 'concurrent' | 'groups'> | undefined {
  const t = index.ts;
  const declaration = loop.initializer;
  const variable =
    t.isVariableDeclarationList(declaration) && declaration.declarations.length === 1
      ? declaration.declarations[0]!.name
      : undefined;
  const scope = enclosingFunction(t, loop);
  if (!variable || !t.isIdentifier(variable) || !scope) return undefined;
  // `groups[h.order]`, `groups.get(h.order)`: the groups and the field, where `h` is the element.
  const slotOf = (expression: ts.Expression, depth: number): { groups: ts.Identifier; key: string } | undefined => {
    const e = skipOuterExpressions(t, expression);
    let target: ts.Expression | undefined;
    let field: ts.Expression | undefined;
    if (t.isElementAccessExpression(e)) {
      target = e.expression;
      field = e.argumentExpression;
    } else if (t.isCallExpression(e) && methodCallParts(t, e)?.name === 'get' && e.arguments.length === 1) {
      target = methodCallParts(t, e)!.receiver;
      field = e.arguments[0];
    } else if (
      t.isBinaryExpression(e) &&
      [
        t.SyntaxKind.QuestionQuestionEqualsToken,
        t.SyntaxKind.BarBarEqualsToken,
        t.SyntaxKind.QuestionQuestionToken,
        t.SyntaxKind.BarBarToken,
      ].includes(e.operatorToken.kind)
    ) {
      return slotOf(e.left, depth);
    } else if (t.isIdentifier(e) && depth < 2) {
      const declared = index.types.getSymbolAtLocation(e)?.valueDeclaration;
      return declared && t.isVariableDeclaration(declared) && declared.initializer && within(declared, loop.statement)
        ? slotOf(declared.initializer, depth + 1)
        : undefined;
    }
    if (!target || !field) return undefined;
    target = skipOuterExpressions(t, target);
    field = skipOuterExpressions(t, field);
    if (
      !t.isIdentifier(target) ||
      !t.isPropertyAccessExpression(field) ||
      !t.isIdentifier(field.expression) ||
      field.expression.text !== variable.text
    )
      return undefined;
    const declared = index.types.getSymbolAtLocation(target)?.valueDeclaration;
    if (!declared || !t.isVariableDeclaration(declared) || !t.isIdentifier(declared.name)) return undefined;
    return { groups: declared.name, key: field.name.text };
  };
  let slot: { groups: ts.Identifier; key: string } | undefined;
  const visit = (node: ts.Node): void => {
    if (slot || isFunctionLikeWithBody(t, node)) return;
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      const arg = node.arguments[0];
      if (
        parts?.name === 'push' &&
        node.arguments.length === 1 &&
        arg &&
        t.isIdentifier(arg) &&
        arg.text === variable.text
      )
        slot = slotOf(parts.receiver, 0);
    }
    t.forEachChild(node, visit);
  };
  visit(loop.statement);
  return slot && sortedGroupsRun(index, scope, slot.groups, slot.key);
}

/** The groups (kept in `groups`, keyed by the field `key`) run by a loop over their sorted keys. */
function sortedGroupsRun(
  index: ProgramIndex,
  scope: ts.Node,
  groups: ts.Identifier,
  key: string,
): Pick<RegistryRun, 'concurrent' | 'groups'> | undefined {
  const t = index.ts;
  // The sorted keys of the groups: `Object.keys(groups).sort()`, `[...groups.keys()].sort(…)`.
  for (const ref of referencesTo(index, scope, groups)) {
    let keys: ts.Expression | undefined;
    const parent = ref.parent;
    if (t.isCallExpression(parent) && parent.arguments[0] === ref && calleeName(t, parent) === 'keys') keys = parent;
    else if (t.isPropertyAccessExpression(parent) && parent.name.text === 'keys' && t.isCallExpression(parent.parent)) {
      const keysCall = parent.parent;
      const around = keysCall.parent;
      if (t.isSpreadElement(around) && t.isArrayLiteralExpression(around.parent)) keys = around.parent;
      else if (t.isCallExpression(around) && calleeName(t, around) === 'from') keys = around;
    }
    const sort = keys && sortedBy(t, keys);
    const compare = sort && sortCompare(t, sort, undefined);
    if (!sort || !compare) continue;
    for (const loop of loopsOver(index, scope, sort)) {
      const walk = groupWalk(index, loop, groups);
      if (walk) return { concurrent: walk.concurrent, ...(walk.ordered ? { groups: { key, compare } } : {}) };
    }
  }
  return undefined;
}

/**
 * In a loop over the sorted keys, the walk of one group (`groups[key]`, `groups.get(key)`, or the
 * `const` it is kept in): all at once or one after another, and whether the loop waits for it.
 */
function groupWalk(
  index: ProgramIndex,
  loop: ts.ForOfStatement,
  groups: ts.Identifier,
): { concurrent: boolean; ordered: boolean } | undefined {
  const t = index.ts;
  const declaration = loop.initializer;
  const variable =
    t.isVariableDeclarationList(declaration) && declaration.declarations.length === 1
      ? declaration.declarations[0]!.name
      : undefined;
  if (!variable || !t.isIdentifier(variable)) return undefined;
  const isGroup = (e: ts.Expression): boolean => {
    const x = skipOuterExpressions(t, e);
    if (t.isElementAccessExpression(x))
      return (
        t.isIdentifier(x.expression) &&
        x.expression.text === groups.text &&
        t.isIdentifier(x.argumentExpression) &&
        x.argumentExpression.text === variable.text
      );
    if (t.isCallExpression(x)) {
      const parts = methodCallParts(t, x);
      const arg = x.arguments[0];
      return (
        parts?.name === 'get' &&
        t.isIdentifier(parts.receiver) &&
        parts.receiver.text === groups.text &&
        arg !== undefined &&
        t.isIdentifier(arg) &&
        arg.text === variable.text
      );
    }
    return false;
  };
  const walks: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isExpression(node) && isGroup(node)) walks.push(node);
    else if (
      t.isVariableDeclaration(node) &&
      node.initializer &&
      isGroup(node.initializer) &&
      t.isIdentifier(node.name)
    )
      walks.push(...referencesTo(index, loop.statement, node.name));
    t.forEachChild(node, visit);
  };
  visit(loop.statement);
  for (const group of walks) {
    let e: ts.Node = group;
    while (t.isParenthesizedExpression(e.parent) || t.isNonNullExpression(e.parent)) e = e.parent;
    const parent = e.parent;
    if (t.isForOfStatement(parent) && parent.expression === e) return { concurrent: false, ordered: true };
    if (
      t.isPropertyAccessExpression(parent) &&
      parent.expression === e &&
      elementCallbackMethods.has(parent.name.text)
    ) {
      const call = parent.parent;
      if (!t.isCallExpression(call) || call.expression !== parent) continue;
      return { concurrent: true, ordered: isAwaitedWithin(index, call, loop.statement) };
    }
  }
  return undefined;
}

/**
 * The list copied and sorted by an order field (`[...name].sort((a, b) => a.order - b.order)`,
 * `name.slice().sort(…)`), walked by a `for…of` that awaits each closer: one after another, by group.
 */
function sortedWalkOf(
  index: ProgramIndex,
  copy: ts.Expression,
): Pick<RegistryRun, 'concurrent' | 'groups'> | undefined {
  const t = index.ts;
  const sort = sortedBy(t, copy);
  const scope = enclosingFunction(t, copy);
  if (!sort || !scope) return undefined;
  const comparator = sort.arguments[0] && skipOuterExpressions(t, sort.arguments[0]);
  if (!comparator || (!t.isArrowFunction(comparator) && !t.isFunctionExpression(comparator))) return undefined;
  // The field compared: `a.order` on the left of `a.order - b.order`.
  let body: ts.Node = comparator.body;
  if (t.isBlock(body)) {
    const only = body.statements.length === 1 ? body.statements[0] : undefined;
    if (!only || !t.isReturnStatement(only) || !only.expression) return undefined;
    body = only.expression;
  }
  const difference = t.isExpression(body) ? skipOuterExpressions(t, body) : undefined;
  if (!difference || !t.isBinaryExpression(difference)) return undefined;
  let left = skipOuterExpressions(t, difference.left);
  if (t.isCallExpression(left) && left.arguments[0]) left = skipOuterExpressions(t, left.arguments[0]);
  const key = t.isPropertyAccessExpression(left) ? left.name.text : undefined;
  const compare = key === undefined ? undefined : sortCompare(t, sort, key);
  if (key === undefined || compare === undefined) return undefined;
  for (const loop of loopsOver(index, scope, sort)) {
    if (firstAwait(t, loop.statement)) return { concurrent: false, groups: { key, compare } };
  }
  return undefined;
}

/** The first `await` of a loop body outside nested functions. */
function firstAwait(t: TS, statement: ts.Node): ts.AwaitExpression | undefined {
  let found: ts.AwaitExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionLikeWithBody(t, node)) return;
    if (t.isAwaitExpression(node)) found = node;
    else t.forEachChild(node, visit);
  };
  visit(statement);
  return found;
}
