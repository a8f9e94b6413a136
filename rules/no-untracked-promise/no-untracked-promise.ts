// no-untracked-promise: work started and dropped so that nothing can wait for it at shutdown.
// Unlike no-floating-promises, handling the rejection (`.catch`, `void`) does not make it tracked.
import type * as ts from 'typescript';
import {
  type ApiRef,
  callbackDroppers,
  cleanupNames,
  findFactory,
  inProcessCalls,
  isInProcessModule,
  kindSpec,
  knownSafeCalls,
  lifecycleModule,
  listenerMethods,
  modelBaseClasses,
  readCalls,
  refIn,
  responseBodyMethods,
  sameRef,
  timeoutTimers,
  timerClears,
} from '../../src/core/catalogue.js';
import { forcesInside } from '../../src/core/deadlines.js';
import { lifecycleDrainedOnShutdown, lifecycleRoleOf } from '../../src/core/lifecycle-calls.js';
import {
  chainHandlers,
  isChainMethod,
  isPromiseType,
  isPromiseValued,
  originOfChain,
} from '../../src/core/promises.js';
import { defineRule, type RuleContext, type TestFileOptions, type Suggestion } from '../../src/core/rule.js';
import { callSpecifierSchema, matchesCall, type CallSpecifier } from '../../src/core/specifiers.js';
import { isCalledOnlyAtStartup, namedScopeOf } from '../../src/core/startup.js';
import { callbackWaitsOnlyInShutdownQueue, waitsOnlyInShutdownQueue } from './serial-queues.js';
import { settlesStoredResolvers } from './settled-resolvers.js';
import {
  calleeText,
  enclosingFunction,
  functionBody,
  isAsyncFunction,
  isFunctionLikeWithBody,
  isInDeclarationFileOrNodeModules,
  type FunctionLikeWithBody,
  methodCallParts,
  skipOuterExpressions,
  type TS,
} from '../../src/core/ts-utils.js';
import { aliasTarget } from '../../src/core/type-questions.js';

export type MessageId =
  | 'untracked'
  | 'trackerNotDrained'
  | 'lifecycleNotDrained'
  | 'untrackedInHandler'
  | 'droppedInShutdownHook'
  | 'untrackedWorker'
  | 'droppedCallback'
  | 'droppedCallbackInHandler'
  | 'unusedLocal'
  | 'unusedLocalInHandler'
  | 'suggestAwait'
  | 'suggestTrack';

export interface Options extends TestFileOptions {
  /** Calls that track the work they are given, so shutdown can wait for it. */
  trackers: CallSpecifier[];
  /** Calls whose promise may float on purpose. */
  allowForKnownSafeCalls: CallSpecifier[];
  /** Also report async listeners given to EventEmitter `on`/`once`. */
  checkEventListeners: boolean;
}

/** What a finding carries for its message and its codemod. */
export type NoUntrackedPromiseData = {
  /** The dropped call, as messages show it. */
  name?: string;
  /** The API that drops its callback's promise (`forEach`, `on`). */
  dropper?: string;
  /** The dropper is `Array#forEach` (the codemod can rewrite it into `Promise.all(map)`). */
  arrayForEach?: boolean;
  /** The variable an unawaited promise is kept in. */
  variable?: string;
  /** The tracker's method that waits for its work, which no shutdown path calls. */
  drain?: string;
  /** The shutdown hook whose promise the framework awaits (`onModuleDestroy`, `Fastify app addHook`). */
  hook?: string;
};

type Context = RuleContext<MessageId, Options, NoUntrackedPromiseData>;

export default defineRule<MessageId, Options, NoUntrackedPromiseData>({
  meta: {
    id: 'no-untracked-promise',
    description: 'Disallow promise-valued work that is started and dropped, so shutdown cannot wait for it',
    goLesson: '`go writeAudit()` in a handler: a goroutine no WaitGroup waits for',
    recommended: 'error',
    requiresTypeChecking: true,
    skipsTestFiles: true,
    hasSuggestions: true,
    messages: {
      untracked:
        '`{{name}}` starts work that nothing waits for: SIGTERM can cut it off. Await it, return it, or track it.',
      trackerNotDrained:
        "`{{name}}` hands the work to the program's own tracker, but no shutdown path calls `{{drain}}`, which waits for it: SIGTERM can cut it off. Call `{{drain}}` when shutting down.",
      lifecycleNotDrained:
        '`{{name}}` hands the work to the lifecycle, but nothing waits for it: no shutdown path calls ' +
        '`lifecycle.shutdown()` and nothing calls `lifecycle.handleSignals()`, so SIGTERM cuts it off as before. ' +
        'Await `lifecycle.shutdown()` in the shutdown handler before it exits, or call `lifecycle.handleSignals()`.',
      untrackedInHandler:
        '`{{name}}` starts work that can outlive the response: nothing waits for it, and SIGTERM can cut ' +
        'it off. Await it before responding, or track it.',
      droppedInShutdownHook:
        '`{{name}}` starts work inside a shutdown hook ({{hook}}) without waiting for it: the framework ' +
        "awaits the hook's own promise, so it goes on shutting down (and exits) while this work runs. " +
        'Await it or return it.',
      untrackedWorker:
        '`{{name}}` starts a worker thread that nothing keeps or waits for: SIGTERM ends it mid-work. ' +
        "Keep the worker and wait for its `'exit'` at shutdown (`once(worker, 'exit')`), or await that in the caller.",
      droppedCallback:
        '`{{dropper}}` drops the promise of this async callback: nothing waits for it, and SIGTERM can ' +
        'cut it off. Track the work it starts.',
      droppedCallbackInHandler:
        '`{{dropper}}` drops the promise of this async callback, and the work can outlive the response: ' +
        'SIGTERM can cut it off. Track the work it starts.',
      unusedLocal:
        '`{{variable}}` holds the work `{{name}}` started, but it is never awaited, returned or passed ' +
        'on: SIGTERM can cut it off.',
      unusedLocalInHandler:
        '`{{variable}}` holds the work `{{name}}` started, but it is never awaited, returned or passed ' +
        'on, so it can outlive the response: SIGTERM can cut it off.',
      suggestAwait: 'Await it.',
      suggestTrack: 'Track it with `{{tracker}}`.',
    },
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        trackers: {
          type: 'array',
          items: callSpecifierSchema,
          description:
            'Calls that track work for shutdown (`inflight.track`, `ctx.waitUntil`). Their results are never ' +
            'reported, and the first string one is offered as the "track it" suggestion.',
        },
        allowForKnownSafeCalls: {
          type: 'array',
          items: callSpecifierSchema,
          description: 'Calls whose promise may float on purpose. `node:test` registrations are always allowed.',
        },
        checkEventListeners: {
          type: 'boolean',
          description:
            'Also report async functions given to EventEmitter `on`/`once`, whose promise the emitter drops.',
        },
      },
    },
    defaultOptions: { trackers: [], allowForKnownSafeCalls: [], checkEventListeners: false },
  },

  create(context) {
    const t = context.ts;
    const { SyntaxKind } = t;
    // A browser script or a stand-alone script beside the service gets no SIGTERM.
    if (!context.index.isPartOfService(context.sourceFile)) return {};
    return {
      [SyntaxKind.ExpressionStatement]: (node) => checkStatement(context, node as ts.ExpressionStatement),
      [SyntaxKind.CallExpression]: (node) => {
        checkDroppedCallback(context, node as ts.CallExpression);
        checkLifecycleTrack(context, node as ts.CallExpression);
      },
      [SyntaxKind.ArrowFunction]: (node) => checkVoidArrow(context, node as ts.ArrowFunction),
      [SyntaxKind.VariableDeclaration]: (node) => checkLocal(context, node as ts.VariableDeclaration),
    };
  },
});

/**
 * `lifecycle.track(work)` in a program whose shutdown never waits for the lifecycle: the service's
 * own SIGTERM handler closes the server and exits, and nothing runs `lifecycle.shutdown()`. The
 * work is as untracked as before it was wrapped.
 */
function checkLifecycleTrack(context: Context, call: ts.CallExpression): void {
  const { index } = context;
  if (lifecycleRoleOf(index, call) !== 'tracks' || lifecycleDrainedOnShutdown(index)) return;
  const work = call.arguments[0];
  const origin = work && originOfChain(context.ts, work);
  const name = origin ? workName(context.ts, origin, context.sourceFile) : 'this work';
  context.report({ node: call, messageId: 'lifecycleNotDrained', data: { name } });
}

/** How messages name the work: `sendReceipt(…)`, `repo.insert(…)`. */
function workName(t: TS, origin: ts.Expression, sourceFile: ts.SourceFile): string {
  return t.isCallExpression(origin) || t.isNewExpression(origin)
    ? `${calleeText(t, origin.expression, sourceFile)}(…)`
    : calleeText(t, origin, sourceFile);
}

/** Branches of an expression statement whose values are dropped. */
function droppedValues(t: TS, expression: ts.Expression): ts.Expression[] {
  const e = skipOuterExpressions(t, expression);
  if (t.isVoidExpression(e)) return droppedValues(t, e.expression);
  if (t.isConditionalExpression(e)) return [...droppedValues(t, e.whenTrue), ...droppedValues(t, e.whenFalse)];
  if (t.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === t.SyntaxKind.CommaToken) return [...droppedValues(t, e.left), ...droppedValues(t, e.right)];
    if (
      op === t.SyntaxKind.AmpersandAmpersandToken ||
      op === t.SyntaxKind.BarBarToken ||
      op === t.SyntaxKind.QuestionQuestionToken
    ) {
      return droppedValues(t, e.right);
    }
    return [];
  }
  return [e];
}

function isAllowed(context: Context, call: ts.Expression): boolean {
  const t = context.ts;
  if (!t.isCallExpression(call) && !t.isNewExpression(call)) return false;
  const { index, options, sourceFile } = context;
  const ref = index.binding.resolve(call.expression);
  if (ref && refIn(ref, knownSafeCalls)) return true;
  if (lifecycleRoleOf(index, call) === 'tracks') return true;
  return (
    matchesCall(t, index, call, options.trackers, sourceFile) ||
    matchesCall(t, index, call, options.allowForKnownSafeCalls, sourceFile)
  );
}

/** A call anywhere in a `.then/.catch/.finally` chain is allowed or a tracker. */
function isAllowedChain(context: Context, expression: ts.Expression): boolean {
  const t = context.ts;
  let e = skipOuterExpressions(t, expression);
  for (;;) {
    if (isAllowed(context, e)) return true;
    if (!t.isCallExpression(e)) return false;
    const parts = methodCallParts(t, e);
    if (!parts || !isChainMethod(parts.name)) return false;
    e = skipOuterExpressions(t, parts.receiver);
  }
}

function checkStatement(context: Context, statement: ts.ExpressionStatement): void {
  const t = context.ts;
  const { index, sourceFile } = context;
  if (isEntryPromise(context, statement) || isWorkerThreadEntry(context, statement)) return;
  if (isStartSequence(context, statement)) return;
  // A signal listener starting the drain is the shutdown path itself; nothing awaits its promise.
  // A hook the framework awaits (`onModuleDestroy`) is still checked: its promise is the wait.
  const hook = awaitedShutdownHookOf(context, statement);
  if (!hook && isShutdownRootBody(context, statement)) return;
  for (const value of droppedValues(t, statement.expression)) {
    const worker = workerThreadStart(context, value);
    if (worker) {
      context.report({
        node: statement,
        messageId: 'untrackedWorker',
        data: { name: `new ${workName(t, worker, sourceFile)}` },
      });
      return;
    }
    if (!isPromiseValued(t, index, value) || isAllowedChain(context, value)) continue;
    const origin = originOfChain(t, value);
    // `promise.finally(…)` on a promise someone else started: a local's chain is checked as
    // that local; a parameter's or a field's belongs to whoever started it.
    if (!t.isCallExpression(origin) && !t.isNewExpression(origin)) continue;
    if (isHandlerWrapperForward(context, origin) || handsResultToCallback(context, value, statement)) continue;
    if (isShutdownItself(context, origin, value, hook !== undefined)) continue;
    if (settlesAtOnce(context, origin) || runsUntilClosed(context, origin)) continue;
    if (wrapsValueInHand(context, origin, value)) continue;
    if (returnsWhatCallerAwaited(context, origin, statement)) continue;
    if (releasesOnly(context, origin, value)) continue;
    if (releasesFailedClient(context, origin, statement)) continue;
    if (respondsWhenDone(context, origin, value, statement)) continue;
    if (feedsAwaitedStream(context, origin)) continue;
    if (waitsOnlyInShutdownQueue(index, value)) continue;
    if (t.isCallExpression(origin) && endsByResolving(context, origin.expression)) continue;
    if (isUnsuppliedSyncHook(context, origin)) continue;
    if (isSyncOnlyMember(context, origin)) continue;
    if (isCacheWrite(context, origin)) continue;
    if (onlyReads(context, value)) continue;
    const name = workName(t, origin, sourceFile);
    const tracker = ownTrackerOf(context, origin);
    if (tracker?.drainedOnShutdown) continue;
    if (tracker) {
      context.report({ node: statement, messageId: 'trackerNotDrained', data: { name, drain: tracker.drain } });
      return;
    }
    if (hook) {
      context.report({
        node: statement,
        messageId: 'droppedInShutdownHook',
        data: { name, hook },
        suggestions: suggestionsFor(context, statement, statement.expression).filter(
          (s) => s.messageId === 'suggestAwait',
        ),
      });
      return;
    }
    const inHandler = index.enclosingHandler(statement) !== undefined;
    context.report({
      node: statement,
      messageId: inHandler ? 'untrackedInHandler' : 'untracked',
      data: { name },
      suggestions: suggestionsFor(context, statement, statement.expression),
    });
    return; // one report per statement
  }
}

