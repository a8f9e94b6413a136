// Cancellation, as the checker sees it: does a call accept an AbortSignal, does it pass one, what
// signal does a request handler have at hand, and which AbortControllers does it abort. Plain
// functions over the types, shared by the rules about cancellation (runtime-facts §1.5, §3).
import type * as ts from 'typescript';
import {
  detachedWorkCalls,
  detachedWorkMethods,
  listenerMethods,
  refIn,
  sameRef,
  signalAcceptingCalls,
  signalOptionalCalls,
  signalOptionalMethods,
  signalOptionalOptionTypes,
} from './catalogue.js';
import type { HandlerRecord, ProgramIndex } from './program-index.js';
import {
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from './ts-utils.js';
import { isOpenType } from './callback-parameters.js';
import { type TypeQuestions } from './type-questions.js';

/** Where a call takes its signal: an optional AbortSignal parameter, or an options object with an optional `signal`. */
export interface SignalParameter {
  index: number;
  /** The parameter is the signal itself (`poll(url, signal?)`), not an options object. */
  direct: boolean;
  /** The options property that takes it: `signal`, or `abortSignal` (the AI SDK). */
  property: string;
}

export interface PassedSignal {
  passes: boolean;
  /** The signal expressions the call is given, where the syntax shows them (`{ signal: ac.signal }`). */
  signals: ts.Expression[];
}

/** The signal a handler has at hand, as an expression to write where it is missing. */
export interface HandlerSignal {
  text: string;
  /** The parameter or local the expression starts from; it must be in scope where it is written. */
  root: ts.Symbol;
  /**
   * Set when the signal is node:http's `IncomingMessage.signal` (Express's `req.signal` too): Node
   * added it in 26.1.0, and the first releases with it abort it once the body is read
   * (nodejs/node#64390), so forwarding it cancels nothing, or everything, on the engines services
   * run. The request as written and the handler's response parameter, for a derived signal.
   */
  incomingMessage?: { request: string; response?: string };
}

/** The property is node:http's own `IncomingMessage.signal` (declared in `declare module 'http'`), inherited or not. */
function isIncomingMessageProperty(t: TS, property: ts.Symbol): boolean {
  return (property.declarations ?? []).some((declaration) => {
    const owner = declaration.parent;
    if (!(t.isInterfaceDeclaration(owner) || t.isClassDeclaration(owner)) || owner.name?.text !== 'IncomingMessage')
      return false;
    for (let node: ts.Node | undefined = owner.parent; node; node = node.parent) {
      if (t.isModuleDeclaration(node) && t.isStringLiteral(node.name)) return /^(node:)?http$/.test(node.name.text);
    }
    return false;
  });
}

/** Events that fire when the client goes away (runtime-facts §3: `res.on('close')`). */
const disconnectEvents: ReadonlySet<string> = new Set(['close', 'aborted']);
/** Where a handler's first parameter keeps the request's signal, by framework, when types are missing. */
const handlerSignalPaths: Readonly<Record<string, readonly string[]>> = {
  hono: ['req', 'raw', 'signal'],
  'fetch-route': ['signal'],
};
/** Property paths from a handler parameter to a Fetch-API Request: Hono's `c.req.raw`. */
const requestPaths: readonly (readonly string[])[] = [[], ['request'], ['req', 'raw']];

function nonNullableParts(t: TS, type: ts.Type): ts.Type[] {
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((p) => (p.flags & (t.TypeFlags.Undefined | t.TypeFlags.Null | t.TypeFlags.Void)) === 0);
}

/**
 * AbortSignal, possibly `| undefined | null`. Structural look-alikes count too (axios'
 * `GenericAbortSignal`): an `aborted` flag and a way to listen for it.
 */
export function isAbortSignalType(t: TS, types: TypeQuestions, type: ts.Type): boolean {
  const parts = nonNullableParts(t, type);
  return (
    parts.length > 0 &&
    parts.every((part) => {
      if (part.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown | t.TypeFlags.Never)) return false;
      // redlock's `RedlockAbortSignal` is `AbortSignal & { error?: Error }`.
      if (part.isIntersection()) return part.types.some((member) => isAbortSignalType(t, types, member));
      const name = (part.aliasSymbol ?? part.getSymbol())?.name;
      if (name === 'AbortSignal') return true;
      if (!(part.flags & t.TypeFlags.Object)) return false;
      return (
        types.getPropertyOfType(part, 'aborted') !== undefined &&
        ['addEventListener', 'onabort', 'throwIfAborted'].some((m) => types.getPropertyOfType(part, m) !== undefined)
      );
    })
  );
}

