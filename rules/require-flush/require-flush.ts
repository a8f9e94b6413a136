// require-flush: a logger, telemetry client or producer that buffers what it sends, with no shutdown
// path that flushes it. What it holds when the process ends is lost: `process.exit()` runs only
// synchronous 'exit' listeners, and a signal's default action runs none (runtime-facts §1.6, §4).
import type * as ts from 'typescript';
import {
  findFactory,
  kindSpec,
  sameRef,
  type ApiRef,
  type BufferCondition,
  type FactorySpec,
  type KindSpec,
} from '../../src/core/catalogue.js';
import {
  callsNamed,
  closesOf,
  countingCloses,
  escapesFunction,
  functionName,
  heldSymbolOf,
  holdingOf,
  moduleClosesOf,
  refersToHolding,
  runsAtShutdown,
  runsUntilShutdown,
  type CloseSite,
  type Holding,
} from '../../src/core/resources.js';
import { defineRule, type RuleContext, type TestFileOptions } from '../../src/core/rule.js';
import { unflushedOwnBuffers } from '../../src/core/own-buffers.js';
import {
  calleeText,
  enclosingFunction,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
} from '../../src/core/ts-utils.js';

export type MessageId =
  | 'unflushed'
  | 'unflushedNoSignalHandler'
  | 'flushedOffShutdownPath'
  | 'flushNotAwaited'
  | 'notKept'
  | 'unflushedInScript'
  | 'ownBufferDropped';

export type Options = TestFileOptions;

/** What a finding carries: its message's values, and the facts its codemod reads. */
export type RequireFlushData = {
  name?: string;
  label: string;
  flush?: string;
  method?: string;
  event?: string;
  /** The catalogue kind of the buffer (`sentry.Client`, `kafkajs.Producer`, …): which flush the codemod writes. */
  kind: string;
  /** The function it is made in (a local of it, or not kept), when it is not made at module or service scope. */
  fn?: string;
  /** A program's own buffer (`ownBufferDropped`): the array the timer drains. */
  buffer?: string;
};

type Context = RuleContext<MessageId, Options, RequireFlushData>;

/** Calls that wait for an emitter's event: `once(logger, 'finish')`, `finished(logger)`. */
const eventWaiters: readonly ApiRef[] = [
  { module: 'events', path: ['once'] },
  { module: 'events', path: ['EventEmitter', 'once'] },
  { module: 'stream', path: ['finished'] },
  { module: 'stream/promises', path: ['finished'] },
];

export default defineRule<MessageId, Options, RequireFlushData>({
  meta: {
    id: 'require-flush',
    description:
      'Require every buffering logger, telemetry client and producer a service creates to be flushed ' +
      'on its shutdown path',
    goLesson: 'Sentry and Kafka not flushed before exit: the last events are lost',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: false,
    messages: {
      unflushed:
        '`{{name}}` ({{label}}) buffers what it sends, and no shutdown path flushes it: whatever it ' +
        "holds when SIGTERM arrives is lost, since `process.exit()` runs only synchronous 'exit' " +
        'listeners and an unhandled signal runs none. Call `{{flush}}` on the shutdown path, under a ' +
        'deadline.',
      unflushedNoSignalHandler:
        '`{{name}}` ({{label}}) buffers what it writes and flushes it itself only in a ' +
        "`process.on('exit')` hook, but nothing handles SIGTERM: the signal's default action ends the " +
        "process without running 'exit' listeners, so the buffered lines are lost. Handle SIGTERM, or " +
        'call `{{flush}}` on a shutdown path.',
      flushedOffShutdownPath:
        '`{{name}}` ({{label}}) is flushed only where shutdown never goes: no signal listener or ' +
        'shutdown hook reaches `{{flush}}`, so what it holds when SIGTERM arrives is lost. Call it on ' +
        'the shutdown path.',
      flushNotAwaited:
        '`{{flush}}` on the shutdown path starts flushing `{{name}}` ({{label}}), but nothing waits for ' +
        "its `'{{event}}'` event: an exit right after it loses what the transports still hold. Wait for " +
        "`'{{event}}'`, under a deadline, before exiting.",
      notKept:
        'This {{label}} is not kept anywhere, so nothing can flush it: whatever it holds when SIGTERM ' +
        'arrives is lost. Keep it, and call `.{{method}}()` on the shutdown path.',
      ownBufferDropped:
        '`{{method}}()` clears the timer that sends `{{buffer}}`, but sends nothing itself: whatever was ' +
        'buffered since the last tick is lost on every shutdown. Call `{{flush}}` (and wait for it) ' +
        'before or after clearing the timer.',
      unflushedInScript:
        '`{{name}}` ({{label}}) is never flushed: what it buffers when this script ends is lost. Call ' +
        '`{{flush}}` when the work is done.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {},
    },
    defaultOptions: {},
  },

  create(context) {
    const t = context.ts;
    const check = (node: ts.Node): void => checkCreation(context, node as ts.CallExpression | ts.NewExpression);
    return {
      [t.SyntaxKind.NewExpression]: check,
      [t.SyntaxKind.CallExpression]: (node: ts.Node) => {
        check(node);
        checkOwnBuffer(context, node as ts.CallExpression);
      },
    };
  },
});

