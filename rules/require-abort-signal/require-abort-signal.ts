// require-abort-signal: a handler or function that drops the cancellation it was given. A call
// that accepts a signal and gets none keeps running after the client leaves or shutdown begins;
// a function that takes a signal and never reads it cancels nothing (runtime-facts §1.5, §3).
import type * as ts from 'typescript';
import { factKey, type HandlerRecord } from '../../src/core/program-index.js';
import {
  defineRule,
  type RuleContext,
  type TestFileOptions,
  type Suggestion,
  type TextEdit,
} from '../../src/core/rule.js';
import {
  controllerOfSignal,
  derivedSignalOf,
  disconnectListener,
  isAbortSignalType,
  isDetachedWork,
  isSignalAnswerClosed,
  isSignalInScope,
  isSignalOptionalCall,
  localControllers,
  passedSignal,
  referencesTo,
  requestSignalOf,
  signalParameterOf,
  signalPropertyOf,
  type HandlerSignal,
  type LocalController,
  type SignalParameter,
} from '../../src/core/signals.js';
import { declaredCallbackParameterTypes } from '../../src/core/callback-parameters.js';
import { callSpecifierSchema, matchesCall, type CallSpecifier } from '../../src/core/specifiers.js';
import {
  calleeText,
  isFunctionLikeWithBody,
  skipOuterExpressions,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';

export type MessageId =
  | 'missingSignal'
  | 'missingSignalNoRequestSignal'
  | 'unabortedController'
  | 'unusedSignal'
  | 'unusedOptionsSignal'
  | 'unusedDestructuredSignal'
  | 'uncancellableLoop'
  | 'uncancellableLoopNoRequestSignal'
  | 'missingRequestSignal'
  | 'suggestPassSignal';

export interface Options extends TestFileOptions {
  /** Also report calls in handlers whose request carries no signal (Express, Koa, node:http, NestJS). */
  checkHandlersWithoutSignal: boolean;
  /** Calls that accept a signal but need none. */
  ignoreCalls: CallSpecifier[];
}

/** What a finding carries for its message and its codemod. */
export type RequireAbortSignalData = {
  name?: string;
  controller?: string;
  /** The signal the handler or function has, as written. */
  signal?: string;
  /** That signal is in scope at the call (the codemod can forward it). */
  signalInScope?: boolean;
  /** Where the callee takes its signal: argument `argument`, itself (`direct`) or as `property` of it. */
  argument?: number;
  property?: string;
  direct?: boolean;
  param?: string;
  /**
   * Set when `signal` is node:http's `IncomingMessage.signal`, which Node has only since 26.1.0 (and
   * there aborts it once the body is read): the request and the handler's response parameter, from
   * which the codemod forwards `lifecycle.requestSignal(request, response)` instead.
   */
  request?: string;
  response?: string;
  /** The response as the message shows it (`res` when the handler names none). */
  responseShown?: string;
};

type Context = RuleContext<MessageId, Options, RequireAbortSignalData>;

/** What a handler has at hand, computed once per handler. */
interface HandlerFacts {
  /** The signal to pass where one is missing: the request's, else one the handler linked to it. */
  signal: HandlerSignal | undefined;
  controllers: LocalController[];
  /** The handler listens for the client going away (`res.on('close')`, an `abort` listener). */
  listensForDisconnect: boolean;
}

export default defineRule<MessageId, Options, RequireAbortSignalData>({
  meta: {
    id: 'require-abort-signal',
    description: 'Require the cancellation a handler or function was given to reach the work it starts',
    goLesson: 'a handler that ignores `r.Context()`: nothing cancels its work',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: true,
    messages: {
      missingSignal:
        '`{{name}}` accepts an AbortSignal and gets none: when the client leaves or shutdown begins, it ' +
        'keeps running. Pass `{{signal}}`.',
      missingRequestSignal:
        '`{{name}}` accepts an AbortSignal and gets none: when the client leaves or shutdown begins, it ' +
        "keeps running. node:http's `{{signal}}` is undefined before Node 26.1: pass " +
        "`lifecycle.requestSignal({{request}}, {{responseShown}})` from shutdown-lint/lifecycle, or abort a controller on `res.on('close')` " +
        'and pass its signal.',
      missingSignalNoRequestSignal:
        '`{{name}}` accepts an AbortSignal and gets none: when the client leaves or shutdown begins, it ' +
        "keeps running. This request has no signal: abort a controller on `res.on('close')` and pass its " +
        'signal.',
      unabortedController:
        '`{{name}}` gets the signal of `{{controller}}`, a fresh AbortController nothing aborts: ' +
        "cancelling the request does not cancel this call. Pass the request's signal, combine both with " +
        "`AbortSignal.any([...])`, or abort it on `res.on('close')`.",
      unusedSignal:
        '`{{param}}` is a cancellation signal this function never reads or passes on: aborting it ' +
        'cancels nothing. Pass it to what the function awaits, or check `{{param}}.aborted`.',
      unusedOptionsSignal:
        '`{{param}}` carries a cancellation signal this function never reads or passes on: aborting it ' +
        'cancels nothing. Pass `{{param}}.{{property}}` to what the function awaits.',
      unusedDestructuredSignal:
        'This options parameter carries a cancellation signal the function never takes out of it: ' +
        'aborting it cancels nothing. Destructure `{{property}}` and pass it to what the function awaits.',
      uncancellableLoop:
        'This loop awaits in a request handler and never checks for cancellation: when the client leaves ' +
        'or shutdown begins, it keeps going. Check `{{signal}}.aborted` or pass `{{signal}}` to what it ' +
        'awaits.',
      uncancellableLoopNoRequestSignal:
        'This loop awaits in a request handler and never checks for cancellation: when the client leaves ' +
        "or shutdown begins, it keeps going. Stop it on `res.on('close')`, or check a signal aborted " +
        'there.',
      suggestPassSignal: 'Pass `{{signal}}`.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checkHandlersWithoutSignal: {
          type: 'boolean',
          description:
            'Also report calls that pass no signal in handlers whose request carries none (Express, Koa, ' +
            "node:http, NestJS): the handler should abort a controller on `res.on('close')` and pass its " +
            'signal.',
        },
        ignoreCalls: {
          type: 'array',
          items: callSpecifierSchema,
          description:
            'Calls that accept a signal but need none (quick local work). Local file reads and writes and ' +
            '`addEventListener` are always ignored.',
        },
      },
    },
    defaultOptions: { checkHandlersWithoutSignal: false, ignoreCalls: [] },
  },

  create(context) {
    const t = context.ts;
    const { SyntaxKind } = t;
    if (!context.index.isPartOfService(context.sourceFile)) return {};
    const facts = new Map<HandlerRecord, HandlerFacts>();
    const factsOf = (handler: HandlerRecord): HandlerFacts => {
      let found = facts.get(handler);
      if (!found) {
        found = handlerFacts(context, handler);
        facts.set(handler, found);
      }
      return found;
    };
    const loop = (node: ts.Node): void => checkLoop(context, node as ts.IterationStatement, factsOf);
    return {
      [SyntaxKind.CallExpression]: (node) => checkCall(context, node as ts.CallExpression, factsOf),
      [SyntaxKind.Parameter]: (node) => checkParameter(context, node as ts.ParameterDeclaration),
      [SyntaxKind.WhileStatement]: loop,
      [SyntaxKind.DoStatement]: loop,
      [SyntaxKind.ForStatement]: loop,
      [SyntaxKind.ForOfStatement]: loop,
    };
  },
});