/**
 * The signal property of an object type: `signal`, or another property named for one
 * (`abortSignal`), whose type is an AbortSignal. `optional` for an options bag (`RequestInit`),
 * not for an object that always carries one (a `Request`).
 */
export function signalPropertyOf(
  t: TS,
  types: TypeQuestions,
  type: ts.Type,
): { name: string; optional: boolean } | undefined {
  for (const part of nonNullableParts(t, type)) {
    if (!(part.flags & t.TypeFlags.Object) && !(part.flags & t.TypeFlags.Intersection)) continue;
    const named = types.getPropertyOfType(part, 'signal');
    const candidates = named ? [named] : types.getPropertiesOfType(part).filter((p) => /signal/i.test(p.name));
    for (const property of candidates) {
      if (!isAbortSignalType(t, types, types.getTypeOfSymbol(property))) continue;
      return { name: property.name, optional: (property.flags & t.SymbolFlags.Optional) !== 0 };
    }
  }
  return undefined;
}

/**
 * Whether `signalPropertyOf` and `isAbortSignalType` give the same answer for every instantiation
 * of `type`: it is closed (no type variable decides which properties it has), and so is the type
 * of each property they look at (`signal`, or one named for a signal).
 */
export function isSignalAnswerClosed(t: TS, types: TypeQuestions, type: ts.Type): boolean {
  if (isOpenType(t, type)) return false;
  for (const part of nonNullableParts(t, type)) {
    if (!(part.flags & t.TypeFlags.Object) && !(part.flags & t.TypeFlags.Intersection)) continue;
    const named = types.getPropertyOfType(part, 'signal');
    const candidates = named ? [named] : types.getPropertiesOfType(part).filter((p) => /signal/i.test(p.name));
    if (candidates.some((property) => isOpenType(t, types.getTypeOfSymbol(property)))) return false;
  }
  return true;
}

/**
 * Whether a call accepts a signal it may leave out, from its resolved signature: `fetch`,
 * `timers/promises` `setTimeout`, `events.once`, undici, and the program's own functions alike.
 * A required signal is always passed (the program type-checks), so only optional ones count.
 * When the callee's type is missing, the catalogue's known APIs answer.
 */
export function signalParameterOf(t: TS, index: ProgramIndex, call: ts.CallExpression): SignalParameter | undefined {
  const types = index.types;
  if (types.getTypeAtLocation(call.expression).flags & t.TypeFlags.Any) {
    const ref = index.binding.resolve(call.expression);
    const known = ref && signalAcceptingCalls.find((c) => sameRef(c, ref));
    return known ? { index: known.options, direct: false, property: 'signal' } : undefined;
  }
  const signature = types.getResolvedSignature(call);
  if (!signature) return undefined;
  const parameters = signature.getParameters();
  for (let index = 0; index < parameters.length; index++) {
    const parameter = parameters[index]!;
    const declaration = parameter.valueDeclaration;
    if (declaration && t.isParameter(declaration) && declaration.dotDotDotToken) break;
    const type = types.getTypeOfSymbolAtLocation(parameter, call);
    const optional = declaration && t.isParameter(declaration) ? types.isOptionalParameter(declaration) : false;
    if (optional && isAbortSignalType(t, types, type)) return { index, direct: true, property: 'signal' };
    const property = signalPropertyOf(t, types, type);
    if (property?.optional && !derivesFrom(t, types, type, signalOptionalOptionTypes))
      return { index, direct: false, property: property.name };
  }
  return undefined;
}

/** Whether an object type is, or extends, an interface with one of these names. */
function derivesFrom(t: TS, types: TypeQuestions, type: ts.Type, names: ReadonlySet<string>, depth = 0): boolean {
  if (depth > 8) return false;
  return nonNullableParts(t, type).some((part) => {
    const target =
      part.flags & t.TypeFlags.Object && (part as ts.ObjectType).objectFlags & t.ObjectFlags.Reference
        ? (part as ts.TypeReference).target
        : part;
    if (names.has(target.getSymbol()?.name ?? '')) return true;
    return (
      target.isClassOrInterface() &&
      types.getBaseTypes(target).some((base) => derivesFrom(t, types, base, names, depth + 1))
    );
  });
}

