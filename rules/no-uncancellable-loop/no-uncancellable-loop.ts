// no-uncancellable-loop: background repetition that shutdown cannot stop. An interval nobody clears,
// a timeout that reschedules itself with no stop condition, an endless polling loop that never looks
// at a signal: each keeps running while the service drains, and a ref'd timer keeps the event loop
// alive so the process cannot exit on its own (runtime-facts §1.5, §1.6).
import type * as ts from 'typescript';
import { intervalTimers, promiseIntervals, refIn, sameRef, timeoutTimers } from '../../src/core/catalogue.js';
import { isTestFile, loadedOnlyByTests } from '../../src/core/files.js';
import { functionName } from '../../src/core/resources.js';
import { defineRule, type RuleContext, type TestFileOptions } from '../../src/core/rule.js';
import { passedSignal } from '../../src/core/signals.js';
import {
  consultsStop,
  cycleHasExit,
  endlessLoopKeyword,
  loopAwaits,
  loopHasExit,
  retriesOnFailure,
} from './stop-conditions.js';
import { callsBackInto, timerHandleFate } from './timers.js';
import { enclosingFunction, skipOuterExpressions } from '../../src/core/ts-utils.js';

export type MessageId = 'intervalNeverCleared' | 'timeoutReschedules' | 'endlessLoop' | 'intervalIteratorWithoutSignal';

export type Options = TestFileOptions;

/** What a finding carries for its message and its codemod. */
export type NoUncancellableLoopData = {
  /** The interval is set up in a request handler (one per request: left for a person). */
  inHandler?: boolean;
  name?: string;
  keyword?: string;
};

type Context = RuleContext<MessageId, Options, NoUncancellableLoopData>;