/**
 * The drain itself, or its deadline: `void shutdown()` from a fatal-error path where `shutdown`
 * is what SIGTERM runs (not inside a hook whose promise the framework awaits), and `void sleep(ms).then(() => process.exit(1))`, the force-quit timer.
 */
function isShutdownItself(
  context: Context,
  origin: ts.Expression,
  value: ts.Expression,
  inAwaitedHook: boolean,
): boolean {
  const t = context.ts;
  const { index } = context;
  // In a hook the framework awaits, every call is one the hook makes: the drain it starts is
  // still one the framework must wait for.
  if (
    !inAwaitedHook &&
    t.isCallExpression(origin) &&
    index.resolveFunctions(origin.expression, 0, false).some((fn) => index.startsShutdown(fn))
  ) {
    return true;
  }
  // `void lifecycle.closeServer(server)`, `void lifecycle.shutdown()`: bounded, and the open
  // server (or the drain's own timer) holds the process until they finish.
  const role = t.isCallExpression(origin) ? lifecycleRoleOf(index, origin) : undefined;
  if (role === 'bounded-close' || role === 'drains') return true;
  return chainHandlers(t, value).some((handler) =>
    index.resolveFunctions(handler).some((fn) => forcesInside(t, index, fn)),
  );
}

/** Methods that add to a cache (not those that invalidate: a lost `del` serves stale data). */
const cacheWriteMethods = new Set(['set', 'mset', 'setex', 'expire', 'touch']);
/** A `set`-prefixed fill: `CacheHelper.setData(key, count)`, `cache.setItem(…)`, `setValue`, `setMany`. */
const cacheSetterName = /^set[A-Z]/;
/** A function named for filling a cache: `calculateAndCacheBenchmarks`, `warmUpSnapshot`, `cacheQuotes`. */
const cacheFillerName = /^(warm|(?:[a-z]\w*)?(?:Cache|cache)(?:[A-Z]\w*)?$)/;
const invalidationName = /invalidate|evict|clear|delete|remove|purge|bust|flush|del(?:[A-Z]|$)/i;

/**
 * `this.redisCacheService.set(key, json, ttl)`: a write to what its name says is a cache, and
 * `this.calculateAndCacheBenchmarks()`, `void this.warmUpSnapshot(user)`: a function of the program
 * named for filling one. A cache holds copies that can be rebuilt, so a fill cut off by SIGTERM
 * costs a cache miss, not data. `set`-prefixed methods fill too (`CacheHelper.setData(key, count)`,
 * `setItem`, `setValue`), unless the name also invalidates (`setDeleted`, `setInvalidated`). Decided by name (the receiver's last name contains `cache`, or the name of the getter it is the result of, `getRedisCache().setJson(…)`; the
 * function's name says it caches or warms up), as a maintainer reads it: a store named a cache
 * that holds the only copy of something is misnamed. An invalidation (`cache.del(key)`,
 * `invalidateCache()`) is still reported: losing it serves stale data.
 */
function isCacheWrite(context: Context, origin: ts.Expression): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const parts = methodCallParts(t, origin);
  if (
    parts &&
    (cacheWriteMethods.has(parts.name) || (cacheSetterName.test(parts.name) && !invalidationName.test(parts.name))) &&
    /cache/i.test(receiverName(t, parts.receiver) ?? '')
  )
    return true;
  const name = lastName(t, origin.expression);
  if (!name || !cacheFillerName.test(name) || invalidationName.test(name)) return false;
  return context.index.resolveFunctions(origin.expression, 0, false).length > 0;
}

/**
 * `this.persistSession?.('create', session)` where the hook is an optional parameter or property typed
 * `(…) => void | Promise<void>`: a function the library's user may supply, and its type lets it be
 * synchronous. When no function of the program is given as it (none that the index can follow to
 * the call), there is no work here for shutdown to wait for: the finding belongs to an
 * application that supplies an async hook, and one the program supplies visibly is still reported.
 */
function isUnsuppliedSyncHook(context: Context, origin: ts.Expression): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const callee = skipOuterExpressions(t, origin.expression);
  const name = t.isIdentifier(callee) ? callee : t.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (!name || !t.isIdentifier(name)) return false;
  const declaration = context.types.getSymbolAtLocation(name)?.valueDeclaration;
  if (
    !declaration ||
    !(t.isParameter(declaration) || t.isPropertySignature(declaration) || t.isPropertyDeclaration(declaration))
  ) {
    return false;
  }
  // Optional: a hook the user may leave out. A required function parameter (`every(ms, task)`) is
  // the program's own work handed in, and dropping it is the hazard.
  if (!declaration.questionToken && !origin.questionDotToken) return false;
  const type = context.types.getTypeAtLocation(callee);
  const signatures = (type.isUnion() ? type.types : [type]).flatMap((part) => part.getCallSignatures());
  const allowsSync = (signature: ts.Signature): boolean => {
    const returned = signature.getReturnType();
    return (returned.isUnion() ? returned.types : [returned]).some(
      (part) => (part.flags & (t.TypeFlags.Void | t.TypeFlags.Undefined)) !== 0,
    );
  };
  if (signatures.length === 0 || !signatures.every(allowsSync)) return false;
  return context.index.resolveFunctions(callee, 0, false).length === 0;
}

/**
 * `ctx.log.info(…)` where `info` is a member of the program's own interface or object type typed
 * `(…) => void | Promise<void>` (`FunctionLogger`), and every implementation of it the program has
 * is synchronous: the object literals that have the type's required members (`{ info, warn, … }`,
 * returned by a factory or typed in place), the classes that have them or extend something, and the
 * functions assigned to the member (`logger.info = …`). The type lets an implementation be async;
 * none here is, so the call leaves nothing running. An implementation that returns another such
 * call (`info: (m) => chain.log.info(ctx, m)`) is synchronous when that member is. Kept: a type
 * declared by a library (whose values the library makes), a member with no implementation in the
 * program, and one whose implementation is a value the analysis cannot see into.
 */
function isSyncOnlyMember(context: Context, origin: ts.Expression, seen = new Set<ts.Node>()): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const callee = skipOuterExpressions(t, origin.expression);
  if (!t.isPropertyAccessExpression(callee) || !t.isIdentifier(callee.name)) return false;
  const declarations = context.types.getSymbolAtLocation(callee.name)?.declarations ?? [];
  if (
    declarations.length === 0 ||
    !declarations.every(
      (d) =>
        (t.isPropertySignature(d) || t.isMethodSignature(d)) &&
        (t.isInterfaceDeclaration(d.parent) || t.isTypeLiteralNode(d.parent)) &&
        !declaredByLibrary(t, d),
    )
  ) {
    return false;
  }
  // An implementation that hands the call on to a member being asked about (`info: (m) =>
  // chain.log.info(ctx, m)` where the chain's literal has the same names) adds no async work of
  // its own: whether it is synchronous is what the other implementations say.
  if (declarations.some((d) => seen.has(d))) return true;
  // Sync or async: every signature allows `void`, and some a promise.
  const type = context.types.getTypeAtLocation(callee);
  const signatures = (type.isUnion() ? type.types : [type]).flatMap((part) => part.getCallSignatures());
  const returnParts = (signature: ts.Signature): ts.Type[] => {
    const returned = signature.getReturnType();
    return returned.isUnion() ? returned.types : [returned];
  };
  if (
    signatures.length === 0 ||
    !signatures.every(
      (s) =>
        returnParts(s).some((p) => (p.flags & (t.TypeFlags.Void | t.TypeFlags.Undefined)) !== 0) ||
        isUntypedReturn(t, s),
    )
  ) {
    return false;
  }
  for (const d of declarations) seen.add(d);
  try {
    const answers = declarations
      .flatMap((d) => implementationsOf(context, d as ts.TypeElement))
      .map(({ value, open }) => {
        const answer = synchronousValue(context, value, seen);
        // A literal with a spread counts only with a visible function: `{ ...meta, error: err }` is data.
        return open && answer === 'maybe async' && !looksLikeFunction(context, value) ? 'not a function' : answer;
      })
      .filter((answer) => answer !== 'not a function');
    return answers.length > 0 && answers.every((answer) => answer === 'sync');
  } finally {
    for (const d of declarations) seen.delete(d);
  }
}

/** A declaration in node_modules or in an ambient `declare module 'name'` block: a library's type, whose values it may make. */
function declaredByLibrary(t: TS, declaration: ts.Node): boolean {
  if (/[\\/]node_modules[\\/]/.test(declaration.getSourceFile().fileName)) return true;
  for (let node: ts.Node | undefined = declaration.parent; node; node = node.parent) {
    if (t.isModuleDeclaration(node) && t.isStringLiteral(node.name)) return true;
  }
  return false;
}

interface MemberCandidate {
  /** The member's value: a function, or the expression given as it. */
  value: ts.Node;
  /** The names its object literal or class has (undefined for an assignment `x.name = value`). */
  names?: ReadonlySet<string>;
  /** An object literal with a spread, or a class that extends or implements something: members it may not show. */
  open?: boolean;
  /** The object literal it is a property of. */
  literal?: ts.ObjectLiteralExpression;
  /** The assigned property, for `x.name = value`. */
  assigned?: ts.PropertyAccessExpression;
}

const memberCandidatesByIndex = new WeakMap<object, Map<string, MemberCandidate[]>>();

/** Every object literal property, class member and property assignment of the program, by name (once per program). */
function memberCandidates(context: Context): Map<string, MemberCandidate[]> {
  const t = context.ts;
  let byName = memberCandidatesByIndex.get(context.index);
  if (byName) return byName;
  const found = new Map<string, MemberCandidate[]>();
  byName = found;
  const add = (name: string, candidate: MemberCandidate): void => {
    const list = found.get(name);
    if (list) list.push(candidate);
    else found.set(name, [candidate]);
  };
  const nameOf = (name: ts.PropertyName | undefined): string | undefined =>
    name && (t.isIdentifier(name) || t.isStringLiteral(name)) ? name.text : undefined;
  const visit = (node: ts.Node): void => {
    if (t.isObjectLiteralExpression(node)) {
      const names = new Set<string>();
      for (const property of node.properties) {
        const name = nameOf(property.name);
        if (name) names.add(name);
      }
      const open = node.properties.some((p) => t.isSpreadAssignment(p));
      for (const property of node.properties) {
        const name = nameOf(property.name);
        if (!name) continue;
        if (t.isPropertyAssignment(property)) add(name, { value: property.initializer, names, open, literal: node });
        else if (t.isShorthandPropertyAssignment(property))
          add(name, { value: property.name, names, open, literal: node });
        else if (t.isMethodDeclaration(property)) add(name, { value: property, names, open, literal: node });
      }
    } else if (t.isClassLike(node)) {
      const names = new Set<string>();
      for (const member of node.members) {
        const name = nameOf(member.name);
        if (name) names.add(name);
      }
      const open = (node.heritageClauses ?? []).length > 0;
      for (const member of node.members) {
        const name = nameOf(member.name);
        if (!name) continue;
        if (t.isMethodDeclaration(member) && member.body) add(name, { value: member, names, open });
        else if (t.isPropertyDeclaration(member) && member.initializer)
          add(name, { value: member.initializer, names, open });
      }
    } else if (
      t.isBinaryExpression(node) &&
      node.operatorToken.kind === t.SyntaxKind.EqualsToken &&
      t.isPropertyAccessExpression(node.left) &&
      t.isIdentifier(node.left.name)
    ) {
      add(node.left.name.text, { value: node.right, assigned: node.left });
    }
    t.forEachChild(node, visit);
  };
  for (const file of context.index.sourceFiles) visit(file);
  memberCandidatesByIndex.set(context.index, found);
  return found;
}

/**
 * `new ExternalCopy({ info: …, warn: … })` from a library without types: the literal is handed to
 * code that does not take it as any type of the program, so it is no implementation of one.
 */
function givenToUntypedCall(context: Context, literal: ts.ObjectLiteralExpression): boolean {
  const t = context.ts;
  let node: ts.Node = literal;
  while (t.isParenthesizedExpression(node.parent)) node = node.parent;
  const call = node.parent;
  if (!(t.isCallExpression(call) || t.isNewExpression(call)) || !call.arguments?.includes(node as ts.Expression)) {
    return false;
  }
  const callee = context.types.getTypeAtLocation(call.expression);
  return (callee.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) !== 0;
}

/**
 * The values the program gives as `member` of its interface or object type: by structure, as the
 * type checker accepts them (an object literal or class with every required member of the type),
 * and by name for an assignment to the member itself.
 */
function implementationsOf(context: Context, member: ts.TypeElement): { value: ts.Node; open: boolean }[] {
  const t = context.ts;
  const name = member.name && (t.isIdentifier(member.name) || t.isStringLiteral(member.name)) ? member.name.text : '';
  if (!name) return [];
  const container = member.parent as ts.InterfaceDeclaration | ts.TypeLiteralNode;
  const required: string[] = [];
  for (const m of container.members) {
    if (m.questionToken || !m.name || !(t.isIdentifier(m.name) || t.isStringLiteral(m.name))) continue;
    required.push(m.name.text);
  }
  const result: { value: ts.Node; open: boolean }[] = [];
  for (const candidate of memberCandidates(context).get(name) ?? []) {
    if (candidate.assigned) {
      const declarations = context.types.getSymbolAtLocation(candidate.assigned.name)?.declarations ?? [];
      if (declarations.includes(member)) result.push({ value: candidate.value, open: false });
    } else if (
      (candidate.open || required.every((n) => candidate.names?.has(n))) &&
      !(candidate.literal && givenToUntypedCall(context, candidate.literal))
    ) {
      const open = candidate.open === true && !required.every((n) => candidate.names?.has(n));
      result.push({ value: candidate.value, open });
    }
  }
  return result;
}

