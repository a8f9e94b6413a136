// no-exit-before-cleanup: `process.exit()` where it cuts off work in flight: cleanup started and
// not finished, a signal handler that closes nothing, a request handler, library code of a
// long-running program. `process.exit()` ends the process "as quickly as possible even if there are
// still asynchronous operations pending" (runtime-facts §1.6): the Go lesson is `os.Exit`
// skipping defers. Exits at startup, after cleanup finished, in a deadline timer, in a crash
// listener or in a worker thread are where they belong.
import type * as ts from 'typescript';
import { deadlineTimers, listenerMethods, refIn, sameRef, shutdownSignals } from '../../src/core/catalogue.js';
import {
  completedCleanupBefore,
  pathDoesCleanup,
  pendingCleanupBefore,
  pendingWhenReturns,
  type CleanupStart,
} from './cleanup.js';
import {
  exitCallOf,
  functionLabel,
  entryScopeOf,
  isDeadlineExit,
  isEntryPromiseFailure,
  isExitReference,
  isInFailureListener,
  isLongRunningForItsCommands,
  isSecondSignalListener,
  isShebangScript,
  isSignalListenerRoot,
  openThingLabel,
  type ExitCall,
} from './exits.js';
import { callsRunBy, isAwaitedWithin, ownScope, ranBefore } from '../../src/core/flow.js';
import { originOfChain } from '../../src/core/promises.js';
import { closersOf, runsOf } from '../../src/core/registries.js';
import { isWorkerThreadFile } from '../../src/core/worker-threads.js';
import { forkNeverDisconnected } from './cluster-workers.js';
import { serverNeverClosed } from './open-server.js';
import { lifecycleDrainOnPath, lifecycleHeldWork } from '../../src/core/lifecycle-calls.js';
import type { ShutdownRoot } from '../../src/core/program-index.js';
import { isInOptionParser, isStartupScope, openedBefore } from '../../src/core/startup.js';
import { defineRule, type RuleContext, type TestFileOptions, type Suggestion } from '../../src/core/rule.js';
import {
  calleeText,
  enclosingFunction,
  functionBody,
  isFunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
} from '../../src/core/ts-utils.js';

export type MessageId =
  | 'exitBeforeCleanupFinishes'
  | 'exitWithoutCleanup'
  | 'exitWithServerOpen'
  | 'exitBeforeLifecycleDrains'
  | 'exitInHandler'
  | 'exitInLibrary'
  | 'exitWithWorkersRunning'
  | 'exitAfterOpen'
  | 'suggestExitCode'
  | 'suggestReturn';

export type Options = TestFileOptions;

/** What a finding carries for its message and its codemod. */
export type NoExitBeforeCleanupData = {
  /** The exit, as written. */
  exit: string;
  cleanup?: string;
  trigger?: string;
  label?: string;
  where?: string;
  /** The first call that hands the lifecycle work only its drain finishes (`lifecycle.track(…)`). */
  held?: string;
  /** The HTTP server nothing closes, as the program names it. */
  server?: string;
  /** The fork of cluster workers nothing disconnects (`cluster.fork()`). */
  fork?: string;
};

type Context = RuleContext<MessageId, Options, NoExitBeforeCleanupData>;

