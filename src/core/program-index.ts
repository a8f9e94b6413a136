// The ProgramIndex: whole-program facts, built in one pass over the program and cached per
// ts.Program. Rules ask it questions (what kind of thing is this value, is this function a request
// handler, which shutdown paths reach this node); they never walk the program themselves.
import type * as ts from 'typescript';
import { ModuleBinding } from './binding.js';
import { isTestFile } from './files.js';
import {
  factories,
  findFactory,
  findShutdownLibrary,
  fetchRouteExportNames,
  kindForType,
  kindSpec,
  kindedMethodNames,
  listenerMethods,
  nestHttpMethodDecorators,
  nestShutdownMethods,
  refIn,
  remixRouteExportNames,
  sameRef,
  shutdownHookMethods,
  shutdownSignals,
  type ApiRef,
  type FactorySpec,
  type ShutdownLibrarySpec,
} from './catalogue.js';
import {
  enclosingFunction,
  functionBody,
  isFunctionLikeWithBody,
  isInDeclarationFileOrNodeModules,
  methodCallParts,
  skipOuterExpressions,
  staticPropertyName,
  type FunctionLikeWithBody,
  type TS,
} from './ts-utils.js';
import { questionsFor, type CountedQuestions } from './type-questions.js';

export interface ServerRecord {
  kind: string;
  /** The call or `new` that creates it. */
  creation: ts.CallExpression | ts.NewExpression;
  /** Created with an option that force-closes connections on close (Fastify `forceCloseConnections: true`). */
  forceClosesOnClose: boolean;
}

export interface HandlerRecord {
  fn: FunctionLikeWithBody;
  /** `express`, `fastify`, `koa`, `hono`, `node:http`, `nestjs`, `fetch-route`. */
  framework: string;
  /** Where it was registered (the `app.get(...)` call, the decorator, the export). */
  registration: ts.Node;
}

export interface ShutdownRoot {
  /** The function that runs at shutdown (or the source file, for a top-level `await once(process, 'SIGTERM')`). */
  fn: FunctionLikeWithBody | ts.SourceFile;
  /** How it is triggered, for messages: `process.once('SIGTERM')`, `close-with-grace`, `onApplicationShutdown`. */
  trigger: string;
  registration: ts.Node;
  /** The library that runs it bounds it with a deadline. */
  bounded: boolean;
  /** Only code from this offset on is on the path (after `await once(process, 'SIGTERM')`). */
  afterPos?: number;
  /** For a listener of `process` itself: the signals it listens to (libraries and hooks have none). */
  signals?: readonly string[];
}

const indexCache = new WeakMap<ts.Program, ProgramIndex>();

const eventsOnce: readonly ApiRef[] = [
  { module: 'events', path: ['once'] },
  { module: 'events', path: ['EventEmitter', 'once'] },
];

export class ProgramIndex {
  readonly binding: ModuleBinding;
  readonly types: CountedQuestions;
  /** The files this program's authors wrote: not declaration files, not node_modules. */
  readonly sourceFiles: readonly ts.SourceFile[];
  /** What the catalogue's factories create (servers, apps, resources), and resources a method opens (`kafka.producer()`). */
  readonly servers: ServerRecord[] = [];
  readonly handlers = new Map<ts.Node, HandlerRecord>();
  readonly shutdownRoots: ShutdownRoot[] = [];

  private readonly importedFiles = new Set<ts.SourceFile>();
  /** The import graph: file -> the program files it imports. */
  private readonly imports = new Map<ts.SourceFile, Set<ts.SourceFile>>();
  private serviceFiles: Set<ts.SourceFile> | undefined;
  private importers: Map<ts.SourceFile, ts.SourceFile[]> | undefined;
  private readonly loadedCache = new Map<ts.SourceFile, Set<ts.SourceFile>>();
  private drainEntries: Set<ts.Node> | undefined;
  /** Every call and `new` in the program's own files, each file's in source order. */
  readonly calls: (ts.CallExpression | ts.NewExpression)[] = [];
  private readonly classes: ts.ClassLikeDeclaration[] = [];
  private readonly assignmentsByName = new Map<string, ts.BinaryExpression[]>();
  /**
   * Every name a function of the program's own code can be reached by: the names of its
   * declarations, import and export specifiers, and assignment targets (`exports.x = …`). A callee
   * whose name is not here cannot resolve to program code, so the checker is not asked.
   */
  private readonly declaredNames = new Set<string>(['default', 'export=']);
  /**
   * Syntactic name facts for finding the uses of a value without asking the checker about every
   * identifier: name -> the names it is re-bound as (`const db = deps.pool`, `import { pool as db }`,
   * `export { pool as db }`); the names a default import, `import x = require()` or a JavaScript
   * `require()` binds (they alias whatever the module exports, under any name); declarations by
   * their type annotation's name (`private prisma: PrismaService`); variables by the last name
   * of the call that initialises them (`const User = mongoose.model(...)`).
   */
  private readonly rebindings = new Map<string, Set<string>>();
  private readonly moduleBindingNames = new Set<string>();
  private readonly namesByAnnotation = new Map<string, Set<string>>();
  private readonly namesByInitializerCall = new Map<string, Set<string>>();
  /** Fastify-style plugin functions -> the receiver they were registered on. */
  private readonly pluginReceivers = new Map<ts.Node, ts.Expression>();
  private readonly kindCache = new Map<ts.Symbol, string | null>();
  private readonly serverByCreation = new Map<ts.Node, ServerRecord>();
  private readonly rootsByFunction = new Map<ts.Node, ShutdownRoot[]>();
  private readonly pathByRoot = new Map<ShutdownRoot, Set<ts.Node>>();

  /** The index for a program, built on first use and cached for the program's lifetime. */
  static for(t: TS, program: ts.Program): ProgramIndex {
    let index = indexCache.get(program);
    if (!index) {
      index = new ProgramIndex(t, program);
      indexCache.set(program, index);
    }
    return index;
  }

  private constructor(
    readonly ts: TS,
    readonly program: ts.Program,
  ) {
    this.types = questionsFor(program);
    this.binding = new ModuleBinding(ts, this.types);
    this.sourceFiles = program.getSourceFiles().filter((f) => !isInDeclarationFileOrNodeModules(f));
    for (const file of this.sourceFiles) this.collect(file);
    // JavaScript the program loads from node_modules (allowJs with maxNodeModuleJsDepth) can hold
    // functions too: their names count, although nothing else of them is indexed.
    for (const file of program.getSourceFiles()) {
      if (!file.isDeclarationFile && isInDeclarationFileOrNodeModules(file)) this.collectDeclaredNames(file);
    }
    // Only now are all names known: resolving a route's exported function needs them (functions
    // are resolved by name first), and answers are cached.
    for (const file of this.sourceFiles) this.collectFetchRouteExports(file);
    this.classify();
    this.computeShutdownPaths();
  }

  // ── Questions rules ask ──