/** A signature the program's own type declares without a return type (`log(message: string);`): implicitly any. */
function isUntypedReturn(t: TS, signature: ts.Signature): boolean {
  const declaration = signature.getDeclaration() as ts.SignatureDeclaration | undefined;
  return (
    declaration !== undefined &&
    declaration.type === undefined &&
    (t.isMethodSignature(declaration) || t.isPropertySignature(declaration.parent)) &&
    (signature.getReturnType().flags & t.TypeFlags.Any) !== 0
  );
}

/** A function expression, or a name of a function of the program. */
function looksLikeFunction(context: Context, value: ts.Node): boolean {
  const t = context.ts;
  return (
    isFunctionLikeWithBody(t, value) || context.index.resolveFunctions(value as ts.Expression, 0, false).length > 0
  );
}

/**
 * Whether a member's value returns no promise: a function that is not async and returns none, or
 * a value typed so. A value that is no function at all (`{ info: 1, warn: 2 }`, a table of levels
 * with the same names) is not an implementation.
 */
function synchronousValue(
  context: Context,
  value: ts.Node,
  seen: Set<ts.Node>,
): 'sync' | 'maybe async' | 'not a function' {
  const t = context.ts;
  const answer = (sync: boolean): 'sync' | 'maybe async' => (sync ? 'sync' : 'maybe async');
  if (isFunctionLikeWithBody(t, value)) return answer(isSynchronousFunction(context, value, seen));
  const expression = value as ts.Expression;
  const functions = context.index.resolveFunctions(expression, 0, false);
  if (functions.length > 0) return answer(functions.every((fn) => isSynchronousFunction(context, fn, seen)));
  // A value the program does not define (a library's function): its type must say it returns no promise.
  const type = context.types.getTypeAtLocation(expression);
  if (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) return 'maybe async';
  const signatures = (type.isUnion() ? type.types : [type]).flatMap((part) => part.getCallSignatures());
  if (signatures.length === 0) return 'not a function';
  return answer(
    signatures.every((signature) => {
      const returned = signature.getReturnType();
      return (
        (returned.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) === 0 && !isPromiseType(t, context.types, returned)
      );
    }),
  );
}

function isSynchronousFunction(context: Context, fn: FunctionLikeWithBody, seen: Set<ts.Node>): boolean {
  const t = context.ts;
  if (isAsyncFunction(t, fn) || ('asteriskToken' in fn && fn.asteriskToken)) return false;
  const body = functionBody(t, fn);
  if (!body) return false;
  const returnsSync = (expression: ts.Expression): boolean =>
    !mayBePromise(context, expression) || isSyncOnlyMember(context, skipOuterExpressions(t, expression), seen);
  if (!t.isBlock(body)) return returnsSync(body as ts.Expression);
  let sync = true;
  const visit = (node: ts.Node): void => {
    if (!sync || isFunctionLikeWithBody(t, node)) return;
    if (t.isReturnStatement(node) && node.expression && !returnsSync(node.expression)) sync = false;
    else t.forEachChild(node, visit);
  };
  t.forEachChild(body, visit);
  return sync;
}

/**
 * `this.maintainLock(name)` where `async maintainLock() { this.locks[name] = setInterval(…) }`:
 * an async function that never awaits and returns no promise has done all its work when the call
 * returns; its promise is already settled, and there is nothing for shutdown to wait for.
 */
function settlesAtOnce(context: Context, origin: ts.Expression): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const functions = context.index.resolveFunctions(origin.expression, 0, false);
  return functions.length > 0 && functions.every((fn) => isAsyncFunction(t, fn) && !leavesWorkPending(context, fn));
}

/**
 * `Promise.resolve(ret).then(settle)`, `Promise.resolve(v).catch(() => {})`, `Promise.resolve().then(() =>
 * { throw error; })`: a promise made of a value already in hand (no call, no `new`), whose handlers
 * start no promise work of their own, starts nothing SIGTERM can cut off. What `ret` stands for
 * was started where it was made, and is that expression's finding. A handler that does start work
 * (`Promise.resolve().then(() => save())`) is still reported.
 */
function wrapsValueInHand(context: Context, origin: ts.Expression, value: ts.Expression): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin) || origin.arguments.length > 1) return false;
  const ref = context.index.binding.resolve(origin.expression);
  if (ref?.module !== 'global' || ref.path.length !== 2 || ref.path[0] !== 'Promise') return false;
  if (ref.path[1] !== 'resolve' && ref.path[1] !== 'reject') return false;
  const argument = origin.arguments[0] && skipOuterExpressions(t, origin.arguments[0]);
  if (
    argument &&
    !t.isIdentifier(argument) &&
    !t.isPropertyAccessExpression(argument) &&
    !t.isLiteralExpression(argument)
  )
    return false;
  return chainHandlers(t, value).every((handler) => {
    const h = skipOuterExpressions(t, handler);
    const functions = isFunctionLikeWithBody(t, h) ? [h] : context.index.resolveFunctions(h, 0, false);
    return functions.length > 0 && functions.every((fn) => !startsPromiseWork(context, fn));
  });
}

/** Whether a function's own body (not its nested functions) calls anything that yields a promise. */
function startsPromiseWork(context: Context, fn: FunctionLikeWithBody): boolean {
  const t = context.ts;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn && isFunctionLikeWithBody(t, node))) return;
    if ((t.isCallExpression(node) || t.isNewExpression(node)) && isPromiseValued(t, context.index, node)) {
      found = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/**
 * A processing loop's promise: Bull's `queue.process(…)` and BullMQ's `worker.run()` settle only
 * when the queue or worker is closed. Nothing in it is for shutdown to wait for, and a drain that
 * waited for it would wait for the close it has not done yet (until its deadline). What must happen
 * at shutdown is the close (no-unclosed-resource).
 */
function runsUntilClosed(context: Context, origin: ts.Expression): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const parts = methodCallParts(t, origin);
  if (!parts) return false;
  const kind = context.index.kindOf(parts.receiver, true);
  return kind !== undefined && (kindSpec(kind)?.runsUntilClosed?.includes(parts.name) ?? false);
}

/**
 * `this.stop()` where `async stop() { clearTimeout(this.timeout); return this.finished }`, called
 * by a method of the same object that already awaited `this.finished` before the call: the
 * callee's only pending work is a promise its caller has seen settle.
 */
function returnsWhatCallerAwaited(context: Context, origin: ts.Expression, at: ts.Node): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin) || !t.isPropertyAccessExpression(origin.expression)) return false;
  if (origin.expression.expression.kind !== t.SyntaxKind.ThisKeyword) return false;
  const caller = enclosingFunction(t, at);
  if (!caller) return false;
  const functions = context.index.resolveFunctions(origin.expression, 0, false);
  if (functions.length === 0) return false;
  return functions.every((fn) => {
    if (!isAsyncFunction(t, fn)) return false;
    const fields = pendingFieldsOnly(t, fn);
    return fields !== undefined && fields.size > 0 && [...fields].every((f) => awaitsFieldBefore(t, caller, f, at));
  });
}

/** The `this.F` fields a function's own body awaits or returns, or undefined when it waits for anything else. */
function pendingFieldsOnly(t: TS, fn: FunctionLikeWithBody): Set<string> | undefined {
  const body = functionBody(t, fn);
  if (!body || !t.isBlock(body)) return undefined;
  const fields = new Set<string>();
  let other = false;
  const visit = (node: ts.Node): void => {
    if (other || isFunctionLikeWithBody(t, node)) return;
    if (t.isForOfStatement(node) && node.awaitModifier) other = true;
    else if ((t.isAwaitExpression(node) || t.isReturnStatement(node)) && node.expression) {
      const field = thisField(t, skipOuterExpressions(t, node.expression));
      if (field) fields.add(field);
      else other = true;
    } else t.forEachChild(node, visit);
  };
  t.forEachChild(body, visit);
  return other ? undefined : fields;
}

/** `await this.F` in `fn`'s own body, before `at`. */
function awaitsFieldBefore(t: TS, fn: ts.Node, field: string, at: ts.Node): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || node.pos >= at.pos || (node !== fn && isFunctionLikeWithBody(t, node))) return;
    if (t.isAwaitExpression(node) && thisField(t, skipOuterExpressions(t, node.expression)) === field) found = true;
    else t.forEachChild(node, visit);
  };
  const body = functionBody(t, fn);
  if (body) t.forEachChild(body, visit);
  return found;
}

/** An await, a `for await`, or a returned promise in the function's own body (not in nested functions). */
function leavesWorkPending(context: Context, fn: ts.Node): boolean {
  const t = context.ts;
  const body = functionBody(t, fn);
  if (!body) return true;
  if (!t.isBlock(body)) return mayBePromise(context, body as ts.Expression);
  // An empty body is a stub or a base-class hook that overrides fill in (`async flush() {}`):
  // it stands for work, not for its absence.
  if (body.statements.length === 0) return true;
  let pending = false;
  const visit = (node: ts.Node): void => {
    if (pending || isFunctionLikeWithBody(t, node)) return;
    if (t.isAwaitExpression(node) || (t.isForOfStatement(node) && node.awaitModifier)) pending = true;
    else if (t.isReturnStatement(node) && node.expression && mayBePromise(context, node.expression)) pending = true;
    else t.forEachChild(node, visit);
  };
  t.forEachChild(body, visit);
  return pending;
}

/** Methods that give a readable body, stream or reader back without waiting for anything. */
const readableReleaseMethods = new Set(['cancel', 'destroy', 'close', 'abort', 'releaseLock']);
/** A writable stream's `close()` waits for its queued writes (a flush); only an abort discards them. */
const writableReleaseMethods = new Set(['abort', 'destroy']);
const readableStreamTypes = new Set([
  'ReadableStream',
  'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader',
  'Readable',
  'IncomingMessage',
]);
const writableStreamTypes = new Set(['WritableStream', 'WritableStreamDefaultWriter']);

/**
 * A release of a body, stream or reader: `res.body.cancel()`, `reader.cancel()`. Decided by the
 * receiver's type where it is known (a `ReadableStream`, a reader, a `node:stream` Readable; a
 * `WritableStream` only for `abort`), and by a `.body` receiver where it is not.
 */
function isReleaseCall(context: Context, call: ts.Expression): boolean {
  const t = context.ts;
  const e = skipOuterExpressions(t, call);
  if (!t.isCallExpression(e)) return false;
  const parts = methodCallParts(t, e);
  if (!parts || !readableReleaseMethods.has(parts.name)) return false;
  const type = context.types.getTypeAtLocation(parts.receiver);
  if (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) {
    const receiver = skipOuterExpressions(t, parts.receiver);
    return t.isPropertyAccessExpression(receiver) && receiver.name.text === 'body';
  }
  const members = (type.isUnion() ? type.types : [type]).filter(
    (part) => !(part.flags & (t.TypeFlags.Null | t.TypeFlags.Undefined)),
  );
  return (
    members.length > 0 &&
    members.every((part) => {
      const name = part.getSymbol()?.name;
      if (!name) return false;
      if (readableStreamTypes.has(name)) return true;
      return writableStreamTypes.has(name) && writableReleaseMethods.has(parts.name);
    })
  );
}

/** `.catch(h)` or `.then(a, b)` along the chain: the release's rejection is handled. */
function handlesRejection(context: Context, value: ts.Expression): boolean {
  const t = context.ts;
  let e = skipOuterExpressions(t, value);
  while (t.isCallExpression(e)) {
    const parts = methodCallParts(t, e);
    if (!parts || !isChainMethod(parts.name)) return false;
    if ((parts.name === 'catch' && e.arguments.length > 0) || (parts.name === 'then' && e.arguments.length > 1)) {
      return true;
    }
    e = skipOuterExpressions(t, parts.receiver);
  }
  return false;
}

/**
 * Releasing a body, stream or reader, its rejection handled (`void res.body.cancel().catch(log)`),
 * or calling a function of the program whose only pending work is such releases (`void
 * cancelBody(res, 'log')`): nothing is lost if the process dies first, the socket goes with it.
 */
function releasesOnly(context: Context, origin: ts.Expression, value: ts.Expression): boolean {
  const t = context.ts;
  if (isReleaseCall(context, origin)) return handlesRejection(context, value);
  if (!t.isCallExpression(origin)) return false;
  const functions = context.index.resolveFunctions(origin.expression, 0, false);
  return functions.length > 0 && functions.every((fn) => onlyReleasesPending(context, fn));
}

/** Every await and returned promise in the function's own body is a release, and there is one. */
function onlyReleasesPending(context: Context, fn: ts.Node): boolean {
  const t = context.ts;
  const body = functionBody(t, fn);
  if (!body || !t.isBlock(body) || !isAsyncFunction(t, fn)) return false;
  let releases = 0;
  let other = false;
  const visit = (node: ts.Node): void => {
    if (other || isFunctionLikeWithBody(t, node)) return;
    if (t.isForOfStatement(node) && node.awaitModifier) other = true;
    else if (t.isAwaitExpression(node)) {
      if (isReleaseCall(context, originOfChain(t, node.expression))) releases++;
      else other = true;
    } else if (t.isReturnStatement(node) && node.expression && mayBePromise(context, node.expression)) {
      if (isReleaseCall(context, originOfChain(t, node.expression))) releases++;
      else other = true;
    } else if (t.isExpressionStatement(node)) {
      for (const dropped of droppedValues(t, node.expression)) {
        if (!isPromiseValued(t, context.index, dropped)) continue;
        if (isReleaseCall(context, originOfChain(t, dropped)) && handlesRejection(context, dropped)) releases++;
        else other = true;
      }
      if (!other) t.forEachChild(node, visit);
    } else t.forEachChild(node, visit);
  };
  t.forEachChild(body, visit);
  return releases > 0 && !other;
}