export default defineRule<MessageId, Options, NoUncancellableLoopData>({
  meta: {
    id: 'no-uncancellable-loop',
    description: 'Disallow intervals, self-rescheduling timeouts and endless loops that shutdown cannot stop',
    goLesson: '`for { work(); time.Sleep(d) }` with no `case <-ctx.Done()`: a worker shutdown cannot stop',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: false,
    messages: {
      intervalNeverCleared:
        "This `setInterval` is never cleared nor unref'd: shutdown cannot stop it, so it keeps firing " +
        'while the service drains (against pools already closed), and its timer keeps the process alive ' +
        'until SIGKILL. Keep the handle and `clearInterval` it on the shutdown path (`lifecycle.defer(() ' +
        '=> clearInterval(timer))`), or `.unref()` it if losing a tick is harmless.',
      timeoutReschedules:
        '`{{name}}` reschedules itself with `setTimeout` and nothing stops it (no stop flag, no ' +
        '`signal.aborted`, no cleared handle): shutdown cannot end the repetition, and each pending ' +
        'timer keeps the process alive. Check a flag or a signal before rescheduling, or keep the handle ' +
        'and `clearTimeout` it on the shutdown path.',
      endlessLoop:
        'This `{{keyword}}` loop awaits work forever with no way out and no AbortSignal or stop flag: ' +
        'shutdown cannot stop it, and it runs on while the service drains. Loop on `!signal.aborted` ' +
        '(`lifecycle.signal`) and pass the signal to what it awaits.',
      intervalIteratorWithoutSignal:
        'This `timers/promises` `setInterval` is iterated with no `{ signal }` and no way out of the ' +
        'loop: shutdown cannot stop it, and its timer keeps the process alive. Pass `{ signal }` ' +
        '(`lifecycle.signal`) in its options.',
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
    const testFile = isTestFile(context.sourceFile.fileName);
    if (!context.options.checkTestFiles && (testFile || loadedOnlyByTests(context.index, context.sourceFile)))
      return {};
    // Code no service entry loads (a browser bundle, a stand-alone script) is not the service's; a test file is its own program.
    if (!testFile && !context.index.isPartOfService(context.sourceFile)) return {};
    const loop = (node: ts.Node): void => checkLoop(context, node as ts.IterationStatement);
    return {
      [t.SyntaxKind.CallExpression]: (node) => checkTimer(context, node as ts.CallExpression),
      [t.SyntaxKind.WhileStatement]: loop,
      [t.SyntaxKind.DoStatement]: loop,
      [t.SyntaxKind.ForStatement]: loop,
    };
  },
});

function checkTimer(context: Context, call: ts.CallExpression): void {
  const { index } = context;
  const ref = index.binding.resolve(call.expression);
  if (!ref) return;
  if (refIn(ref, intervalTimers)) {
    if (timerHandleFate(index, call) === 'unreleased') {
      // `inHandler` is for the codemod: an interval per request is not one closer at shutdown.
      context.report({
        node: call,
        messageId: 'intervalNeverCleared',
        data: index.enclosingHandler(call) ? { inHandler: true } : {},
      });
    }
  } else if (refIn(ref, timeoutTimers)) {
    checkRescheduling(context, call);
  } else {
    const promiseInterval = promiseIntervals.find((p) => sameRef(p, ref));
    if (promiseInterval) checkIntervalIterator(context, call, promiseInterval.options);
  }
}

/**
 * `function tick() { …; setTimeout(tick, ms) }`: the callback is, or calls back into (through
 * named functions and methods), a function the rescheduling call sits in.
 */
function checkRescheduling(context: Context, call: ts.CallExpression): void {
  const { index } = context;
  const t = context.ts;
  const callback = call.arguments[0];
  if (!callback) return;
  const targets = index.resolveFunctions(callback);
  if (targets.length === 0) return;
  for (let scheduler = enclosingFunction(t, call); scheduler; scheduler = enclosingFunction(t, scheduler)) {
    const cycle = callsBackInto(index, targets, scheduler);
    if (!cycle) continue;
    if (retriesOnFailure(t, call, scheduler) || cycleHasExit(index, call, scheduler, cycle)) return;
    if (consultsStop(index, [scheduler, ...cycle], true)) return;
    // A cleared handle stops the cycle; one merely handed on (returned, passed) does not.
    if (timerHandleFate(index, call) === 'released') return;
    context.report({ node: call, messageId: 'timeoutReschedules', data: { name: functionName(index, scheduler) } });
    return;
  }
}

function checkIntervalIterator(context: Context, call: ts.CallExpression, options: number): void {
  const t = context.ts;
  const { index } = context;
  if (passedSignal(t, index.types, call, { index: options, direct: false, property: 'signal' }).passes) return;
  const loop = iteratingLoop(context, call);
  if (!loop) return;
  if (loopHasExit(index, loop) || consultsStop(index, [loop])) return;
  context.report({ node: call, messageId: 'intervalIteratorWithoutSignal' });
}

/** The `for await` that iterates the interval: over the call itself, or over the const holding it. */
function iteratingLoop(context: Context, call: ts.CallExpression): ts.ForOfStatement | undefined {
  const t = context.ts;
  let e: ts.Node = call;
  while (t.isParenthesizedExpression(e.parent)) e = e.parent;
  const parent = e.parent;
  if (t.isForOfStatement(parent) && parent.expression === e && parent.awaitModifier) return parent;
  if (!t.isVariableDeclaration(parent) || !t.isIdentifier(parent.name)) return undefined;
  const symbol = context.types.getSymbolAtLocation(parent.name);
  const scope = enclosingFunction(t, parent) ?? parent.getSourceFile();
  let found: ts.ForOfStatement | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isForOfStatement(node) && node.awaitModifier) {
      const iterated = skipOuterExpressions(t, node.expression);
      if (t.isIdentifier(iterated) && context.types.getSymbolAtLocation(iterated) === symbol) found = node;
    }
    t.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

function checkLoop(context: Context, loop: ts.IterationStatement): void {
  const t = context.ts;
  const { index, sourceFile } = context;
  const keyword = endlessLoopKeyword(t, loop);
  if (!keyword) return;
  const { awaits, yields } = loopAwaits(t, loop);
  // A generator's consumer stops it; a loop that never awaits blocks the process instead.
  if (!awaits || yields) return;
  if (index.enclosingHandler(loop)) return;
  if (loopHasExit(index, loop) || consultsStop(index, [loop])) return;
  const start = loop.getStart(sourceFile);
  context.report({
    node: loop,
    start,
    end: start + keyword.length,
    messageId: 'endlessLoop',
    data: { keyword: loopHead(context, loop) },
  });
}

/** How messages name the loop: `while (true)`, `for (;;)`, `do … while (1)`. */
function loopHead(context: Context, loop: ts.IterationStatement): string {
  const t = context.ts;
  const text = (e: ts.Expression | undefined): string => (e ? e.getText(context.sourceFile) : '');
  if (t.isForStatement(loop)) return `for (;${text(loop.condition)};)`;
  if (t.isDoStatement(loop)) return `do … while (${text(loop.expression)})`;
  return `while (${text((loop as ts.WhileStatement).expression)})`;
}