  /** A module that no other file of the program imports: its top level is the program's entry. */
  isEntryModule(file: ts.SourceFile): boolean {
    return !this.importedFiles.has(file);
  }

  /** The request handler that lexically contains `node`, if any. */
  enclosingHandler(node: ts.Node): HandlerRecord | undefined {
    for (let fn = enclosingFunction(this.ts, node); fn; fn = enclosingFunction(this.ts, fn)) {
      const handler = this.handlers.get(fn);
      if (handler) return handler;
    }
    return undefined;
  }

  /** The shutdown roots whose paths run `node`. */
  shutdownRootsOf(node: ts.Node): ShutdownRoot[] {
    const t = this.ts;
    const found: ShutdownRoot[] = [];
    for (let fn: ts.Node | undefined = enclosingFunction(t, node) ?? node.getSourceFile(); fn;) {
      for (const root of this.rootsByFunction.get(fn) ?? []) {
        if (root.fn === fn && root.afterPos !== undefined && node.pos < root.afterPos) continue;
        if (!found.includes(root)) found.push(root);
      }
      if (t.isSourceFile(fn)) break;
      fn = enclosingFunction(t, fn) ?? fn.getSourceFile();
    }
    return found;
  }

  /**
   * Whether a function starts the drain: a shutdown root, or a function a root calls directly
   * (`process.once('SIGTERM', () => shutdown())` makes `shutdown` one).
   */
  startsShutdown(fn: ts.Node): boolean {
    if (!this.drainEntries) {
      const t = this.ts;
      this.drainEntries = new Set();
      for (const root of this.shutdownRoots) {
        this.drainEntries.add(root.fn);
        if (t.isSourceFile(root.fn)) continue;
        const visit = (node: ts.Node): void => {
          if (isFunctionLikeWithBody(t, node)) return;
          if (t.isCallExpression(node)) for (const callee of this.calleeFunctions(node)) this.drainEntries!.add(callee);
          t.forEachChild(node, visit);
        };
        if (root.fn.body) visit(root.fn.body);
      }
    }
    return this.drainEntries.has(fn);
  }

  /** Every function (and source file, for top-level roots) on a root's shutdown path. */
  shutdownPath(root: ShutdownRoot): ReadonlySet<ts.Node> {
    return this.pathByRoot.get(root) ?? new Set();
  }

  /** The server record a value comes from, following variables, fields and assignments. */
  serverOf(expression: ts.Expression, depth = 0): ServerRecord | undefined {
    const t = this.ts;
    if (depth > 8) return undefined;
    const e = skipOuterExpressions(t, expression);
    if (t.isAwaitExpression(e)) return this.serverOf(e.expression, depth + 1);
    const record = this.serverByCreation.get(e);
    if (record) return record;
    let symbol: ts.Symbol | undefined;
    if (t.isIdentifier(e)) symbol = this.types.getSymbolAtLocation(e);
    else if (t.isPropertyAccessExpression(e)) symbol = this.types.getSymbolAtLocation(e.name);
    if (!symbol) return undefined;
    if (symbol.flags & t.SymbolFlags.Alias) {
      try {
        symbol = this.types.getAliasedSymbol(symbol);
      } catch {
        return undefined;
      }
    }
    for (const declaration of symbol.declarations ?? []) {
      if ((t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration)) && declaration.initializer) {
        const found = this.serverOf(declaration.initializer, depth + 1);
        if (found) return found;
      }
    }
    for (const assignment of this.assignmentsByName.get(symbol.name) ?? []) {
      const target = t.isPropertyAccessExpression(assignment.left) ? assignment.left.name : assignment.left;
      if (this.types.getSymbolAtLocation(target) !== symbol) continue;
      const found = this.serverOf(assignment.right, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * The catalogue kind of the value `expression` evaluates to (`http.Server`, `express.App`, …).
   * Bindings, initializers, assignments and annotations first; the checker's type only when
   * `useTypes` is set and syntax cannot tell, so type information refines but never gates.
   */
  kindOf(expression: ts.Expression, useTypes = false, depth = 0): string | undefined {
    const t = this.ts;
    if (depth > 10) return undefined;
    const e = skipOuterExpressions(t, expression);
    let kind: string | undefined;
    if (t.isAwaitExpression(e)) {
      kind = this.kindOf(e.expression, useTypes, depth + 1);
    } else if (t.isCallExpression(e) || t.isNewExpression(e)) {
      kind = this.kindOfCall(e, depth);
    } else if (t.isIdentifier(e)) {
      const symbol = this.types.getSymbolAtLocation(e);
      kind = symbol ? this.kindOfSymbol(symbol, depth) : undefined;
    } else if (t.isPropertyAccessExpression(e) || t.isElementAccessExpression(e)) {
      const name = t.isPropertyAccessExpression(e) ? e.name.text : staticPropertyName(t, e.argumentExpression);
      const receiverKind = this.kindOf(e.expression, useTypes, depth + 1);
      kind = receiverKind && name ? kindSpec(receiverKind)?.properties?.[name] : undefined;
      if (!kind && t.isPropertyAccessExpression(e)) {
        const symbol = this.types.getSymbolAtLocation(e.name);
        kind = symbol ? this.kindOfSymbol(symbol, depth) : undefined;
      }
    }
    if (!kind && useTypes) kind = this.kindFromType(this.types.getTypeAtLocation(e));
    return kind;
  }

  /**
   * The functions an expression denotes: a function expression, a named function, and (unless
   * `throughWrappers` is false) the functions a wrapper call was given: `catchAsync(fn)` is `fn`.
   */
  resolveFunctions(expression: ts.Expression, depth = 0, throughWrappers = true): FunctionLikeWithBody[] {
    if (depth > 0) return this.resolveFunctionsUncached(expression, depth, throughWrappers);
    // Every walk over the program (handlers' reach, shutdown paths, the entry path) asks about the
    // same callees: answer each once. Callers get their own copy of the list.
    const cache = throughWrappers ? this.functionsThroughWrappers : this.functionsDirect;
    let found = cache.get(expression);
    if (!found) {
      found = this.resolveFunctionsUncached(expression, 0, throughWrappers);
      cache.set(expression, found);
    }
    return [...found];
  }

  private readonly functionsThroughWrappers = new Map<ts.Node, FunctionLikeWithBody[]>();
  private readonly functionsDirect = new Map<ts.Node, FunctionLikeWithBody[]>();

  private resolveFunctionsUncached(
    expression: ts.Expression,
    depth: number,
    throughWrappers: boolean,
  ): FunctionLikeWithBody[] {
    const t = this.ts;
    if (depth > 6) return [];
    const e = skipOuterExpressions(t, expression);
    if (isFunctionLikeWithBody(t, e)) return [e];
    if (t.isCallExpression(e)) {
      if (!throughWrappers) return [];
      // `catchAsync(async (req, res) => …)`, `fn.bind(this)`: the functions it wraps.
      const parts = methodCallParts(t, e);
      if (parts && parts.name === 'bind') return this.resolveFunctions(parts.receiver, depth + 1);
      // A factory's result: `process.on('SIGTERM', closer('SIGTERM'))` where closer returns the listener.
      const returned = this.resolveFunctions(e.expression, depth + 1, false).flatMap((fn) =>
        this.returnedFunctions(fn, depth + 1),
      );
      return returned.concat(
        e.arguments.flatMap((a) => {
          const arg = skipOuterExpressions(t, a);
          return isFunctionLikeWithBody(t, arg) || t.isIdentifier(arg) || t.isPropertyAccessExpression(arg)
            ? this.resolveFunctions(arg, depth + 1)
            : [];
        }),
      );
    }
    let symbol: ts.Symbol | undefined;
    if (t.isIdentifier(e)) symbol = this.declaredNames.has(e.text) ? this.types.getSymbolAtLocation(e) : undefined;
    else if (t.isPropertyAccessExpression(e))
      symbol = this.declaredNames.has(e.name.text) ? this.types.getSymbolAtLocation(e.name) : undefined;
    if (!symbol) return [];
    return this.functionsOfSymbol(symbol, depth, throughWrappers);
  }

  /** Functions a function returns: `(signal) => async () => { … }`. */
  private returnedFunctions(fn: FunctionLikeWithBody, depth: number): FunctionLikeWithBody[] {
    const t = this.ts;
    if (!fn.body) return [];
    if (!t.isBlock(fn.body)) return this.resolveFunctions(fn.body, depth + 1, false);
    const result: FunctionLikeWithBody[] = [];
    const visit = (node: ts.Node): void => {
      if (isFunctionLikeWithBody(t, node)) return;
      if (t.isReturnStatement(node) && node.expression)
        result.push(...this.resolveFunctions(node.expression, depth + 1, false));
      t.forEachChild(node, visit);
    };
    visit(fn.body);
    return result;
  }

  functionsOfSymbol(symbol: ts.Symbol, depth = 0, throughWrappers = true): FunctionLikeWithBody[] {
    const t = this.ts;
    if (symbol.flags & t.SymbolFlags.Alias) {
      try {
        symbol = this.types.getAliasedSymbol(symbol);
      } catch {
        return [];
      }
    }
    const result: FunctionLikeWithBody[] = [];
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().isDeclarationFile) continue;
      if (isFunctionLikeWithBody(t, declaration)) result.push(declaration);
      else if (t.isVariableDeclaration(declaration) && declaration.initializer) {
        result.push(...this.resolveFunctions(declaration.initializer, depth + 1, throughWrappers));
      } else if (t.isPropertyAssignment(declaration) || t.isPropertyDeclaration(declaration)) {
        if (declaration.initializer)
          result.push(...this.resolveFunctions(declaration.initializer, depth + 1, throughWrappers));
      } else if (t.isShorthandPropertyAssignment(declaration)) {
        const value = this.types.getShorthandAssignmentValueSymbol(declaration);
        if (value) result.push(...this.functionsOfSymbol(value, depth + 1, throughWrappers));
      } else if (
        (t.isPropertyAccessExpression(declaration) || t.isIdentifier(declaration)) &&
        t.isBinaryExpression(declaration.parent) &&
        declaration.parent.left === declaration
      ) {
        // `exports.createUser = catchAsync(…)` in CommonJS
        result.push(...this.resolveFunctions(declaration.parent.right, depth + 1, throughWrappers));
      }
    }
    return result;
  }