function checkCreation(context: Context, node: ts.CallExpression | ts.NewExpression): void {
  const { index } = context;
  const record = index.serverOf(node);
  if (!record || record.creation !== node) return;
  const spec = kindSpec(record.kind);
  if (spec?.category !== 'buffer' || !spec.flush?.length) return;
  const ref = index.binding.resolve(node.expression);
  const factory = ref ? findFactory(ref) : undefined;
  const holding = holdingOf(index, node, spec.returnsSelf ?? []);
  if (factory?.buffersWhen && !buffers(context, node, holding, factory.buffersWhen)) return;
  // Its own exit hook runs on `process.exit()` and on a natural exit: only an unhandled signal skips it.
  if (spec.flushesOnExit && index.shutdownRoots.length > 0) return;
  const method = spec.flush[0]!;
  if (factory?.closedBy) {
    checkModuleSingleton(context, node, spec, factory, holding);
    return;
  }
  if (holding.type === 'handed' || holding.type === 'unknown') return;
  if (holding.type === 'dropped') {
    const made = enclosingFunction(context.ts, node);
    context.report({
      node,
      messageId: 'notKept',
      data: { label: spec.label, method, kind: spec.kind, fn: made && functionName(index, made) },
    });
    return;
  }
  const sites = countingCloses(closesOf(index, holding, spec.flush), node);
  if (holding.fn) {
    // Made per call: handed on, or flushed in the function that made it.
    if (escapesFunction(index, holding, holding.fn)) return;
    if (
      sites.some(
        (s) =>
          s.call.getSourceFile() === holding.fn!.getSourceFile() &&
          s.call.pos >= holding.fn!.pos &&
          s.call.end <= holding.fn!.end,
      )
    )
      return;
  }
  const data = {
    name: holding.name,
    label: spec.label,
    flush: `${holding.name}.${method}()`,
    kind: spec.kind,
    fn: holding.fn && functionName(index, holding.fn),
  };
  report(context, node, spec, sites, data, holding);
}

/** `Sentry.init()`: the module's own client, flushed by `Sentry.close(ms)` / `Sentry.flush(ms)`. */
function checkModuleSingleton(
  context: Context,
  node: ts.CallExpression | ts.NewExpression,
  spec: KindSpec,
  factory: FactorySpec,
  holding: Holding,
): void {
  const { index } = context;
  const t = context.ts;
  const sites = moduleClosesOf(index, factory.closedBy!);
  if (holding.type === 'kept') sites.push(...closesOf(index, holding, spec.flush ?? []));
  const callee = skipOuterExpressions(t, node.expression);
  const first = factory.closedBy![0]!;
  const closeName = first.path[first.path.length - 1]!;
  const namespace = t.isPropertyAccessExpression(callee)
    ? `${calleeText(t, callee.expression, node.getSourceFile())}.`
    : '';
  const name = namespace ? namespace.slice(0, -1) : first.module;
  const made = enclosingFunction(t, node);
  report(
    context,
    node,
    spec,
    countingCloses(sites, node),
    {
      name,
      label: spec.label,
      flush: `${namespace}${closeName}(2000)`,
      kind: spec.kind,
      fn: made && functionName(index, made),
    },
    holding,
  );
}

function report(
  context: Context,
  node: ts.Node,
  spec: KindSpec,
  sites: readonly CloseSite[],
  data: { name: string; label: string; flush: string; kind: string; fn?: string },
  holding: Holding,
): void {
  const { index } = context;
  if (sites.some((s) => s.how === 'adopted')) return;
  if (!runsUntilShutdown(index, node.getSourceFile())) {
    if (sites.length === 0) context.report({ node, messageId: 'unflushedInScript', data });
    return;
  }
  const atShutdown = sites.filter((s) => runsAtShutdown(index, s.call));
  if (atShutdown.length > 0) {
    if (spec.flushedEvent && holding.type === 'kept' && !waitsForEvent(context, holding, spec.flushedEvent)) {
      context.report({ node, messageId: 'flushNotAwaited', data: { ...data, event: spec.flushedEvent } });
    }
    return;
  }
  if (spec.flushesOnExit) {
    context.report({ node, messageId: 'unflushedNoSignalHandler', data });
    return;
  }
  context.report({ node, messageId: sites.length > 0 ? 'flushedOffShutdownPath' : 'unflushed', data });
}