/** Calls that accept a signal where leaving it out loses nothing (listener registration, local files). */
export function isSignalOptionalCall(t: TS, index: ProgramIndex, call: ts.CallExpression): boolean {
  const parts = methodCallParts(t, call);
  if (parts && signalOptionalMethods.has(parts.name)) return true;
  const ref = index.binding.resolve(call.expression);
  return ref !== undefined && refIn(ref, signalOptionalCalls);
}

/**
 * Work handed to `after(…)` or `waitUntil(…)` inside `handlerFn`: meant to outlive the request,
 * so the request's signal must not cancel it (Go's `context.WithoutCancel`).
 */
export function isDetachedWork(t: TS, index: ProgramIndex, node: ts.Node, handlerFn: ts.Node): boolean {
  for (let p = node.parent; p && p !== handlerFn; p = p.parent) {
    if (!t.isCallExpression(p) || !p.arguments.some((a) => a.pos <= node.pos && node.end <= a.end)) continue;
    const parts = methodCallParts(t, p);
    if (parts && detachedWorkMethods.has(parts.name)) return true;
    const ref = index.binding.resolve(p.expression);
    if (ref && refIn(ref, detachedWorkCalls)) return true;
  }
  return false;
}

function isNothing(t: TS, e: ts.Expression): boolean {
  return e.kind === t.SyntaxKind.NullKeyword || t.isVoidExpression(e) || (t.isIdentifier(e) && e.text === 'undefined');
}

/** A `const`'s initializer, to follow `const init = { signal }; fetch(url, init)`. */
function constInitializer(t: TS, types: TypeQuestions, e: ts.Expression): ts.Expression | undefined {
  if (!t.isIdentifier(e)) return undefined;
  const symbol =
    t.isShorthandPropertyAssignment(e.parent) && e.parent.name === e
      ? types.getShorthandAssignmentValueSymbol(e.parent)
      : types.getSymbolAtLocation(e);
  const declaration = symbol?.valueDeclaration;
  if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  if (!(t.getCombinedNodeFlags(declaration) & t.NodeFlags.Const)) return undefined;
  return declaration.initializer;
}

/**
 * What an argument in the signal's position supplies. Unknown values (a parameter, a call's
 * result) count as supplying one: the rule reports only what it can see is missing.
 */
function supplies(
  t: TS,
  types: TypeQuestions,
  argument: ts.Expression,
  direct: boolean,
  name: string,
  found: ts.Expression[],
  depth = 0,
): boolean {
  const e = skipOuterExpressions(t, argument);
  if (depth > 4 || isNothing(t, e)) return false;
  if (direct) {
    found.push(e);
    return true;
  }
  if (t.isConditionalExpression(e)) {
    return (
      supplies(t, types, e.whenTrue, direct, name, found, depth + 1) ||
      supplies(t, types, e.whenFalse, direct, name, found, depth + 1)
    );
  }
  if (t.isObjectLiteralExpression(e)) {
    for (const property of e.properties) {
      if (t.isSpreadAssignment(property)) {
        const spread = types.getTypeAtLocation(property.expression);
        if (spread.flags & t.TypeFlags.Any || signalPropertyOf(t, types, spread)) return true;
        continue;
      }
      if (staticPropertyName(t, property.name) !== name) continue;
      if (t.isShorthandPropertyAssignment(property)) {
        found.push(property.name);
        return true;
      }
      if (t.isPropertyAssignment(property)) {
        if (isNothing(t, skipOuterExpressions(t, property.initializer))) return false;
        found.push(property.initializer);
        return true;
      }
      return true;
    }
    return false;
  }
  const initializer = constInitializer(t, types, e);
  if (initializer) return supplies(t, types, initializer, direct, name, found, depth + 1);
  const type = types.getTypeAtLocation(e);
  return (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) !== 0 || signalPropertyOf(t, types, type) !== undefined;
}