/**
 * `producer.disconnect()` in the rejection handler of that producer's own `send`/`connect`
 * (`producer.send(msg).catch(() => { producer.disconnect(); reject(e) })`), where the function
 * created the client for this one job (`const producer = kafka.producer()`): the work it was made
 * for has failed, so its close has nothing to flush or wait for, and the connection goes with the
 * process. A client shared beyond the function (a parameter, a field, a module's) may hold other
 * work that its close waits for: still reported, as is a close outside the failure path.
 */
function releasesFailedClient(context: Context, origin: ts.Expression, statement: ts.Statement): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const parts = methodCallParts(t, origin);
  if (!parts) return false;
  const kind = context.index.kindOf(parts.receiver, true);
  const spec = kind ? kindSpec(kind) : undefined;
  if (!spec || !(spec.close?.includes(parts.name) || spec.forceClose?.includes(parts.name))) return false;
  const client = rootSymbol(context, parts.receiver);
  if (!client || !isClientMadeInFunction(context, client)) return false;
  const handler = enclosingFunction(t, statement);
  let argument: ts.Node | undefined = handler;
  while (argument?.parent && t.isParenthesizedExpression(argument.parent)) argument = argument.parent;
  const call = argument?.parent;
  if (!argument || !call || !t.isCallExpression(call)) return false;
  const chain = methodCallParts(t, call);
  if (!chain) return false;
  const position = call.arguments.indexOf(argument as ts.Expression);
  const onRejection = (chain.name === 'catch' && position === 0) || (chain.name === 'then' && position === 1);
  if (!onRejection) return false;
  const failed = originOfChain(t, chain.receiver);
  const failedParts = t.isCallExpression(failed) ? methodCallParts(t, failed) : undefined;
  return failedParts !== undefined && rootSymbol(context, failedParts.receiver) === client;
}

/** A local of a function, initialised by a call or a `new` (`const producer = kafka.producer()`). */
function isClientMadeInFunction(context: Context, client: ts.Symbol): boolean {
  const t = context.ts;
  const declarations = client.declarations ?? [];
  return (
    declarations.length === 1 &&
    t.isVariableDeclaration(declarations[0]!) &&
    declarations[0].initializer !== undefined &&
    (t.isCallExpression(skipOuterExpressions(t, declarations[0].initializer)) ||
      t.isNewExpression(skipOuterExpressions(t, declarations[0].initializer))) &&
    enclosingFunction(t, declarations[0]) !== undefined
  );
}

/**
 * Work that changes nothing outside the process a lost call would leave undone: every call it
 * makes, through the program's own functions, is a read the catalogue knows (Redis `ping`/`get`,
 * a queue's `count()`, a StatsD `gauge`), a library that works in the process (the `limiter`
 * package, prom-client), a forced close, a log line, timer bookkeeping or a built-in of the
 * language. A metrics tick (`setInterval(async () => Metrics.gauge('jobs', await queue.count()))`)
 * or a health ping is so: SIGTERM cutting it off loses nothing. One call of anything else (a
 * library the catalogue does not know, a write, a function the analysis cannot follow) could be
 * the write that is lost, and keeps the work reported.
 */
function onlyReads(context: Context, value: ts.Expression): boolean {
  const search = newReadSearch();
  return expressionOnlyReads(context, value, search, 0) && readsOnlyFound(search);
}

/**
 * The functions and locals already asked (one being asked counts as reading), and how many
 * catalogued reads were met: work with none (an empty `async` stub, a function that only
 * computes) is not known to be a read of anything, and stays reported as the stub it stands for.
 */
interface ReadSearch {
  seen: Set<ts.Node>;
  reads: number;
  /** HTTP requests among the reads, and stores of the process's own state met (`exports.latest = …`). */
  httpReads: number;
  stores: number;
  /** Pushes to the clients connected to a server of the program (socket.io's `io.to(room).emit(…)`, `socket.join(room)`). */
  pushes: number;
}

function newReadSearch(): ReadSearch {
  return { seen: new Set(), reads: 0, httpReads: 0, stores: 0, pushes: 0 };
}

/**
 * The work read or pushed something, and what it read over HTTP it kept, in the process or in
 * what it pushed: a GET whose answer is dropped (a Wayback Machine `GET /save/…`, a token
 * keep-alive ping) was sent for its effect at the server.
 */
function readsOnlyFound(search: ReadSearch): boolean {
  return search.reads + search.pushes > 0 && (search.httpReads === 0 || search.stores > 0 || search.pushes > 0);
}

/**
 * An assignment to the process's own state, outliving the work: a field of `this`, of `exports` or
 * `module.exports`, or a variable (or what it holds) declared outside the function assigning it.
 */
function isStateStore(context: Context, node: ts.Node): boolean {
  const t = context.ts;
  if (!t.isBinaryExpression(node)) return false;
  const operator = node.operatorToken.kind;
  if (operator < t.SyntaxKind.FirstAssignment || operator > t.SyntaxKind.LastAssignment) return false;
  let target: ts.Expression = skipOuterExpressions(t, node.left);
  while (t.isPropertyAccessExpression(target) || t.isElementAccessExpression(target))
    target = skipOuterExpressions(t, target.expression);
  if (target.kind === t.SyntaxKind.ThisKeyword) return true;
  if (!t.isIdentifier(target)) return false;
  if (target !== skipOuterExpressions(t, node.left) && (target.text === 'exports' || target.text === 'module'))
    return true;
  const declaration = context.types.getSymbolAtLocation(target)?.declarations?.[0];
  if (!declaration || !t.isVariableDeclaration(declaration)) return false;
  const assigning = enclosingFunction(t, node);
  return assigning !== undefined && !isInside(declaration, assigning);
}

const readOnlyGlobals = new Set([
  'Promise',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'JSON',
  'Math',
  'Object',
  'Array',
  'Number',
  'String',
  'Boolean',
  'Date',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Symbol',
  'RegExp',
  'Error',
  'TypeError',
  'RangeError',
  'parseInt',
  'parseFloat',
  'isNaN',
  'console',
]);
/** Built-in values whose methods compute in the process (with types: `rooms.push(id)`, `ids.map(…)`). */
const readOnlyBuiltinTypes = new Set([
  'Array',
  'ReadonlyArray',
  'Map',
  'ReadonlyMap',
  'Set',
  'ReadonlySet',
  'String',
  'Number',
  'Date',
  'RegExp',
  'Error',
]);
const logReceiverName = /^(console|_?log|_?logger)$/i;
const logLevelMethods = new Set([
  'trace',
  'debug',
  'info',
  'log',
  'warn',
  'warning',
  'error',
  'fatal',
  'silly',
  'verbose',
]);
const maxReadDepth = 6;