  // ── Building ──

  private collect(file: ts.SourceFile): void {
    const t = this.ts;
    const visit = (node: ts.Node): void => {
      this.addDeclaredName(node);
      this.addNameFacts(node);
      if (t.isCallExpression(node) || t.isNewExpression(node)) {
        this.calls.push(node);
        if (t.isCallExpression(node)) this.collectImportEdge(node);
      } else if (t.isImportDeclaration(node) || t.isExportDeclaration(node)) {
        // Type-only imports are erased: they load nothing at run time.
        if (node.moduleSpecifier && !isTypeOnlyImport(t, node)) this.addImportEdge(node.moduleSpecifier);
      } else if (t.isClassDeclaration(node) || t.isClassExpression(node)) {
        this.classes.push(node);
      } else if (t.isBinaryExpression(node) && node.operatorToken.kind === t.SyntaxKind.EqualsToken) {
        const name = t.isIdentifier(node.left)
          ? node.left.text
          : t.isPropertyAccessExpression(node.left)
            ? node.left.name.text
            : undefined;
        if (name !== undefined) {
          const list = this.assignmentsByName.get(name);
          if (list) list.push(node);
          else this.assignmentsByName.set(name, [node]);
        }
      }
      t.forEachChild(node, visit);
    };
    visit(file);
  }

  private collectDeclaredNames(file: ts.SourceFile): void {
    const visit = (node: ts.Node): void => {
      this.addDeclaredName(node);
      this.ts.forEachChild(node, visit);
    };
    visit(file);
  }

  private addNameFacts(node: ts.Node): void {
    const t = this.ts;
    const add = (map: Map<string, Set<string>>, key: string, name: string): void => {
      const set = map.get(key);
      if (set) set.add(name);
      else map.set(key, new Set([name]));
    };
    const lastName = (e: ts.Expression): string | undefined => {
      const x = skipOuterExpressions(t, e);
      return t.isIdentifier(x) ? x.text : t.isPropertyAccessExpression(x) ? x.name.text : undefined;
    };
    if (
      (t.isVariableDeclaration(node) || t.isParameter(node) || t.isPropertyDeclaration(node)) &&
      t.isIdentifier(node.name)
    ) {
      const name = node.name.text;
      if (node.type && t.isTypeReferenceNode(node.type)) {
        add(
          this.namesByAnnotation,
          t.isIdentifier(node.type.typeName) ? node.type.typeName.text : node.type.typeName.right.text,
          name,
        );
      }
      if (!t.isParameter(node) && node.initializer) {
        const init = skipOuterExpressions(t, node.initializer);
        const from = lastName(init);
        if (from !== undefined) add(this.rebindings, from, name);
        else if (t.isCallExpression(init) || t.isNewExpression(init)) {
          const callee = lastName(init.expression);
          if (callee === 'require') this.moduleBindingNames.add(name);
          else if (callee !== undefined) add(this.namesByInitializerCall, callee, name);
        }
      }
    } else if (
      t.isBindingElement(node) &&
      node.propertyName &&
      t.isIdentifier(node.propertyName) &&
      t.isIdentifier(node.name)
    ) {
      add(this.rebindings, node.propertyName.text, node.name.text);
    } else if ((t.isImportSpecifier(node) || t.isExportSpecifier(node)) && node.propertyName) {
      add(this.rebindings, node.propertyName.text, node.name.text);
    } else if (t.isImportClause(node) && node.name) {
      this.moduleBindingNames.add(node.name.text);
    } else if (t.isImportEqualsDeclaration(node)) {
      this.moduleBindingNames.add(node.name.text);
    }
  }