export default defineRule<MessageId, Options, NoExitBeforeCleanupData>({
  meta: {
    id: 'no-exit-before-cleanup',
    description: 'Disallow `process.exit()` where it cuts off cleanup in flight or cleanup that never started',
    goLesson: '`os.Exit` skips defers: an exit that runs before the cleanup does',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: true,
    messages: {
      exitBeforeCleanupFinishes:
        '`{{exit}}` ends the process before the cleanup `{{cleanup}}` started has finished: it is cut ' +
        'off midway. Await it before exiting (or exit in its completion callback), or set ' +
        '`process.exitCode` and let the process end when it finishes.',
      exitWithoutCleanup:
        '`{{exit}}` in this `{{trigger}}` listener ends the process without closing anything: work in ' +
        'flight on the {{label}} is cut off, and nothing is drained or flushed. Close what the program ' +
        'opened, await it, then let the process end.',
      exitWithServerOpen:
        '`{{exit}}` ends the process on this `{{trigger}}` shutdown path, but nothing in the program ' +
        'closes the HTTP server `{{server}}`: it takes requests until the exit and every request in ' +
        'flight is cut off. Close the server and wait for its drain before exiting.',
      exitWithWorkersRunning:
        '`{{exit}}` ends the cluster primary on this `{{trigger}}` shutdown path, but nothing in the ' +
        'program disconnects the workers it forks (`{{fork}}`): each worker exits as soon as it loses ' +
        'its primary, cutting off the requests it is serving. Disconnect them (`worker.disconnect()`, ' +
        '`cluster.disconnect(cb)`) and exit once they have.',
      exitBeforeLifecycleDrains:
        '`{{exit}}` ends the process on this `{{trigger}}` shutdown path, but nothing on it awaits ' +
        '`lifecycle.shutdown()`: the work handed to the lifecycle (`{{held}}`, …) is cut off and its ' +
        'closers never run. Await `lifecycle.shutdown()` before exiting.',
      exitInHandler:
        '`{{exit}}` in a request handler ends the whole process: every other request in flight is cut ' +
        'off, and shutdown never runs. Answer this request with an error instead.',
      exitInLibrary:
        '`{{exit}}` in `{{where}}` ends this long-running program from library code: work in flight on ' +
        'the {{label}} is cut off, shutdown never runs, and buffered logs can be lost. Throw, and let ' +
        'the entry point decide how to stop.',
      exitAfterOpen:
        '`{{exit}}` runs after the {{label}} is opened: work in flight on it is cut off, and shutdown ' +
        'never runs. Validate before opening it, or stop through the shutdown path.',
      suggestExitCode: 'Set `process.exitCode = {{code}}` instead, so the process ends once `{{cleanup}}` finishes.',
      suggestReturn: 'Drop the exit: the process ends with the current `process.exitCode` once `{{cleanup}}` finishes.',
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
    return {
      [t.SyntaxKind.CallExpression]: (node) => {
        const call = node as ts.CallExpression;
        const exit = exitCallOf(context.index, call);
        if (exit) checkExit(context, exit);
        else checkExitAsListener(context, call);
      },
    };
  },
});

/**
 * A start that fails before anything is open, whose only pending cleanup is the stop of a helper
 * the same function made (`const migrate = new Migrate(…)`, `migrate.stop()` in the `try`,
 * `process.exit(1)` in its `catch`): the exit cuts off nothing the program serves, only the start's
 * own tool, which the process takes down with it.
 */
function isFailedStartStoppingItsOwn(context: Context, node: ts.Node, pending: CleanupStart): boolean {
  const t = context.ts;
  const { index } = context;
  const named = entryScopeOf(index, node);
  if (t.isSourceFile(named) || !isStartupScope(index, named) || openedBefore(index, node, named)) return false;
  const receiver = t.isCallExpression(pending.call) ? methodCallParts(t, pending.call)?.receiver : undefined;
  const local = receiver && skipOuterExpressions(t, receiver);
  if (!local || !t.isIdentifier(local)) return false;
  const declaration = index.types.getSymbolAtLocation(local)?.valueDeclaration;
  return (
    declaration !== undefined && t.isVariableDeclaration(declaration) && enclosingFunction(t, declaration) === named
  );
}

function exitText(context: Context, call: ts.CallExpression): string {
  return `${calleeText(context.ts, call.expression, context.sourceFile)}()`;
}

function checkExit(context: Context, exit: ExitCall): void {
  const t = context.ts;
  const { index, sourceFile } = context;
  const node = exit.call;
  if (isWorkerThreadFile(index, sourceFile)) return;
  if (isDeadlineExit(index, node)) {
    // A timer armed once a registry's closers have returned is the planned exit, not a deadline.
    const cut = drainLeftByRegistryBefore(context, node);
    if (cut)
      context.report({
        node,
        messageId: 'exitBeforeCleanupFinishes',
        data: { exit: exitText(context, node), cleanup: cut.name },
      });
    return;
  }
  const roots = index.shutdownRootsOf(node);
  if (exit.how === 'kill' && startsGracefulShutdown(context, exit, roots)) return;

  const scope = ownScope(t, node);
  // On a shutdown path everything started there belongs to the drain; elsewhere only cleanup.
  const pending =
    pendingCleanupBefore(index, node, scope, roots.length > 0 ? 'any-promise' : 'cleanup') ??
    pendingAtCallers(context, scope, roots);
  if (pending && !(roots.length === 0 && isFailedStartStoppingItsOwn(context, node, pending))) {
    context.report({
      node,
      messageId: 'exitBeforeCleanupFinishes',
      data: { exit: exitText(context, node), cleanup: pending.name },
      suggestions: exitCodeSuggestions(context, exit, pending),
    });
    return;
  }

  const undrained = undrainedLifecycle(context, roots);
  if (undrained) {
    context.report({
      node,
      messageId: 'exitBeforeLifecycleDrains',
      data: { exit: exitText(context, node), ...undrained },
    });
    return;
  }

  // A one-shot script or CLI holds nothing that an exit could cut off, nor does a subcommand of a
  // multi-command CLI that loads no server; an option parser runs before any command starts.
  if (!isLongRunningForItsCommands(index, sourceFile) || isShebangScript(index, sourceFile)) return;
  if (isInOptionParser(index, node)) return;
  // A shutdown path that drained something (even to completion) but not the HTTP server, which
  // nothing in the program closes: it takes requests until the exit, which cuts them off.
  const drainer = roots.find((r) => !isSecondSignalListener(index, r) && pathDoesCleanup(index, r));
  const open = drainer && serverNeverClosed(index, drainer.registration.getSourceFile());
  if (drainer && open) {
    context.report({
      node,
      messageId: 'exitWithServerOpen',
      data: { exit: exitText(context, node), trigger: drainer.trigger, server: open.name },
    });
    return;
  }
  // A cluster primary whose workers nothing disconnects: each exits with its primary, mid-request.
  const fork = drainer && forkNeverDisconnected(index, drainer.registration.getSourceFile());
  if (drainer && fork) {
    context.report({
      node,
      messageId: 'exitWithWorkersRunning',
      data: {
        exit: exitText(context, node),
        trigger: drainer.trigger,
        fork: `${calleeText(t, fork.expression, fork.getSourceFile())}()`,
      },
    });
    return;
  }
  if (completedCleanupBefore(index, node, scope)) return;

  if (roots.length > 0) {
    const bare = roots.find(
      (root) => isSignalListenerRoot(root) && !isSecondSignalListener(index, root) && !pathDoesCleanup(index, root),
    );
    if (bare) {
      context.report({
        node,
        messageId: 'exitWithoutCleanup',
        data: { exit: exitText(context, node), trigger: bare.trigger, label: openThingLabel(index) },
      });
    }
    // Otherwise the exit ends a drain that ran: the end of the shutdown path.
    return;
  }

  if (isInFailureListener(index, node)) return;
  if (index.enclosingHandler(node)) {
    context.report({ node, messageId: 'exitInHandler', data: { exit: exitText(context, node) } });
    return;
  }
  // The program's start failed: nothing was serving yet.
  if (isEntryPromiseFailure(index, node)) return;
  const named = entryScopeOf(index, node);
  if (isStartupScope(index, named)) {
    // Startup validation before anything is open is where an exit belongs.
    const opened = openedBefore(index, node, named);
    if (opened)
      context.report({
        node,
        messageId: 'exitAfterOpen',
        data: { exit: exitText(context, node), label: opened.label },
      });
    return;
  }
  context.report({
    node,
    messageId: 'exitInLibrary',
    data: {
      exit: exitText(context, node),
      where: t.isSourceFile(named) ? 'module code' : functionLabel(t, named),
      label: openThingLabel(index),
    },
  });
}

/**
 * `await runShutdownHandlers(); setTimeout(() => process.exit(0), 500)` on a shutdown path, where a
 * closer of that registry only starts its cleanup (`handler: () => { server.close() }`): the timer
 * is armed once the closers have returned, as the end of a shutdown the program thinks is done,
 * and the exit cuts off the drain that closer left running.
 */
function drainLeftByRegistryBefore(context: Context, exit: ts.CallExpression): CleanupStart | undefined {
  const t = context.ts;
  const { index } = context;
  const callback = enclosingFunction(t, exit);
  let owner: ts.Node | undefined = callback;
  while (owner && t.isParenthesizedExpression(owner.parent)) owner = owner.parent;
  const timer = owner?.parent;
  if (!owner || !timer || !t.isCallExpression(timer) || timer.arguments[0] !== owner) return undefined;
  const ref = index.binding.resolve(timer.expression);
  if (!ref || !refIn(ref, deadlineTimers)) return undefined;
  const roots = index.shutdownRootsOf(timer);
  if (roots.length === 0) return undefined;
  const finished = callsFinishedBefore(context, timer);
  if (finished.length === 0) return undefined;
  for (const runs of runsOf(index).values()) {
    for (const run of runs) {
      if (!roots.includes(run.root)) continue;
      const walker = enclosingFunction(t, run.site) ?? run.site.getSourceFile();
      const ran = finished.some((call) =>
        index.resolveFunctions(call.expression, 0, false).some((fn) => index.reachableFrom(fn).has(walker)),
      );
      if (!ran) continue;
      for (const closer of closersOf(index, run.registry)) {
        const pending = pendingWhenReturns(index, closer);
        if (pending) return pending;
      }
    }
  }
  return undefined;
}

/**
 * The calls that have finished where `node` runs: awaited earlier in its function, or the call
 * whose `.then` callback its function is.
 */
function callsFinishedBefore(context: Context, node: ts.Node): ts.CallExpression[] {
  const t = context.ts;
  const { index } = context;
  const scope = ownScope(t, node);
  const result: ts.CallExpression[] = [];
  for (const piece of ranBefore(t, node, scope)) {
    callsRunBy(index, piece, (call) => {
      if (t.isCallExpression(call) && isAwaitedWithin(index, call, piece)) result.push(call);
    });
  }
  if (!t.isSourceFile(scope)) {
    let owner: ts.Node = scope;
    while (t.isParenthesizedExpression(owner.parent)) owner = owner.parent;
    const then = owner.parent;
    const parts = then && t.isCallExpression(then) ? methodCallParts(t, then) : undefined;
    if (parts && parts.name === 'then' && (then as ts.CallExpression).arguments[0] === owner) {
      const origin = originOfChain(t, then as ts.CallExpression);
      if (t.isCallExpression(origin)) result.push(origin);
    }
  }
  return result;
}

/**
 * An exit on a shutdown path of a program that hands work to the lifecycle (`lifecycle.track`,
 * `adopt`, `defer`, `addServer`), where that path never calls `lifecycle.shutdown()`: the tracked
 * tasks, the servers and the closers are cut off. (A `shutdown()` started and not awaited before
 * the exit is pending cleanup, reported above.) A second-signal listener exits on purpose.
 */
function undrainedLifecycle(
  context: Context,
  roots: readonly ShutdownRoot[],
): { trigger: string; held: string } | undefined {
  const { index } = context;
  if (roots.length === 0) return undefined;
  const held = lifecycleHeldWork(index);
  if (!held) return undefined;
  const root = roots.find((r) => !isSecondSignalListener(index, r) && !lifecycleDrainOnPath(index, r));
  if (!root) return undefined;
  return { trigger: root.trigger, held: `${calleeText(context.ts, held.expression, held.getSourceFile())}(…)` };
}

/**
 * `process.kill(process.pid, 'SIGTERM')` where the program listens for SIGTERM: it starts the
 * program's own graceful shutdown (an admin "restart" endpoint); inside that listener it re-raises
 * the signal after cleanup, and is judged as an exit.
 */
function startsGracefulShutdown(context: Context, exit: ExitCall, rootsOfExit: readonly ShutdownRoot[]): boolean {
  const { signal } = exit;
  if (!signal || !shutdownSignals.has(signal)) return false;
  return context.index.shutdownRoots.some(
    (root) => root.signals?.includes(signal) === true && !rootsOfExit.includes(root),
  );
}

/**
 * `function exitNow() { process.exit(0) }` called on a shutdown path right after `server.close()`:
 * the cleanup is pending at the call.
 */
function pendingAtCallers(context: Context, scope: ts.Node, roots: readonly ShutdownRoot[]): CleanupStart | undefined {
  const t = context.ts;
  const { index } = context;
  if (t.isSourceFile(scope) || roots.some((root) => root.fn === scope)) return undefined;
  const seen = new Set<ts.Node>();
  for (const root of roots) {
    for (const fn of index.shutdownPath(root)) {
      if (seen.has(fn)) continue;
      seen.add(fn);
      const body = functionBody(t, fn);
      if (!body) continue;
      let found: CleanupStart | undefined;
      const visit = (n: ts.Node): void => {
        if (found || (n !== body && isFunctionLikeWithBody(t, n))) return;
        if (t.isCallExpression(n) && index.resolveFunctions(n.expression, 0, false).includes(scope as never)) {
          found = pendingCleanupBefore(index, n, fn, 'any-promise');
          if (found) return;
        }
        t.forEachChild(n, visit);
      };
      visit(body);
      if (found) return found;
    }
  }
  return undefined;
}

/** `process.on('SIGINT', process.exit)`: the listener is the exit itself. */
function checkExitAsListener(context: Context, call: ts.CallExpression): void {
  const t = context.ts;
  const { index, sourceFile } = context;
  const parts = methodCallParts(t, call);
  if (!parts || !listenerMethods.has(parts.name)) return;
  const [event, listener] = call.arguments;
  if (!event || !listener || !t.isStringLiteralLike(event) || !shutdownSignals.has(event.text)) return;
  if (!isExitReference(index, listener)) return;
  const receiver = index.binding.resolve(parts.receiver);
  if (!receiver || !sameRef(receiver, { module: 'global', path: ['process'] })) return;
  if (!isLongRunningForItsCommands(index, sourceFile) || isShebangScript(index, sourceFile)) return;
  if (isWorkerThreadFile(index, sourceFile) || index.shutdownRootsOf(call).length > 0) return; // a second-signal exit
  context.report({
    node: listener,
    messageId: 'exitWithoutCleanup',
    data: {
      exit: calleeText(t, listener, sourceFile),
      trigger: `process.${parts.name}('${event.text}')`,
      label: openThingLabel(index),
    },
  });
}

/**
 * `process.exit(n)` -> `process.exitCode = n` (and `return` when code follows it in the
 * function): the process ends on its own once the cleanup it cut off finishes. `process.exit()`
 * without an argument exits with the current `process.exitCode`, so it is dropped (or becomes a
 * `return`). Offered only inside a function whose return type allows a bare `return`.
 */
function exitCodeSuggestions(context: Context, exit: ExitCall, pending: CleanupStart): Suggestion<MessageId>[] {
  const t = context.ts;
  const { sourceFile, index } = context;
  const call = exit.call;
  const ref = index.binding.resolve(call.expression);
  if (exit.how !== 'exit' || ref?.path[1] !== 'exit') return [];
  const statement = call.parent;
  if (!t.isExpressionStatement(statement) || skipOuterExpressions(t, statement.expression) !== call) return [];
  const fn = enclosingFunction(t, statement);
  if (!fn?.body || !t.isBlock(fn.body)) return [];
  if (fn.type && !/^(void|undefined|Promise<void>|Promise<undefined>)$/.test(fn.type.getText(sourceFile))) return [];
  if (!processIsGlobal(context, statement)) return [];
  const statements = fn.body.statements;
  const last = statement.parent === fn.body && statements[statements.length - 1] === statement;
  const start = statement.getStart(sourceFile);
  const end = statement.getEnd();
  const lineStart = sourceFile.text.lastIndexOf('\n', start - 1) + 1;
  const indent = /^[ \t]*$/.test(sourceFile.text.slice(lineStart, start))
    ? sourceFile.text.slice(lineStart, start)
    : '';
  const code = call.arguments[0];
  // `if (x) process.exit(1);`: two statements need a block there.
  const inBlock =
    t.isBlock(statement.parent) || t.isCaseClause(statement.parent) || t.isDefaultClause(statement.parent);
  if (code) {
    const assign = `process.exitCode = ${code.getText(sourceFile)};`;
    const text = last ? assign : inBlock ? `${assign}\n${indent}return;` : `{ ${assign} return; }`;
    return [
      {
        messageId: 'suggestExitCode',
        data: { code: code.getText(sourceFile), cleanup: pending.name },
        edits: [{ start, end, text }],
      },
    ];
  }
  if (!last)
    return [{ messageId: 'suggestReturn', data: { cleanup: pending.name }, edits: [{ start, end, text: 'return;' }] }];
  // The last statement: remove its line when it stands alone on it.
  const lineEnd = sourceFile.text.indexOf('\n', end);
  const alone = indent !== '' || lineStart === start;
  const removeTo = alone && lineEnd !== -1 && /^[ \t]*$/.test(sourceFile.text.slice(end, lineEnd)) ? lineEnd + 1 : end;
  return [
    {
      messageId: 'suggestReturn',
      data: { cleanup: pending.name },
      edits: [{ start: removeTo === end ? start : lineStart, end: removeTo, text: '' }],
    },
  ];
}

/** `process` at this point is Node's global, not a local of that name. */
function processIsGlobal(context: Context, at: ts.Node): boolean {
  const t = context.ts;
  const symbol = context.types.getSymbolsInScope(at, t.SymbolFlags.Value).find((s) => s.name === 'process');
  return !symbol || (symbol.declarations ?? []).every((d) => d.getSourceFile().isDeclarationFile);
}