function handlerFacts(context: Context, handler: HandlerRecord): HandlerFacts {
  const t = context.ts;
  const { index, types } = context;
  const controllers = localControllers(t, index, handler.fn);
  const signal = requestSignalOf(t, types, handler) ?? derivedSignalOf(t, index, handler, controllers);
  let listensForDisconnect = false;
  const visit = (node: ts.Node): void => {
    if (listensForDisconnect) return;
    if (disconnectListener(t, index, node)) {
      listensForDisconnect = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  if (handler.fn.body) visit(handler.fn.body);
  return { signal, controllers, listensForDisconnect };
}

// ── Calls that accept a signal and get none ──

function checkCall(context: Context, call: ts.CallExpression, factsOf: (h: HandlerRecord) => HandlerFacts): void {
  const t = context.ts;
  const { index, types, options, sourceFile } = context;
  const handler = index.enclosingHandler(call);
  if (!handler) return;
  const facts = factsOf(handler);
  // A Fetch-API route that takes no request (a static Next.js `GET()`) runs at build time.
  if (!facts.signal && (!options.checkHandlersWithoutSignal || handler.framework === 'fetch-route')) return;
  const parameter = signalParameterOf(t, index, call);
  if (!parameter) return;
  if (isSignalOptionalCall(t, index, call) || matchesCall(t, index, call, options.ignoreCalls, sourceFile)) return;
  if (isDetachedWork(t, index, call, handler.fn)) return;
  const name = `${calleeText(t, call.expression, sourceFile)}(…)`;
  const passed = passedSignal(t, types, call, parameter);
  if (passed.passes) {
    // Case 16: a fresh controller nothing aborts stands in for the request's cancellation.
    for (const expression of passed.signals) {
      const controller = controllerOfSignal(t, types, expression, facts.controllers);
      if (!controller || controller.managed) continue;
      context.report({
        node: call,
        messageId: 'unabortedController',
        data: { name, controller: controller.declaration.name.getText(sourceFile) },
      });
      return;
    }
    return;
  }
  const signal = facts.signal && isSignalInScope(t, types, facts.signal, call) ? facts.signal : undefined;
  if (facts.signal) {
    context.report({
      node: call,
      // node:http's own `req.signal` does not exist on the engines most services run: no suggestion
      // to pass it; the message names the runtime's derived signal (which needs an import: the codemod's).
      messageId: facts.signal.incomingMessage ? 'missingRequestSignal' : 'missingSignal',
      // Where the codemod forwards the signal: argument `argument`, itself (`direct`) or as `property`.
      data: {
        name,
        signal: facts.signal.text,
        signalInScope: signal !== undefined,
        argument: parameter.index,
        property: parameter.property,
        direct: parameter.direct,
        ...(facts.signal.incomingMessage && {
          request: facts.signal.incomingMessage.request,
          response: facts.signal.incomingMessage.response,
          responseShown: facts.signal.incomingMessage.response ?? 'res',
        }),
      },
      suggestions: signal && !facts.signal.incomingMessage ? suggestionsFor(context, call, parameter, signal) : [],
    });
  } else {
    context.report({ node: call, messageId: 'missingSignalNoRequestSignal', data: { name } });
  }
}

/** `signal: x` into the options literal, or a new `{ signal: x }` argument where the options go next. */
function suggestionsFor(
  context: Context,
  call: ts.CallExpression,
  parameter: SignalParameter,
  signal: HandlerSignal,
): Suggestion<MessageId>[] {
  const t = context.ts;
  const { sourceFile } = context;
  const property = signal.text === parameter.property ? signal.text : `${parameter.property}: ${signal.text}`;
  let edit: TextEdit | undefined;
  const argument = call.arguments[parameter.index];
  if (argument) {
    const literal = skipOuterExpressions(t, argument);
    if (!parameter.direct && t.isObjectLiteralExpression(literal)) {
      const last = literal.properties[literal.properties.length - 1];
      if (!last) {
        edit = { start: literal.getStart(sourceFile), end: literal.getEnd(), text: `{ ${property} }` };
      } else {
        edit = { start: last.getEnd(), end: last.getEnd(), text: `, ${property}` };
      }
    }
  } else if (call.arguments.length === parameter.index) {
    const text = parameter.direct ? signal.text : `{ ${property} }`;
    const last = call.arguments[call.arguments.length - 1];
    edit = last
      ? { start: last.getEnd(), end: last.getEnd(), text: `, ${text}` }
      : { start: call.arguments.pos, end: call.arguments.pos, text };
  }
  return edit ? [{ messageId: 'suggestPassSignal', data: { signal: signal.text }, edits: [edit] }] : [];
}

// ── Functions that take a signal and drop it ──

function checkParameter(context: Context, parameter: ts.ParameterDeclaration): void {
  const t = context.ts;
  const { types, sourceFile } = context;
  const fn = parameter.parent;
  if (!isFunctionLikeWithBody(t, fn) || !fn.body) return;
  // A parameter property is stored on the instance: it is passed on.
  if (t.getModifiers(parameter)?.length) return;
  // Every report needs cancellable work in the function (doesCancellableWork): with no call and
  // no loop in it there is none, and the parameter's type (for a callback, the costliest question:
  // its call's overloads resolved) need not be asked.
  if (!mayDoCancellableWork(t, fn)) return;
  const name = parameter.name;
  // A callback's parameter (`(req, res) => …` given to `router.get`): when no type the callee's
  // declared signatures can give it is a signal or carries one, neither is the type the checker
  // would infer, and the call's overloads need not be resolved to ask it.
  if (
    (t.isIdentifier(name) ||
      (t.isObjectBindingPattern(name) && !name.elements.some((e) => bindingKey(e, sourceFile) === 'signal'))) &&
    declaredCallbackParameterTypes(t, types, parameter)?.every((type) => carriesNoSignal(context, type))
  )
    return;
  if (t.isIdentifier(name)) {
    if (name.text.startsWith('_') || name.text === 'this') return;
    const type = types.getTypeAtLocation(name);
    const symbol = types.getSymbolAtLocation(name);
    if (!symbol) return;
    if (isAbortSignalType(t, types, type)) {
      if (referencesTo(t, types, symbol, fn, name).length > 0 || !doesCancellableWork(context, fn)) return;
      context.report({ node: parameter, messageId: 'unusedSignal', data: { param: name.text } });
      return;
    }
    const property = optionsSignalOf(context, type);
    if (!property) return;
    if (
      referencesTo(t, types, symbol, fn, name).some((r) => mayReadProperty(t, r, property)) ||
      !doesCancellableWork(context, fn)
    )
      return;
    context.report({ node: parameter, messageId: 'unusedOptionsSignal', data: { param: name.text, property } });
    return;
  }
  if (!t.isObjectBindingPattern(name)) return;
  const property = optionsSignalOf(context, types.getTypeAtLocation(parameter)) ?? 'signal';
  let signalElement: ts.BindingElement | undefined;
  for (const element of name.elements) {
    if (element.dotDotDotToken) return; // the rest may carry it on
    if (bindingKey(element, sourceFile) === property) signalElement = element;
  }
  if (signalElement) {
    const local = signalElement.name;
    if (!t.isIdentifier(local) || local.text.startsWith('_')) return;
    const symbol = types.getSymbolAtLocation(local);
    if (!symbol || !isAbortSignalType(t, types, types.getTypeAtLocation(local))) return;
    if (referencesTo(t, types, symbol, fn, local).length > 0 || !doesCancellableWork(context, fn)) return;
    context.report({ node: signalElement, messageId: 'unusedSignal', data: { param: local.text } });
    return;
  }
  if (!optionsSignalOf(context, types.getTypeAtLocation(parameter)) || !doesCancellableWork(context, fn)) return;
  context.report({ node: parameter, messageId: 'unusedDestructuredSignal', data: { property } });
}

/**
 * Neither a signal nor an options object with one (the two things checkParameter reports on), for
 * every instantiation of `type`. `any` (a parameter no contextual signature types) is neither.
 */
function carriesNoSignal(context: Context, type: ts.Type): boolean {
  // The declared types are the callee's own objects, shared by every call of it: each is judged once.
  const judged = context.index.fact(noSignalTypes, () => new Map<ts.Type, boolean>());
  let answer = judged.get(type);
  if (answer === undefined) {
    answer = judgeNoSignal(context, type);
    judged.set(type, answer);
  }
  return answer;
}
const noSignalTypes = factKey<Map<ts.Type, boolean>>('types that carry no signal');

function judgeNoSignal(context: Context, type: ts.Type): boolean {
  const t = context.ts;
  const { types } = context;
  if (!isSignalAnswerClosed(t, types, type) || isAbortSignalType(t, types, type)) return false;
  const property = signalPropertyOf(t, types, type);
  if (!property) return true;
  // A signal it always carries, on a library's type: optionsSignalOf reads the type's own
  // declaration, which instantiation keeps only for a type that is not a union or intersection.
  const whole = types.getNonNullableType(type);
  return !whole.isUnionOrIntersection() && optionsSignalOf(context, type) === undefined;
}

function bindingKey(element: ts.BindingElement, sourceFile: ts.SourceFile): string {
  return (element.propertyName ?? element.name).getText(sourceFile);
}

/**
 * The signal property of an options object: optional (`RequestInit`, `{ signal?: AbortSignal }`),
 * or of a type the program declares. A library object that always carries one (a `Request`, a
 * Fastify request) is the handler's business: the call check covers it.
 */
function optionsSignalOf(context: Context, type: ts.Type): string | undefined {
  const t = context.ts;
  const property = signalPropertyOf(t, context.types, type);
  if (!property) return undefined;
  if (property.optional) return property.name;
  const declaration = context.types.getNonNullableType(type).getSymbol()?.declarations?.[0];
  return declaration !== undefined && !declaration.getSourceFile().isDeclarationFile ? property.name : undefined;
}

/** `options.timeout` reads another member; anything else (`options.signal`, passing `options` on) may read the signal. */
function mayReadProperty(t: TS, reference: ts.Identifier, property: string): boolean {
  const parent = reference.parent;
  if (t.isPropertyAccessExpression(parent) && parent.expression === reference) return parent.name.text === property;
  if (t.isElementAccessExpression(parent) && parent.expression === reference) {
    const key = skipOuterExpressions(t, parent.argumentExpression);
    return !t.isStringLiteralLike(key) || key.text === property;
  }
  if (t.isVariableDeclaration(parent) && parent.initializer === reference && t.isObjectBindingPattern(parent.name)) {
    const sourceFile = reference.getSourceFile();
    return parent.name.elements.some((e) => e.dotDotDotToken || bindingKey(e, sourceFile) === property);
  }
  return true;
}

/**
 * Whether the function does something its signal could cancel: it calls something that accepts
 * one, or loops awaiting. Awaiting work that takes no signal leaves nothing to pass it to.
 */
/** A syntactic pre-check of `doesCancellableWork`: a call or a loop somewhere in the body. */
function mayDoCancellableWork(t: typeof ts, fn: FunctionLikeWithBody): boolean {
  const visit = (node: ts.Node): boolean =>
    t.isCallExpression(node) ||
    t.isForOfStatement(node) ||
    t.isWhileStatement(node) ||
    t.isDoStatement(node) ||
    (t.forEachChild(node, visit) ?? false);
  return fn.body !== undefined && visit(fn.body);
}

function doesCancellableWork(context: Context, fn: FunctionLikeWithBody): boolean {
  const t = context.ts;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      (t.isForOfStatement(node) && node.awaitModifier) ||
      ((t.isWhileStatement(node) || t.isDoStatement(node)) && awaitsInside(t, node))
    ) {
      found = true;
      return;
    }
    if (t.isCallExpression(node) && signalParameterOf(t, context.index, node)) {
      found = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

// ── Loops in handlers that await and never look at cancellation ──

/**
 * `while`, `do`, `for (;;)` and `for await`: loops that poll or stream until something stops
 * them. A `for…of` over a collection or a counted `for` ends with its data; `for await` over the
 * request's own body ends when the client leaves.
 */
function isOpenEndedLoop(context: Context, loop: ts.IterationStatement, handler: HandlerRecord): boolean {
  const t = context.ts;
  if (t.isWhileStatement(loop) || t.isDoStatement(loop)) return true;
  if (t.isForStatement(loop)) return loop.condition === undefined || loop.condition.kind === t.SyntaxKind.TrueKeyword;
  if (t.isForOfStatement(loop) && loop.awaitModifier) return !isRootedAtParameter(context, loop.expression, handler);
  return false;
}

function isRootedAtParameter(context: Context, expression: ts.Expression, handler: HandlerRecord): boolean {
  const t = context.ts;
  let e = skipOuterExpressions(t, expression);
  while (t.isPropertyAccessExpression(e) || t.isElementAccessExpression(e)) e = skipOuterExpressions(t, e.expression);
  if (!t.isIdentifier(e)) return false;
  const declaration = context.types.getSymbolAtLocation(e)?.valueDeclaration;
  if (!declaration) return false;
  for (let p: ts.Node | undefined = declaration; p; p = p.parent) {
    if (t.isParameter(p)) return p.parent === handler.fn;
    if (p === handler.fn) return false;
  }
  return false;
}

function awaitsInside(t: TS, loop: ts.IterationStatement): boolean {
  if (t.isForOfStatement(loop) && loop.awaitModifier) return true;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || isFunctionLikeWithBody(t, node)) return;
    if (t.isAwaitExpression(node)) {
      found = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(loop, visit);
  return found;
}

/** `signal.aborted`, `signal.throwIfAborted()`, `res.destroyed`, a signal passed to what it awaits. */
function consultsCancellation(context: Context, loop: ts.IterationStatement): boolean {
  const t = context.ts;
  const { types } = context;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      t.isPropertyAccessExpression(node) &&
      ['aborted', 'throwIfAborted', 'destroyed', 'closed'].includes(node.name.text)
    ) {
      found = true;
      return;
    }
    if (
      (t.isIdentifier(node) || t.isPropertyAccessExpression(node)) &&
      !t.isPropertyAccessExpression(node.parent) &&
      isAbortSignalType(t, types, types.getTypeAtLocation(node))
    ) {
      found = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(loop, visit);
  return found;
}

/**
 * A loop that walks through data with a cursor and never waits between rounds: its condition reads
 * a variable that the body advances from its own previous value or passes to what it awaits
 * (`do { page = await list(1000, token); token = page.next } while (token)`, a date range counted
 * down with `day = day.subtract(1, 'day')`). It ends when the data does, like a `for…of` over a
 * collection. A loop that sleeps between rounds is a poll, and is still reported.
 */
function walksCursor(context: Context, loop: ts.IterationStatement): boolean {
  const t = context.ts;
  const condition = t.isWhileStatement(loop) || t.isDoStatement(loop) ? loop.expression : undefined;
  if (!condition || waitsBetweenRounds(context, loop.statement)) return false;
  const cursors = new Set<ts.Symbol>();
  const collect = (node: ts.Node): void => {
    if (t.isIdentifier(node)) {
      const symbol = context.types.getSymbolAtLocation(node);
      const declaration = symbol?.valueDeclaration;
      if (symbol && declaration && t.isVariableDeclaration(declaration)) cursors.add(symbol);
    }
    if (!isFunctionLikeWithBody(t, node)) t.forEachChild(node, collect);
  };
  collect(condition);
  if (cursors.size === 0) return false;
  const assigned = new Set<ts.Symbol>();
  const read = new Set<ts.Symbol>();
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isIdentifier(node)) {
      const symbol = context.types.getSymbolAtLocation(node);
      if (symbol && cursors.has(symbol)) (isAssignmentTarget(t, node) ? assigned : read).add(symbol);
    }
    t.forEachChild(node, visit);
  };
  visit(loop.statement);
  return [...cursors].some((symbol) => assigned.has(symbol) && read.has(symbol));
}

function isAssignmentTarget(t: TS, node: ts.Identifier): boolean {
  const parent = node.parent;
  return t.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === t.SyntaxKind.EqualsToken;
}

const delayNames = /^(sleep|delay|wait|pause|backoff|setTimeout)/i;

/** An awaited timer in the loop's body: `await sleep(ms)`, `await new Promise((r) => setTimeout(r, ms))`. */
function waitsBetweenRounds(context: Context, body: ts.Node): boolean {
  const t = context.ts;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isAwaitExpression(node)) {
      const awaited = skipOuterExpressions(t, node.expression);
      if (t.isNewExpression(awaited) && /\bsetTimeout\b/.test(awaited.getText())) found = true;
      if (t.isCallExpression(awaited)) {
        const callee = skipOuterExpressions(t, awaited.expression);
        const name = t.isIdentifier(callee)
          ? callee.text
          : t.isPropertyAccessExpression(callee)
            ? callee.name.text
            : '';
        if (delayNames.test(name)) found = true;
      }
    }
    if (!found && !isFunctionLikeWithBody(t, node)) t.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

function checkLoop(context: Context, loop: ts.IterationStatement, factsOf: (h: HandlerRecord) => HandlerFacts): void {
  const t = context.ts;
  const handler = context.index.enclosingHandler(loop);
  if (!handler || !isOpenEndedLoop(context, loop, handler) || !awaitsInside(t, loop)) return;
  if (walksCursor(context, loop)) return;
  const facts = factsOf(handler);
  if (facts.listensForDisconnect || consultsCancellation(context, loop)) return;
  if (facts.signal) {
    context.report({ node: loop, messageId: 'uncancellableLoop', data: { signal: facts.signal.text } });
  } else {
    context.report({ node: loop, messageId: 'uncancellableLoopNoRequestSignal' });
  }
}