  /**
   * The identifier texts that can denote a value known by `names` (and, with `annotatedWith`,
   * declarations annotated with those type names, and variables initialised by calls to
   * `initializedBy`), through re-bindings; a superset, never missing one. An identifier whose text
   * is not in it cannot resolve to such a value, so its symbol need not be asked.
   */
  namesThatCanDenote(
    names: Iterable<string>,
    options: { annotatedWith?: Iterable<string>; initializedBy?: Iterable<string> } = {},
  ): Set<string> {
    const result = new Set<string>(this.moduleBindingNames);
    const queue: string[] = [];
    const push = (name: string): void => {
      if (!result.has(name)) {
        result.add(name);
        queue.push(name);
      }
    };
    for (const name of names) push(name);
    for (const callee of options.initializedBy ?? [])
      for (const name of this.namesByInitializerCall.get(callee) ?? []) push(name);
    // Type names re-bound by imports (`import { PrismaService as Db }`) annotate under those names too.
    const typeNames = new Set<string>(options.annotatedWith ?? []);
    const typeQueue = [...typeNames];
    while (typeQueue.length) {
      for (const alias of this.rebindings.get(typeQueue.pop()!) ?? []) {
        if (!typeNames.has(alias)) {
          typeNames.add(alias);
          typeQueue.push(alias);
        }
      }
    }
    for (const typeName of typeNames) for (const name of this.namesByAnnotation.get(typeName) ?? []) push(name);
    while (queue.length) for (const alias of this.rebindings.get(queue.pop()!) ?? []) push(alias);
    return result;
  }

  /** Records `node` when it names something a callee can resolve to (see `declaredNames`). */
  private addDeclaredName(node: ts.Node): void {
    const t = this.ts;
    if (!(
      t.isIdentifier(node) ||
      t.isPrivateIdentifier(node) ||
      t.isStringLiteralLike(node) ||
      t.isNumericLiteral(node)
    ))
      return;
    const parent = node.parent;
    if (!parent) return;
    let named = false;
    if (t.isComputedPropertyName(parent)) named = true;
    else if (t.isImportSpecifier(parent) || t.isExportSpecifier(parent))
      named = true; // name and propertyName
    else if (
      t.isFunctionDeclaration(parent) ||
      t.isFunctionExpression(parent) ||
      t.isMethodDeclaration(parent) ||
      t.isGetAccessorDeclaration(parent) ||
      t.isSetAccessorDeclaration(parent) ||
      t.isVariableDeclaration(parent) ||
      t.isPropertyDeclaration(parent) ||
      t.isPropertyAssignment(parent) ||
      t.isShorthandPropertyAssignment(parent) ||
      t.isImportClause(parent) ||
      t.isNamespaceImport(parent) ||
      t.isNamespaceExport(parent) ||
      t.isImportEqualsDeclaration(parent) ||
      t.isBindingElement(parent)
    ) {
      named =
        (parent as ts.NamedDeclaration).name === node || (t.isBindingElement(parent) && parent.propertyName === node);
    } else if (t.isPropertyAccessExpression(parent) || t.isElementAccessExpression(parent)) {
      // `exports.x = …`, `this.handler = function () {}`: a JavaScript expando declaration.
      const target = t.isPropertyAccessExpression(parent) ? parent.name : parent.argumentExpression;
      const assignment = parent.parent;
      named =
        target === node &&
        assignment !== undefined &&
        t.isBinaryExpression(assignment) &&
        assignment.left === parent &&
        assignment.operatorToken.kind >= t.SyntaxKind.FirstAssignment &&
        assignment.operatorToken.kind <= t.SyntaxKind.LastAssignment;
    }
    if (named) this.declaredNames.add(node.text);
  }

  private callsByName: Map<string, (ts.CallExpression | ts.NewExpression)[]> | undefined;
  private callsByArgumentName: Map<string, (ts.CallExpression | ts.NewExpression)[]> | undefined;

  /** The calls and `new`s whose callee's last name is `name` (`f()`, `a.b.f()`, `new F()`), in program order. */
  callsNamed(name: string): readonly (ts.CallExpression | ts.NewExpression)[] {
    this.indexCallsByName();
    return this.callsByName!.get(name) ?? [];
  }

  /** The calls given an argument whose last name is `name` (`on('x', f)`, `run(a.f)`), in program order. */
  callsWithArgumentNamed(name: string): readonly (ts.CallExpression | ts.NewExpression)[] {
    this.indexCallsByName();
    return this.callsByArgumentName!.get(name) ?? [];
  }

  private indexCallsByName(): void {
    if (this.callsByName) return;
    const t = this.ts;
    const byName = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();
    const byArgument = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();
    const add = (map: typeof byName, e: ts.Expression, call: ts.CallExpression | ts.NewExpression): void => {
      const x = skipOuterExpressions(t, e);
      const name = t.isIdentifier(x) ? x.text : t.isPropertyAccessExpression(x) ? x.name.text : undefined;
      if (name === undefined) return;
      const list = map.get(name);
      if (!list) map.set(name, [call]);
      else if (list[list.length - 1] !== call) list.push(call);
    };
    for (const call of this.calls) {
      add(byName, call.expression, call);
      for (const arg of call.arguments ?? []) add(byArgument, arg, call);
    }
    this.callsByName = byName;
    this.callsByArgumentName = byArgument;
  }

  /** Whether a callee written as `name` can denote a function of the program (see `declaredNames`). */
  mayNameProgramFunction(name: string): boolean {
    return this.declaredNames.has(name);
  }

  private collectImportEdge(call: ts.CallExpression): void {
    const t = this.ts;
    const arg = call.arguments[0];
    if (!arg || !t.isStringLiteralLike(arg)) return;
    if (call.expression.kind === t.SyntaxKind.ImportKeyword || this.binding.requireSpecifier(call) !== undefined) {
      this.addImportEdge(arg);
    }
  }

  private addImportEdge(specifier: ts.Expression): void {
    const t = this.ts;
    if (!t.isStringLiteralLike(specifier)) return;
    // Relative or through a tsconfig path alias: an edge between two of the program's own files.
    const target = this.binding.moduleFileOf(specifier);
    if (!target || isInDeclarationFileOrNodeModules(target)) return;
    this.importedFiles.add(target);
    const from = specifier.getSourceFile();
    const list = this.imports.get(from);
    if (list) list.add(target);
    else this.imports.set(from, new Set([target]));
  }

  /**
   * Whether a file runs in the long-running part of the program: it is imported, directly or
   * not, by an entry module that reaches a file creating a server or a resource, registering
   * request handlers or handling shutdown. A browser bundle sharing code with the server, a
   * stand-alone script or example is not; a program with none of these (a library, a worker we
   * do not recognise) counts as long-running as a whole.
   */
  isPartOfService(file: ts.SourceFile): boolean {
    this.serviceFiles ??= this.computeServiceFiles();
    return this.serviceFiles.size === 0 || this.serviceFiles.has(file);
  }

