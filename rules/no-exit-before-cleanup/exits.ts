// Process exits and where they run: which calls end the process (in any binding form), which
// files belong to a long-running program, and the places where an exit is the right thing: a
// worker thread, a deadline's force-exit, a crash listener, startup before anything is open.
// (runtime-facts §1.6 exit semantics, §1.7 signals; peer-linters §4 cases 21-26.)
import type * as ts from 'typescript';
import {
  crashEvents,
  deadlineTimers,
  kindSpec,
  listenerMethods,
  longRunningCategories,
  processExits,
  refIn,
  sameRef,
  serverFailureEvents,
} from '../../src/core/catalogue.js';
import { isTimerCall } from './cleanup.js';
import { callsRunBy, isAwaitedWithin, ranBefore } from '../../src/core/flow.js';
import { factKey, type ProgramIndex, type ShutdownRoot } from '../../src/core/program-index.js';
import { isChainMethod, originOfChain } from '../../src/core/promises.js';
import { commandsOf, isCommandAction, isServerValue, namedScopeOf } from '../../src/core/startup.js';
import {
  enclosingFunction,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from '../../src/core/ts-utils.js';

export interface ExitCall {
  call: ts.CallExpression;
  /** `exit` (also `reallyExit`), `abort`, or `kill` of the process itself. */
  how: 'exit' | 'abort' | 'kill';
  /** For `kill`: the signal sent (SIGTERM when none is given), undefined when not literal. */
  signal?: string;
}

const exitNames: ReadonlySet<string> = new Set(processExits.map((ref) => ref.path[ref.path.length - 1]!));
const processPid = { module: 'global', path: ['process', 'pid'] };

/** `process.exit`, `exit()` destructured or imported from node:process, `process['exit']()`, `process.kill(process.pid)`. */
export function exitCallOf(index: ProgramIndex, call: ts.CallExpression): ExitCall | undefined {
  const t = index.ts;
  const callee = skipOuterExpressions(t, call.expression);
  // A cheap name check first: only identifiers (aliases) and members named like an exit resolve.
  if (t.isPropertyAccessExpression(callee) && !exitNames.has(callee.name.text)) return undefined;
  if (t.isElementAccessExpression(callee) && !exitNames.has(staticPropertyName(t, callee.argumentExpression) ?? ''))
    return undefined;
  if (!t.isIdentifier(callee) && !t.isPropertyAccessExpression(callee) && !t.isElementAccessExpression(callee))
    return undefined;
  const ref = index.binding.resolve(call.expression);
  if (!ref || !refIn(ref, processExits)) return undefined;
  const name = ref.path[1];
  if (name === 'abort') return { call, how: 'abort' };
  if (name !== 'kill') return { call, how: 'exit' };
  const [pid, signal] = call.arguments;
  const pidRef = pid && index.binding.resolve(pid);
  if (!pidRef || !sameRef(pidRef, processPid)) return undefined;
  if (!signal) return { call, how: 'kill', signal: 'SIGTERM' };
  const s = skipOuterExpressions(t, signal);
  if (t.isNumericLiteral(s) && s.text === '0') return undefined; // signal 0 only tests that the process exists
  return { call, how: 'kill', signal: t.isStringLiteralLike(s) ? s.text : undefined };
}

/** `process.exit` as a value: `process.on('SIGINT', process.exit)`. */
export function isExitReference(index: ProgramIndex, expression: ts.Expression): boolean {
  const ref = index.binding.resolve(expression);
  return (
    ref !== undefined &&
    ref.module === 'global' &&
    ref.path.length === 2 &&
    ref.path[0] === 'process' &&
    (ref.path[1] === 'exit' || ref.path[1] === 'reallyExit')
  );
}

/** Cache per index for the whole-program sets below. */
interface ExitFacts {
  longRunning?: Set<ts.SourceFile>;
  deadlineCallbacks?: Set<ts.Node>;
  failureListeners?: Set<ts.Node>;
}
const exitFacts = factKey<ExitFacts>('long-running files, deadline and failure listeners');

function factsOf(index: ProgramIndex): ExitFacts {
  return index.fact(exitFacts, () => ({}));
}

/**
 * The files of a long-running program: loaded by an entry that loads a server, an app or a
 * resource from the catalogue, or registers request handlers. A one-shot script beside it (a
 * migration, a release script) is not, unless it loads the service's own modules.
 */
export function isLongRunningFile(index: ProgramIndex, file: ts.SourceFile): boolean {
  const facts = factsOf(index);
  if (!facts.longRunning) {
    const seeds = new Set<ts.SourceFile>();
    for (const record of index.servers) {
      const category = kindSpec(record.kind)?.category;
      if (category && longRunningCategories.has(category)) seeds.add(record.creation.getSourceFile());
    }
    for (const fn of index.handlers.keys()) seeds.add(fn.getSourceFile());
    facts.longRunning = index.filesRunningWith(seeds);
  }
  return facts.longRunning.has(file);
}

/** A `#!` line; ESLint hands the parser `//` in place of the `#!` (`///usr/bin/env node`). */
const shebang = /^(?:#!|\/\/(?=\/))\/?\S*\b(?:env|node|nodejs|bun|deno)\b/;

/** A CLI: the file starts with a `#!` line and opens no server itself. */
export function isShebangScript(index: ProgramIndex, file: ts.SourceFile): boolean {
  if (!shebang.test(file.text)) return false;
  return !index.servers.some((s) => s.creation.getSourceFile() === file && kindSpec(s.kind)?.category === 'server');
}

/**
 * The force-exit of a deadline: `node` is in a timer's callback (a `setTimeout` whose callback calls `process.exit`,
 * `setTimeout(forceExit, ms)`, `sleep(ms).then(() => …)`), or runs after an awaited timer in its function.
 */
export function isDeadlineExit(index: ProgramIndex, node: ts.Node): boolean {
  const t = index.ts;
  const facts = factsOf(index);
  if (!facts.deadlineCallbacks) {
    facts.deadlineCallbacks = new Set();
    for (const call of index.calls) {
      if (!t.isCallExpression(call)) continue;
      const ref = index.binding.resolve(call.expression);
      if (ref && refIn(ref, deadlineTimers)) {
        const callback = call.arguments[0];
        if (callback) for (const fn of index.resolveFunctions(callback, 0, false)) facts.deadlineCallbacks.add(fn);
        continue;
      }
      const parts = methodCallParts(t, call);
      if (!parts || !isChainMethod(parts.name)) continue;
      const origin = originOfChain(t, call);
      if ((t.isCallExpression(origin) || t.isNewExpression(origin)) && isTimerCall(index, origin)) {
        for (const arg of call.arguments)
          for (const fn of index.resolveFunctions(arg, 0, false)) facts.deadlineCallbacks.add(fn);
      }
    }
  }
  const fn = enclosingFunction(t, node);
  if (fn && facts.deadlineCallbacks.has(fn)) return true;
  // `await sleep(10_000)` then `process.exit`, in a detached async function.
  const scope = fn ?? node.getSourceFile();
  return ranBefore(t, node, scope).some((piece) => {
    let awaitedTimer = false;
    callsRunBy(index, piece, (call) => {
      if (isTimerCall(index, call) && isAwaitedWithin(index, call, piece)) {
        awaitedTimer = true;
        return true;
      }
    });
    return awaitedTimer;
  });
}

/**
 * Listeners for failures whose default already ends the process or that mean it never opened:
 * `process.on('uncaughtException' | 'unhandledRejection')`, a server's `'error'` (EADDRINUSE);
 * and what they call.
 */
export function isInFailureListener(index: ProgramIndex, node: ts.Node): boolean {
  const t = index.ts;
  const facts = factsOf(index);
  if (!facts.failureListeners) {
    facts.failureListeners = new Set();
    for (const call of index.calls) {
      if (!t.isCallExpression(call)) continue;
      const parts = methodCallParts(t, call);
      if (!parts || !listenerMethods.has(parts.name)) continue;
      const [event, listener] = call.arguments;
      if (!event || !listener || !t.isStringLiteralLike(event)) continue;
      let failure = false;
      if (crashEvents.has(event.text)) {
        const receiver = index.binding.resolve(parts.receiver);
        failure = receiver !== undefined && sameRef(receiver, { module: 'global', path: ['process'] });
      } else if (serverFailureEvents.has(event.text)) {
        failure = isServerValue(index, parts.receiver, 0);
      }
      if (!failure) continue;
      for (const fn of index.resolveFunctions(listener)) {
        for (const reached of index.reachableFrom(fn)) facts.failureListeners.add(reached);
      }
    }
  }
  for (let fn = enclosingFunction(t, node); fn; fn = enclosingFunction(t, fn)) {
    if (facts.failureListeners.has(fn)) return true;
  }
  return false;
}

/** A listener of `process` for a signal (not a library's or a framework's shutdown hook). */
export function isSignalListenerRoot(root: ShutdownRoot): boolean {
  return root.signals !== undefined;
}

/** A signal listener installed while shutting down: the "second signal exits now" pattern. */
export function isSecondSignalListener(index: ProgramIndex, root: ShutdownRoot): boolean {
  return index.shutdownRootsOf(root.registration).some((other) => other !== root);
}

/** The catalogue label of what the program serves or holds open, for messages: `HTTP server`, `pg Pool`. */
export function openThingLabel(index: ProgramIndex): string {
  const byCategory = (category: string): string | undefined => {
    for (const record of index.servers) {
      const spec = kindSpec(record.kind);
      if (spec?.category === category) return spec.label;
    }
    return undefined;
  };
  return byCategory('server') ?? byCategory('app') ?? byCategory('resource') ?? 'server';
}

/** How messages name a function: `loadConfig`, `Config.load`, `Config constructor`. */
export function functionLabel(t: TS, fn: FunctionLikeWithBody): string {
  const className = (): string | undefined => {
    const cls = fn.parent;
    return cls && t.isClassLike(cls) && cls.name ? cls.name.text : undefined;
  };
  if (t.isConstructorDeclaration(fn)) return `${className() ?? 'class'} constructor`;
  if ((t.isMethodDeclaration(fn) || t.isGetAccessorDeclaration(fn) || t.isSetAccessorDeclaration(fn)) && fn.name) {
    const name = staticPropertyName(t, fn.name) ?? fn.name.getText();
    const cls = className();
    return cls ? `${cls}.${name}` : name;
  }
  if ((t.isFunctionDeclaration(fn) || t.isFunctionExpression(fn)) && fn.name) return fn.name.text;
  const parent = fn.parent;
  if (t.isVariableDeclaration(parent) && t.isIdentifier(parent.name)) return parent.name.text;
  if ((t.isPropertyAssignment(parent) || t.isPropertyDeclaration(parent)) && staticPropertyName(t, parent.name)) {
    return staticPropertyName(t, parent.name)!;
  }
  if (t.isBinaryExpression(parent)) return parent.left.getText().replace(/^(module\.)?exports\./, '');
  return 'a function';
}

/**
 * Whether `file` runs in a long-running program, when each subcommand of a multi-command CLI
 * counts as a program of its own: `deepstream hash` loads the config loader, not the server that
 * `deepstream start` loads. A file that a dispatcher loads only through its command modules is
 * long-running when one of those commands loads a server, an app, a resource or a handler;
 * anything else is judged as `isLongRunningFile` does.
 */
export function isLongRunningForItsCommands(index: ProgramIndex, file: ts.SourceFile): boolean {
  if (!isLongRunningFile(index, file)) return false;
  const facts = commandsOf(index);
  if (facts.modules.size === 0) return true;
  const cached = facts.longRunning.get(file);
  if (cached !== undefined) return cached;
  const seeds = longRunningSeeds(index);
  const loadsSeed = (root: ts.SourceFile): boolean => [...index.loadedBy(root)].some((f) => seeds.has(f));
  let result = false;
  for (const entry of index.entriesOf(file)) {
    const loaded = index.loadedBy(entry);
    if (!loaded.has(file)) continue;
    const commands = [...facts.modules].filter((m) => m !== entry && loaded.has(m));
    if (commands.length === 0 || !reachesAvoiding(index, entry, file, new Set(commands))) {
      // Loaded through command modules only: long-running when one of those commands is.
      if (
        commands.length === 0 ? loadsSeed(entry) : commands.some((m) => index.loadedBy(m).has(file) && loadsSeed(m))
      ) {
        result = true;
        break;
      }
    } else if (loadsSeed(entry)) {
      result = true;
      break;
    }
  }
  facts.longRunning.set(file, result);
  return result;
}

function longRunningSeeds(index: ProgramIndex): Set<ts.SourceFile> {
  const seeds = new Set<ts.SourceFile>();
  for (const record of index.servers) {
    const category = kindSpec(record.kind)?.category;
    if (category && longRunningCategories.has(category)) seeds.add(record.creation.getSourceFile());
  }
  for (const fn of index.handlers.keys()) seeds.add(fn.getSourceFile());
  return seeds;
}

/** Whether `entry` loads `file` along a path that enters none of `avoid` (the entry itself aside). */
function reachesAvoiding(
  index: ProgramIndex,
  entry: ts.SourceFile,
  file: ts.SourceFile,
  avoid: ReadonlySet<ts.SourceFile>,
): boolean {
  if (avoid.has(file)) return false;
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length) {
    const from = queue.pop()!;
    for (const target of directImports(index, from)) {
      if (target === file) return true;
      if (seen.has(target) || avoid.has(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return false;
}

/** The program files `file` loads at run time (type-only imports aside), by its own import statements and requires. */
function directImports(index: ProgramIndex, file: ts.SourceFile): ts.SourceFile[] {
  const t = index.ts;
  const found: ts.SourceFile[] = [];
  const add = (specifier: ts.Expression | undefined): void => {
    if (!specifier || !t.isStringLiteralLike(specifier)) return;
    const target = index.binding.moduleFileOf(specifier);
    if (target && !target.isDeclarationFile) found.push(target);
  };
  const visit = (node: ts.Node): void => {
    if (t.isImportDeclaration(node)) {
      if (!node.importClause?.isTypeOnly) add(node.moduleSpecifier);
    } else if (t.isExportDeclaration(node)) {
      if (!node.isTypeOnly) add(node.moduleSpecifier);
    } else if (t.isCallExpression(node)) {
      if (node.expression.kind === t.SyntaxKind.ImportKeyword || index.binding.requireSpecifier(node) !== undefined)
        add(node.arguments[0]);
    }
    t.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * The scope an exit belongs to, with a subcommand's action as a scope of its own even when it is
 * an inline callback: `.action(async () => { … process.exit(1) })` is that command's `main()`.
 */
export function entryScopeOf(index: ProgramIndex, node: ts.Node): FunctionLikeWithBody | ts.SourceFile {
  const t = index.ts;
  const named = namedScopeOf(t, node);
  for (let fn = enclosingFunction(t, node); fn && fn !== named; fn = enclosingFunction(t, fn)) {
    if (isCommandAction(index, fn)) return fn;
  }
  return named;
}

/**
 * `node` is in the rejection handler of a promise chain that is a statement of a module's top
 * level: `main().catch(() => process.exit(1))`, `Promise.all(workers.map((w) => w.run())).catch(…)`,
 * `client.raw('select 1').catch(…)`. That promise is the program's start (or a probe of what it
 * opens at load time): when it fails, the program never started serving, whatever the module
 * opened before it.
 */
export function isEntryPromiseFailure(index: ProgramIndex, node: ts.Node): boolean {
  const t = index.ts;
  let fn = enclosingFunction(t, node);
  if (!fn) return false;
  for (let outer = enclosingFunction(t, fn); outer; outer = enclosingFunction(t, outer)) fn = outer;
  const call = fn.parent;
  if (!call || !t.isCallExpression(call)) return false;
  const parts = methodCallParts(t, call);
  if (!parts) return false;
  const rejection =
    (parts.name === 'catch' && call.arguments[0] === fn) || (parts.name === 'then' && call.arguments[1] === fn);
  if (!rejection) return false;
  // Up the chain to its statement: `main().catch(…).finally(…);`, `void main().catch(…)`.
  let top: ts.Node = call;
  for (;;) {
    const parent: ts.Node = top.parent;
    if (t.isPropertyAccessExpression(parent) && parent.expression === top && t.isCallExpression(parent.parent)) {
      top = parent.parent;
      continue;
    }
    if (t.isParenthesizedExpression(parent) || t.isVoidExpression(parent) || t.isAwaitExpression(parent)) {
      top = parent;
      continue;
    }
    break;
  }
  return t.isExpressionStatement(top.parent) && t.isSourceFile(top.parent.parent);
}