/**
 * An argument in another position that carries a signal: a `Request` built with one
 * (`fetch(new Request(url, { signal }))`, peer-linters FP 7), the incoming request itself, or a
 * signal. `new Request(url)` carries a signal that nothing aborts, so it does not count.
 */
function carries(t: TS, types: TypeQuestions, argument: ts.Expression, found: ts.Expression[], depth = 0): boolean {
  const e = skipOuterExpressions(t, argument);
  if (depth > 4) return false;
  if (t.isNewExpression(e)) {
    const type = types.getTypeAtLocation(e);
    if (!signalPropertyOf(t, types, type)) return false;
    const [input, init] = e.arguments ?? [];
    if (init && supplies(t, types, init, false, 'signal', found)) return true;
    return input !== undefined && carries(t, types, input, found, depth + 1);
  }
  const initializer = constInitializer(t, types, e);
  if (initializer) return carries(t, types, initializer, found, depth + 1);
  const type = types.getTypeAtLocation(e);
  // Untyped: a parameter's value may be a request carrying its signal (`fetch(request)`).
  if (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) return isRootedAtParameter(t, types, e);
  if (isAbortSignalType(t, types, type)) {
    found.push(e);
    return true;
  }
  const property = signalPropertyOf(t, types, type);
  return property !== undefined && !property.optional;
}

function isRootedAtParameter(t: TS, types: TypeQuestions, expression: ts.Expression): boolean {
  let e = skipOuterExpressions(t, expression);
  while (t.isPropertyAccessExpression(e)) e = skipOuterExpressions(t, e.expression);
  const declaration = t.isIdentifier(e) ? types.getSymbolAtLocation(e)?.valueDeclaration : undefined;
  return declaration !== undefined && (t.isParameter(declaration) || t.isBindingElement(declaration));
}

/** Whether the call passes a signal, and which, where the syntax shows it. */
export function passedSignal(
  t: TS,
  types: TypeQuestions,
  call: ts.CallExpression,
  parameter: SignalParameter,
): PassedSignal {
  const signals: ts.Expression[] = [];
  let passes = false;
  call.arguments.forEach((argument, i) => {
    if (t.isSpreadElement(argument)) passes = true;
    else if (
      i === parameter.index
        ? supplies(t, types, argument, parameter.direct, parameter.property, signals)
        : carries(t, types, argument, signals)
    )
      passes = true;
  });
  return { passes, signals };
}