/** Every call in the expression (and the local promises it names) only reads. */
function expressionOnlyReads(context: Context, expression: ts.Node, search: ReadSearch, depth: number): boolean {
  const t = context.ts;
  let ok = true;
  const visit = (node: ts.Node): void => {
    if (!ok) return;
    if (isStateStore(context, node)) search.stores++;
    if ((t.isCallExpression(node) || t.isNewExpression(node)) && !callOnlyReads(context, node, search, depth)) {
      ok = false;
      return;
    }
    // `Promise.race([this.ping(), timeout])`: the local promise's own work counts.
    if (t.isIdentifier(node) && !search.seen.has(node)) {
      const declaration = context.types.getSymbolAtLocation(node)?.declarations?.[0];
      if (
        declaration &&
        t.isVariableDeclaration(declaration) &&
        declaration.initializer &&
        !isInside(node, declaration) &&
        !search.seen.has(declaration) &&
        isPromiseValued(t, context.index, declaration.initializer)
      ) {
        search.seen.add(declaration);
        if (!expressionOnlyReads(context, declaration.initializer, search, depth)) ok = false;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(expression);
  return ok;
}

/** A function of the program whose every call only reads. A function already being asked counts as reading. */
function bodyOnlyReads(context: Context, fn: FunctionLikeWithBody, search: ReadSearch, depth: number): boolean {
  const t = context.ts;
  if (search.seen.has(fn)) return true;
  if (depth > maxReadDepth || !fn.body || isInDeclarationFileOrNodeModules(fn.getSourceFile())) return false;
  search.seen.add(fn);
  // A `for await` reads from something the analysis does not know.
  let forAwait = false;
  const find = (node: ts.Node): void => {
    if (t.isForOfStatement(node) && node.awaitModifier) forAwait = true;
    if (!forAwait) t.forEachChild(node, find);
  };
  find(fn.body);
  return !forAwait && expressionOnlyReads(context, fn.body, search, depth);
}

function callOnlyReads(
  context: Context,
  call: ts.CallExpression | ts.NewExpression,
  search: ReadSearch,
  depth: number,
): boolean {
  const t = context.ts;
  const { index } = context;
  const callee = skipOuterExpressions(t, call.expression);
  const ref = index.binding.resolve(callee);
  if (ref && isReadCall(context, call, ref)) {
    search.reads++;
    if (readCalls.find((entry) => sameRef(entry, ref))?.http) search.httpReads++;
    return true;
  }
  if (ref && (isInProcessModule(ref.module) || refIn(ref, inProcessCalls))) return true;
  if (ref?.module === 'global') return readOnlyGlobals.has(ref.path[0] ?? '');
  if (ref && t.isNewExpression(call)) {
    const factory = findFactory(ref);
    return factory !== undefined && kindSpec(factory.kind)?.inProcess === true;
  }
  // `new RadarrAPI({ … })`, `super(url)`: the program's own class, built by its constructors.
  const built = t.isNewExpression(call)
    ? ownClassOf(context, callee)
    : callee.kind === t.SyntaxKind.SuperKeyword
      ? baseClassOf(context, call)
      : undefined;
  if (built) return constructionOnlyReads(context, built, search, depth + 1);
  const parts = t.isCallExpression(call) ? methodCallParts(t, call) : undefined;
  if (parts) {
    if (isChainMethod(parts.name)) return true;
    // `(await fetch(url)).json()`, or on what lodash computed (`uniqWith(servers, same).map(…)`).
    if (isReadResultBody(context, parts.receiver, parts.name) || isInProcessData(context, parts.receiver)) return true;
    // `stubs.map((c) => c.id)` on the rows `const stubs = await Collection.findAll(…)` gave.
    if (arrayMethods.has(parts.name) && isModelRows(context, parts.receiver)) return true;
    // A log line, to the console or to a logger the catalogue knows (winston's `createLogger`).
    if (logLevelMethods.has(parts.name) && logReceiverName.test(lastName(t, parts.receiver) ?? '')) return true;
    // `Collection.findAll({ where })`: a static read of an ORM model of the program's own.
    if (isModelRead(context, parts.receiver, parts.name)) {
      search.reads++;
      return true;
    }
    const kind = index.kindOf(parts.receiver, true) ?? kindOfThisClass(context, parts.receiver);
    if (kind) {
      const spec = kindSpec(kind);
      if (spec?.inProcess === true || spec?.readMethods?.includes(parts.name)) {
        search.reads++;
        if (spec?.readsOverHttp && spec.readMethods?.includes(parts.name)) search.httpReads++;
        return true;
      }
      // A push to the clients connected to a server of the program: the exit that cuts it off
      // closes their connections, and they rebuild their state when they reconnect.
      if (spec?.pushMethods?.includes(parts.name)) {
        search.pushes++;
        return true;
      }
      // `io.to(room)`: the rooms a push goes to, chosen in the process.
      const selected = spec?.methods?.[parts.name];
      if (selected && kindSpec(selected)?.pushMethods) return true;
      return spec?.forceClose?.includes(parts.name) ?? false;
    }
  }
  // `resolve()`/`reject()` of a promise of the program's own (`new Promise((_, reject) => …)`).
  if (t.isIdentifier(callee)) {
    const symbol = context.types.getSymbolAtLocation(callee);
    if (symbol && (isPromiseResolver(context, symbol) || isExecutorParameter(context, symbol))) return true;
  }
  const functions = index.resolveFunctions(callee, 0, false);
  if (functions.length > 0) return functions.every((fn) => bodyOnlyReads(context, fn, search, depth + 1));
  if (parts) {
    const type = context.types.getTypeAtLocation(parts.receiver);
    const members = (type.isUnion() ? type.types : [type]).filter(
      (part) => !(part.flags & (t.TypeFlags.Null | t.TypeFlags.Undefined)),
    );
    return (
      members.length > 0 &&
      members.every(
        (part) =>
          (part.flags & t.TypeFlags.StringLike) !== 0 ||
          (part.flags & t.TypeFlags.NumberLike) !== 0 ||
          readOnlyBuiltinTypes.has(part.getSymbol()?.name ?? ''),
      )
    );
  }
  return false;
}

/**
 * A read the catalogue knows by its module (`axios.get(url)`, `R.getCell(sql)`), and for a call
 * whose options say the method (`fetch(url, init)`), one whose init is absent or an object
 * literal of the code's own whose `method` is absent, `'GET'` or `'HEAD'`.
 */
function isReadCall(context: Context, call: ts.CallExpression | ts.NewExpression, ref: ApiRef): boolean {
  const t = context.ts;
  if (!t.isCallExpression(call)) return false;
  const read = readCalls.find((entry) => sameRef(entry, ref));
  if (!read) return false;
  if (read.options === undefined) return true;
  const init = call.arguments[read.options];
  if (call.arguments.length > read.options + 1) return false;
  if (!init) return true;
  const literal = skipOuterExpressions(t, init);
  if (!t.isObjectLiteralExpression(literal)) return false;
  return literal.properties.every((property) => {
    if (!t.isPropertyAssignment(property) && !t.isShorthandPropertyAssignment(property)) return false;
    if (property.name && t.isIdentifier(property.name) && property.name.text !== 'method') return true;
    if (property.name && t.isStringLiteral(property.name) && property.name.text !== 'method') return true;
    if (!t.isPropertyAssignment(property)) return false;
    const method = skipOuterExpressions(t, property.initializer);
    return (
      (t.isStringLiteral(method) || t.isNoSubstitutionTemplateLiteral(method)) && /^(get|head)$/i.test(method.text)
    );
  });
}

/** A local holding what a read call gave, and a method that reads its body (`res.json()`). */
function isReadResultBody(context: Context, receiver: ts.Expression, name: string): boolean {
  if (!responseBodyMethods.has(name)) return false;
  const value = initializerOfLocal(context, receiver);
  if (!value || !context.ts.isCallExpression(value)) return false;
  const ref = context.index.binding.resolve(skipOuterExpressions(context.ts, value.expression));
  return ref !== undefined && isReadCall(context, value, ref);
}

/** A local holding what a module that computes in the process gave (`const servers = uniqWith(…)`): plain data. */
function isInProcessData(context: Context, receiver: ts.Expression): boolean {
  const value = initializerOfLocal(context, receiver);
  if (!value || !context.ts.isCallExpression(value)) return false;
  const ref = context.index.binding.resolve(skipOuterExpressions(context.ts, value.expression));
  return ref !== undefined && isInProcessModule(ref.module);
}

/** The initializer of a `const` the expression names, awaits taken off. */
function initializerOfLocal(context: Context, expression: ts.Expression): ts.Expression | undefined {
  const t = context.ts;
  const e = skipOuterExpressions(t, expression);
  if (!t.isIdentifier(e)) return undefined;
  const declaration = context.types.getSymbolAtLocation(e)?.declarations?.[0];
  if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  if (!(t.getCombinedNodeFlags(declaration) & t.NodeFlags.Const)) return undefined;
  let value = skipOuterExpressions(t, declaration.initializer);
  while (t.isAwaitExpression(value)) value = skipOuterExpressions(t, value.expression);
  return value;
}

/** The program's own class a `new` names (`new RadarrAPI(…)`, imported or local). */
function ownClassOf(context: Context, callee: ts.Expression): ts.ClassLikeDeclaration | undefined {
  const t = context.ts;
  let symbol = context.types.getSymbolAtLocation(callee);
  if (symbol) {
    const target = aliasTarget(context.types, symbol, t.SymbolFlags.Alias);
    if (!target) return undefined;
    symbol = target;
  }
  const declaration = symbol?.declarations?.find((d) => t.isClassLike(d));
  return declaration && t.isClassLike(declaration) && !isInDeclarationFileOrNodeModules(declaration.getSourceFile())
    ? declaration
    : undefined;
}

/**
 * `Model.findAll(…)` where `Model` is a class of the program extending, at any depth, an ORM's
 * model base class (`modelBaseClasses`), and the method one of that base's static reads. A method
 * of that name the program's classes declare themselves is theirs, not the ORM's: not known.
 */
function isModelRead(context: Context, receiver: ts.Expression, name: string): boolean {
  const t = context.ts;
  let cls = ownClassOf(context, skipOuterExpressions(t, receiver));
  for (let depth = 0; cls && depth < 8; depth++) {
    const declares = cls.members.some(
      (member) =>
        member.name !== undefined &&
        (t.isIdentifier(member.name) || t.isStringLiteral(member.name)) &&
        member.name.text === name,
    );
    if (declares) return false;
    const base = cls.heritageClauses?.find((h) => h.token === t.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!base) return false;
    const own = ownClassOf(context, base);
    if (own) {
      cls = own;
      continue;
    }
    const ref = context.index.binding.resolve(base);
    return (
      ref !== undefined && modelBaseClasses.some((model) => sameRef(model, ref) && model.staticReads.includes(name))
    );
  }
  return false;
}

/** Methods of an array that compute in the process (their callbacks are asked on their own). */
const arrayMethods: ReadonlySet<string> = new Set([
  'map',
  'filter',
  'forEach',
  'some',
  'every',
  'find',
  'findIndex',
  'reduce',
  'includes',
  'indexOf',
  'slice',
  'concat',
  'join',
  'flatMap',
]);

/** A local holding the rows an ORM model's static read gave (`const stubs = await Collection.findAll(…)`). */
function isModelRows(context: Context, receiver: ts.Expression): boolean {
  const value = initializerOfLocal(context, receiver);
  if (!value || !context.ts.isCallExpression(value)) return false;
  const parts = methodCallParts(context.ts, value);
  return parts !== undefined && parts.name === 'findAll' && isModelRead(context, parts.receiver, parts.name);
}

/** The class a `super(…)` call builds: the base of the class around it. */
function baseClassOf(context: Context, call: ts.Node): ts.ClassLikeDeclaration | undefined {
  const t = context.ts;
  let owner: ts.Node | undefined = call.parent;
  while (owner && !t.isClassLike(owner)) owner = owner.parent;
  return owner && t.isClassLike(owner) ? baseOf(context, owner) : undefined;
}

function baseOf(context: Context, owner: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
  const t = context.ts;
  const base = owner.heritageClauses?.find((h) => h.token === t.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  return base ? ownClassOf(context, base) : undefined;
}

/**
 * Building the program's own class only reads: its field initializers (functions stored in
 * fields run when called, not here), its constructor, and its base class's construction. A base
 * class from a library, or one the analysis cannot find, may do anything.
 */
function constructionOnlyReads(
  context: Context,
  built: ts.ClassLikeDeclaration,
  search: ReadSearch,
  depth: number,
): boolean {
  const t = context.ts;
  if (search.seen.has(built)) return true;
  if (depth > maxReadDepth) return false;
  search.seen.add(built);
  const extendsClause = built.heritageClauses?.find((h) => h.token === t.SyntaxKind.ExtendsKeyword);
  let constructor: ts.ConstructorDeclaration | undefined;
  for (const member of built.members) {
    if (t.isConstructorDeclaration(member) && member.body) constructor = member;
    if (!t.isPropertyDeclaration(member) || !member.initializer) continue;
    if (member.modifiers?.some((m) => m.kind === t.SyntaxKind.StaticKeyword)) continue;
    const value = skipOuterExpressions(t, member.initializer);
    if (t.isArrowFunction(value) || t.isFunctionExpression(value)) continue;
    if (!expressionOnlyReads(context, value, search, depth)) return false;
  }
  if (constructor) return bodyOnlyReads(context, constructor, search, depth);
  if (!extendsClause) return true;
  const base = baseOf(context, built);
  return base !== undefined && constructionOnlyReads(context, base, search, depth + 1);
}

/** `resolve` or `reject`, a parameter of a `new Promise` executor. */
function isExecutorParameter(context: Context, symbol: ts.Symbol): boolean {
  const t = context.ts;
  const declaration = symbol.declarations?.[0];
  if (!declaration || !t.isParameter(declaration)) return false;
  const executor = declaration.parent;
  const creation = executor.parent;
  if (!t.isNewExpression(creation) || creation.arguments?.[0] !== executor) return false;
  const ref = context.index.binding.resolve(creation.expression);
  return ref?.module === 'global' && ref.path.length === 1 && ref.path[0] === 'Promise';
}

/**
 * `this` inside a class that extends a library class of a known kind (`class RedisAdapter extends
 * Redis`, from ioredis): its calls on `this` are the library's.
 */
function kindOfThisClass(context: Context, receiver: ts.Expression): string | undefined {
  const t = context.ts;
  if (skipOuterExpressions(t, receiver).kind !== t.SyntaxKind.ThisKeyword) return undefined;
  let owner: ts.Node | undefined = receiver.parent;
  while (owner && !t.isClassLike(owner)) owner = owner.parent;
  const heritage = owner && t.isClassLike(owner) ? owner.heritageClauses : undefined;
  const base = heritage?.find((h) => h.token === t.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  const ref = base && context.index.binding.resolve(base);
  return ref ? findFactory(ref)?.kind : undefined;
}

/** Calls that complete (or stream) an HTTP response: Express, node:http, Fastify's `reply`. */
const responseMethods = new Set([
  'end',
  'send',
  'json',
  'jsonp',
  'redirect',
  'render',
  'sendStatus',
  'sendFile',
  'download',
  'writeHead',
]);

/**
 * What a request's response (or its context) is called where no handler is recognised: a
 * WebSocket's `ws.send` is not one, since server close does not wait for the socket.
 */
const responseNames = /^(res|resp|response|reply|ctx|context)$/i;

/**
 * `loadUser(id).then((user) => res.json(user))`, `respondWithDownload(ctx, name).catch(…)`: the
 * dropped work ends by answering the request it was started for, so the response waits for it and
 * nothing outlives the request (server close drains the request's connection). The response is
 * a parameter of an enclosing request handler (or named like one: `res`, `ctx`) answered in a `.then` handler
 * or a callback given to the call, or a parameter of the called function given the handler's.
 */
function respondsWhenDone(context: Context, origin: ts.Expression, value: ts.Expression, at: ts.Node): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const outer = new Set<ts.Symbol>();
  for (let fn = enclosingFunction(t, at); fn; fn = enclosingFunction(t, fn)) {
    const handler = context.index.handlers.has(fn);
    for (const parameter of fn.parameters) {
      if (!t.isIdentifier(parameter.name) || (!handler && !responseNames.test(parameter.name.text))) continue;
      const symbol = context.types.getSymbolAtLocation(parameter.name);
      if (symbol) outer.add(symbol);
    }
  }
  if (outer.size === 0) return false;
  // Work whose result is handed on to a `.then` handler or a callback.
  const continuations: ts.Expression[] = [...origin.arguments];
  for (let e = skipOuterExpressions(t, value); t.isCallExpression(e) && e !== origin;) {
    const parts = methodCallParts(t, e);
    if (!parts) break;
    if (parts.name === 'then' && e.arguments[0]) continuations.push(e.arguments[0]);
    e = skipOuterExpressions(t, parts.receiver);
  }
  if (
    continuations.some((c) => {
      const fn = skipOuterExpressions(t, c);
      return isFunctionLikeWithBody(t, fn) && answersResponse(context, fn, outer);
    })
  ) {
    return true;
  }
  if (invokedInPlaceAnswers(context, origin, outer)) return true;
  if (invokedInPlaceEndsBody(context, origin, at, outer)) return true;
  // The called function answers the response it is given.
  return context.index.resolveFunctions(origin.expression, 0, false).some((fn) => {
    const given = new Set<ts.Symbol>();
    fn.parameters.forEach((parameter, i) => {
      const argument = origin.arguments[i];
      if (!argument || !t.isIdentifier(parameter.name)) return;
      const root = rootSymbol(context, argument);
      const symbol = context.types.getSymbolAtLocation(parameter.name);
      if (root && outer.has(root) && symbol) given.add(symbol);
    });
    return given.size > 0 && answersResponse(context, fn, given);
  });
}

/** `res.json(…)`, `ctx.response.end(…)`, `upstream.pipe(res)` with `res`/`ctx` one of `roots`. */
function answersResponse(context: Context, fn: ts.Node, roots: ReadonlySet<ts.Symbol>): boolean {
  return answersOf(context, fn, roots).length > 0;
}

/** The calls in `fn` that answer a response rooted at one of `roots`. */
function answersOf(context: Context, fn: ts.Node, roots: ReadonlySet<ts.Symbol>): ts.CallExpression[] {
  const t = context.ts;
  const found: ts.CallExpression[] = [];
  const isRooted = (e: ts.Expression): boolean => {
    const root = rootSymbol(context, e);
    return root !== undefined && roots.has(root);
  };
  const visit = (node: ts.Node): void => {
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      if (
        parts &&
        ((responseMethods.has(parts.name) && isRooted(parts.receiver)) ||
          (parts.name === 'pipe' && node.arguments[0] !== undefined && isRooted(node.arguments[0])))
      ) {
        found.push(node);
        return;
      }
      // Handed to a helper that answers it: `serveError(req, ctx.response)`, `startCompressed(res, …)`.
      if (node.arguments.some((a) => isRooted(a) && responseObjectNames.test(lastName(t, a) ?? ''))) {
        found.push(node);
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/**
 * `void (async () => { const json = await build(req); writeJson(res, json) })()` in a middleware
 * that must not be async: the function invoked in place closes over the response and answers it
 * after its last await, so the response waits for all its work.
 */
function invokedInPlaceAnswers(context: Context, origin: ts.CallExpression, roots: ReadonlySet<ts.Symbol>): boolean {
  const t = context.ts;
  const fn = skipOuterExpressions(t, origin.expression);
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  const answers = answersOf(context, fn.body, roots);
  if (answers.length === 0) return false;
  let lastAwait = -1;
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isAwaitExpression(node)) lastAwait = Math.max(lastAwait, node.getStart());
    t.forEachChild(node, visit);
  };
  t.forEachChild(fn.body, visit);
  return answers.some((answer) => answer.getStart() > lastAwait);
}

/**
 * `ctx.body = zip.outputStream; void (async () => { await build(zip); zip.end(); })()`: the function
 * invoked in place ends, after its last await, a stream the enclosing code made the response's
 * body (Koa's `ctx.body = stream`, `stream.pipe(res)`). The response ends only when that stream
 * does, and server close drains the response: the work is the request's.
 */
function invokedInPlaceEndsBody(
  context: Context,
  origin: ts.CallExpression,
  at: ts.Node,
  responses: ReadonlySet<ts.Symbol>,
): boolean {
  const t = context.ts;
  const fn = skipOuterExpressions(t, origin.expression);
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  const bodies = new Set<ts.Symbol>();
  const isResponse = (e: ts.Expression): boolean => {
    const root = rootSymbol(context, e);
    return root !== undefined && responses.has(root);
  };
  const addBody = (e: ts.Expression): void => {
    const root = rootSymbol(context, e);
    if (root && !responses.has(root)) bodies.add(root);
  };
  const enclosing = enclosingFunction(t, at);
  if (!enclosing?.body) return false;
  const collect = (node: ts.Node): void => {
    if (node === fn) return;
    if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const target = skipOuterExpressions(t, node.left);
      if (t.isPropertyAccessExpression(target) && target.name.text === 'body' && isResponse(target.expression))
        addBody(node.right);
    }
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      if (parts?.name === 'pipe' && node.arguments[0] && isResponse(node.arguments[0])) addBody(parts.receiver);
    }
    t.forEachChild(node, collect);
  };
  collect(enclosing.body);
  if (bodies.size === 0) return false;
  let lastAwait = -1;
  let lastEnd = -1;
  const visit = (node: ts.Node): void => {
    if (isFunctionLikeWithBody(t, node)) return;
    if (t.isAwaitExpression(node)) lastAwait = Math.max(lastAwait, node.getStart());
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      const root = parts && rootSymbol(context, parts.receiver);
      if (parts && root && bodies.has(root) && streamEndMethods.has(parts.name))
        lastEnd = Math.max(lastEnd, node.getStart());
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(fn.body, visit);
  return lastEnd > lastAwait;
}

/** What ends a stream, or the archive writing one: `end()`, archiver's `finalize()`. */
const streamEndMethods: ReadonlySet<string> = new Set(['end', 'finalize']);

const responseObjectNames = /^(res|resp|response|reply)$/i;

/** `response` for `ctx.response`, `res` for `res`. */
/**
 * The name a receiver goes by: its last name (`this.redisCache`), or, for a getter's result, the
 * getter's (`getRedisCache()`, `this.cache()`): the client it returns is what its name says.
 */
function receiverName(t: TS, receiver: ts.Expression): string | undefined {
  const e = skipOuterExpressions(t, receiver);
  return t.isCallExpression(e) ? lastName(t, e.expression) : lastName(t, e);
}

function lastName(t: TS, expression: ts.Expression): string | undefined {
  const e = skipOuterExpressions(t, expression);
  return t.isIdentifier(e) ? e.text : t.isPropertyAccessExpression(e) ? e.name.text : undefined;
}

/** The variable an access path starts from: `ctx` for `ctx.response.status(200)`. */
function rootSymbol(context: Context, expression: ts.Expression): ts.Symbol | undefined {
  const t = context.ts;
  let e = skipOuterExpressions(t, expression);
  for (;;) {
    if (t.isPropertyAccessExpression(e) || t.isElementAccessExpression(e)) e = skipOuterExpressions(t, e.expression);
    else if (t.isCallExpression(e) && t.isPropertyAccessExpression(e.expression))
      e = skipOuterExpressions(t, e.expression.expression); // `res.status(500).json(…)`
    else break;
  }
  return t.isIdentifier(e) ? context.types.getSymbolAtLocation(e) : undefined;
}

/**
 * `fetchBatch(0)` where `fetchBatch` pushes rows into a Readable `rs` (and ends it with
 * `rs.push(null)`) while `await pipeline(rs, gzip, file)` consumes it: the awaited pipeline ends
 * only when the producer has pushed its last chunk, so whoever awaits the pipeline waits for the
 * producer too.
 */
function feedsAwaitedStream(context: Context, origin: ts.Expression): boolean {
  const t = context.ts;
  if (!t.isCallExpression(origin)) return false;
  const functions = context.index.resolveFunctions(origin.expression, 0, false);
  return (
    functions.length > 0 && functions.every((fn) => streamsFedBy(context, fn).some((s) => isAwaitedStream(context, s)))
  );
}

/** The streams declared outside `fn` that its body pushes or writes into. */
function streamsFedBy(context: Context, fn: FunctionLikeWithBody): ts.Symbol[] {
  const t = context.ts;
  const streams = new Set<ts.Symbol>();
  const visit = (node: ts.Node): void => {
    if (node !== fn && isFunctionLikeWithBody(t, node)) return;
    if (t.isCallExpression(node)) {
      const parts = methodCallParts(t, node);
      if (parts && (parts.name === 'push' || parts.name === 'write') && t.isIdentifier(parts.receiver)) {
        const symbol = context.types.getSymbolAtLocation(parts.receiver);
        const declaration = symbol?.declarations?.[0];
        if (
          symbol &&
          declaration &&
          !(declaration.pos >= fn.pos && declaration.end <= fn.end) &&
          isNodeStream(context, declaration)
        )
          streams.add(symbol);
      }
    }
    t.forEachChild(node, visit);
  };
  visit(fn);
  return [...streams];
}

const streamClasses = new Set(['Readable', 'PassThrough', 'Transform', 'Duplex', 'Writable']);

/** `const rs = new Readable(…)` (or `Readable(…)`, `new PassThrough()`) from `node:stream`. */
function isNodeStream(context: Context, declaration: ts.Declaration): boolean {
  const t = context.ts;
  if (!t.isVariableDeclaration(declaration) || !declaration.initializer) return false;
  const init = skipOuterExpressions(t, declaration.initializer);
  if (!t.isCallExpression(init) && !t.isNewExpression(init)) return false;
  const ref = context.index.binding.resolve(init.expression);
  return ref?.module === 'stream' && ref.path.length === 1 && streamClasses.has(ref.path[0]!);
}

/** `await pipeline(rs, …)`, `await finished(rs)`, `for await (… of rs)` where `rs` is declared. */
function isAwaitedStream(context: Context, stream: ts.Symbol): boolean {
  const t = context.ts;
  const declaration = stream.declarations?.[0];
  if (!declaration) return false;
  const scope: ts.Node = enclosingFunction(t, declaration) ?? declaration.getSourceFile();
  const isStream = (e: ts.Expression): boolean => {
    const inner = skipOuterExpressions(t, e);
    return t.isIdentifier(inner) && context.types.getSymbolAtLocation(inner) === stream;
  };
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isAwaitExpression(node)) {
      const awaited = skipOuterExpressions(t, node.expression);
      if ((t.isCallExpression(awaited) || t.isNewExpression(awaited)) && awaited.arguments?.some(isStream)) {
        found = true;
        return;
      }
    }
    if (t.isForOfStatement(node) && node.awaitModifier && isStream(node.expression)) {
      found = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

const promiseCombinators = new Set(['all', 'allSettled', 'race', 'any']);
/** Methods of a queue or collection of work that wait for it (p-queue `onIdle`, a drain). */
const waitMethods = new Set([
  'onIdle',
  'onEmpty',
  'onDrain',
  'drain',
  'whenIdle',
  'waitForIdle',
  'processAll',
  'flush',
  'close',
]);

/** Methods that put work into a collection or a queue. */
const enqueueMethods = new Set(['add', 'push', 'unshift', 'set', 'enqueue', 'addToUser']);

/**
 * The program's own tracker (issue 17): `backgroundQueue.add(task)` where the class's `add` puts
 * the work into a field (`this.queue.add(…)`, `this.pending.add(p)`, `this.finished = run()`) and
 * another of its methods awaits or returns what that field holds (`await this.queue.onIdle()`,
 * `await Promise.all(this.pending)`, `return this.finished`). The work is tracked when one of
 * those draining methods (or a method of the tracker that calls one) runs on a shutdown path;
 * otherwise the tracker is one no shutdown waits for, and the finding says so.
 */
function ownTrackerOf(
  context: Context,
  origin: ts.Expression,
): { drain: string; drainedOnShutdown: boolean } | undefined {
  const t = context.ts;
  if (!t.isCallExpression(origin) || !t.isPropertyAccessExpression(origin.expression)) return undefined;
  for (const method of context.index.resolveFunctions(origin.expression, 0, false)) {
    const owner = method.parent;
    if (!t.isClassLike(owner) && !t.isObjectLiteralExpression(owner)) continue;
    const fields = fieldsFilledBy(t, method);
    if (fields.size === 0) continue;
    const members = memberFunctions(t, owner);
    const drains = new Set<FunctionLikeWithBody>();
    for (const [, fn] of members) {
      if (fn !== method && awaitsField(t, fn, fields)) drains.add(fn);
    }
    if (drains.size === 0) continue;
    // Methods of the tracker that call a draining method drain it too (`destroy()` -> `processAll()`).
    for (let grew = true; grew;) {
      grew = false;
      for (const [, fn] of members) {
        if (drains.has(fn) || fn === method) continue;
        const names = [...members].filter(([, d]) => drains.has(d)).map(([n]) => n);
        if (callsThisMethod(t, fn, names)) {
          drains.add(fn);
          grew = true;
        }
      }
    }
    const drainNames = [...members].filter(([, fn]) => drains.has(fn)).map(([n]) => n);
    // The starter's own class waits for the tracker (`await this.queues.processAll()` when its run ends).
    const starter = enclosingOwner(t, origin);
    // A program with no shutdown root at all is a package whose host handles the signals (an
    // `OzoneService` whose `destroy()` the service entry calls): a drain it calls counts.
    // (The lifecycle's own closers are none of the program's: see ShutdownRoot.lifecycleCloser.)
    const hostDrains = context.index.shutdownRoots.every((r) => r.lifecycleCloser);
    const drainedOnShutdown = [...drains].some((fn) => {
      if (context.index.shutdownRootsOf(fn).length > 0) return true;
      const name = [...members].find(([, d]) => d === fn)![0];
      return context.index
        .callsNamed(name)
        .some(
          (call) =>
            !isInside(call, owner) &&
            (hostDrains ||
              (starter !== undefined && isInside(call, starter)) ||
              context.index.shutdownRootsOf(call).length > 0),
        );
    });
    return { drain: drainNames[drainNames.length - 1]!, drainedOnShutdown };
  }
  return undefined;
}

/** The class or object literal whose method contains `node`. */
function enclosingOwner(t: TS, node: ts.Node): ts.ClassLikeDeclaration | ts.ObjectLiteralExpression | undefined {
  for (let p = node.parent; p; p = p.parent) if (t.isClassLike(p) || t.isObjectLiteralExpression(p)) return p;
  return undefined;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}

/** The methods of a class or object literal, by name. */
function memberFunctions(
  t: TS,
  owner: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression,
): [string, FunctionLikeWithBody][] {
  const found: [string, FunctionLikeWithBody][] = [];
  const members: readonly (ts.ClassElement | ts.ObjectLiteralElementLike)[] = t.isClassLike(owner)
    ? owner.members
    : owner.properties;
  for (const member of members) {
    const name =
      member.name && (t.isIdentifier(member.name) || t.isStringLiteral(member.name)) ? member.name.text : undefined;
    if (!name) continue;
    if (isFunctionLikeWithBody(t, member)) found.push([name, member]);
    else if (
      (t.isPropertyAssignment(member) || t.isPropertyDeclaration(member)) &&
      member.initializer &&
      isFunctionLikeWithBody(t, skipOuterExpressions(t, member.initializer))
    )
      found.push([name, skipOuterExpressions(t, member.initializer) as FunctionLikeWithBody]);
  }
  return found;
}

/** `this.F` in a method's own body (not nested functions it defines, except callbacks it passes on). */
function thisField(t: TS, node: ts.Node): string | undefined {
  return t.isPropertyAccessExpression(node) && node.expression.kind === t.SyntaxKind.ThisKeyword
    ? node.name.text
    : undefined;
}

/** The fields a method puts work into: `this.F.add(…)`, `this.F.push(…)`, `this.F = work()`. */
function fieldsFilledBy(t: TS, method: FunctionLikeWithBody): Set<string> {
  const fields = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (node !== method && isFunctionLikeWithBody(t, node) && !t.isArrowFunction(node)) return;
    if (t.isCallExpression(node) && t.isPropertyAccessExpression(node.expression)) {
      const field = thisField(t, node.expression.expression);
      if (field && enqueueMethods.has(node.expression.name.text) && node.arguments.length > 0) fields.add(field);
    }
    if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
      const field = thisField(t, node.left);
      const right = skipOuterExpressions(t, node.right);
      if (field && (t.isCallExpression(right) || t.isNewExpression(right))) fields.add(field);
    }
    t.forEachChild(node, visit);
  };
  visit(method);
  return fields;
}

/** An `await` or a `return` over one of `fields`: `await this.queue.onIdle()`, `const { queue } = this; await queue.onIdle()`. */
function awaitsField(t: TS, fn: FunctionLikeWithBody, fields: ReadonlySet<string>): boolean {
  const aliases = new Set<string>();
  const isField = (e: ts.Expression): boolean => {
    const inner = skipOuterExpressions(t, e);
    const field = thisField(t, inner);
    return (field !== undefined && fields.has(field)) || (t.isIdentifier(inner) && aliases.has(inner.text));
  };
  const mentions = (node: ts.Node): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (t.isExpression(n) && isField(n)) {
        found = true;
        return;
      }
      t.forEachChild(n, visit);
    };
    visit(node);
    return found;
  };
  // What waits for the work: the field itself (a promise), `Promise.all(…field…)`, `field.onIdle()`.
  const waitsOn = (expression: ts.Expression): boolean => {
    const e = skipOuterExpressions(t, expression);
    if (isField(e)) return true;
    if (!t.isCallExpression(e) || !t.isPropertyAccessExpression(e.expression)) return false;
    const name = e.expression.name.text;
    if (t.isIdentifier(e.expression.expression) && e.expression.expression.text === 'Promise')
      return promiseCombinators.has(name) && e.arguments.some(mentions);
    return waitMethods.has(name) && isField(e.expression.expression);
  };
  let drains = false;
  const visit = (node: ts.Node): void => {
    if (drains) return;
    if (node !== fn && isFunctionLikeWithBody(t, node) && !t.isArrowFunction(node)) return;
    if (
      t.isVariableDeclaration(node) &&
      t.isObjectBindingPattern(node.name) &&
      node.initializer?.kind === t.SyntaxKind.ThisKeyword
    ) {
      for (const element of node.name.elements) {
        const key = element.propertyName ?? element.name;
        if (t.isIdentifier(key) && fields.has(key.text) && t.isIdentifier(element.name)) aliases.add(element.name.text);
      }
    }
    if ((t.isAwaitExpression(node) || t.isReturnStatement(node)) && node.expression && waitsOn(node.expression)) {
      drains = true;
      return;
    }
    t.forEachChild(node, visit);
  };
  visit(fn);
  return drains;
}

/** `this.processAll()` in a method's body. */
function callsThisMethod(t: TS, fn: FunctionLikeWithBody, names: readonly string[]): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isCallExpression(node)) {
      const field = thisField(t, node.expression);
      if (field && names.includes(field)) {
        found = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** A promise, or a value whose type is unknown (`return models.Note.destroy(…)` without types). */
function mayBePromise(context: Context, expression: ts.Expression): boolean {
  const t = context.ts;
  const type = context.types.getTypeAtLocation(expression);
  if (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) return true;
  return isPromiseValued(t, context.index, expression);
}

/**
 * A worker loop that settles a promise of its own when it ends: `void run()` inside `new
 * Promise((resolve) => …)` where `run` calls `resolve()` after its last round, or `setImmediate(
 * pb.start)` where `start` ends with `closeResolve()`, the `resolve` of the promise `close()`
 * awaits. Whoever awaits that promise waits for the loop. So does whoever awaits a batching
 * queue's `add()` when the dropped flush settles the resolvers `add()` stored (settled-resolvers.ts).
 */
function endsByResolving(context: Context, callee: ts.Expression): boolean {
  const functions = context.index.resolveFunctions(callee, 0, false);
  if (functions.length > 0 && functions.every((fn) => callsPromiseResolver(context, fn))) return true;
  return settlesStoredResolvers(context.index, callee);
}

function callsPromiseResolver(context: Context, fn: FunctionLikeWithBody): boolean {
  const t = context.ts;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (node !== fn && isFunctionLikeWithBody(t, node) && !t.isArrowFunction(node)) return;
    if (t.isCallExpression(node) && t.isIdentifier(node.expression)) {
      const symbol = context.types.getSymbolAtLocation(node.expression);
      const declaration = symbol?.declarations?.[0];
      // A promise of the loop's own (`await new Promise((resolve) => …)` inside it) is not one.
      const own = declaration !== undefined && isInside(declaration, fn);
      if (symbol && !own && isPromiseResolver(context, symbol)) {
        found = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** The `resolve` of a `new Promise((resolve) => …)` executor, or a variable it is stored in. */
function isPromiseResolver(context: Context, symbol: ts.Symbol): boolean {
  const t = context.ts;
  const declaration = symbol.declarations?.[0];
  if (!declaration) return false;
  if (t.isParameter(declaration)) {
    const executor = declaration.parent;
    const creation = executor.parent;
    if (!t.isNewExpression(creation) || creation.arguments?.[0] !== executor) return false;
    if (executor.parameters[0] !== declaration) return false;
    const ref = context.index.binding.resolve(creation.expression);
    return ref?.module === 'global' && ref.path.length === 1 && ref.path[0] === 'Promise';
  }
  if (!t.isVariableDeclaration(declaration)) return false;
  // `let closeResolve; new Promise((resolve) => { closeResolve = resolve })`
  const scope: ts.Node = enclosingFunction(t, declaration) ?? declaration.getSourceFile();
  let stored = false;
  const visit = (node: ts.Node): void => {
    if (stored) return;
    if (
      t.isBinaryExpression(node) &&
      node.operatorToken.kind === t.SyntaxKind.EqualsToken &&
      t.isIdentifier(node.left) &&
      t.isIdentifier(node.right) &&
      context.types.getSymbolAtLocation(node.left) === symbol
    ) {
      const right = context.types.getSymbolAtLocation(node.right);
      if (
        right &&
        right !== symbol &&
        t.isParameter(right.declarations?.[0] ?? node) &&
        isPromiseResolver(context, right)
      )
        stored = true;
    }
    t.forEachChild(node, visit);
  };
  visit(scope);
  return stored;
}

/**
 * The program's own entry promise: `main().catch(…)` or `process.nextTick(async () => start())`
 * at the top level of an entry module (also inside a top-level `if (require.main === module)`).
 */
function isEntryPromise(context: Context, node: ts.Node): boolean {
  return !enclosingFunction(context.ts, node) && context.index.isEntryModule(context.sourceFile);
}

/**
 * Work the start itself drops, in a function only the start calls (see `isCalledOnlyAtStartup`):
 * `this.bootMaster()` in the kernel's `init()`, `this.reloadGroups()` in `auth.init()`. No request
 * has been accepted for it yet, and a SIGTERM while the service starts stops a start, which the
 * next one repeats: nothing a shutdown could wait for is lost.
 */
function isStartSequence(context: Context, node: ts.Node): boolean {
  const t = context.ts;
  const fn = enclosingFunction(t, node);
  return fn !== undefined && namedScopeOf(t, node) === fn && isCalledOnlyAtStartup(context.index, fn);
}

/**
 * `if (!isMainThread) { runJob(workerData) }` at the top level: a worker thread's own entry
 * promise. The thread gets no SIGTERM; its parent owns its lifetime (and `worker.terminate()`).
 */
function isWorkerThreadEntry(context: Context, node: ts.Node): boolean {
  const t = context.ts;
  if (enclosingFunction(t, node)) return false;
  for (let p = node.parent; p && !t.isSourceFile(p); p = p.parent) {
    if (!t.isIfStatement(p)) continue;
    let mentions = false;
    const visit = (n: ts.Node): void => {
      if (mentions) return;
      if (t.isIdentifier(n) || t.isPropertyAccessExpression(n)) {
        const ref = context.index.binding.resolve(n as ts.Expression);
        if (ref?.module === 'worker_threads' && ref.path[0] === 'isMainThread') {
          mentions = true;
          return;
        }
      }
      t.forEachChild(n, visit);
    };
    visit(p.expression);
    if (mentions) return true;
  }
  return false;
}

/**
 * `(req, res, next) => { Promise.resolve(fn(req, res, next)).catch(next) }`: an async-handler
 * wrapper (express-async-handler, catchAsync, a cors middleware) runs the delegate for this
 * request, forwarding its parameters; the request's connection, which server close drains,
 * carries its lifetime. The forwarded parameters must hold the response (or the context that
 * answers): a function that hands its values on (`markNoteAsVisited(noteId, userId)` in a NestJS
 * controller method taking `noteId` and `userId`, or any helper with two parameters) gives the
 * callee nothing to answer the request with, and its work outlives it.
 */
function isHandlerWrapperForward(context: Context, origin: ts.Expression): boolean {
  const t = context.ts;
  let call = skipOuterExpressions(t, origin);
  if (t.isCallExpression(call)) {
    const ref = context.index.binding.resolve(call.expression);
    if (ref && sameRef(ref, { module: 'global', path: ['Promise', 'resolve'] }) && call.arguments[0]) {
      call = skipOuterExpressions(t, call.arguments[0]);
    }
  }
  if (!t.isCallExpression(call) || call.arguments.length < 2) return false;
  const fn = enclosingFunction(t, call);
  if (!fn) return false;
  const own = fn.parameters.map((p) => p.name.getText(context.sourceFile));
  return (
    own.length >= 2 &&
    own.every((name, i) => {
      const arg = call.arguments[i];
      return arg !== undefined && t.isIdentifier(arg) && arg.text === name;
    }) &&
    fn.parameters.some((parameter) => canAnswerRequest(context, parameter))
  );
}

/** Names a wrapper gives the response or the context that answers (Hono's is `c`). */
const answeringParameterNames = /^(res|resp|response|reply|ctx|context|c)$/i;
/** The types of the objects that answer a request: Express and node:http, Fastify, Koa, Hono. */
const answeringTypeNames = new Set(['Response', 'ServerResponse', 'FastifyReply', 'Context', 'ParameterizedContext']);

/** `res`, `reply`, `ctx`, or a parameter typed as a response or a framework's context. */
function canAnswerRequest(context: Context, parameter: ts.ParameterDeclaration): boolean {
  const t = context.ts;
  if (!t.isIdentifier(parameter.name)) return false;
  if (answeringParameterNames.test(parameter.name.text)) return true;
  const type = context.types.getTypeAtLocation(parameter.name);
  const name = (type.aliasSymbol ?? type.getSymbol())?.getName();
  return name !== undefined && answeringTypeNames.has(name);
}

/**
 * `work().then((r) => callback(null, r)).catch((e) => callback(e))`: the result goes back
 * through a callback the caller passed in, so the caller waits for it (knex `afterCreate(done)`,
 * express-basic-auth authorizers, socket.io acknowledgements).
 */
function handsResultToCallback(context: Context, value: ts.Expression, at: ts.Node): boolean {
  const t = context.ts;
  const callbacks = new Set<ts.Symbol>();
  for (let fn = enclosingFunction(t, at); fn; fn = enclosingFunction(t, fn)) {
    for (const parameter of fn.parameters) {
      if (!t.isIdentifier(parameter.name)) continue;
      const symbol = context.types.getSymbolAtLocation(parameter.name);
      if (symbol) callbacks.add(symbol);
    }
  }
  if (callbacks.size === 0) return false;
  return chainHandlers(t, value).some((handler) => {
    const fn = skipOuterExpressions(t, handler);
    if (t.isIdentifier(fn)) return callbacks.has(context.types.getSymbolAtLocation(fn)!);
    return isFunctionLikeWithBody(t, fn) && callsOneOf(context, fn, callbacks);
  });
}

function callsOneOf(context: Context, fn: ts.Node, callbacks: ReadonlySet<ts.Symbol>): boolean {
  const t = context.ts;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (t.isCallExpression(node) && t.isIdentifier(node.expression)) {
      const symbol = context.types.getSymbolAtLocation(node.expression);
      if (symbol && callbacks.has(symbol)) {
        found = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

function suggestionsFor(context: Context, at: ts.Node, expression: ts.Expression): Suggestion<MessageId>[] {
  const t = context.ts;
  const suggestions: Suggestion<MessageId>[] = [];
  const fn = enclosingFunction(t, at);
  const e = skipOuterExpressions(t, expression);
  const start = e.getStart(context.sourceFile);
  if (fn && isAsyncFunction(t, fn)) {
    if (t.isVoidExpression(e)) {
      // `void p` -> `await p`
      suggestions.push({
        messageId: 'suggestAwait',
        edits: [{ start, end: e.expression.getStart(context.sourceFile), text: 'await ' }],
      });
    } else {
      suggestions.push({ messageId: 'suggestAwait', edits: [{ start, end: start, text: 'await ' }] });
    }
  }
  const option = context.options.trackers.find((s): s is string => typeof s === 'string');
  const tracker =
    option && rootNameInScope(context, at, option) ? option : option ? undefined : lifecycleTrackerInScope(context, at);
  if (tracker) {
    const inner = t.isVoidExpression(e) ? e.expression : e;
    const innerStart = inner.getStart(context.sourceFile);
    suggestions.push({
      messageId: 'suggestTrack',
      data: { tracker },
      edits: [
        { start, end: innerStart, text: `${tracker}(` },
        { start: inner.getEnd(), end: inner.getEnd(), text: ')' },
      ],
    });
  }
  return suggestions;
}

/**
 * With no string tracker in the options, `lifecycle.track` where the file already has the
 * runtime's `lifecycle` in scope (imported, required, or through a namespace import).
 */
function lifecycleTrackerInScope(context: Context, at: ts.Node): string | undefined {
  const t = context.ts;
  for (const symbol of context.types.getSymbolsInScope(at, t.SymbolFlags.Alias | t.SymbolFlags.Variable)) {
    const declaration = symbol.declarations?.[0];
    if (!declaration || declaration.getSourceFile() !== context.sourceFile) continue;
    const ref = context.index.binding.resolveSymbol(symbol, symbol.name);
    if (ref?.module !== lifecycleModule) continue;
    if (ref.path.length === 1 && ref.path[0] === 'lifecycle') return `${symbol.name}.track`;
    if (ref.path.length === 0) return `${symbol.name}.lifecycle.track`;
  }
  return undefined;
}

/** `inflight.track` is offered only where `inflight` is in scope. */
function rootNameInScope(context: Context, at: ts.Node, tracker: string): boolean {
  const t = context.ts;
  const root = tracker.split('.')[0]!;
  return context.types.getSymbolsInScope(at, t.SymbolFlags.Value | t.SymbolFlags.Alias).some((s) => s.name === root);
}

function isDropper(
  context: Context,
  call: ts.CallExpression,
): { name: string; callbackIndex: number; jobEvents?: boolean } | undefined {
  const t = context.ts;
  const { index, options, sourceFile } = context;
  const ref = index.binding.resolve(call.expression);
  if (ref && refIn(ref, callbackDroppers))
    return { name: calleeText(t, call.expression, sourceFile), callbackIndex: 0 };
  const parts = methodCallParts(t, call);
  if (!parts) return undefined;
  if (parts.name === 'forEach') return { name: `${calleeText(t, call.expression, sourceFile)}`, callbackIndex: 0 };
  if (!listenerMethods.has(parts.name)) return undefined;
  // A job queue's events (BullMQ's QueueEvents and Worker, Bull's queue): the listener records the
  // outcome of a job (`queueEvents.on('completed', …)`), and closing the queue waits for no listener.
  const receiverKind = index.kindOf(parts.receiver, false, 0, true);
  const jobEvents = receiverKind !== undefined && kindSpec(receiverKind)?.emitsJobEvents === true;
  if (jobEvents || options.checkEventListeners) {
    // Signal listeners are the shutdown path itself; `process.on('SIGTERM', async () => …)` is right.
    const receiverRef = index.binding.resolve(parts.receiver);
    if (receiverRef && sameRef(receiverRef, { module: 'global', path: ['process'] })) return undefined;
    return { name: calleeText(t, call.expression, sourceFile), callbackIndex: 1, jobEvents };
  }
  return undefined;
}

/** The callback's promise: an async function, or an arrow whose expression body is (or voids) a promise. */
function callbackReturnsPromise(context: Context, callback: ts.Expression): boolean {
  const t = context.ts;
  const e = skipOuterExpressions(t, callback);
  const functions = isFunctionLikeWithBody(t, e)
    ? [e]
    : t.isIdentifier(e) || t.isPropertyAccessExpression(e)
      ? context.index.resolveFunctions(e)
      : [];
  for (const fn of functions) {
    if (isAsyncFunction(t, fn)) return true;
    if (t.isArrowFunction(fn) && !t.isBlock(fn.body)) {
      const body = skipOuterExpressions(t, fn.body);
      const value = t.isVoidExpression(body) ? body.expression : body;
      const origin = originOfChain(t, value);
      if (t.isCallExpression(origin) && endsByResolving(context, origin.expression)) continue;
      if (isPromiseValued(t, context.index, value) && !isAllowedChain(context, value)) return true;
    }
  }
  return false;
}

function checkDroppedCallback(context: Context, call: ts.CallExpression): void {
  const dropper = isDropper(context, call);
  // A job listener registered at the entry's top level runs for each job, long after the start.
  if (!dropper || (isEntryPromise(context, call) && !dropper.jobEvents)) return;
  const callback = call.arguments[dropper.callbackIndex];
  if (!callback || !callbackReturnsPromise(context, callback)) return;
  // `setTimeout(async () => { …; process.exit(1) }, ms)`: a deadline, detached on purpose.
  if (context.index.resolveFunctions(callback).some((fn) => forcesInside(context.ts, context.index, fn))) return;
  if (isTimeoutClearedOnShutdown(context, call)) return;
  if (endsByResolving(context, callback)) return;
  const callbacks = context.index.resolveFunctions(callback);
  const search = newReadSearch();
  if (callbacks.length > 0 && callbacks.every((fn) => bodyOnlyReads(context, fn, search, 0)) && readsOnlyFound(search))
    return;
  if (callbackWaitsOnlyInShutdownQueue(context.index, callback)) return;
  const inHandler = context.index.enclosingHandler(call) !== undefined;
  context.report({
    node: call,
    messageId: inHandler ? 'droppedCallbackInHandler' : 'droppedCallback',
    // `arrayForEach`: the codemod may turn it into a tracked `Promise.all(items.map(…))`.
    data: { dropper: dropper.name, arrayForEach: isArrayForEach(context, call) },
  });
}

/**
 * `this.retryTimer = setTimeout(async () => …, ms)` with `clearTimeout(this.retryTimer)` on a
 * shutdown path: shutdown cancels the delayed work before it starts. Only a one-shot timeout: an
 * interval cleared at shutdown can still have a run in flight that nothing waits for.
 */
function isTimeoutClearedOnShutdown(context: Context, call: ts.CallExpression): boolean {
  const t = context.ts;
  const { index } = context;
  const ref = index.binding.resolve(call.expression);
  if (!ref || !refIn(ref, timeoutTimers)) return false;
  const parent = skipParentheses(t, call);
  let handle: string | undefined;
  if (t.isBinaryExpression(parent) && parent.operatorToken.kind === t.SyntaxKind.EqualsToken)
    handle = handleName(t, parent.left);
  else if (t.isVariableDeclaration(parent) && t.isIdentifier(parent.name)) handle = parent.name.text;
  if (!handle) return false;
  return ['clearTimeout', 'clearInterval'].some((name) =>
    index.callsNamed(name).some((clear) => {
      if (!t.isCallExpression(clear) || !clear.arguments[0] || handleName(t, clear.arguments[0]) !== handle)
        return false;
      const clearRef = index.binding.resolve(clear.expression);
      return (
        clearRef !== undefined &&
        refIn(clearRef, timerClears) &&
        clear.getSourceFile() === call.getSourceFile() &&
        (index.shutdownRootsOf(clear).length > 0 || inCleanupMethod(t, clear))
      );
    }),
  );
}

/**
 * A method named for shutdown (`disconnect()`, `stop()`, `close()`): where the shutdown path is
 * not followed to it (a controller loaded by a dynamic require), its name says it is one.
 */
function inCleanupMethod(t: TS, node: ts.Node): boolean {
  const fn = enclosingFunction(t, node);
  const name =
    fn && (t.isMethodDeclaration(fn) || t.isFunctionDeclaration(fn)) && fn.name && t.isIdentifier(fn.name)
      ? fn.name.text
      : undefined;
  return name !== undefined && cleanupNames.test(name);
}

/** `this.timer` -> `this.timer`, `timer` -> `timer`: how a handle is written. */
function handleName(t: TS, expression: ts.Expression): string | undefined {
  const e = skipOuterExpressions(t, expression);
  if (t.isIdentifier(e)) return e.text;
  if (t.isPropertyAccessExpression(e) && e.expression.kind === t.SyntaxKind.ThisKeyword) return `this.${e.name.text}`;
  return undefined;
}

function skipParentheses(t: TS, node: ts.Node): ts.Node {
  let parent = node.parent;
  while (parent && (t.isParenthesizedExpression(parent) || t.isAsExpression(parent))) parent = parent.parent;
  return parent;
}

function isArrayForEach(context: Context, call: ts.CallExpression): boolean {
  const parts = methodCallParts(context.ts, call);
  if (!parts || parts.name !== 'forEach') return false;
  const { types } = context;
  const type = types.getTypeAtLocation(parts.receiver);
  return types.isArrayType(type) || types.isTupleType(type);
}

/** `() => void work()` anywhere else: the arrow returns undefined and drops the promise. */
function checkVoidArrow(context: Context, arrow: ts.ArrowFunction): void {
  const t = context.ts;
  if (t.isBlock(arrow.body)) return;
  const body = skipOuterExpressions(t, arrow.body);
  if (!t.isVoidExpression(body)) return;
  const parent = arrow.parent;
  if (t.isCallExpression(parent) && isDropper(context, parent)) return; // reported as a dropped callback
  if (t.isCallExpression(parent) && isProcessSignalListener(context, parent)) return; // the shutdown path itself
  const value = body.expression;
  if (!isPromiseValued(context.ts, context.index, value) || isAllowedChain(context, value)) return;
  const origin = originOfChain(t, value);
  if (settlesAtOnce(context, origin) || runsUntilClosed(context, origin)) return;
  const name = workName(t, origin, context.sourceFile);
  const inHandler = context.index.enclosingHandler(arrow) !== undefined;
  context.report({ node: body, messageId: inHandler ? 'untrackedInHandler' : 'untracked', data: { name } });
}

function isProcessSignalListener(context: Context, call: ts.CallExpression): boolean {
  return context.index.shutdownRoots.some((root) => root.registration === call);
}

/**
 * `new Worker(file, { workerData })` from `node:worker_threads`, dropped: a thread doing work that
 * no reference is kept to, so nothing can wait for its `'exit'` (zipline assembling an upload's
 * last chunk after answering `pending: true`).
 */
function workerThreadStart(context: Context, value: ts.Expression): ts.NewExpression | undefined {
  const t = context.ts;
  let e = skipOuterExpressions(t, value);
  // `new Worker(…).on('error', log)`: a listener returns the worker, still dropped (as `.catch(log)` is).
  let parts = t.isCallExpression(e) ? methodCallParts(t, e) : undefined;
  while (parts && listenerMethods.has(parts.name)) {
    e = skipOuterExpressions(t, parts.receiver);
    parts = t.isCallExpression(e) ? methodCallParts(t, e) : undefined;
  }
  if (!t.isNewExpression(e)) return undefined;
  const ref = context.index.binding.resolve(e.expression);
  return ref !== undefined && sameRef(ref, { module: 'worker_threads', path: ['Worker'] }) ? e : undefined;
}

/**
 * The shutdown hook whose body `node` is in, when every root of that function is a hook whose
 * promise the library awaits before it goes on (NestJS `onModuleDestroy`, Fastify `onClose`,
 * close-with-grace, terminus, lightship, the lifecycle's closers): a promise dropped there is work
 * the shutdown does not wait for. A `process` signal listener (nothing awaits it) and the sync
 * hooks of exit-hook and async-exit-hook (callback-style) are not such hooks.
 */
function awaitedShutdownHookOf(context: Context, node: ts.Node): string | undefined {
  const fn = enclosingFunction(context.ts, node);
  if (!fn) return undefined;
  const roots = context.index.shutdownRoots.filter((root) => root.fn === fn);
  if (roots.length === 0) return undefined;
  const awaited = roots.every(
    (root) => !root.signals && root.afterPos === undefined && !hookPromiseIgnoredBy.has(root.trigger),
  );
  return awaited ? roots[0]!.trigger : undefined;
}

/** Shutdown libraries that call their hooks without awaiting what they return. */
const hookPromiseIgnoredBy = new Set(['exit-hook', 'async-exit-hook']);

function isShutdownRootBody(context: Context, node: ts.Node): boolean {
  const fn = enclosingFunction(context.ts, node);
  return fn !== undefined && context.index.shutdownRoots.some((root) => root.fn === fn);
}

/** `const audit = writeAudit(req)` and `audit` is never awaited, returned or passed on. */
function checkLocal(context: Context, declaration: ts.VariableDeclaration): void {
  const t = context.ts;
  const { index, sourceFile, types } = context;
  if (!declaration.initializer || !t.isIdentifier(declaration.name)) return;
  if (t.isForOfStatement(declaration.parent.parent) || t.isForInStatement(declaration.parent.parent)) return;
  const statement = declaration.parent.parent;
  if (t.isVariableStatement(statement) && t.getModifiers(statement)?.some((m) => m.kind === t.SyntaxKind.ExportKeyword))
    return;
  const initializer = skipOuterExpressions(t, declaration.initializer);
  if (!t.isCallExpression(initializer) && !t.isNewExpression(initializer)) return;
  if (!isPromiseValued(t, index, initializer) || isAllowedChain(context, initializer)) return;
  const symbol = types.getSymbolAtLocation(declaration.name);
  if (!symbol) return;
  const scope: ts.Node = enclosingFunction(t, declaration) ?? sourceFile;
  if (t.isSourceFile(scope) && hasCommonJsExport(t, sourceFile)) return; // may be exported by assignment
  let escapes = false;
  const visit = (node: ts.Node): void => {
    if (escapes) return;
    if (t.isIdentifier(node) && node !== declaration.name && node.text === declaration.name.getText(sourceFile)) {
      if (types.getSymbolAtLocation(node) === symbol && referenceEscapes(t, node)) {
        escapes = true;
        return;
      }
      if (
        t.isShorthandPropertyAssignment(node.parent) &&
        types.getShorthandAssignmentValueSymbol(node.parent) === symbol
      ) {
        escapes = true;
        return;
      }
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(scope, visit);
  if (escapes) return;
  const origin = originOfChain(t, initializer);
  const name = workName(t, origin, sourceFile);
  const inHandler = index.enclosingHandler(declaration) !== undefined;
  context.report({
    node: initializer,
    messageId: inHandler ? 'unusedLocalInHandler' : 'unusedLocal',
    data: { variable: declaration.name.text, name },
  });
}

function hasCommonJsExport(t: TS, file: ts.SourceFile): boolean {
  return file.statements.some(
    (s) =>
      t.isExpressionStatement(s) &&
      t.isBinaryExpression(s.expression) &&
      /^(module\.)?exports\b/.test(s.expression.left.getText(file)),
  );
}

/** Whether this use of the promise lets something else wait for it. */
function referenceEscapes(t: TS, reference: ts.Node): boolean {
  let node: ts.Node = reference;
  for (;;) {
    const parent = node.parent;
    if (!parent) return false;
    if (
      t.isParenthesizedExpression(parent) ||
      t.isAsExpression(parent) ||
      t.isSatisfiesExpression(parent) ||
      t.isNonNullExpression(parent) ||
      (t.isConditionalExpression(parent) && parent.condition !== node) ||
      (t.isBinaryExpression(parent) &&
        parent.right === node &&
        [t.SyntaxKind.BarBarToken, t.SyntaxKind.QuestionQuestionToken, t.SyntaxKind.AmpersandAmpersandToken].includes(
          parent.operatorToken.kind,
        ))
    ) {
      node = parent;
      continue;
    }
    if (t.isAwaitExpression(parent) || t.isReturnStatement(parent) || t.isYieldExpression(parent)) return true;
    if (t.isArrowFunction(parent) && parent.body === node) return true;
    if ((t.isCallExpression(parent) || t.isNewExpression(parent)) && parent.arguments?.includes(node as ts.Expression))
      return true;
    if (t.isArrayLiteralExpression(parent) || t.isSpreadElement(parent) || t.isPropertyAssignment(parent)) return true;
    if (t.isVariableDeclaration(parent) && parent.initializer === node) return true; // an alias, checked on its own
    if (t.isBinaryExpression(parent) && parent.right === node && parent.operatorToken.kind === t.SyntaxKind.EqualsToken)
      return true;
    if (t.isExportAssignment(parent) || t.isExportSpecifier(parent)) return true;
    // `p.then(…)`, `p.catch(…)`: the chain is the promise now; follow what happens to it.
    if (
      t.isPropertyAccessExpression(parent) &&
      parent.expression === node &&
      isChainMethod(parent.name.text) &&
      t.isCallExpression(parent.parent) &&
      parent.parent.expression === parent
    ) {
      node = parent.parent;
      continue;
    }
    return false;
  }
}