/** Shutdown waits for `event` of what `holding` keeps: `logger.on('finish', …)`, `await once(logger, 'finish')`. */
function waitsForEvent(context: Context, holding: Extract<Holding, { type: 'kept' }>, event: string): boolean {
  const { index } = context;
  const t = context.ts;
  const isEvent = (e: ts.Expression | undefined): boolean => {
    const inner = e && skipOuterExpressions(t, e);
    return inner !== undefined && t.isStringLiteralLike(inner) && inner.text === event;
  };
  for (const name of ['on', 'once', 'addListener', 'finished']) {
    for (const call of callsNamed(index, name)) {
      if (!runsAtShutdown(index, call)) continue;
      const parts = methodCallParts(t, call);
      if (
        parts &&
        parts.name !== 'finished' &&
        refersToHolding(index, parts.receiver, holding) &&
        isEvent(call.arguments[0])
      )
        return true;
      const ref = index.binding.resolve(call.expression);
      const waiter = ref && eventWaiters.find((w) => sameRef(w, ref));
      if (
        waiter &&
        call.arguments[0] &&
        refersToHolding(index, call.arguments[0], holding) &&
        (name === 'finished' || isEvent(call.arguments[1]))
      )
        return true;
    }
  }
  return false;
}

/** Whether this creation buffers: created with a transport or an asynchronous destination, or given transports later. */
function buffers(
  context: Context,
  node: ts.CallExpression | ts.NewExpression,
  holding: Holding,
  condition: BufferCondition,
): boolean {
  const t = context.ts;
  const { index } = context;
  for (const argument of node.arguments ?? []) {
    const value = valueOf(context, argument);
    if (t.isObjectLiteralExpression(value)) {
      for (const property of value.properties) {
        if (!condition.options?.includes(staticPropertyName(t, property.name) ?? '')) continue;
        if (!t.isPropertyAssignment(property) || buffersValue(context, property.initializer, condition)) return true;
      }
      continue;
    }
    if (!t.isCallExpression(value)) continue;
    const ref = index.binding.resolve(value.expression);
    const made = ref && condition.arguments?.find((a) => sameRef(a.ref, ref));
    if (!made) continue;
    const options = value.arguments[0] && valueOf(context, value.arguments[0]);
    const unbuffered =
      options !== undefined &&
      t.isObjectLiteralExpression(options) &&
      (made.unless ?? []).some(({ name, value: wanted }) =>
        options.properties.some(
          (p) =>
            t.isPropertyAssignment(p) &&
            staticPropertyName(t, p.name) === name &&
            p.initializer.kind === (wanted ? t.SyntaxKind.TrueKeyword : t.SyntaxKind.FalseKeyword),
        ),
      );
    if (!unbuffered) return true;
  }
  if (holding.type === 'kept' && condition.methods?.length) {
    return closesOf(index, holding, condition.methods).some(
      (s) => s.how === 'close' && s.call.arguments.some((a) => buffersValue(context, a, condition)),
    );
  }
  return false;
}

/** A transport (or a list of them) that buffers: anything but the known synchronous ones. */
function buffersValue(context: Context, expression: ts.Expression, condition: BufferCondition): boolean {
  const t = context.ts;
  const value = valueOf(context, expression);
  if (t.isArrayLiteralExpression(value)) return value.elements.some((e) => buffersValue(context, e, condition));
  if (t.isNewExpression(value) || t.isCallExpression(value)) {
    const ref = context.index.binding.resolve(value.expression);
    return !(ref && condition.unbuffered?.some((u) => sameRef(u, ref)));
  }
  return true;
}

/** An argument, or the initializer of the `const` it names. */
function valueOf(context: Context, argument: ts.Expression): ts.Expression {
  const t = context.ts;
  const e = skipOuterExpressions(t, argument);
  if (!t.isIdentifier(e)) return e;
  const declaration = heldSymbolOf(context.index, e)?.valueDeclaration;
  return declaration && t.isVariableDeclaration(declaration) && declaration.initializer
    ? skipOuterExpressions(t, declaration.initializer)
    : e;
}

/** A program's own batching buffer whose shutdown method clears its flush timer and flushes nothing. */
function checkOwnBuffer(context: Context, call: ts.CallExpression): void {
  const callee = context.ts.isIdentifier(call.expression) ? call.expression.text : undefined;
  if (
    callee !== 'setInterval' &&
    !(context.ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'setInterval')
  )
    return;
  for (const found of unflushedOwnBuffers(context.index, call)) {
    context.report({
      node: found.node,
      messageId: 'ownBufferDropped',
      data: { method: found.method, buffer: found.buffer, flush: found.flush, label: 'buffer', kind: 'own-buffer' },
    });
  }
}
