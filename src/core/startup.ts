// Start-up code: where a program starts (its entry path, a subcommand's action, NestJS's
// bootstrap hooks, a Fastify plugin) and the functions that run only from there, before anything
// is opened. An exit there is a failed start, and work dropped there is the start itself: neither
// cuts off a request (no-exit-before-cleanup, no-untracked-promise).
import { posix } from 'node:path';
import type * as ts from 'typescript';
import { findFactory, kindSpec, longRunningCategories, openCategories } from './catalogue.js';
import { isTestFile } from './files.js';
import { dynamicImportSites } from './import-tables.js';
import { factKey, type ProgramIndex } from './program-index.js';
import {
  enclosingFunction,
  isFunctionLikeWithBody,
  methodCallParts,
  propertyValue,
  referencesWithin,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from './ts-utils.js';

/** Cache per index for the whole-program sets below. */
interface StartupFacts {
  entryFunctions: Map<ts.SourceFile, Set<ts.Node>>;
  startup: Map<ts.Node, boolean>;
  startupCalls: Map<ts.Node, boolean>;
  beforeOpening: Map<ts.Node, boolean>;
  /** file -> exported name -> the local names importers give it; built once, in one pass over the imports. */
  importNames?: Map<ts.SourceFile, Map<string, string[]>>;
  /** file -> whether only tests load it. */
  testSupport: Map<ts.SourceFile, boolean>;
}
const startupFacts = factKey<StartupFacts>('entry functions and start-up code');

function factsOf(index: ProgramIndex): StartupFacts {
  return index.fact(startupFacts, () => ({
    entryFunctions: new Map(),
    startup: new Map(),
    startupCalls: new Map(),
    beforeOpening: new Map(),
    testSupport: new Map(),
  }));
}
/** A server, also behind a wrapper that returns it: `stoppable(http.createServer(app))`. */
export function isServerValue(index: ProgramIndex, expression: ts.Expression, depth: number): boolean {
  const t = index.ts;
  const kind = index.kindOf(expression, true);
  if (kind !== undefined) return kindSpec(kind)?.category === 'server';
  if (depth > 4) return false;
  let e = skipOuterExpressions(t, expression);
  if (t.isIdentifier(e)) {
    const declaration = index.types.getSymbolAtLocation(e)?.valueDeclaration;
    if (!declaration || !t.isVariableDeclaration(declaration) || !declaration.initializer) return false;
    e = skipOuterExpressions(t, declaration.initializer);
  } else if (t.isPropertyAccessExpression(e)) {
    // `WIKI.server = http.createServer(app)`: a server kept on an object (a global), assigned in this file.
    const assigned = assignedIn(t, e.getSourceFile(), e.getText());
    return assigned !== undefined && isServerValue(index, assigned, depth + 1);
  }
  if (t.isConditionalExpression(e))
    return isServerValue(index, e.whenTrue, depth + 1) || isServerValue(index, e.whenFalse, depth + 1);
  if (t.isBinaryExpression(e))
    return isServerValue(index, e.left, depth + 1) || isServerValue(index, e.right, depth + 1);
  if (!t.isCallExpression(e)) return false;
  return e.arguments.some((arg) => isServerValue(index, arg, depth + 1));
}

/** The value of the first `target = value` in `file` (`target` as written, `WIKI.server`). */
function assignedIn(t: TS, file: ts.SourceFile, target: string): ts.Expression | undefined {
  if (!file.text.includes(`${target} =`)) return undefined;
  let found: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      t.isBinaryExpression(n) &&
      n.operatorToken.kind === t.SyntaxKind.EqualsToken &&
      t.isPropertyAccessExpression(n.left) &&
      n.left.getText() === target
    ) {
      found = n.right;
      return;
    }
    t.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

/**
 * The scope an exit belongs to for the entry-path question: the nearest named function (a
 * declaration, a method, a function stored in a variable or property), or the module.
 * Callbacks belong to the function they are written in.
 */
export function namedScopeOf(t: TS, node: ts.Node): FunctionLikeWithBody | ts.SourceFile {
  for (let fn = enclosingFunction(t, node); fn; fn = enclosingFunction(t, fn)) {
    if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return fn;
    const parent = fn.parent;
    if (
      t.isVariableDeclaration(parent) ||
      t.isPropertyAssignment(parent) ||
      t.isPropertyDeclaration(parent) ||
      (t.isBinaryExpression(parent) && parent.right === fn && parent.operatorToken.kind === t.SyntaxKind.EqualsToken)
    ) {
      return fn;
    }
  }
  return node.getSourceFile();
}

/**
 * Code on the program's entry path: a module's top level (it runs once, at load: Go's `init`), or
 * a function of an entry module that its top level calls, directly or through functions of the
 * same module (`main()`, `bootstrap()`: Go's `main`).
 */
export function isEntryPath(index: ProgramIndex, scope: FunctionLikeWithBody | ts.SourceFile): boolean {
  const t = index.ts;
  if (t.isSourceFile(scope)) return true;
  const file = scope.getSourceFile();
  if (!index.isEntryModule(file)) return false;
  const facts = factsOf(index);
  let entry = facts.entryFunctions.get(file);
  if (!entry) {
    entry = new Set();
    const queue: ts.Node[] = [];
    const add = (fns: readonly ts.Node[]): void => {
      for (const fn of fns) {
        if (fn.getSourceFile() === file && !entry!.has(fn)) {
          entry!.add(fn);
          queue.push(fn);
        }
      }
    };
    // Declarations run only when called; callbacks run with the code they are written in.
    const collect = (root: ts.Node): void => {
      const visit = (n: ts.Node): void => {
        if (n !== root && isFunctionLikeWithBody(t, n) && !t.isArrowFunction(n) && !t.isFunctionExpression(n)) return;
        if (t.isClassLike(n)) return;
        if (t.isCallExpression(n)) {
          add(index.resolveFunctions(n.expression, 0, false));
          for (const arg of n.arguments) {
            const value = skipOuterExpressions(t, arg);
            if (t.isIdentifier(value)) add(index.resolveFunctions(value, 0, false));
            // `throng({ master, worker: start })`: a runner given the entry functions.
            if (t.isObjectLiteralExpression(value)) {
              for (const property of value.properties) {
                const named = propertyValue(t, property);
                if (named && t.isIdentifier(named)) add(index.resolveFunctions(named, 0, false));
              }
            }
          }
        }
        t.forEachChild(n, visit);
      };
      visit(root);
    };
    collect(file);
    while (queue.length) {
      const fn = queue.shift() as FunctionLikeWithBody;
      if (fn.body) collect(fn.body);
    }
    facts.entryFunctions.set(file, entry);
  }
  return entry.has(scope);
}

/**
 * Code that runs only at startup: the entry path, or a function every call of which (test files
 * aside) is synchronous code of startup code, made before anything is opened there:
 * `export default new Environment()` at a module's top level, `await checkMigrations()` first
 * thing in `main()`. A function also passed as a value (a timer's or a listener's callback) runs
 * who knows when, so it is not.
 */
export function isStartupScope(index: ProgramIndex, scope: FunctionLikeWithBody | ts.SourceFile, depth = 0): boolean {
  const t = index.ts;
  if (isEntryPath(index, scope)) return true;
  if (t.isSourceFile(scope) || depth > 5) return false;
  if (isCommandAction(index, scope)) return true;
  if (isNestBootstrapHook(t, scope)) return true;
  const facts = factsOf(index);
  const cached = facts.startup.get(scope);
  if (cached !== undefined) return cached;
  facts.startup.set(scope, false); // cycle guard
  const atStartup = (site: ts.Node): boolean => {
    const named = namedScopeOf(t, site);
    const own = ownScopeOf(t, site);
    // A @nestjs/config factory runs while Nest builds its modules, before the app listens.
    if (own !== named && isNestConfigFactory(index, own)) return !openedBefore(index, site, own);
    if (own !== named) return false; // in a callback: runs later
    return isStartupScope(index, named, depth + 1) && !openedBefore(index, site, named);
  };
  const uses = usesOf(index, scope);
  let startup = uses !== undefined && uses.length > 0 && uses.every(atStartup);
  // A singleton (`Server.instance ??= new Server()` in `getInstance()`) is built at its first use:
  // at load time when some use is startup code, since handlers and timers run after loading.
  const memo = uses?.length === 1 ? memoisingFunction(t, uses[0]!) : undefined;
  if (!startup && memo) {
    const memoUses = usesOf(index, memo);
    startup = memoUses !== undefined && memoUses.some(atStartup);
  }
  // A function that memoises its own result (`if (root != null) return root; … root = found`) runs
  // its body only until a call has stored it: at load time when some use is startup code, as above.
  if (!startup && uses !== undefined && uses.length > 0 && memoisesOwnResult(t, scope)) startup = uses.some(atStartup);
  facts.startup.set(scope, startup);
  return startup;
}

/**
 * NestJS runs `onModuleInit` and `onApplicationBootstrap` while the application initialises, before
 * `app.listen()` opens its server (`app.init()` runs them first): an exit there (the database never
 * answered, a migration failed) is a failed start. A provider or module class: decorated, or
 * implementing the hook's interface.
 */
function isNestBootstrapHook(t: TS, fn: FunctionLikeWithBody): boolean {
  if (!t.isMethodDeclaration(fn) || !t.isIdentifier(fn.name)) return false;
  if (fn.name.text !== 'onModuleInit' && fn.name.text !== 'onApplicationBootstrap') return false;
  const cls = fn.parent;
  if (!t.isClassDeclaration(cls)) return false;
  const decorated = (t.getDecorators?.(cls) ?? []).length > 0;
  const implementsHook = (cls.heritageClauses ?? []).some(
    (clause) =>
      clause.token === t.SyntaxKind.ImplementsKeyword &&
      clause.types.some((type) => /^(OnModuleInit|OnApplicationBootstrap)$/.test(type.expression.getText())),
  );
  return decorated || implementsHook;
}

/**
 * `if (root != null) return root;` as the function's first statement, where `root` is a variable of
 * the module (or a static property, `Paths.root`) that the function's own code assigns: every call
 * after one that stored it returns at once, so the rest of the body runs only on the calls made
 * before it was stored (the first, or those that ended in an exit).
 */
function memoisesOwnResult(t: TS, fn: FunctionLikeWithBody): boolean {
  const body = fn.body;
  if (!body || !t.isBlock(body)) return false;
  const guard = body.statements[0];
  if (!guard || !t.isIfStatement(guard) || guard.elseStatement) return false;
  const cache = cacheTested(t, guard.expression);
  if (!cache) return false;
  const then = guard.thenStatement;
  const ret = t.isBlock(then) && then.statements.length === 1 ? then.statements[0] : then;
  if (!ret || !t.isReturnStatement(ret) || !ret.expression) return false;
  if (skipOuterExpressions(t, ret.expression).getText() !== cache) return false;
  if (!isModuleLevelCache(t, fn.getSourceFile(), cache)) return false;
  let stored = false;
  const visit = (node: ts.Node): void => {
    if (stored || isFunctionLikeWithBody(t, node)) return;
    if (
      t.isBinaryExpression(node) &&
      node.operatorToken.kind === t.SyntaxKind.EqualsToken &&
      skipOuterExpressions(t, node.left).getText() === cache
    )
      stored = true;
    t.forEachChild(node, visit);
  };
  body.statements.slice(1).forEach(visit);
  return stored;
}

/** The cache a guard tests as set: `root != null`, `root !== undefined`, `null !== root`, `root`. */
function cacheTested(t: TS, condition: ts.Expression): string | undefined {
  const e = skipOuterExpressions(t, condition);
  const isCacheName = (x: ts.Expression): boolean =>
    t.isIdentifier(x) || (t.isPropertyAccessExpression(x) && t.isIdentifier(x.expression));
  if (isCacheName(e)) return e.getText();
  if (!t.isBinaryExpression(e)) return undefined;
  const op = e.operatorToken.kind;
  if (op !== t.SyntaxKind.ExclamationEqualsToken && op !== t.SyntaxKind.ExclamationEqualsEqualsToken) return undefined;
  const unset = (x: ts.Expression): boolean =>
    x.kind === t.SyntaxKind.NullKeyword || (t.isIdentifier(x) && x.text === 'undefined');
  const left = skipOuterExpressions(t, e.left);
  const right = skipOuterExpressions(t, e.right);
  if (unset(right) && isCacheName(left)) return left.getText();
  if (unset(left) && isCacheName(right)) return right.getText();
  return undefined;
}

/** `let root` at the module's top level, or `Paths.root` of a class declared there (a static field). */
function isModuleLevelCache(t: TS, file: ts.SourceFile, cache: string): boolean {
  const [owner, property] = cache.split('.');
  for (const statement of file.statements) {
    if (property === undefined && t.isVariableStatement(statement)) {
      if (statement.declarationList.declarations.some((d) => t.isIdentifier(d.name) && d.name.text === owner))
        return true;
    }
    if (property !== undefined && t.isClassDeclaration(statement) && statement.name?.text === owner) {
      return statement.members.some(
        (m) =>
          t.isPropertyDeclaration(m) &&
          t.isIdentifier(m.name) &&
          m.name.text === property &&
          (t.getCombinedModifierFlags(m) & t.ModifierFlags.Static) !== 0,
      );
    }
  }
  return false;
}

/**
 * `export default registerAs('app', () => { …; return fail(message) })` of @nestjs/config: the
 * factory runs when `ConfigModule.forRoot({ load: [appConfig] })` (or `forFeature`) provides the
 * namespace, while Nest builds its modules, before the app listens (HedgeDoc's config files call
 * `printConfigErrorAndExit` from theirs).
 */
function isNestConfigFactory(index: ProgramIndex, fn: ts.Node): fn is ts.ArrowFunction | ts.FunctionExpression {
  const t = index.ts;
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  let e: ts.Node = fn;
  while (t.isParenthesizedExpression(e.parent)) e = e.parent;
  const call = e.parent;
  if (!t.isCallExpression(call) || call.arguments[1] !== e) return false;
  const ref = index.binding.resolve(call.expression);
  return ref?.module === '@nestjs/config' && ref.path.length === 1 && ref.path[0] === 'registerAs';
}

/** `X.instance ??= new C()`, or `if (X.instance == null) X.instance = new C()`: the function memoising it. */
function memoisingFunction(t: TS, site: ts.Node): FunctionLikeWithBody | undefined {
  const assignment = site.parent;
  if (!t.isNewExpression(site) || !assignment || !t.isBinaryExpression(assignment) || assignment.right !== site)
    return undefined;
  const op = assignment.operatorToken.kind;
  const target = assignment.left.getText();
  let memoised = op === t.SyntaxKind.QuestionQuestionEqualsToken || op === t.SyntaxKind.BarBarEqualsToken;
  if (!memoised && op === t.SyntaxKind.EqualsToken) {
    for (let p: ts.Node | undefined = assignment.parent; p && !isFunctionLikeWithBody(t, p); p = p.parent) {
      if (t.isIfStatement(p) && p.expression.getText().includes(target)) memoised = true;
    }
  }
  const fn = memoised ? enclosingFunction(t, site) : undefined;
  return fn && !t.isConstructorDeclaration(fn) ? fn : undefined;
}

/**
 * A function that only the start runs: every use of it (test files aside) is a call, made in the
 * own body (not a callback) of an entry module's top level or of another such function:
 * `WIKI.kernel.init()` at the entry's top level, `this.bootMaster()` in `init()`,
 * `require('./auth').init()` in the boot sequence that `bootMaster()` awaits; `init(app, server)`
 * loaded through a table of dynamic imports (import-tables.ts) in a `start` that throng's `worker`
 * runs through `import('./main').then(({ start }) => start(id))`. Stricter than
 * `isStartupScope`: a function handed on as a value (a timer's or a listener's callback, a
 * runner's `{ worker: start }`) is not one, and neither is an imported module's top level, which
 * runs whenever the module is first loaded (a lazy `require` in a handler). Only throng's own
 * option written in place (`worker: (id) => …`) counts, since throng runs it once per process, and
 * the continuation of a dynamic import (`.then(({ start }) => start(id))`) runs once, when loaded.
 */
export function isCalledOnlyAtStartup(index: ProgramIndex, fn: FunctionLikeWithBody, depth = 0): boolean {
  const t = index.ts;
  if (depth > 6) return false;
  const facts = factsOf(index);
  const cached = facts.startupCalls.get(fn);
  if (cached !== undefined) return cached;
  facts.startupCalls.set(fn, false); // cycle guard
  const atStartup = (site: ts.Node): boolean => {
    const named = namedScopeOf(t, site);
    let own = ownScopeOf(t, site);
    // `import('./main').then(({ start }) => start())`: runs once, when the module has loaded.
    while (own !== named && !t.isSourceFile(own) && isImportContinuation(t, own)) own = ownScopeOf(t, own.parent);
    if (own !== named) return false; // in a callback: runs later
    if (t.isSourceFile(named)) return index.isEntryModule(named);
    return isCalledOnlyAtStartup(index, named, depth + 1);
  };
  if (isRunnerProcessStart(index, fn)) {
    const startup = atStartup(fn.parent.parent.parent);
    facts.startupCalls.set(fn, startup);
    return startup;
  }
  const uses = usesOf(index, fn);
  const startup =
    uses !== undefined && uses.length > 0 && uses.every((site) => t.isCallExpression(site) && atStartup(site));
  facts.startupCalls.set(fn, startup);
  return startup;
}

/**
 * A function only the start runs (`isCalledOnlyAtStartup`), each call of it made before anything
 * opens in the code that makes it (no `listen()`, no pool or client), and that code itself so, up
 * to the entry's top level: HedgeDoc's `runMigrations(app)` in `setupApp()`, which `bootstrap()`
 * awaits before `app.listen()`. A server or app it is given has accepted no connection yet.
 */
export function runsBeforeAnythingOpens(index: ProgramIndex, fn: FunctionLikeWithBody, depth = 0): boolean {
  const t = index.ts;
  if (depth > 6 || !isCalledOnlyAtStartup(index, fn)) return false;
  const facts = factsOf(index);
  const cached = facts.beforeOpening.get(fn);
  if (cached !== undefined) return cached;
  facts.beforeOpening.set(fn, false); // cycle guard
  const uses = usesOf(index, fn);
  const before =
    uses !== undefined &&
    uses.length > 0 &&
    uses.every((site) => {
      const named = namedScopeOf(t, site);
      if (openedBefore(index, site, named)) return false;
      return t.isSourceFile(named) || runsBeforeAnythingOpens(index, named, depth + 1);
    });
  facts.beforeOpening.set(fn, before);
  return before;
}

/** `({ start }) => start()` in `import('./main').then(…)`: the continuation of a dynamic import. */
function isImportContinuation(t: TS, fn: ts.Node): boolean {
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  const call = fn.parent;
  if (!t.isCallExpression(call) || call.arguments[0] !== fn) return false;
  const callee = call.expression;
  if (!t.isPropertyAccessExpression(callee) || callee.name.text !== 'then') return false;
  const loaded = skipOuterExpressions(t, callee.expression);
  return t.isCallExpression(loaded) && loaded.expression.kind === t.SyntaxKind.ImportKeyword;
}

/**
 * `throng({ master, worker: (id, disconnect) => … })`: throng runs `worker` once in each process it
 * forks, when that process starts, and `master` once in the master. Only a function written in
 * place; the object must be the call's first argument.
 */
function isRunnerProcessStart(
  index: ProgramIndex,
  fn: FunctionLikeWithBody,
): fn is FunctionLikeWithBody & { parent: ts.PropertyAssignment & { parent: { parent: ts.CallExpression } } } {
  const t = index.ts;
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  const property = fn.parent;
  if (!t.isPropertyAssignment(property) || property.initializer !== fn || !t.isIdentifier(property.name)) return false;
  if (property.name.text !== 'worker' && property.name.text !== 'master') return false;
  const options = property.parent;
  const call = options.parent;
  if (!t.isObjectLiteralExpression(options) || !t.isCallExpression(call) || call.arguments[0] !== options) return false;
  const ref = index.binding.resolve(call.expression);
  return ref?.module === 'throng' && (ref.path.length === 0 || (ref.path.length === 1 && ref.path[0] === 'default'));
}

/**
 * The function whose own code `node` is: the nearest enclosing function, where a callback handed
 * to a call its container awaits (`await wrapWithLoggerContext(ctx, async () => { … })`,
 * `await retry(async () => …)`, `await als.run(store, async () => …)`) is its container's code,
 * not a callback that runs later: the awaited promise settles once the callback has run, so the
 * container goes on only after it. A callback of a call nobody awaits runs when it runs.
 */
function ownScopeOf(t: TS, node: ts.Node): ts.Node {
  let fn = enclosingFunction(t, node);
  while (fn && runsInAwaitedCall(t, fn)) fn = enclosingFunction(t, fn);
  return fn ?? node.getSourceFile();
}

function runsInAwaitedCall(t: TS, fn: FunctionLikeWithBody): boolean {
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  let e: ts.Node = fn;
  while (t.isParenthesizedExpression(e.parent)) e = e.parent;
  const call = e.parent;
  if (!t.isCallExpression(call)) return false;
  let awaited: ts.Node = call;
  while (t.isParenthesizedExpression(awaited.parent)) awaited = awaited.parent;
  return call.arguments.includes(e as ts.Expression) && t.isAwaitExpression(awaited.parent);
}

/**
 * The calls of a function (`new C()` for a constructor) outside test files, or undefined when it
 * is also used as a value. Candidates are found by name first (the names it is imported under
 * included: `import validateConfig from './validate'`), then resolved. A plugin handed to
 * `app.register(plugin)` counts as called there: Fastify loads its plugins at startup, before
 * the server listens.
 */
function usesOf(index: ProgramIndex, fn: FunctionLikeWithBody): ts.Node[] | undefined {
  const t = index.ts;
  const cls = t.isConstructorDeclaration(fn) ? fn.parent : undefined;
  const name = cls ? cls.name?.text : functionName(t, fn);
  if (!name) return cls ? undefined : moduleExportsUses(index, fn);
  const names = new Set([name, ...importedNamesOf(index, fn.getSourceFile(), name)]);
  const classSymbol = cls?.name ? index.types.getSymbolAtLocation(cls.name) : undefined;
  const denotes = (e: ts.Expression): boolean => {
    if (cls) {
      let symbol = index.types.getSymbolAtLocation(e);
      if (symbol && symbol.flags & t.SymbolFlags.Alias) symbol = index.types.getAliasedSymbol(symbol);
      if (symbol !== undefined && symbol === classSymbol) return true;
      if (classSymbol === undefined) return false;
      // `const { Server } = require('./server')`: the value's type is the class, or (in TypeScript,
      // where such a require is `any`) the destructured name of the class's module.
      if (index.types.getTypeAtLocation(e).getSymbol() === classSymbol) return true;
      return requiredExport(index, e) === `${cls.getSourceFile().fileName}#${cls.name?.text}`;
    }
    return index.resolveFunctions(e, 0, false).includes(fn);
  };
  const lastName = (e: ts.Expression): string | undefined => {
    const x = skipOuterExpressions(t, e);
    return t.isIdentifier(x) ? x.text : t.isPropertyAccessExpression(x) ? x.name.text : undefined;
  };
  const sites: ts.Node[] = [];
  if (!cls) {
    for (const alias of names) {
      for (const call of index.callsWithArgumentNamed(alias)) {
        if (isTestSupport(index, call.getSourceFile())) continue;
        for (const arg of call.arguments ?? []) {
          if (lastName(arg) !== alias || !denotes(arg)) continue;
          if (isPluginRegistration(index, call, arg)) sites.push(call);
          else return undefined;
        }
      }
    }
  }
  if (!cls) sites.push(...configValidationSites(index, fn));
  // `const { default: init } = await services[name]()`, `services` a table of `() => import('./web')`.
  if (!cls) {
    const loaded = dynamicImportSites(index, fn, (file) => isTestSupport(index, file));
    if (loaded === undefined) return undefined;
    sites.push(...loaded);
  }
  for (const alias of names) {
    for (const call of index.callsNamed(alias)) {
      if (isTestSupport(index, call.getSourceFile())) continue;
      if (cls ? !t.isNewExpression(call) : !t.isCallExpression(call)) continue;
      if (denotes(call.expression)) sites.push(call);
    }
  }
  return sites;
}

/**
 * The calls of a function that is its module's CommonJS export (`module.exports = async () => …`):
 * `require('./master')()`, or `const master = require('./master')` then `master()` in that file.
 * Undefined when the module is used any other way (handed on, `app.use(require('./routes'))`).
 */
function moduleExportsUses(index: ProgramIndex, fn: FunctionLikeWithBody): ts.Node[] | undefined {
  const t = index.ts;
  const assignment = fn.parent;
  if (
    !t.isBinaryExpression(assignment) ||
    assignment.right !== fn ||
    assignment.operatorToken.kind !== t.SyntaxKind.EqualsToken ||
    assignment.left.getText() !== 'module.exports'
  )
    return undefined;
  const file = fn.getSourceFile();
  const sites: ts.Node[] = [];
  for (const require of index.callsNamed('require')) {
    if (!t.isCallExpression(require) || index.binding.requireSpecifier(require) === undefined) continue;
    if (isTestSupport(index, require.getSourceFile())) continue;
    if (index.binding.moduleFileOf(require.arguments[0]!) !== file) continue;
    let use: ts.Node = require;
    while (t.isParenthesizedExpression(use.parent)) use = use.parent;
    const parent = use.parent;
    if (t.isCallExpression(parent) && parent.expression === use) {
      sites.push(parent);
      continue;
    }
    if (!t.isVariableDeclaration(parent) || !t.isIdentifier(parent.name)) return undefined;
    const references = referencesWithin(t, parent.name, require.getSourceFile(), (n) =>
      index.types.getSymbolAtLocation(n),
    );
    if (references === undefined) return undefined;
    for (const n of references) {
      if (!t.isCallExpression(n.parent) || n.parent.expression !== n) return undefined;
      sites.push(n.parent);
    }
  }
  return sites;
}

/** `Server` of `const { Server } = require('./server')`: `<file of ./server>#Server`. */
function requiredExport(index: ProgramIndex, e: ts.Expression): string | undefined {
  const t = index.ts;
  const x = skipOuterExpressions(t, e);
  if (!t.isIdentifier(x)) return undefined;
  const declaration = index.types.getSymbolAtLocation(x)?.valueDeclaration;
  if (!declaration || !t.isBindingElement(declaration) || !t.isObjectBindingPattern(declaration.parent))
    return undefined;
  const variable = declaration.parent.parent;
  if (!t.isVariableDeclaration(variable) || !variable.initializer) return undefined;
  const init = skipOuterExpressions(t, variable.initializer);
  if (!t.isCallExpression(init) || index.binding.requireSpecifier(init) === undefined || !init.arguments[0])
    return undefined;
  const file = index.binding.moduleFileOf(init.arguments[0]) ?? relativeModule(index, init.arguments[0]);
  const name = declaration.propertyName ?? declaration.name;
  if (!file || !t.isIdentifier(name)) return undefined;
  return `${file.fileName}#${name.text}`;
}

/** `require('./x')` in a TypeScript file, which the checker leaves untyped: the program file at that path. */
function relativeModule(index: ProgramIndex, specifier: ts.Expression): ts.SourceFile | undefined {
  const t = index.ts;
  if (!t.isStringLiteralLike(specifier) || !specifier.text.startsWith('.')) return undefined;
  const base = posix.join(posix.dirname(specifier.getSourceFile().fileName), specifier.text).replace(/\.[cm]?js$/, '');
  for (const suffix of ['.ts', '.tsx', '.js', '.mts', '.cts', '/index.ts', '/index.js', '']) {
    const file = index.program.getSourceFile(base + suffix);
    if (file) return file;
  }
  return undefined;
}

/** `test-e2e/`, `e2e/`, `integration-tests/`: folders of tests and their harnesses. */
/** A test file, or a helper only tests load (an end-to-end harness that starts the server). */
function isTestSupport(index: ProgramIndex, file: ts.SourceFile): boolean {
  if (isTestFile(file.fileName)) return true; // test files and folders, `test-e2e/` and `e2e-tests/` included
  if (index.isEntryModule(file)) return false;
  // Asked for every candidate call of every function asked about: the entries once per file.
  const cache = factsOf(index).testSupport;
  let only = cache.get(file);
  if (only === undefined) {
    only = index.entriesOf(file).every((entry) => isTestFile(entry.fileName));
    cache.set(file, only);
  }
  return only;
}

/**
 * `ConfigModule.forRoot({ validate })` of @nestjs/config: `forRoot` runs the validation while
 * the module's decorator is evaluated, at load time, so the call is where `validate` runs.
 */
function configValidationSites(index: ProgramIndex, fn: FunctionLikeWithBody): ts.Node[] {
  const t = index.ts;
  const sites: ts.Node[] = [];
  for (const call of index.callsNamed('forRoot')) {
    if (!t.isCallExpression(call) || isTestSupport(index, call.getSourceFile())) continue;
    const ref = index.binding.resolve(call.expression);
    if (ref?.module !== '@nestjs/config') continue;
    const options = call.arguments[0] && skipOuterExpressions(t, call.arguments[0]);
    if (!options || !t.isObjectLiteralExpression(options)) continue;
    for (const property of options.properties) {
      if (!property.name || staticPropertyName(t, property.name) !== 'validate') continue;
      const value = propertyValue(t, property);
      if (value && index.resolveFunctions(value, 0, false).includes(fn)) sites.push(call);
    }
  }
  return sites;
}

/**
 * `app.register(plugin, options)`, or `fastifyPlugin(plugin)`: a Fastify plugin. Fastify runs its
 * plugins while the app boots, before it listens, and refuses a registration after that.
 */
function isPluginRegistration(index: ProgramIndex, call: ts.Node, arg: ts.Expression): boolean {
  const t = index.ts;
  if (!t.isCallExpression(call) || call.arguments[0] !== arg) return false;
  if (methodCallParts(t, call)?.name === 'register') return true;
  const ref = index.binding.resolve(call.expression);
  return ref?.module === 'fastify-plugin';
}

/** The local names other files import `name` of `file` under (`import validateConfig from './validate'`). */
function importedNamesOf(index: ProgramIndex, file: ts.SourceFile, name: string): string[] {
  const t = index.ts;
  const facts = factsOf(index);
  // Every renaming import of the program, grouped by the file imported, in one pass: asked per
  // file, the scan over every file's imports made the question quadratic in the program's size.
  facts.importNames ??= renamingImports(index);
  const byFile = facts.importNames.get(file) ?? new Map<string, string[]>();
  const isDefault = file.statements.some(
    (s) =>
      (t.isExportAssignment(s) && !s.isExportEquals && t.isIdentifier(s.expression) && s.expression.text === name) ||
      (t.isFunctionDeclaration(s) &&
        s.name?.text === name &&
        s.modifiers?.some((m) => m.kind === t.SyntaxKind.DefaultKeyword) === true),
  );
  return [...(byFile.get(name) ?? []), ...(isDefault ? (byFile.get('default') ?? []) : [])];
}

/** imported file -> exported name -> the local names its importers give it (renaming imports only). */
function renamingImports(index: ProgramIndex): Map<ts.SourceFile, Map<string, string[]>> {
  const t = index.ts;
  const all = new Map<ts.SourceFile, Map<string, string[]>>();
  for (const source of index.sourceFiles) {
    if (source.isDeclarationFile) continue;
    for (const statement of source.statements) {
      if (!t.isImportDeclaration(statement) || !statement.importClause || statement.importClause.isTypeOnly) continue;
      if (!t.isStringLiteralLike(statement.moduleSpecifier) || !statement.moduleSpecifier.text.match(/^[.@~#/]|\//))
        continue;
      const clause = statement.importClause;
      const pairs: Array<[string, string]> = [];
      if (clause.name) pairs.push(['default', clause.name.text]);
      if (clause.namedBindings && t.isNamedImports(clause.namedBindings)) {
        for (const element of clause.namedBindings.elements) {
          if (element.propertyName) pairs.push([element.propertyName.text, element.name.text]);
        }
      }
      if (pairs.length === 0) continue;
      const file = index.binding.moduleFileOf(statement.moduleSpecifier);
      if (!file || file === source) continue;
      let byFile = all.get(file);
      if (!byFile) {
        byFile = new Map();
        all.set(file, byFile);
      }
      for (const [imported, local] of pairs) {
        const list = byFile.get(imported) ?? [];
        list.push(local);
        byFile.set(imported, list);
      }
    }
  }
  return all;
}

function functionName(t: TS, fn: FunctionLikeWithBody): string | undefined {
  if ((t.isFunctionDeclaration(fn) || t.isFunctionExpression(fn)) && fn.name) return fn.name.text;
  if ((t.isMethodDeclaration(fn) || t.isGetAccessorDeclaration(fn) || t.isSetAccessorDeclaration(fn)) && fn.name)
    return staticPropertyName(t, fn.name);
  const parent = fn.parent;
  if (
    (t.isVariableDeclaration(parent) || t.isPropertyAssignment(parent) || t.isPropertyDeclaration(parent)) &&
    parent.name
  )
    return staticPropertyName(t, parent.name);
  return undefined;
}

/**
 * The first server or resource opened in `scope` before `node` (in source order): the call that
 * creates it, and its catalogue label. A creation whose own callback or chain `node` sits in
 * (`connect().catch(…)` calling `process.exit`) failed to open, so it does not count.
 */
export function openedBefore(
  index: ProgramIndex,
  node: ts.Node,
  scope: FunctionLikeWithBody | ts.SourceFile,
): { call: ts.Node; label: string } | undefined {
  const t = index.ts;
  const excluded = new Set<ts.Node>();
  for (let fn = enclosingFunction(t, node); fn && fn !== scope; fn = enclosingFunction(t, fn)) {
    let call: ts.Node | undefined = fn.parent;
    while (call && (t.isCallExpression(call) || t.isNewExpression(call))) {
      excluded.add(call);
      const receiver: ts.Expression | undefined = t.isCallExpression(call)
        ? methodCallParts(t, call)?.receiver
        : undefined;
      call = receiver ? skipOuterExpressions(t, receiver) : undefined;
    }
  }
  // In a `catch`, the try block threw: what its last statement opens (`app.listen(opts, cb)`, which
  // reports a failure to its callback) was never reached, or failed itself, so it is not open there.
  const unopened = new Set<ts.Node>();
  for (let p: ts.Node = node; p !== scope && !t.isSourceFile(p); p = p.parent) {
    if (t.isCatchClause(p.parent) && p.parent.block === p && t.isTryStatement(p.parent.parent)) {
      const last = p.parent.parent.tryBlock.statements.at(-1);
      if (last && (t.isExpressionStatement(last) || t.isVariableStatement(last))) unopened.add(last);
    }
  }
  const start = node.getStart();
  const body = t.isSourceFile(scope) ? scope : scope.body;
  if (!body) return undefined;
  let found: { call: ts.Node; label: string } | undefined;
  const visit = (n: ts.Node): void => {
    if (found || n.getStart() >= start || unopened.has(n)) return;
    if (n !== body && isFunctionLikeWithBody(t, n) && !t.isArrowFunction(n) && !t.isFunctionExpression(n)) return;
    if (t.isClassLike(n)) return;
    if ((t.isCallExpression(n) || t.isNewExpression(n)) && !excluded.has(n) && n.end <= start) {
      const label = opensWith(index, n);
      if (label) {
        found = { call: n, label };
        return;
      }
    }
    t.forEachChild(n, visit);
  };
  visit(body);
  return found;
}

/** What a call opens, by label: a resource it creates, a server that starts listening (`app.listen()`, `serve()`). */
function opensWith(index: ProgramIndex, call: ts.CallExpression | ts.NewExpression): string | undefined {
  const t = index.ts;
  const kind = index.kindOf(call);
  const spec = kind ? kindSpec(kind) : undefined;
  if (spec && openCategories.has(spec.category)) return spec.label;
  if (spec?.category === 'server') {
    const ref = index.binding.resolve(call.expression);
    if (ref && findFactory(ref)?.listens) return spec.label;
  }
  const parts = t.isCallExpression(call) ? methodCallParts(t, call) : undefined;
  if (parts?.name !== 'listen') return undefined;
  const receiverKind = index.kindOf(parts.receiver, true);
  const receiverSpec = receiverKind ? kindSpec(receiverKind) : undefined;
  // `app.listen()` on an Express app returns the HTTP server it opens.
  if (receiverSpec)
    return longRunningCategories.has(receiverSpec.category) ? (spec?.label ?? receiverSpec.label) : undefined;
  return isServerValue(index, parts.receiver, 0) ? 'server' : undefined;
}

// ── Subcommands of a multi-command CLI ──

/** Commander's option and argument declarations whose third argument parses the value. */
const optionMethods: ReadonlySet<string> = new Set(['option', 'requiredOption', 'argument']);

export interface CommandFacts {
  /** The functions a command runs: commander's `.action(fn)`, yargs' `.command(cmd, desc, builder, handler)`. */
  actions: Set<ts.Node>;
  /** Commander's option parsers (`.option('--port <n>', 'port', parseInteger)`): they run while argv is parsed. */
  parsers: Set<ts.Node>;
  /** The files that register a command's action: each is a program of its own. */
  modules: Set<ts.SourceFile>;
  longRunning: Map<ts.SourceFile, boolean>;
}
const commandFacts = factKey<CommandFacts>('commands of a multi-command CLI');

/** The receivers of a fluent chain, outermost first: `program.command('x').option(…).action(…)`. */
function chainCalls(t: TS, call: ts.CallExpression): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  let e: ts.Expression = call;
  for (;;) {
    e = skipOuterExpressions(t, e);
    if (!t.isCallExpression(e)) break;
    const parts = methodCallParts(t, e);
    if (!parts) break;
    calls.push(e);
    e = parts.receiver;
  }
  return calls;
}

export function commandsOf(index: ProgramIndex): CommandFacts {
  return index.fact(commandFacts, () => {
    const t = index.ts;
    const facts: CommandFacts = { actions: new Set(), parsers: new Set(), modules: new Set(), longRunning: new Map() };
    const addAll = (into: Set<ts.Node>, expression: ts.Expression | undefined): number => {
      if (!expression) return 0;
      const fns = index.resolveFunctions(expression, 0, false);
      for (const fn of fns) into.add(fn);
      return fns.length;
    };
    for (const call of index.calls) {
      if (!t.isCallExpression(call) || isTestFile(call.getSourceFile().fileName)) continue;
      const parts = methodCallParts(t, call);
      if (!parts) continue;
      if (parts.name === 'action' && call.arguments.length === 1) {
        // commander: `.command('hash').option(…).action(fn)`.
        const chain = chainCalls(t, call).slice(1);
        const isCommand = chain.some((c) => methodCallParts(t, c)?.name === 'command');
        if (isCommand && addAll(facts.actions, call.arguments[0]) > 0) facts.modules.add(call.getSourceFile());
        if (isCommand) {
          for (const c of chain) {
            const name = methodCallParts(t, c)?.name;
            if (name && optionMethods.has(name)) for (const arg of c.arguments.slice(2)) addAll(facts.parsers, arg);
          }
        }
        continue;
      }
      if (parts.name === 'command') {
        // yargs: `.command('serve', 'start the server', builder, handler)` or `.command({ command, handler })`.
        const [first] = call.arguments;
        let handler: ts.Expression | undefined = call.arguments.length >= 4 ? call.arguments[3] : undefined;
        if (first && t.isObjectLiteralExpression(skipOuterExpressions(t, first))) {
          for (const p of (skipOuterExpressions(t, first) as ts.ObjectLiteralExpression).properties) {
            if (p.name && staticPropertyName(t, p.name) === 'handler') {
              handler = propertyValue(t, p);
              if (t.isMethodDeclaration(p)) {
                facts.actions.add(p);
                facts.modules.add(call.getSourceFile());
              }
            }
          }
        }
        if (handler && addAll(facts.actions, handler) > 0) facts.modules.add(call.getSourceFile());
      }
      if (parts.name === 'argParser' && call.arguments.length === 1) addAll(facts.parsers, call.arguments[0]);
    }
    return facts;
  });
}

/** A function a subcommand runs: the command's own entry (Go's `main` of that command). */
export function isCommandAction(index: ProgramIndex, fn: ts.Node): boolean {
  return commandsOf(index).actions.has(fn);
}

/** `node` is in an option parser of a CLI: it runs while argv is parsed, before any command starts. */
export function isInOptionParser(index: ProgramIndex, node: ts.Node): boolean {
  const { parsers } = commandsOf(index);
  if (parsers.size === 0) return false;
  for (let fn = enclosingFunction(index.ts, node); fn; fn = enclosingFunction(index.ts, fn)) {
    if (parsers.has(fn)) return true;
  }
  return false;
}