  private computeServiceFiles(): Set<ts.SourceFile> {
    const seeds = new Set<ts.SourceFile>([
      ...this.servers.map((s) => s.creation.getSourceFile()),
      ...[...this.handlers.keys()].map((fn) => fn.getSourceFile()),
      ...this.shutdownRoots.map((r) => r.registration.getSourceFile()),
    ]);
    return this.filesRunningWith(seeds);
  }

  /** The files loaded by the entry modules that load one of `seeds` (directly or not), seeds included. */
  filesRunningWith(seeds: ReadonlySet<ts.SourceFile>): Set<ts.SourceFile> {
    if (seeds.size === 0) return new Set();
    // Files that reach a seed: walk the import graph backwards from the seeds.
    const importers = new Map<ts.SourceFile, ts.SourceFile[]>();
    for (const [from, targets] of this.imports) {
      for (const target of targets) {
        const list = importers.get(target);
        if (list) list.push(from);
        else importers.set(target, [from]);
      }
    }
    const reachesSeed = new Set(seeds);
    const backwards = [...seeds];
    while (backwards.length) {
      for (const importer of importers.get(backwards.pop()!) ?? []) {
        if (!reachesSeed.has(importer)) {
          reachesSeed.add(importer);
          backwards.push(importer);
        }
      }
    }
    // Everything the service's entry modules load: walk forwards from them.
    const service = new Set<ts.SourceFile>();
    const forwards = [...reachesSeed].filter((f) => !this.importedFiles.has(f) || seeds.has(f));
    for (const file of forwards) service.add(file);
    while (forwards.length) {
      for (const target of this.imports.get(forwards.pop()!) ?? []) {
        if (!service.has(target)) {
          service.add(target);
          forwards.push(target);
        }
      }
    }
    return service;
  }

  /**
   * The entry modules whose run loads `file`: the modules that import it, directly or not (itself
   * included), that no other file imports, or only test files do while their top level does work
   * (`bootstrap();`: an end-to-end test that starts the real main). A file only an import cycle
   * reaches is its own entry.
   */
  entriesOf(file: ts.SourceFile): ts.SourceFile[] {
    this.importers ??= this.computeImporters();
    const seen = new Set([file]);
    const queue = [file];
    while (queue.length) {
      for (const importer of this.importers.get(queue.pop()!) ?? []) {
        if (!seen.has(importer)) {
          seen.add(importer);
          queue.push(importer);
        }
      }
    }
    const importers = this.importers;
    const entries = [...seen].filter((f) => {
      const by = importers.get(f);
      return !by || (by.every((i) => isTestFile(i.fileName)) && !isTestFile(f.fileName) && hasTopLevelWork(this.ts, f));
    });
    return entries.length ? entries : [file];
  }

  /** Every program file an entry module loads at run time, itself included. */
  loadedBy(entry: ts.SourceFile): ReadonlySet<ts.SourceFile> {
    let loaded = this.loadedCache.get(entry);
    if (!loaded) {
      loaded = new Set([entry]);
      const queue = [entry];
      while (queue.length) {
        for (const target of this.imports.get(queue.pop()!) ?? []) {
          if (!loaded.has(target)) {
            loaded.add(target);
            queue.push(target);
          }
        }
      }
      this.loadedCache.set(entry, loaded);
    }
    return loaded;
  }

  private computeImporters(): Map<ts.SourceFile, ts.SourceFile[]> {
    const importers = new Map<ts.SourceFile, ts.SourceFile[]>();
    for (const [from, targets] of this.imports) {
      for (const target of targets) {
        const list = importers.get(target);
        if (list) list.push(from);
        else importers.set(target, [from]);
      }
    }
    return importers;
  }

  private collectFetchRouteExports(file: ts.SourceFile): void {
    const t = this.ts;
    // Next.js `route.ts`, SvelteKit `+server.ts`; Remix `loader`/`action` in `app/routes/`.
    const isRouteFile = /(^|[\\/])(route|\+server)\.[cm]?[jt]sx?$/.test(file.fileName);
    const isRemixRoute = /[\\/]app[\\/]routes[\\/]/.test(file.fileName);
    const isRouteExport = (name: string): boolean =>
      fetchRouteExportNames.has(name) || (isRemixRoute && remixRouteExportNames.has(name));
    const isPagesApi = /[\\/]pages[\\/]api[\\/]/.test(file.fileName);
    const consider = (fn: FunctionLikeWithBody[], registration: ts.Node): void => {
      for (const f of fn) {
        const firstParam = f.parameters[0];
        const typeText = firstParam?.type?.getText(file) ?? '';
        if (isRouteFile || isRemixRoute || /\b(Next)?Request\b/.test(typeText)) {
          this.addHandler(f, 'fetch-route', registration);
        }
      }
    };
    for (const statement of file.statements) {
      const exported =
        t.canHaveModifiers(statement) && t.getModifiers(statement)?.some((m) => m.kind === t.SyntaxKind.ExportKeyword);
      if (t.isFunctionDeclaration(statement) && statement.name && exported) {
        const isDefault = t.getModifiers(statement)?.some((m) => m.kind === t.SyntaxKind.DefaultKeyword);
        if (isRouteExport(statement.name.text)) consider([statement], statement);
        else if (isDefault && isPagesApi && statement.body) this.addHandler(statement, 'next-api', statement);
      } else if (t.isVariableStatement(statement) && exported) {
        for (const declaration of statement.declarationList.declarations) {
          if (t.isIdentifier(declaration.name) && isRouteExport(declaration.name.text) && declaration.initializer) {
            consider(this.resolveFunctions(declaration.initializer), declaration);
          }
        }
      } else if (t.isExportAssignment(statement) && isPagesApi) {
        for (const f of this.resolveFunctions(statement.expression)) this.addHandler(f, 'next-api', statement);
      }
    }
  }

  private classify(): void {
    const t = this.ts;
    // Plugin functions first: their parameters' kinds are asked while classifying the calls inside.
    for (const call of this.calls) {
      if (!t.isCallExpression(call)) continue;
      const parts = methodCallParts(t, call);
      if (!parts || parts.name !== 'register') continue;
      for (const arg of call.arguments) {
        for (const fn of this.resolveFunctions(arg)) this.pluginReceivers.set(fn, parts.receiver);
      }
    }
    for (const call of this.calls) this.classifyCall(call);
    for (const cls of this.classes) this.classifyClass(cls);
  }