/** Every identifier in `scope` that denotes `symbol` (shorthand properties included), except `declaration`. */
export function referencesTo(
  t: TS,
  types: TypeQuestions,
  symbol: ts.Symbol,
  scope: ts.Node,
  declaration?: ts.Node,
): ts.Identifier[] {
  const found: ts.Identifier[] = [];
  const visit = (node: ts.Node): void => {
    if (t.isIdentifier(node) && node !== declaration && node.text === symbol.name) {
      const parent = node.parent;
      const denoted =
        parent && t.isShorthandPropertyAssignment(parent) && parent.name === node
          ? types.getShorthandAssignmentValueSymbol(parent)
          : types.getSymbolAtLocation(node);
      if (denoted === symbol) found.push(node);
    }
    t.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

/** `new AbortController()` kept in a local of the handler. */
export interface LocalController {
  declaration: ts.VariableDeclaration;
  symbol: ts.Symbol;
  /** Aborted when the client goes away: in a `close` listener, or an `abort` listener on another signal. */
  linked: boolean;
  /** Aborted anywhere, or handed on (a timer, a helper, a `finally`): something manages it. */
  managed: boolean;
}

function isAbortControllerCreation(t: TS, index: ProgramIndex, e: ts.Expression): boolean {
  const x = skipOuterExpressions(t, e);
  if (!t.isNewExpression(x)) return false;
  const ref = index.binding.resolve(x.expression);
  return ref !== undefined && sameRef(ref, { module: 'global', path: ['AbortController'] });
}

/**
 * `req.on('close', fn)`, `res.once('close', fn)`, `signal.addEventListener('abort', fn)`,
 * `addAbortListener(signal, fn)`, `signal.onabort = fn`: the listener function, when `call`
 * registers one that runs when the request goes away.
 */
export function disconnectListener(t: TS, index: ProgramIndex, node: ts.Node): ts.Expression | undefined {
  if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(t, node.left);
    return t.isPropertyAccessExpression(left) && left.name.text === 'onabort' ? node.right : undefined;
  }
  if (!t.isCallExpression(node)) return undefined;
  const ref = index.binding.resolve(node.expression);
  if (ref && sameRef(ref, { module: 'events', path: ['addAbortListener'] })) return node.arguments[1];
  const parts = methodCallParts(t, node);
  const [event, listener] = node.arguments;
  if (!parts || !event || !listener || !t.isStringLiteralLike(event)) return undefined;
  if (listenerMethods.has(parts.name) && disconnectEvents.has(event.text)) return listener;
  if (parts.name === 'addEventListener' && event.text === 'abort') return listener;
  return undefined;
}

/** The AbortControllers a function creates in its locals, and whether each is aborted, and how. */
export function localControllers(t: TS, index: ProgramIndex, fn: FunctionLikeWithBody): LocalController[] {
  const types = index.types;
  const declarations: ts.VariableDeclaration[] = [];
  const listeners: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (
      t.isVariableDeclaration(node) &&
      t.isIdentifier(node.name) &&
      node.initializer &&
      isAbortControllerCreation(t, index, node.initializer)
    ) {
      declarations.push(node);
    }
    const listener = disconnectListener(t, index, node);
    // A named listener (`res.on('close', onClose)`) counts by its body.
    if (listener) listeners.push(listener, ...index.resolveFunctions(listener));
    t.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  const controllers: LocalController[] = [];
  for (const declaration of declarations) {
    const symbol = types.getSymbolAtLocation(declaration.name);
    if (!symbol) continue;
    let managed = false;
    let linked = false;
    for (const reference of referencesTo(t, types, symbol, fn.body!, declaration.name)) {
      const parent = reference.parent;
      // Reading `ac.signal` hands out its signal; it does not abort it.
      if (t.isPropertyAccessExpression(parent) && parent.expression === reference && parent.name.text === 'signal')
        continue;
      managed = true;
      if (listeners.some((l) => l.pos <= reference.pos && reference.end <= l.end)) linked = true;
    }
    controllers.push({ declaration, symbol, linked, managed });
  }
  return controllers;
}

/** The local controller whose signal `expression` is: `ac.signal`, or a const holding it. */
export function controllerOfSignal(
  t: TS,
  types: TypeQuestions,
  expression: ts.Expression,
  controllers: readonly LocalController[],
  depth = 0,
): LocalController | undefined {
  if (depth > 4 || controllers.length === 0) return undefined;
  const e = skipOuterExpressions(t, expression);
  if (t.isPropertyAccessExpression(e) && e.name.text === 'signal' && t.isIdentifier(e.expression)) {
    const symbol = types.getSymbolAtLocation(e.expression);
    return controllers.find((c) => c.symbol === symbol);
  }
  const initializer = constInitializer(t, types, e);
  return initializer ? controllerOfSignal(t, types, initializer, controllers, depth + 1) : undefined;
}

/**
 * The request's own signal from a handler's parameters, by type: `request.signal` (Fetch-API
 * routes, Remix, SvelteKit's `{ request }`, Fastify where the installed types have it), Hono's
 * `c.req.raw.signal`. Express, Koa, node:http and NestJS requests carry none.
 */
export function requestSignalOf(t: TS, types: TypeQuestions, handler: HandlerRecord): HandlerSignal | undefined {
  const names: ts.Identifier[] = [];
  for (const parameter of handler.fn.parameters) {
    if (t.isIdentifier(parameter.name)) names.push(parameter.name);
    else if (t.isObjectBindingPattern(parameter.name)) {
      for (const element of parameter.name.elements)
        if (t.isIdentifier(element.name) && !element.dotDotDotToken) names.push(element.name);
    }
  }
  for (const name of names) {
    const symbol = types.getSymbolAtLocation(name);
    if (!symbol) continue;
    const type = types.getTypeAtLocation(name);
    if (isAbortSignalType(t, types, type)) return { text: name.text, root: symbol };
    for (const path of requestPaths) {
      let current: ts.Type | undefined = type;
      for (const property of path) {
        const found: ts.Symbol | undefined =
          current && types.getPropertyOfType(types.getNonNullableType(current), property);
        current = found && types.getTypeOfSymbol(found);
      }
      if (!current) continue;
      const signal = signalPropertyOf(t, types, current);
      if (signal && !signal.optional) {
        const request = [name.text, ...path].join('.');
        const property = types.getPropertyOfType(types.getNonNullableType(current), signal.name);
        if (!property || !isIncomingMessageProperty(t, property))
          return { text: `${request}.${signal.name}`, root: symbol };
        let parameter: ts.Node = name;
        while (!t.isParameter(parameter)) parameter = parameter.parent;
        const next = handler.fn.parameters[handler.fn.parameters.indexOf(parameter) + 1];
        const response = next && t.isIdentifier(next.name) ? next.name.text : undefined;
        return { text: `${request}.${signal.name}`, root: symbol, incomingMessage: { request, response } };
      }
    }
  }
  return untypedRequestSignalOf(t, types, handler, names);
}

/** Without types (node_modules missing), what the framework guarantees: Hono's context, a Fetch-API route's `Request`. */
function untypedRequestSignalOf(
  t: TS,
  types: TypeQuestions,
  handler: HandlerRecord,
  names: readonly ts.Identifier[],
): HandlerSignal | undefined {
  const path = handlerSignalPaths[handler.framework];
  const first = handler.fn.parameters[0];
  if (!path || !first) return undefined;
  const name = t.isIdentifier(first.name) ? first.name : names.find((n) => n.text === 'request');
  if (!name || !(types.getTypeAtLocation(name).flags & (t.TypeFlags.Any | t.TypeFlags.Unknown))) return undefined;
  const symbol = types.getSymbolAtLocation(name);
  return symbol ? { text: [name.text, ...path].join('.'), root: symbol } : undefined;
}

/**
 * For a request with no signal of its own: one the handler derived and linked to the request, a
 * controller aborted on disconnect (`res.on('close', () => ac.abort())`), or a const holding
 * `AbortSignal.any([...])` over one.
 */
export function derivedSignalOf(
  t: TS,
  index: ProgramIndex,
  handler: HandlerRecord,
  controllers: readonly LocalController[],
): HandlerSignal | undefined {
  const types = index.types;
  let found: HandlerSignal | undefined;
  const linkedSymbols = new Set(controllers.filter((c) => c.linked).map((c) => c.symbol));
  const isLinked = (e: ts.Expression): boolean => {
    const x = skipOuterExpressions(t, e);
    if (t.isPropertyAccessExpression(x) && x.name.text === 'signal' && t.isIdentifier(x.expression)) {
      const symbol = types.getSymbolAtLocation(x.expression);
      return symbol !== undefined && linkedSymbols.has(symbol);
    }
    return false;
  };
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      t.isVariableDeclaration(node) &&
      t.isIdentifier(node.name) &&
      node.initializer &&
      t.isCallExpression(skipOuterExpressions(t, node.initializer))
    ) {
      const call = skipOuterExpressions(t, node.initializer) as ts.CallExpression;
      const ref = index.binding.resolve(call.expression);
      const list = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
      if (
        ref &&
        sameRef(ref, { module: 'global', path: ['AbortSignal', 'any'] }) &&
        list &&
        t.isArrayLiteralExpression(list) &&
        list.elements.some(isLinked)
      ) {
        const symbol = types.getSymbolAtLocation(node.name);
        if (symbol) found = { text: node.name.text, root: symbol };
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  if (handler.fn.body) visit(handler.fn.body);
  if (found) return found;
  const controller = controllers.find((c) => c.linked);
  return controller && t.isIdentifier(controller.declaration.name)
    ? { text: `${controller.declaration.name.text}.signal`, root: controller.symbol }
    : undefined;
}

/** Whether `signal.root` means the same thing at `at` (not shadowed, declared before it). */
export function isSignalInScope(t: TS, types: TypeQuestions, signal: HandlerSignal, at: ts.Node): boolean {
  const resolved = types.resolveName(signal.root.name, at, t.SymbolFlags.Value, false);
  if (resolved !== signal.root) return false;
  const declaration = signal.root.valueDeclaration;
  return !declaration || t.isParameter(declaration) || t.isBindingElement(declaration) || declaration.end <= at.pos;
}