  private classifyCall(call: ts.CallExpression | ts.NewExpression): void {
    const t = this.ts;
    const ref = this.binding.resolve(call.expression);
    if (ref) {
      const factory = findFactory(ref);
      if (factory) this.addServerOrResource(call, factory);
      const library = findShutdownLibrary(ref);
      if (library && t.isCallExpression(call)) this.addLibraryRoots(call, library);
      if (t.isCallExpression(call) && refIn(ref, eventsOnce)) this.addAwaitedSignalRoot(call);
    }
    if (!t.isCallExpression(call)) return;
    const parts = methodCallParts(t, call);
    if (!parts) return;
    if (listenerMethods.has(parts.name)) this.addSignalListenerRoot(call, parts.receiver, parts.name);
    if (!kindedMethodNames.has(parts.name)) return;
    const receiverKind = this.kindOf(parts.receiver);
    if (!receiverKind) return;
    const spec = kindSpec(receiverKind);
    // A resource a method opens: `kafka.producer()`, `redis.duplicate()` (not `prisma.$extends()`, the same client).
    const made = spec?.methods?.[parts.name];
    if (made && kindSpec(made)?.mustClose && !spec?.returnsSelf?.includes(parts.name)) {
      this.addServerOrResource(call, { module: receiverKind, path: [parts.name], kind: made });
    }
    const handlerArgs = spec?.handlerMethods?.[parts.name];
    if (handlerArgs) {
      const framework = receiverKind.split('.')[0]!;
      if (handlerArgs === 'functions') {
        // `app.get('/x', (req, res) => …)` — skip `app.get('setting')` (Express settings getter)
        for (const arg of call.arguments) {
          for (const fn of this.resolveFunctions(arg)) this.addHandler(fn, framework, call);
        }
      } else if (handlerArgs === 'route-object') {
        const options = call.arguments[0];
        if (options && t.isObjectLiteralExpression(skipOuterExpressions(t, options))) {
          for (const fn of this.functionsOfProperties(skipOuterExpressions(t, options) as ts.ObjectLiteralExpression, [
            'handler',
          ])) {
            this.addHandler(fn, framework, call);
          }
        }
      } else {
        const event = call.arguments[0];
        if (event && t.isStringLiteralLike(event) && event.text === handlerArgs.event && call.arguments[1]) {
          for (const fn of this.resolveFunctions(call.arguments[1])) this.addHandler(fn, 'node:http', call);
        }
      }
    }
    for (const hook of shutdownHookMethods) {
      if (hook.kind !== receiverKind || hook.method !== parts.name) continue;
      const args = [...call.arguments];
      if (hook.events) {
        const event = args.shift();
        if (!event || !t.isStringLiteralLike(event) || !hook.events.includes(event.text)) continue;
      }
      for (const arg of args) {
        for (const fn of this.resolveFunctions(arg)) {
          this.addRoot({
            fn,
            trigger: `${spec?.label ?? receiverKind} ${parts.name}`,
            registration: call,
            bounded: hook.bounded,
          });
        }
      }
    }
  }

  private addServerOrResource(call: ts.CallExpression | ts.NewExpression, factory: FactorySpec): void {
    const t = this.ts;
    let forceClosesOnClose = false;
    const options = call.arguments?.find((a) => t.isObjectLiteralExpression(skipOuterExpressions(t, a)));
    if (options && factory.boundingOptions) {
      for (const property of (skipOuterExpressions(t, options) as ts.ObjectLiteralExpression).properties) {
        if (!t.isPropertyAssignment(property)) continue;
        const name = staticPropertyName(t, property.name);
        const option = factory.boundingOptions.find((o) => o.name === name);
        if (option && (option.value === 'any' || property.initializer.kind === t.SyntaxKind.TrueKeyword)) {
          forceClosesOnClose = true;
        }
      }
    }
    const record: ServerRecord = { kind: factory.kind, creation: call, forceClosesOnClose };
    this.servers.push(record);
    this.serverByCreation.set(call, record);
    if (factory.handlerArgs) {
      for (const arg of call.arguments ?? []) {
        if (isFunctionLikeWithBody(t, skipOuterExpressions(t, arg)) || t.isIdentifier(arg)) {
          for (const fn of this.resolveFunctions(arg)) this.addHandler(fn, 'node:http', call);
        }
      }
    }
  }

  private addSignalListenerRoot(call: ts.CallExpression, receiver: ts.Expression, method: string): void {
    const [event, listener] = call.arguments;
    if (!event || !listener) return;
    const ref = this.binding.resolve(receiver);
    if (!ref || !sameRef(ref, { module: 'global', path: ['process'] })) return;
    const signals = this.signalNames(event);
    if (!signals) return;
    for (const fn of this.resolveFunctions(listener)) {
      this.addRoot({
        fn,
        trigger: `process.${method}('${signals.join("'|'")}')`,
        registration: call,
        bounded: false,
        signals,
      });
    }
  }

  /** Signal names from a literal, or from the variable of a loop over a list of signal literals. */
  signalNames(event: ts.Expression): string[] | undefined {
    const t = this.ts;
    const e = skipOuterExpressions(t, event);
    if (t.isStringLiteralLike(e)) return shutdownSignals.has(e.text) ? [e.text] : undefined;
    if (!t.isIdentifier(e)) return undefined;
    const symbol = this.types.getSymbolAtLocation(e);
    const declaration = symbol?.declarations?.[0];
    if (!declaration) return undefined;
    let list: ts.Expression | undefined;
    if (t.isParameter(declaration)) {
      // `['SIGTERM', 'SIGINT'].forEach((signal) => process.on(signal, …))`
      const fn = declaration.parent;
      const call = fn.parent;
      if (t.isCallExpression(call) && call.arguments.includes(fn as ts.Expression)) {
        const parts = methodCallParts(t, call);
        if (parts && (parts.name === 'forEach' || parts.name === 'map')) list = parts.receiver;
      }
    } else if (t.isVariableDeclaration(declaration) && t.isVariableDeclarationList(declaration.parent)) {
      const loop = declaration.parent.parent;
      if (t.isForOfStatement(loop)) list = loop.expression;
    }
    if (list && t.isIdentifier(skipOuterExpressions(t, list))) {
      const listSymbol = this.types.getSymbolAtLocation(skipOuterExpressions(t, list));
      const listDeclaration = listSymbol?.declarations?.[0];
      list = listDeclaration && t.isVariableDeclaration(listDeclaration) ? listDeclaration.initializer : undefined;
    }
    if (!list) return undefined;
    const array = skipOuterExpressions(t, list);
    if (!t.isArrayLiteralExpression(array)) return undefined;
    const names = array.elements.filter((el) => t.isStringLiteralLike(el) && shutdownSignals.has(el.text));
    return names.length ? names.map((n) => (n as ts.StringLiteral).text) : undefined;
  }

  /** `await once(process, 'SIGTERM')`: the rest of the enclosing function is the shutdown path. */
  private addAwaitedSignalRoot(call: ts.CallExpression): void {
    const t = this.ts;
    const [emitter, event] = call.arguments;
    if (!emitter || !event) return;
    const ref = this.binding.resolve(emitter);
    if (!ref || !sameRef(ref, { module: 'global', path: ['process'] })) return;
    const signals = this.signalNames(event);
    if (!signals) return;
    const fn = enclosingFunction(t, call) ?? call.getSourceFile();
    this.addRoot({
      fn,
      trigger: `once(process, '${signals.join("'|'")}')`,
      registration: call,
      bounded: false,
      afterPos: call.end,
      signals,
    });
  }

  private addLibraryRoots(call: ts.CallExpression, library: ShutdownLibrarySpec): void {
    const t = this.ts;
    const args = call.arguments;
    const hooks: FunctionLikeWithBody[] = [];
    const { argument, properties } = library.hooks;
    if (argument !== undefined) {
      const arg = argument === 'last' ? args[args.length - 1] : args[argument];
      if (arg) hooks.push(...this.resolveFunctions(arg));
    }
    let bounded = library.bounded;
    for (const arg of args) {
      const object = skipOuterExpressions(t, arg);
      if (!t.isObjectLiteralExpression(object)) continue;
      if (properties) hooks.push(...this.functionsOfProperties(object, properties));
      if (library.unboundedWhen) {
        const option = object.properties.find(
          (p) => t.isPropertyAssignment(p) && staticPropertyName(t, p.name) === library.unboundedWhen!.option,
        ) as ts.PropertyAssignment | undefined;
        if (option && isNoDeadlineValue(t, option.initializer)) bounded = false;
      }
    }
    for (const fn of hooks) this.addRoot({ fn, trigger: library.library, registration: call, bounded });
  }

  private functionsOfProperties(object: ts.ObjectLiteralExpression, names: readonly string[]): FunctionLikeWithBody[] {
    const t = this.ts;
    const result: FunctionLikeWithBody[] = [];
    for (const property of object.properties) {
      const name = staticPropertyName(t, property.name);
      if (name === undefined || !names.includes(name)) continue;
      if (t.isMethodDeclaration(property) && property.body) result.push(property);
      else if (t.isPropertyAssignment(property)) result.push(...this.resolveFunctions(property.initializer));
      else if (t.isShorthandPropertyAssignment(property)) result.push(...this.resolveFunctions(property.name));
    }
    return result;
  }

  private classifyClass(cls: ts.ClassLikeDeclaration): void {
    const t = this.ts;
    const isController = (t.getDecorators(cls) ?? []).some((d) => this.isNestDecorator(d, 'Controller'));
    for (const member of cls.members) {
      if (!t.isMethodDeclaration(member) || !member.body) continue;
      const name = staticPropertyName(t, member.name);
      if (name && nestShutdownMethods.has(name)) {
        this.addRoot({ fn: member, trigger: name, registration: member, bounded: false });
      }
      if (isController && (t.getDecorators(member) ?? []).some((d) => this.isNestHttpDecorator(d))) {
        this.addHandler(member, 'nestjs', member);
      }
    }
  }

  private isNestDecorator(decorator: ts.Decorator, name: string): boolean {
    const t = this.ts;
    const expression = t.isCallExpression(decorator.expression)
      ? decorator.expression.expression
      : decorator.expression;
    const ref = this.binding.resolve(expression);
    return ref !== undefined && sameRef(ref, { module: '@nestjs/common', path: [name] });
  }

  private isNestHttpDecorator(decorator: ts.Decorator): boolean {
    const t = this.ts;
    const expression = t.isCallExpression(decorator.expression)
      ? decorator.expression.expression
      : decorator.expression;
    const ref = this.binding.resolve(expression);
    return (
      ref !== undefined &&
      ref.module === '@nestjs/common' &&
      ref.path.length === 1 &&
      nestHttpMethodDecorators.has(ref.path[0]!)
    );
  }

  private addHandler(fn: FunctionLikeWithBody, framework: string, registration: ts.Node): void {
    if (!this.handlers.has(fn)) this.handlers.set(fn, { fn, framework, registration });
  }

  private addRoot(root: ShutdownRoot): void {
    this.shutdownRoots.push(root);
  }

  private kindOfCall(call: ts.CallExpression | ts.NewExpression, depth: number): string | undefined {
    const t = this.ts;
    const ref = this.binding.resolve(call.expression);
    if (ref) {
      const factory = factories.find((f) => sameRef(f, ref));
      if (factory) return factory.kind;
    }
    if (t.isCallExpression(call)) {
      const parts = methodCallParts(t, call);
      if (parts) {
        const receiverKind = this.kindOf(parts.receiver, false, depth + 1);
        const result = receiverKind ? kindSpec(receiverKind)?.methods?.[parts.name] : undefined;
        if (result) return result;
      }
    }
    return undefined;
  }

  private kindOfSymbol(symbol: ts.Symbol, depth: number): string | undefined {
    const cached = this.kindCache.get(symbol);
    if (cached !== undefined) return cached ?? undefined;
    this.kindCache.set(symbol, null); // cycle guard
    const kind = this.kindOfSymbolUncached(symbol, depth);
    this.kindCache.set(symbol, kind ?? null);
    return kind;
  }

  private kindOfSymbolUncached(symbol: ts.Symbol, depth: number): string | undefined {
    const t = this.ts;
    if (symbol.flags & t.SymbolFlags.Alias) {
      // An import of a value created in another module of this program (`import { server } from './app'`).
      const ref = this.binding.resolveSymbol(symbol, symbol.name);
      if (ref) {
        const factory = factories.find((f) => sameRef(f, ref));
        if (factory) return undefined; // the factory itself, not an instance
      }
      try {
        symbol = this.types.getAliasedSymbol(symbol);
      } catch {
        return undefined;
      }
    }
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().isDeclarationFile) continue;
      let kind: string | undefined;
      if (
        (t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration) || t.isParameter(declaration)) &&
        declaration.initializer
      ) {
        kind = this.kindOf(declaration.initializer, false, depth + 1);
      }
      if (
        !kind &&
        (t.isVariableDeclaration(declaration) || t.isPropertyDeclaration(declaration) || t.isParameter(declaration)) &&
        declaration.type
      ) {
        kind = this.kindOfTypeNode(declaration.type);
      }
      if (!kind && t.isParameter(declaration)) {
        const fn = declaration.parent;
        const receiver = this.pluginReceivers.get(fn);
        if (receiver && fn.parameters[0] === declaration) kind = this.kindOf(receiver, false, depth + 1);
      }
      if (kind) return kind;
    }
    // Assigned later: `server = app.listen()`, `this.server = http.createServer()`.
    for (const assignment of this.assignmentsByName.get(symbol.name) ?? []) {
      const left = assignment.left;
      const target = t.isPropertyAccessExpression(left) ? left.name : left;
      if (this.types.getSymbolAtLocation(target) !== symbol) continue;
      const kind = this.kindOf(assignment.right, false, depth + 1);
      if (kind) return kind;
    }
    return undefined;
  }

  /** `server: http.Server`, `app: Express`, `fastify: FastifyInstance` resolved through bindings. */
  private kindOfTypeNode(node: ts.TypeNode): string | undefined {
    const t = this.ts;
    if (t.isUnionTypeNode(node)) {
      for (const member of node.types) {
        const kind = this.kindOfTypeNode(member);
        if (kind) return kind;
      }
      return undefined;
    }
    if (!t.isTypeReferenceNode(node)) return undefined;
    const ref = this.resolveEntityName(node.typeName);
    return ref ? kindForType(ref) : undefined;
  }

  private resolveEntityName(name: ts.EntityName): ApiRef | undefined {
    const t = this.ts;
    if (t.isIdentifier(name)) {
      const symbol = this.types.getSymbolAtLocation(name);
      return symbol ? this.binding.resolveSymbol(symbol, name.text) : undefined;
    }
    const left = this.resolveEntityName(name.left);
    return left ? { module: left.module, path: [...left.path, name.right.text] } : undefined;
  }

  /** The kind a checker type carries, from where its symbol is declared. */
  private kindFromType(type: ts.Type): string | undefined {
    const t = this.ts;
    const candidates = type.isUnionOrIntersection() ? type.types : [type];
    for (const candidate of candidates) {
      for (const symbol of [candidate.aliasSymbol, candidate.getSymbol()]) {
        if (!symbol) continue;
        const declaration = symbol.declarations?.[0];
        if (!declaration) continue;
        const module = declaringModule(t, declaration);
        if (!module) continue;
        const kind = kindForType({ module, path: [symbol.name] });
        if (kind) return kind;
      }
    }
    return undefined;
  }

  private computeShutdownPaths(): void {
    for (const root of this.shutdownRoots) {
      const path = this.reachableFrom(root.fn, root.afterPos);
      this.pathByRoot.set(root, path);
      for (const fn of path) {
        const list = this.rootsByFunction.get(fn);
        if (list) list.push(root);
        else this.rootsByFunction.set(fn, [root]);
      }
    }
  }

  /**
   * Functions reachable from `start` through calls and function references, within the program.
   * With `afterPos`, only the part of `start` from that offset on runs (after `await once(...)`).
   */
  reachableFrom(start: ts.Node, afterPos?: number): Set<ts.Node> {
    return this.reachableFromAll([start], afterPos);
  }

  /** Functions reachable from any of `starts` in one walk (`afterPos` applies to the first). */
  reachableFromAll(starts: readonly ts.Node[], afterPos?: number): Set<ts.Node> {
    const t = this.ts;
    const start = starts[0];
    const seen = new Set<ts.Node>(starts);
    const queue: ts.Node[] = [...seen];
    const enqueue = (fns: readonly ts.Node[]): void => {
      for (const fn of fns) {
        if (!seen.has(fn)) {
          seen.add(fn);
          queue.push(fn);
        }
      }
    };
    while (queue.length) {
      const fn = queue.shift()!;
      const body = functionBody(t, fn);
      if (!body) continue;
      const from = fn === start ? afterPos : undefined;
      const visit = (node: ts.Node): void => {
        if (from !== undefined && node.end < from) return;
        if (isFunctionLikeWithBody(t, node)) {
          // Nested callbacks run on the same path (`server.close(() => pool.end())`); nested
          // declarations run only when called.
          if (t.isArrowFunction(node) || t.isFunctionExpression(node)) enqueue([node]);
          return;
        }
        if (t.isClassLike(node)) return;
        if (t.isCallExpression(node) || t.isNewExpression(node)) {
          enqueue(this.calleeFunctions(node));
          for (const arg of node.arguments ?? []) {
            if (t.isIdentifier(arg) || t.isPropertyAccessExpression(arg)) enqueue(this.resolveFunctions(arg));
          }
        }
        t.forEachChild(node, visit);
      };
      visit(body);
    }
    return seen;
  }

  private calleeFunctions(call: ts.CallExpression | ts.NewExpression): FunctionLikeWithBody[] {
    const t = this.ts;
    const callee = skipOuterExpressions(t, call.expression);
    if (t.isIdentifier(callee) || t.isPropertyAccessExpression(callee)) return this.resolveFunctions(callee);
    if (isFunctionLikeWithBody(t, callee)) return [callee];
    return [];
  }
}

/** A module whose top level runs something when loaded (`bootstrap();`, `const server = app.listen()`), not only declarations. */
function hasTopLevelWork(t: TS, file: ts.SourceFile): boolean {
  return file.statements.some(
    (s) =>
      t.isExpressionStatement(s) ||
      (t.isVariableStatement(s) &&
        s.declarationList.declarations.some((d) => d.initializer !== undefined && containsCall(t, d.initializer))),
  );
}

function containsCall(t: TS, node: ts.Node): boolean {
  if (isFunctionLikeWithBody(t, node) || t.isClassLike(node)) return false;
  if (t.isCallExpression(node) || t.isNewExpression(node) || t.isAwaitExpression(node)) return true;
  return t.forEachChild(node, (child) => (containsCall(t, child) ? true : undefined)) ?? false;
}

/** `import type { A }`, `import { type A, type B }`, `export type { A } from`: nothing loaded. */
function isTypeOnlyImport(t: TS, node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (t.isExportDeclaration(node)) {
    return (
      node.isTypeOnly ||
      (node.exportClause !== undefined &&
        t.isNamedExports(node.exportClause) &&
        node.exportClause.elements.length > 0 &&
        node.exportClause.elements.every((e) => e.isTypeOnly))
    );
  }
  const clause = node.importClause;
  if (!clause) return false; // `import './side-effect'`
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    t.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** `delay: null`, `delay: false`, `delay: Infinity`, `delay: undefined`: no deadline. */
function isNoDeadlineValue(t: TS, node: ts.Expression): boolean {
  const e = skipOuterExpressions(t, node);
  return (
    e.kind === t.SyntaxKind.NullKeyword ||
    e.kind === t.SyntaxKind.FalseKeyword ||
    (t.isIdentifier(e) && (e.text === 'Infinity' || e.text === 'undefined'))
  );
}

/** The module a declaration belongs to: an ambient `declare module 'x'`, or a package in node_modules. */
function declaringModule(t: TS, declaration: ts.Node): string | undefined {
  for (let p = declaration.parent; p; p = p.parent) {
    if (t.isModuleDeclaration(p) && t.isStringLiteral(p.name)) return p.name.text.replace(/^node:/, '');
  }
  const match = /[\\/]node_modules[\\/]((?:@types[\\/])?(?:@[^\\/]+[\\/])?[^\\/]+)/.exec(
    declaration.getSourceFile().fileName,
  );
  if (!match) return undefined;
  let name = match[1]!.replace(/\\/g, '/');
  if (name.startsWith('@types/')) {
    name = name.slice(7);
    if (name.includes('__')) name = `@${name.replace('__', '/')}`;
  }
  return name;
}
